"""A big partner's zip never stalls a report, as production serves it: gunicorn with the
project's gunicorn.conf.py (two sync workers), PostgreSQL, Redis and the outbox worker, which
makes the zip. Two admins ask for it at once; the reports sent while it is being made are
answered as fast as ever. Before, each click made the zip in its web worker (23 ms a site), so
two clicks held both workers and a report waited for them (31.6 s for 5,000 sites).

Runs bench/poster_zip.py's served part with fewer sites, against a database of its own beside
TEST_DATABASE_URL and TEST_REDIS_URL; without them it is NOT TESTED, loudly."""

from __future__ import annotations

from bench import _servers, poster_zip
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, missing_service

SITES = 300  # 7 s of a web worker each click before; a few seconds of the outbox worker now
QUICK = 2.0  # seconds: far under what waiting for a zip cost, far over a report's answer


def test_reports_and_clicks_are_answered_at_once_while_a_big_zip_is_made():
    if not (TEST_DATABASE_URL and TEST_REDIS_URL):
        missing_service(
            "TEST_DATABASE_URL and TEST_REDIS_URL are not both set: a report answered while a "
            "partner's zip is made under gunicorn was NOT tested"
        )
    url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    database = _servers.fresh_database(f"{url}_posters")
    result = poster_zip.served(database, TEST_REDIS_URL, SITES, reports=5)
    assert max(result.clicks) < QUICK, result.clicks
    assert result.still_making, "the zip was ready before the reports: too few sites to show it"
    assert max(result.meanwhile) < QUICK, result.meanwhile
    assert result.zip_bytes > SITES * 1000  # two pages and a PNG a site, compressed
