"""How many wrong follow-up attempts an address and a reference may make.

Failures count in Flask-Limiter's storage (Redis in production, shared by every instance), in
a moving window: FOLLOW_UP_ADDRESS_LIMIT per address, FOLLOW_UP_REFERENCE_LIMIT per reference.
A reference that has used its allowance is locked for follow-up until its oldest failure leaves
the window, whether a report has that reference or not. The reference is kept only as a keyed
hash in the store's keys. A store that fails never locks a reporter out.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from reporter.extensions import limiter

log = logging.getLogger(__name__)
SCOPE = "follow-up"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _address_items() -> list[RateLimitItem]:
    return parse_many(current_app.config["FOLLOW_UP_ADDRESS_LIMIT"])


def _reference_items() -> list[RateLimitItem]:
    return parse_many(current_app.config["FOLLOW_UP_REFERENCE_LIMIT"])


def _reference_key(reference: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, reference.encode(), hashlib.sha256).hexdigest()[:32]
    return f"reference:{digest}"


def _wait(items: list[RateLimitItem], key: str) -> int | None:
    """None while `key` has failures left in every window; else the seconds until it has."""
    if not _enabled():
        return None
    try:
        now = time.time()
        waits = []
        for item in items:
            reset, remaining = limiter.limiter.get_window_stats(item, key, SCOPE)
            if remaining <= 0:
                waits.append(max(1, math.ceil(reset - now)))
    except Exception as exc:  # the store failed: never lock a reporter out for it
        log.error("follow-up limit not checked: %s", type(exc).__name__)
        return None
    return max(waits) if waits else None


def address_wait(address: str) -> int | None:
    return _wait(_address_items(), f"address:{address}")


def reference_wait(reference: str) -> int | None:
    return _wait(_reference_items(), _reference_key(reference))


def count_failure(address: str, reference: str) -> None:
    """One wrong attempt from `address` at `reference`."""
    if not _enabled():
        return
    try:
        for item in _address_items():
            limiter.limiter.hit(item, f"address:{address}", SCOPE)
        for item in _reference_items():
            limiter.limiter.hit(item, _reference_key(reference), SCOPE)
    except Exception as exc:
        log.error("follow-up failure not counted: %s", type(exc).__name__)
