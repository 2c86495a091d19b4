"""Email to staff: alerts of urgent reports, who stands in for a region with no active officer, and
the outbox that sends them."""
