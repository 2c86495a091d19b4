"""How many reports one address may send: only reports that were stored count.

Reading the form, changing its language and sending it with mistakes never count, so a courier
who switches language and corrects two mistakes still has every report left. The count goes
through Flask-Limiter's storage (memory in development, Redis in production, shared by every
instance), tested before a report is stored and hit once it is. Test-then-hit is not atomic: two
reports from one address racing through the last free place can both be stored, which is the
right way to fail for a safeguarding report. A separate, generous limit on every POST (the
application limit, `POST_FLOOD_LIMIT`) holds back floods.
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from reporter.extensions import limiter

log = logging.getLogger(__name__)
SCOPE = "stored-reports"


def _limits(limits: str | None) -> list[RateLimitItem]:
    return parse_many(limits or current_app.config["REPORT_RATE_LIMIT"])


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def seconds_until_allowed(key: str | None = None, limits: str | None = None) -> int | None:
    """None when this address (or `key`: a partner API key's allowance, with its own `limits`)
    may send another report now; else how long to wait."""
    if not _enabled():
        return None
    key = key or get_remote_address()
    waits = []
    try:
        for item in _limits(limits):
            if not limiter.limiter.test(item, key, SCOPE):
                reset_at, _ = limiter.limiter.get_window_stats(item, key, SCOPE)
                waits.append(max(1, math.ceil(reset_at - time.time())))
    except Exception as exc:  # the store failed mid-request: a report is never refused for it
        log.error("report limit not checked: %s", type(exc).__name__)
        return None
    return max(waits) if waits else None


def count_stored_report(key: str | None = None, limits: str | None = None) -> None:
    """One report from this address (or `key`, see seconds_until_allowed) was stored."""
    if not _enabled():
        return
    key = key or get_remote_address()
    try:
        for item in _limits(limits):
            limiter.limiter.hit(item, key, SCOPE)
    except Exception as exc:  # the report is stored: never answer it with an error
        log.error("stored report not counted: %s", type(exc).__name__)
