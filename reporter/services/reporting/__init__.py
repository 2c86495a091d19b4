"""A report sent, and the reporter coming back: the intake schema, the one submission path, storing
once per idempotency key, guidance, the report limit, follow-up codes and their limits,
sightings."""
