"""How many reports one address may send: only reports that were stored count.

Reading the form, changing its language and sending it with mistakes never count, so a courier
who switches language and corrects two mistakes still has every report left. The count goes
through Flask-Limiter's storage (memory in development, Redis in production, shared by every
instance), with the library's own moving windows, scripts and keys.

A report takes its place in the allowance before it is stored (`take_place`) and settles it
after (`settle`): kept when the report was stored, given back when it was not (the database did
not answer, the key was used for another report, or it was a report sent again). On Redis the
place is taken in every window at once, in one round trip with the library's acquire script,
so two reports racing for the last place cannot both have it; a window that refuses gives back
what the others took. Elsewhere (memory, or memory while Redis is down) the windows are tested
when the place is taken and counted when it is settled; two racing reports may then both pass,
which is the right way to fail for a safeguarding report. A separate, generous limit on every
POST (the application limit, `POST_FLOOD_LIMIT`) holds back floods. Flask-Limiter counts it on
every route but the two that take reports: there a POST counts towards it in the same round trip
as its report's place (`take_place(flood_key=...)`, see reporter/report_posts.py), under the
same keys, so an address has one count of POSTs whatever the routes it sends them to.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from functools import cache
from typing import cast

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.storage import MovingWindowSupport, RedisStorage
from redis import Redis
from redis.exceptions import NoScriptError

from reporter.extensions import FLOOD_SCOPE, limiter

log = logging.getLogger(__name__)
SCOPE = "stored-reports"
_ANSWERED = "reporter.report_limits.answered"  # in app.extensions: this process, this app


def store_answered() -> bool:
    """Whether the store answered the last report's place (in this process). Until it has,
    Flask-Limiter counts the flood limit on the report routes too: it moves to memory when a
    limit it counts fails, so a process that starts, or goes on, without its store counts in
    memory from its next POST (reporter/report_posts.py)."""
    return current_app.extensions.get(_ANSWERED, False)


def _limits(limits: str | None) -> list[RateLimitItem]:
    return list(_parsed(limits or current_app.config["REPORT_RATE_LIMIT"]))


@cache
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    """The limits a setting names, parsed once per process (twice a report otherwise)."""
    return tuple(parse_many(limits))


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


@dataclass
class Place:
    """A report's place in its sender's allowance. `retry_after` (seconds) when there was none:
    nothing was taken. `taken`: the windows a place was taken in (on Redis), given back when
    the report is not stored; empty elsewhere, where the windows are counted when it is.
    `flooded` (seconds): the POST that asked is over the flood limit (asked with `flood_key`),
    and nothing was taken. `settled`: kept or given back already."""

    key: str
    items: list[RateLimitItem] = field(default_factory=list)
    taken: list[RateLimitItem] = field(default_factory=list)
    retry_after: int | None = None
    flooded: int | None = None
    settled: bool = False


def take_place(key: str, limits: str | None = None, *, flood_key: str | None = None) -> Place:
    """A place for one more report from the sender with this `key` (its address, or a partner
    API key's allowance with its own `limits`), or how long to wait for one (`retry_after`).
    With `flood_key` (the client's address), the POST also counts towards the flood limit, in
    the same round trip on Redis; over it, `flooded` says how long to wait, and nothing is
    taken."""
    if not _enabled():
        return Place(key)
    items = _limits(limits)
    floods = list(_parsed(current_app.config["POST_FLOOD_LIMIT"])) if flood_key else []
    address = flood_key or ""
    try:
        found = _acquired(
            [(i, key, SCOPE) for i in items] + [(i, address, FLOOD_SCOPE) for i in floods]
        )
        current_app.extensions[_ANSWERED] = True
        if found is None:  # not on Redis, or Redis lost its scripts: through the library
            taken = None
            flood_room = all([limiter.limiter.hit(i, address, FLOOD_SCOPE) for i in floods])
        else:
            taken = [item for item, took in zip(items, found, strict=False) if took]
            flood_room = all(found[len(items) :])
        if not flood_room:
            if taken:
                _give_back(taken, key)
            waits = _waits(floods, _windows(floods, address, FLOOD_SCOPE))
            return Place(key, flooded=max(waits, default=1))
        if taken is not None and len(taken) == len(items):
            return Place(key, items, taken)
        if taken:
            _give_back(taken, key)
        waits = _waits(items, _windows(items, key, SCOPE))
    except Exception as exc:  # the store failed mid-request: a report is never refused for it
        log.error("report limit not checked: %s", type(exc).__name__)
        current_app.extensions[_ANSWERED] = False
        return Place(key)
    if waits:
        return Place(key, items, retry_after=max(waits))
    return Place(key, items)  # not on Redis, or Redis lost its scripts: counted when settled


def _waits(items: list[RateLimitItem], windows: list[tuple[float, int]]) -> list[int]:
    """Seconds until each full window has room again."""
    now = time.time()
    return [
        max(1, math.ceil(start + item.get_expiry() - now))
        for item, (start, entries) in zip(items, windows, strict=True)
        if entries > item.amount - 1
    ]


def settle(place: Place, stored: bool) -> None:
    """The report that took `place` was `stored`, or not: keep its place, or give it back.
    Once: a place settled before is left as it is."""
    if place.settled or not place.items or place.retry_after is not None:
        return
    place.settled = True
    try:
        if place.taken and not stored:
            _give_back(place.taken, place.key)
        elif not place.taken and stored:
            for item in place.items:
                limiter.limiter.hit(item, place.key, SCOPE)
    except Exception as exc:  # the report is answered as it is: never with an error
        log.error("report limit not settled: %s", type(exc).__name__)


# Each window of each limit is a round trip to Redis when asked through the library, which
# asks once per window. On Redis, the windows of one request are asked in one pipeline, with
# the library's own scripts and keys (tests/test_rate_limits.py checks that both read and count
# the same); elsewhere (memory, or memory while Redis is down) through the library.


def _redis() -> RedisStorage | None:
    storage = limiter.limiter.storage
    return storage if isinstance(storage, RedisStorage) else None


def _acquired(windows: list[tuple[RateLimitItem, str, str]]) -> list[bool] | None:
    """On Redis, one entry taken in each of the (item, key, scope) windows that has room, in
    one round trip: whether each was. None when not on Redis or the scripts are not loaded."""
    storage = _redis()
    if storage is None:
        return None
    now = time.time()
    calls = [
        (storage.lua_acquire_moving_window, item.key_for(key, scope),
         [now, item.amount, item.get_expiry(), 1])
        for item, key, scope in windows
    ]  # fmt: skip
    found = _pipelined(storage, calls)
    return None if found is None else [bool(took) for took in found]


def _give_back(items: list[RateLimitItem], key: str) -> None:
    """Take back one place from each window: the newest entry, as good as the one taken."""
    storage = _redis()
    if storage is None:
        return
    pipe = cast(Redis, storage.get_connection()).pipeline(transaction=False)
    for item in items:
        pipe.lpop(storage.prefixed_key(item.key_for(key, SCOPE)))
    pipe.execute()


def _windows(items: list[RateLimitItem], key: str, scope: str) -> list[tuple[float, int]]:
    """(start, entries) of each item's moving window for `key` in `scope`."""
    storage = limiter.limiter.storage
    if isinstance(storage, RedisStorage):
        now = time.time()
        found = _pipelined(
            storage,
            [
                (storage.lua_moving_window, item.key_for(key, scope),
                 [now - item.get_expiry(), item.amount])
                for item in items
            ],
        )  # fmt: skip
        if found is not None:
            return [(float(w[0]), int(w[1])) if w else (now, 0) for w in found]
    moving = cast(MovingWindowSupport, storage)  # the app's strategy is the moving window
    return [
        moving.get_moving_window(item.key_for(key, scope), item.amount, item.get_expiry())
        for item in items
    ]


def _pipelined(storage: RedisStorage, calls: list) -> list | None:
    """Run the library's scripts, each on its window's key, in one round trip; None when Redis
    does not have them loaded (a restarted Redis): then the library's own calls load them."""
    pipe = cast(Redis, storage.get_connection()).pipeline(transaction=False)
    for script, window, args in calls:
        pipe.evalsha(script.sha, 1, storage.prefixed_key(window), *args)
    try:
        return pipe.execute()
    except NoScriptError:
        return None
