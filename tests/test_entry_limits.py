"""Entry links against guessing (misses limited per address) and against one person counted
many times (a scan once per client per code per day, with no address stored)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from reporter.extensions import db, limiter
from reporter.models import EntryScan
from reporter.services.partnerships import entry_limits
from tests.factories import data_context, make_partner, make_site
from tests.pages import assert_redirects, read
from tests.test_rate_limits import storage  # noqa: F401 (memory, and Redis with TEST_REDIS_URL)

LIMITED = {"RATELIMIT_ENABLED": True, "ENTRY_MISS_LIMIT": "3 per hour", "PROXY_COUNT": 1}


def scans_of(site) -> int:
    db.session.expire_all()
    return sum(db.session.scalars(select(EntryScan.scans).where(EntryScan.site_id == site.id)))


def from_address(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}}


@pytest.fixture
def limited(make_app, storage):  # noqa: F811
    app = make_app(**LIMITED, RATELIMIT_STORAGE_URI=storage)
    with data_context(app):
        limiter.reset()
        yield app
        limiter.reset()


def test_after_too_many_unknown_codes_no_code_is_looked_up_for_that_address(limited):
    client = limited.test_client()
    site = make_site(make_partner(), station="LDS")
    guesser = from_address("198.51.100.7")
    for guess in ("ZZZZZZZ", "ZZZZZZY", "ZZZZZZX"):
        assert client.get(f"/p/{guess}", **guesser).status_code == 200
    refused = client.get(f"/p/{site.code}", **guesser)  # a real code, and still nothing learnt
    page = read(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "/report?sector=rail&lang=en" in page.links()  # the reporter can still report
    assert "could not be checked" in page.text
    assert scans_of(site) == 0
    # Another address is not held back by this one's guesses.
    assert_redirects(
        client.get(f"/p/{site.code}", **from_address("203.0.113.5")),
        f"/report?sector=rail&entry={site.code}&lang=pl",
    )


def test_a_retired_code_is_not_a_miss(limited):
    client = limited.test_client()
    from reporter.services.partnerships import partners

    site = make_site(make_partner(), station="LDS")
    partners.set_site_active(site, False)
    for _ in range(5):
        assert client.get(f"/p/{site.code}", **from_address("198.51.100.8")).status_code == 200


def test_a_scan_counts_once_per_client_per_code_per_day(limited):
    client = limited.test_client()
    leeds = make_site(make_partner(), station="LDS")
    york = make_site(make_partner(), station="YRK")
    for _ in range(4):
        assert_redirects(
            client.get(f"/p/{leeds.code}", **from_address("198.51.100.9")),
            f"/report?sector=rail&entry={leeds.code}&lang=pl",
        )
    client.get(f"/p/{york.code}", **from_address("198.51.100.9"))
    client.get(f"/p/{leeds.code}", **from_address("203.0.113.10"))
    assert (scans_of(leeds), scans_of(york)) == (2, 1)


def test_the_scan_key_hides_the_address_and_changes_every_day(limited):
    with limited.test_request_context():
        today = entry_limits.scan_token("198.51.100.9", "K3MQ9TD", date(2026, 12, 6))
        tomorrow = entry_limits.scan_token("198.51.100.9", "K3MQ9TD", date(2026, 12, 7))
        other = entry_limits.scan_token("198.51.100.10", "K3MQ9TD", date(2026, 12, 6))
    assert len({today, tomorrow, other}) == 3
    assert "198.51.100" not in today and "K3MQ9TD" not in today
    with limited.test_request_context():
        assert entry_limits.first_scan_today("198.51.100.9", "K3MQ9TD", date(2026, 12, 6))
        assert not entry_limits.first_scan_today("198.51.100.9", "K3MQ9TD", date(2026, 12, 6))
        assert entry_limits.first_scan_today("198.51.100.9", "K3MQ9TD", date(2026, 12, 7))
