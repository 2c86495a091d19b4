"""Pooled PostgreSQL connections are checked before use (resilience.check_out): one used within
the last second by a look at its socket, one idle longer by a round trip. A connection the
server has closed is thrown away and the request goes on, on a new one.

Runs on TEST_DATABASE_URL; without it, NOT TESTED, loudly."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from reporter import resilience
from reporter.extensions import db
from tests.conftest import TEST_DATABASE_URL, missing_service


@pytest.fixture
def engine(app):
    if not TEST_DATABASE_URL:
        missing_service("TEST_DATABASE_URL is not set: pooled connection checks NOT tested")
    with app.app_context():
        db.engine.dispose()  # an empty pool: each test's connections are its own
        yield db.engine


@pytest.fixture
def pings(engine, monkeypatch):
    """The round trips that check a connection, counted."""
    counted = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: counted.append(1) or ping(conn))
    return counted


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def _terminate(pid: int) -> None:
    """End a backend as a restart or a failover would, and wait until it has gone."""
    url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]


def test_a_connection_used_a_moment_ago_is_checked_without_a_round_trip(engine, pings):
    first = _backend(engine)
    assert _backend(engine) == first
    assert _backend(engine) == first
    assert pings == []


def test_a_connection_idle_longer_is_pinged(engine, pings, monkeypatch):
    first = _backend(engine)
    monkeypatch.setattr(resilience, "PING_AFTER_IDLE", 0.0)
    assert _backend(engine) == first
    assert pings == [1]


def test_a_connection_the_server_closed_a_moment_ago_is_replaced_not_used(engine, pings):
    first = _backend(engine)
    _terminate(first)
    second = _backend(engine)  # no error: the closed one was thrown away at check-out
    assert second != first
    assert pings == []


def test_a_connection_the_server_closed_while_idle_is_replaced(engine, pings, monkeypatch):
    first = _backend(engine)
    _terminate(first)
    monkeypatch.setattr(resilience, "PING_AFTER_IDLE", 0.0)
    assert _backend(engine) != first
    assert len(pings) >= 1
