"""Entry links /p/<code>: the form preset for a partner's site, reports that carry partner and
site, the site's region as a fallback, and retired or unknown codes that still open the form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import EntryScan, Report
from reporter.services.partnerships import entries, partners, site_import
from reporter.services.reporting.reports import REFERENCE_ALPHABET
from tests.factories import data_context, make_partner, make_site, report_answers
from tests.pages import assert_redirects, read

# The setting and the place come from each test (and the entry link).
REPORT = report_answers(
    sector=None,
    station=None,
    signs=["travelling-alone"],
    description="A girl of about 13 waiting alone for hours, an older man brings her food.",
)


@pytest.fixture(autouse=True)
def _context(app):
    with data_context(app):
        yield


def scans_of(site) -> int:
    db.session.expire_all()
    return sum(db.session.scalars(select(EntryScan.scans).where(EntryScan.site_id == site.id)))


def only_report() -> Report:
    db.session.expire_all()
    (report,) = db.session.scalars(select(Report)).all()
    return report


def test_a_station_site_opens_the_form_preset_in_the_partners_language(client):
    site = make_site(make_partner(sector="rail", language="pl"), station="LDS")
    response = client.get(f"/p/{site.code}")
    assert_redirects(response, f"/report?sector=rail&entry={site.code}&lang=pl")
    page = read(client.get(response.location))
    assert page.find_all("html")[0]["lang"] == "pl"
    (station,) = page.find_all("input", name="station")
    assert station["value"] == "Leeds"  # still a text box the reporter can change
    assert page.find_all("input", type="hidden", name="entry", value=site.code)


def test_the_reporter_can_still_switch_language_and_keep_the_entry(client):
    site = make_site(make_partner(language="pl"), postcode="LS1 4DY")
    client.get(f"/p/{site.code}")
    page = read(client.get(f"/report?sector=rail&entry={site.code}&lang=cy"))
    assert page.find_all("html")[0]["lang"] == "cy"
    assert page.find_all("input", name="postcode")[0]["value"] == "LS1 4DY"
    assert page.find_all("input", type="hidden", name="entry", value=site.code)


def test_codes_are_case_insensitive_and_forgive_spaces_and_dashes(client):
    site = make_site(make_partner(), station="LDS")
    typed = f"{site.code[:3].lower()}-{site.code[3:].lower()}"
    assert_redirects(client.get(f"/p/{typed}"), f"/report?sector=rail&entry={site.code}&lang=pl")
    assert scans_of(site) == 1


def test_a_report_through_a_site_records_the_partner_and_the_site(client):
    partner = make_partner(name="Northern Trains", sector="rail")
    site = make_site(partner, station="LDS")
    client.get(f"/p/{site.code}")
    response = client.post(
        "/report", data={**REPORT, "sector": "rail", "station": "Leeds", "entry": site.code}
    )
    assert_redirects(response, "/report/done")
    report = only_report()
    assert (report.partner_id, report.site_id, report.partner) == (
        partner.id,
        site.id,
        "Northern Trains",
    )
    assert (report.region_source, report.region_id) == ("station", "yorkshire-humber")


def test_a_report_with_no_place_of_its_own_falls_back_to_the_sites_region(client):
    site = make_site(make_partner(sector="hotel"), postcode="LS1 4DY")
    client.post(
        "/report",
        data={**REPORT, "sector": "hotel", "place": "the staff room", "entry": site.code},
    )
    report = only_report()
    assert (report.region_source, report.region_id) == ("site", "yorkshire-humber")


def test_an_anywhere_site_falls_back_to_the_partners_region(client):
    site = make_site(make_partner(sector="delivery", region="north-west"))  # anywhere
    client.post(
        "/report",
        data={**REPORT, "sector": "delivery", "place": "a flat above a shop", "entry": site.code},
    )
    report = only_report()
    assert (report.region_source, report.region_id, report.site_id) == (
        "partner",
        "north-west",
        site.id,
    )


def test_a_place_of_its_own_beats_the_sites_region(client):
    site = make_site(make_partner(sector="hotel"), postcode="LS1 4DY")
    client.post(
        "/report", data={**REPORT, "sector": "hotel", "postcode": "LE1 6RN", "entry": site.code}
    )
    assert (only_report().region_source, only_report().region_id) == ("postcode", "east-midlands")


@pytest.mark.parametrize("retire", ["site", "partner"])
def test_a_retired_code_opens_the_plain_form_with_a_gentle_note(client, retire):
    partner = make_partner()
    site = make_site(partner, station="LDS")
    if retire == "site":
        partners.set_site_active(site, False)
    else:
        partners.set_partner_active(partner, False)
    response = client.get(f"/p/{site.code}")
    assert response.status_code == 200
    page = read(response)
    assert "no longer in use" in page.text
    assert "/report?sector=rail&lang=en" in page.links()  # the plain chooser
    assert scans_of(site) == 0
    # A form still carrying a retired code sends a report with no partner.
    client.post("/report", data={**REPORT, "sector": "rail", "station": "LDS", "entry": site.code})
    assert only_report().site_id is None


@pytest.mark.parametrize("code", ["ZZZZZZZ", "nope", "0000000", "A" * 300, "%00", "ü"])
def test_an_unknown_or_malformed_code_opens_the_plain_form(client, code):
    response = client.get(f"/p/{code}")
    assert response.status_code == 200
    assert "no longer in use" in read(response).text


def test_an_unknown_entry_on_the_form_is_ignored(client):
    page = read(client.get("/report?sector=rail&entry=ZZZZZZZ"))
    assert not page.find_all("input", name="entry")


def test_scans_are_counted_per_week_without_storing_who_scanned(client):
    site = make_site(make_partner(), station="LDS")
    for _ in range(3):
        client.get(f"/p/{site.code}", headers={"X-Forwarded-For": "203.0.113.9"})
    client.head(f"/p/{site.code}")  # a link preview is not a scan
    (row,) = db.session.scalars(select(EntryScan)).all()
    assert (row.site_id, row.week, row.scans) == (site.id, entries.this_week(), 3)
    assert set(EntryScan.__table__.columns.keys()) == {"site_id", "week", "scans"}


def test_the_entry_link_works_when_the_database_is_down(tmp_path):
    from reporter import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/x.db"})
    response = app.test_client().get("/p/K3MQ9TD")
    assert response.status_code == 200
    assert 'href="tel:999"' in response.get_data(as_text=True)


def test_codes_are_short_from_the_reference_alphabet_and_rarely_collide():
    codes = [partners.new_code() for _ in range(20_000)]
    assert all(len(c) == partners.CODE_LENGTH and set(c) <= set(REFERENCE_ALPHABET) for c in codes)
    # About 10^10 codes: 20,000 of them collide 0.02 times on average (birthday bound); more
    # than 2 collisions would mean a broken generator. Uniqueness itself is the database's.
    assert len(set(codes)) >= len(codes) - 2
    # Hard to guess: over 10^9 possible codes, so enumeration finds almost nothing.
    assert len(REFERENCE_ALPHABET) ** partners.CODE_LENGTH > 10**9


def test_a_code_already_taken_is_never_given_again(monkeypatch):
    taken = make_site(make_partner()).code
    drawn = iter([taken, taken, "K3MQ9TD", taken, "Q9TDK3M"])
    monkeypatch.setattr(partners, "new_code", lambda: next(drawn))
    assert partners.free_codes(2) == ["K3MQ9TD", "Q9TDK3M"]


def test_many_sites_of_one_import_get_distinct_codes():
    partner = make_partner(sector="delivery")
    rows = "\n".join(f"Depot {n},," for n in range(400))
    preview, sites = site_import.import_sites(partner, f"label,station,postcode\n{rows}\n".encode())
    assert preview.valid and len({s.code for s in sites}) == 400
