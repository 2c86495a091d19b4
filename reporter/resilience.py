"""What the app does when a part it depends on fails, in one place (README: operations).

- The rate-limit store (Redis) unreachable or slow: Flask-Limiter counts in this process's
  memory instead (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), so reports are still accepted and
  still limited, per process. Redis must answer within RATELIMIT_STORE_TIMEOUT, with no retry
  loop of its own, so a slow store costs one short wait, not every request. Flask-Limiter checks
  the store again with a growing interval (1 s, 2 s, ... 32 s) and goes back to it by itself.
- Staff sign-in counts failed attempts in that store: without it the counts would be per process
  and an attacker would get one allowance per worker, so sign-in fails closed (a 503 page that
  says to try again) until the store answers and the limiter is back on it.
- The database drops a connection (a restart, a failover, `pg_terminate_backend`): the request
  that was using it answers with our page (the reference when the report was stored; else 999
  first and every answer kept), and the session's connection is thrown away at the end of the
  request (`release_database`) instead of raising there, after every error handler, where
  gunicorn would answer with its bare 500.
- A pooled PostgreSQL connection is checked before use (`check_out`): by a round trip when it
  has been idle a while, else by a look at its socket. A connection the server has closed (a
  restart, a failover, `pg_terminate_backend`) is thrown away and another is opened, so the
  first request after a restart is stored, not refused.
- Each change of state is logged once per process, never once per request.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Mapping

from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError

from reporter.extensions import db, limiter

log = logging.getLogger(__name__)
_REDIS_SCHEMES = ("redis", "rediss", "valkey")


def storage_options(config: Mapping) -> dict:
    """Options for the rate-limit store's client: fail fast and let the fallback take over."""
    if not str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(_REDIS_SCHEMES):
        return {}
    timeout = config["RATELIMIT_STORE_TIMEOUT"]
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
    }


class _States:
    """The last known state of each part, per process, so that a change is logged once."""

    def __init__(self) -> None:
        self._up: dict[str, bool] = {}
        self._lock = threading.Lock()

    def observe(self, part: str, up: bool, consequence: str) -> None:
        with self._lock:
            changed = self._up.get(part, True) != up
            self._up[part] = up
        if changed and not up:
            log.warning("%s unreachable: %s", part, consequence)
        elif changed:
            log.info("%s reachable again", part)

    def reset(self) -> None:
        """Know nothing, as a new process does (tests make many apps in one process)."""
        with self._lock:
            self._up.clear()


states = _States()


def rate_limiter_on_fallback() -> bool:
    """Whether Flask-Limiter is counting in memory because the store failed. Flask-Limiter keeps
    this in `_storage_dead` (no public accessor at the pinned 4.1.1; a test pins the name)."""
    return bool(getattr(limiter, "_storage_dead", False))


def rate_limit_store_state() -> str:
    """`ok`, `down` (the store does not answer) or `fallback` (it answers again, but the limiter
    has not gone back to it yet); `off` when rate limiting is switched off."""
    if not current_app.config.get("RATELIMIT_ENABLED"):
        return "off"
    up = limiter.storage.check()
    states.observe(
        "rate-limit store",
        up,
        "reports are limited per process and staff sign-in is refused until it returns",
    )
    if not up:
        return "down"
    return "fallback" if rate_limiter_on_fallback() else "ok"


def sign_in_possible() -> bool:
    """Staff sign-in fails closed: only when failed attempts are counted in the shared store."""
    return rate_limit_store_state() in ("ok", "off")


def release_database(_error: BaseException | None = None) -> None:
    """Give the request's database session back. When the connection is gone, its rollback
    fails: throw the connection away instead. Nothing may raise here: a teardown runs after
    every error handler, so its error would reach gunicorn as a bare 500."""
    try:
        db.session.remove()
    except SQLAlchemyError as exc:
        log.warning("database connection lost at the end of a request: %s", type(exc).__name__)
        try:
            db.session().invalidate()  # the connection, closed without a rollback
            db.session.remove()
        except SQLAlchemyError as again:
            log.error("database session not released: %s", type(again).__name__)


# A connection idle longer than this is pinged before use (pgx's pool, in Go, does the same).
PING_AFTER_IDLE = 1.0  # seconds
_IDLE_SINCE = "reporter.idle_since"  # in each pooled connection's record


def _checked_in(_dbapi_connection, record) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def check_out(engine: Engine, dbapi_connection, record) -> None:
    """Whether a pooled PostgreSQL connection is still alive, before a request uses it;
    DisconnectionError when it is not, and the pool opens another.

    SQLAlchemy's `pool_pre_ping` asks the server on every check-out: a round trip before each
    statement of a sync worker that uses one connection at a time, about a tenth of a stored
    report's time (`make bench`). A server that closes a connection sends a FATAL message,
    then closes its socket, so a socket with something to read while the connection is idle
    is one the server has closed: a connection used within PING_AFTER_IDLE is checked that
    way, with no round trip. One idle longer (a NAT or firewall may have dropped it quietly,
    which no look at the socket sees) is pinged, as `pool_pre_ping` would."""
    idle_since = record.info.get(_IDLE_SINCE)
    try:
        if idle_since is None or time.monotonic() - idle_since >= PING_AFTER_IDLE:
            engine.dialect.do_ping(dbapi_connection)
            return
        readable, _w, _x = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except Exception as exc:  # the driver's error, whichever it is: the connection is gone
        raise DisconnectionError(type(exc).__name__) from exc
    if readable:
        raise DisconnectionError("closed by the server while idle")


def init_app(app: Flask) -> None:
    """Run after `db.init_app(app)`: teardowns run last-registered first, so the session is
    released here before Flask-SQLAlchemy's own teardown, which then finds nothing to do."""
    app.teardown_appcontext(release_database)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _checked_in)  # just opened: alive
        event.listen(engine, "checkin", _checked_in)
        event.listen(
            engine, "checkout", lambda conn, record, _proxy: check_out(engine, conn, record)
        )
