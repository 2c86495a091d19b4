"""Hotspots for tasking: stations, partner sites and postcode districts ranked by reports and
sightings in the last 4 weeks, with the change on the week before, the signs ticked most and
the share marked urgent; an officer's regions only, every region for national staff; filters
by setting and sign; a CSV that a spreadsheet never runs, with no reporter's words in it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from reporter.campaign import campaign_data
from reporter.extensions import db
from reporter.models import utcnow
from reporter.services.casework import hotspots
from reporter.services.reporting import sightings
from tests.factories import make_partner, make_report, make_site, make_user
from tests.pages import read
from tests.triage.conftest import audit_rows, sign_in


def ago(days: float):
    return utcnow() - timedelta(days=days)


def seen_again(report, days: float, **place):
    stored, _again = sightings.record(report, sightings.NewSighting(danger=False, **place))
    stored.created_at = ago(days)
    db.session.commit()


@pytest.fixture
def places():
    """Leicester station: 3 reports in the last 7 days (one urgent), 1 the week before, 1
    sighting this week; district LE1: 1 report; London Euston: 2 reports (another region)."""
    lei = [
        make_report(station="LEI", created_at=ago(d), signs=s, priority=p)
        for d, s, p in [
            (1, ("travelling-alone", "hiding"), "urgent"),
            (2, ("hiding",), "normal"),
            (3, ("hiding",), "normal"),
            (9, ("travelling-alone",), "normal"),
        ]
    ]
    make_report(station="LEI", created_at=ago(40))  # older than 4 weeks: not counted
    seen_again(lei[0], 1, same_place=True)
    make_report(district="LE1", created_at=ago(5))
    for d in (1, 2):
        make_report(station="EUS", region="london", created_at=ago(d))
    return lei


def spots(user, kind, **chosen):
    result = hotspots.hotspots(user, hotspots.HotspotFilter(**chosen), campaign_data())
    return {spot.code: spot for spot in result.places[kind]}


def test_an_officer_sees_their_regions_places_ranked_with_the_weeks_change(places):
    officer = make_user(regions=("east-midlands",))
    stations = spots(officer, "station")
    assert list(stations) == ["LEI"]
    lei = stations["LEI"]
    assert (lei.reports, lei.sightings, lei.this_week, lei.week_before) == (4, 1, 4, 1)
    assert lei.change == 3 and lei.urgent_share == 0.25
    assert [n for _label, n in lei.signs] == [3, 2]
    assert lei.label.startswith("Leicester")
    assert list(spots(officer, "district")) == ["LE1"]


def test_national_staff_see_every_region_most_first(places):
    national = make_user(role="national")
    assert list(spots(national, "station")) == ["LEI", "EUS"]
    assert list(spots(national, "station", queue="london")) == ["EUS"]


def test_filters_by_setting_and_sign(places):
    officer = make_user(regions=("east-midlands",))
    assert spots(officer, "station", sign="hiding")["LEI"].reports == 3
    assert spots(officer, "station", sector="delivery") == {}


def test_a_partner_site_is_a_place_of_its_own(places):
    site = make_site(make_partner(name="Trains Ltd"), label="Platform 1 kiosk")
    for report in places[:2]:
        report.site_id = site.id
    db.session.commit()
    officer = make_user(regions=("east-midlands",))
    [spot] = spots(officer, "site").values()
    assert (spot.label, spot.reports, spot.sightings) == ("Trains Ltd: Platform 1 kiosk", 2, 1)


def test_the_page_draws_charts_and_the_csv_is_formula_safe_and_holds_no_words(client, places):
    site = make_site(make_partner(name="=HYPERLINK(1)"), label="@SUM(A1)")
    places[0].site_id = site.id
    db.session.commit()
    officer = make_user(regions=("east-midlands",))
    sign_in(client, officer)
    page = read(client.get("/triage/hotspots"))
    assert 'id="chart-station-title"' in page.html and "<svg" in page.html
    assert "Leicester" in page.text and "Euston" not in page.text
    response = client.get("/triage/hotspots.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == list(hotspots.CSV_HEADER)
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'=HYPERLINK(1): @SUM(A1)" in cells
    assert "Two boys" not in body  # the factory's description
    assert [row.action for row in audit_rows()][-2:] == ["hotspots_viewed", "hotspots_exported"]
