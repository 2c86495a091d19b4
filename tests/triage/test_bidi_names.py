"""Names staff type (partners, sites, keys) cannot reorder what is shown around them: hidden
direction controls and control characters are refused on input, with the row's own error in an
import preview, and every name is isolated where it is shown (pages, titles, posters, links.csv)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from reporter.bidi import FSI, PDI, bdi, isolated_text, text_problem
from reporter.extensions import db
from reporter.models import Partner, Site
from reporter.triage.poster_pages import PosterZip
from tests.factories import make_partner, make_site, make_user
from tests.pages import read
from tests.triage.conftest import sign_in

EVIL = "Evil\u202egpj.exe\u202c Ltd"  # shows as "Evilexe.jpg Ltd" unisolated


@pytest.fixture
def admin(client):
    user = make_user(role="admin")
    sign_in(client, user)
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "name", ["Northern Trains", "شركة النقل السريع", "দ্রুত ডেলিভারি", "Zoë & Co"]
)
def test_ordinary_names_in_any_script_are_accepted(name):
    assert text_problem(name, "The name") is None


@pytest.mark.parametrize(
    "name, code",
    [(EVIL, "U+202C, U+202E"), ("A\u2067B", "U+2067"), ("Depot\u200f", "U+200F"),
     ("Depot\x00", "U+0000"), ("Depot\x1b[31m", "U+001B")],
)  # fmt: skip
def test_direction_controls_and_control_characters_are_refused_by_name(name, code):
    assert code in text_problem(name, "The name")


def test_isolation_leaves_ordinary_names_as_typed_and_wraps_the_rest():
    assert isolated_text("Leeds station, staff room") == "Leeds station, staff room"
    assert isolated_text(EVIL) == f"{FSI}{EVIL}{PDI}"
    assert isolated_text("محطة ليدز") == f"{FSI}محطة ليدز{PDI}"
    assert bdi("<b>&") == "<bdi>&lt;b&gt;&amp;</bdi>"


def test_a_partner_a_site_and_a_key_with_a_direction_control_are_refused(client, admin):
    response = client.post(
        "/triage/partners/new",
        data={"name": EVIL, "sector": "rail", "language": "pl", "region_id": ""},
    )
    assert "hidden direction control" in read(response, 400).text
    assert count(Partner) == 0
    partner = make_partner()
    response = client.post(
        f"/triage/partners/{partner.id}/sites",
        data={"label": EVIL, "station": "LDS", "site_sector": ""},
    )
    assert "hidden direction control" in read(response, 400).text
    assert count(Site) == 0
    response = client.post(f"/triage/partners/{partner.id}/keys", data={"key_name": EVIL})
    assert "hidden direction control" in read(response, 400).text


@pytest.mark.parametrize("label, code", [("Depot\x00north", "U+0000"), (EVIL, "U+202E")])
def test_the_import_preview_shows_the_rows_error_for_a_control_character(
    client, admin, label, code
):
    partner = make_partner(sector="rail")
    data = f"label,station,postcode\nLeeds staff room,LDS,\n{label},,LE1 6RN\n".encode()
    response = client.post(
        f"/triage/partners/{partner.id}/import", data={"file": (io.BytesIO(data), "sites.csv")}
    )
    page = read(response, 400)  # parses: no NUL reaches the page
    (row,) = re.findall(r'<tr class="has-error">(.*?)</tr>', page.html, re.S)
    assert (
        '<td data-label="Line"><span class="cell">3</span></td>' in row and code in row
    )  # the row's own error, on its line
    assert not page.find_all("input", name="confirm")
    assert count(Site) == 0


def test_a_nul_in_the_station_column_is_an_unknown_station_in_the_preview(client, admin):
    partner = make_partner(sector="rail")
    data = b"label,station,postcode\nLeeds staff room,LDS\x00,\n"
    response = client.post(
        f"/triage/partners/{partner.id}/import", data={"file": (io.BytesIO(data), "sites.csv")}
    )
    assert "Unknown station" in read(response, 400).text


def test_names_stored_before_are_isolated_on_every_page_title_poster_and_links_csv(client, admin):
    partner = make_partner(name=EVIL)  # as stored before input was checked
    site = make_site(partner, label=EVIL, station="LDS")
    page = read(client.get(f"/triage/partners/{partner.id}"))
    assert page.title.startswith(f"{FSI}{EVIL}{PDI}")
    assert f"<h1><bdi>{EVIL}</bdi></h1>" in page.html
    assert f'<th scope="row"><bdi>{EVIL}</bdi>' in page.html
    listing = read(client.get("/triage/partners"))
    assert f"<bdi>{EVIL}</bdi></a>" in listing.html
    sheet = read(client.get(f"/triage/partners/{partner.id}/sites/{site.id}/poster"))
    assert f"{FSI}{EVIL}{PDI}" in sheet.title
    assert f'<p class="site-label"><bdi>{EVIL}</bdi></p>' in sheet.html
    zips = read(client.get(f"/triage/partners/{partner.id}/posters"))
    assert f"{FSI}{EVIL}{PDI}" in zips.title
    assert f"<h1>Every poster and card of <bdi>{EVIL}</bdi> as PDF (zip)</h1>" in zips.html
    with zipfile.ZipFile(io.BytesIO(_zip_of(partner))) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("links.csv").decode())))
    assert rows[1][0] == f"{FSI}{EVIL}{PDI}"


def _zip_of(partner) -> bytes:
    """The partner's poster zip, as the outbox worker makes it (triage/poster_pages.PosterZip)."""
    made = PosterZip()
    for site in partner.sites:
        if site.active:
            made.add(site)
    return made.finish()
