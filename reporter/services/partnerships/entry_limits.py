"""Entry links (/p/<code>) against guessing and against counting one person many times.

Misses (codes that do not exist) are counted per client address, in Flask-Limiter's storage
(Redis in production, shared by every instance), under ENTRY_MISS_LIMIT: past it, an address is
answered as for an unknown code without any code being looked up, so guessing learns nothing,
and a reporter still gets the form.

A scan counts once per client, per code, per UK day. What is kept to know that is a keyed hash
of the address and the code, under a key derived from SECRET_KEY and the day, stored only until
the day is over: no address is stored, and yesterday's hashes cannot be matched to today's.
Like the report limit, both live in the rate-limit store and are off where rate limits are off.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from datetime import date

from flask import current_app
from limits import RateLimitItem, RateLimitItemPerDay, parse_many

from reporter.extensions import limiter
from reporter.uktime import uk_today

log = logging.getLogger(__name__)
MISS_SCOPE = "entry-misses"
SCAN_SCOPE = "entry-scans"
ONCE_A_DAY = RateLimitItemPerDay(1)


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _miss_limits() -> list[RateLimitItem]:
    return parse_many(current_app.config["ENTRY_MISS_LIMIT"])


def seconds_until_lookups(address: str) -> int | None:
    """None when `address` may have a code looked up; else how long until it may again."""
    if not _enabled():
        return None
    try:
        waits = [
            max(1, math.ceil(limiter.limiter.get_window_stats(item, MISS_SCOPE, address)[0]
                             - time.time()))
            for item in _miss_limits()
            if not limiter.limiter.test(item, MISS_SCOPE, address)
        ]  # fmt: skip
    except Exception as exc:  # the store failed: a reporter is never kept from the form for it
        log.error("entry misses not checked: %s", type(exc).__name__)
        return None
    return max(waits) if waits else None


def count_miss(address: str) -> None:
    """`address` asked for a code that does not exist."""
    if not _enabled():
        return
    try:
        for item in _miss_limits():
            limiter.limiter.hit(item, MISS_SCOPE, address)
    except Exception as exc:
        log.error("entry miss not counted: %s", type(exc).__name__)


def scan_token(address: str, code: str, day: date) -> str:
    """Who scanned what, unreadable: an HMAC of the address and the code under the day's key."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    day_key = hmac.new(secret, b"entry-scan " + day.isoformat().encode(), hashlib.sha256)
    message = f"{address}\n{code}".encode()
    return hmac.new(day_key.digest(), message, hashlib.sha256).hexdigest()[:32]


def first_scan_today(address: str, code: str, day: date | None = None) -> bool:
    """Whether this is the first scan of `code` by this client today (UK time). Counting never
    stands between a reporter and the form: a store that fails counts the scan."""
    if not _enabled():
        return True
    token = scan_token(address, code, day or uk_today())
    try:
        return bool(limiter.limiter.hit(ONCE_A_DAY, SCAN_SCOPE, token))
    except Exception as exc:
        log.error("entry scan not checked: %s", type(exc).__name__)
        return True
