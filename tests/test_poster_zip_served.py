"""A big partner's zip never stalls a report, as production serves it: gunicorn with the
project's gunicorn.conf.py (two sync workers), PostgreSQL, Redis and the outbox worker, which
makes the zip. Two admins ask for it at once; both clicks and the reports sent after them are
answered while the zip is still being made. Before, each click made the zip in its web worker
(23 ms a site), so two clicks held both workers and a report was answered only when a zip was
done (31.6 s for 5,000 sites). How fast they are answered is bench/poster_zip.py's to measure
(speed targets live in bench/, never in tests); this checks the order, which no load changes.

Runs bench/poster_zip.py's served part with fewer sites, against a database of its own beside
TEST_DATABASE_URL and TEST_REDIS_URL; without them it is NOT TESTED, loudly."""

from __future__ import annotations

from bench import _servers, poster_zip
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, missing_service

SITES = 60  # two PDFs a site: 10 to 20 s of the outbox worker (before it, a web worker's)


def test_reports_and_clicks_are_answered_while_a_big_zip_is_still_being_made():
    if not (TEST_DATABASE_URL and TEST_REDIS_URL):
        missing_service(
            "TEST_DATABASE_URL and TEST_REDIS_URL are not both set: a report answered while a "
            "partner's zip is made under gunicorn was NOT tested"
        )
    url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    database = _servers.fresh_database(f"{url}_posters")
    result = poster_zip.served(database, TEST_REDIS_URL, SITES, reports=5)
    # Both clicks (303, checked by `served`), then five reports (303 each) were answered, and
    # only then did the page still say the zip was being made.
    assert len(result.clicks) == 2 and len(result.meanwhile) == 5
    assert result.still_making, (result.clicks, result.meanwhile, result.ready_after)
    assert result.zip_bytes > SITES * 20_000  # two PDFs and a PNG a site
