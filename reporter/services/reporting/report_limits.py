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
from functools import cache
from typing import cast

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import MovingWindowSupport, RedisStorage
from redis import Redis
from redis.exceptions import NoScriptError

from reporter.extensions import limiter

log = logging.getLogger(__name__)
SCOPE = "stored-reports"


def _limits(limits: str | None) -> list[RateLimitItem]:
    return list(_parsed(limits or current_app.config["REPORT_RATE_LIMIT"]))


@cache
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    """The limits a setting names, parsed once per process (twice a report otherwise)."""
    return tuple(parse_many(limits))


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def seconds_until_allowed(key: str, limits: str | None = None) -> int | None:
    """None when the sender with this `key` (its address, or a partner API key's allowance with
    its own `limits`) may send another report now; else how long to wait."""
    if not _enabled():
        return None
    items = _limits(limits)
    try:
        now = time.time()
        waits = [
            max(1, math.ceil(start + item.get_expiry() - now))
            for item, (start, entries) in zip(items, _windows(items, key), strict=True)
            if entries > item.amount - 1
        ]
    except Exception as exc:  # the store failed mid-request: a report is never refused for it
        log.error("report limit not checked: %s", type(exc).__name__)
        return None
    return max(waits) if waits else None


def count_stored_report(key: str, limits: str | None = None) -> None:
    """One report from the sender with this `key` (see seconds_until_allowed) was stored."""
    if not _enabled():
        return
    try:
        _hit(_limits(limits), key)
    except Exception as exc:  # the report is stored: never answer it with an error
        log.error("stored report not counted: %s", type(exc).__name__)


# Each window of each limit is a round trip to Redis when asked through the library, which
# asks once per window. On Redis, the windows of one request are asked in one pipeline, with
# the library's own scripts and keys (tests/test_rate_limits.py checks that both read and count
# the same); elsewhere (memory, or memory while Redis is down) through the library.


def _windows(items: list[RateLimitItem], key: str) -> list[tuple[float, int]]:
    """(start, entries) of each item's moving window for `key`."""
    storage = limiter.limiter.storage
    if isinstance(storage, RedisStorage):
        now = time.time()
        found = _pipelined(
            storage,
            [
                (storage.lua_moving_window, item, [now - item.get_expiry(), item.amount])
                for item in items
            ],
            key,
        )
        if found is not None:
            return [(float(w[0]), int(w[1])) if w else (now, 0) for w in found]
    moving = cast(MovingWindowSupport, storage)  # the app's strategy is the moving window
    return [
        moving.get_moving_window(item.key_for(key, SCOPE), item.amount, item.get_expiry())
        for item in items
    ]


def _hit(items: list[RateLimitItem], key: str) -> None:
    storage = limiter.limiter.storage
    if isinstance(storage, RedisStorage):
        now = time.time()
        calls = [
            (storage.lua_acquire_moving_window, item, [now, item.amount, item.get_expiry(), 1])
            for item in items
        ]
        if _pipelined(storage, calls, key) is not None:
            return
    for item in items:
        limiter.limiter.hit(item, key, SCOPE)


def _pipelined(storage: RedisStorage, calls: list, key: str) -> list | None:
    """Run the library's scripts in one round trip; None when Redis does not have them loaded
    (a restarted Redis): then the library's own calls load them."""
    pipe = cast(Redis, storage.get_connection()).pipeline(transaction=False)
    for script, item, args in calls:
        pipe.evalsha(script.sha, 1, storage.prefixed_key(item.key_for(key, SCOPE)), *args)
    try:
        return pipe.execute()
    except NoScriptError:
        return None
