"""Feedback to partners: how many of the reports their staff sent led to a referral, so a
business sees that its staff's reports matter. Counts only, and none that could point at a
report: a count under SUPPRESS_UNDER is never shown, and neither is a total from which one
such count could be worked out by subtraction. Pure functions: no Flask, no database."""

from __future__ import annotations

SUPPRESS_UNDER = 5


def shown(count: int) -> int | None:
    """The count, or None when it is too small to show."""
    return count if count >= SUPPRESS_UNDER else None


def total_shown(parts: list[int]) -> int | None:
    """The sum of `parts` (each shown or suppressed by `shown`), or None when it is too small,
    or when exactly one part is suppressed: the total less the others would give it away."""
    total = sum(parts)
    hidden = sum(1 for n in parts if shown(n) is None)
    if shown(total) is None or hidden == 1:
        return None
    return total
