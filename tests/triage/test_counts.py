"""Counts on the staff pages say "1 site" and "2 sites", never "1 sites": in English, since
staff pages are English only (their strings are not in the catalogues; the reporter's counts are,
with ngettext), through the one `counted` of reporter/plurals.py."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import OutboxMessage, PosterBundle, utcnow
from reporter.plurals import counted, plural
from reporter.services.mail import notify
from reporter.services.partnerships import entries
from tests.factories import make_partner, make_report, make_site, make_user
from tests.pages import read
from tests.triage.conftest import sign_in
from tests.triage.test_retention_page import DAYS, closed_days_ago

NOUNS = "partners|sites|reports|scans|lines|problems|police forces|days|hours|weeks|seconds"
ONE_PLURAL = re.compile(rf"(?<![\d.,])1 ({NOUNS})\b")


def test_english_has_a_form_for_one_and_another_for_every_other_number():
    assert [counted(n, "site", "sites") for n in (0, 1, 2, 21)] == [
        "0 sites",
        "1 site",
        "2 sites",
        "21 sites",
    ]
    assert counted(1, "police force", "police forces") == "1 police force"
    assert [plural(n, "has", "have") for n in (1, 2)] == ["has", "have"]


@pytest.fixture
def admin(client):
    person = make_user(role="admin")
    sign_in(client, person)
    return person


def text_of(client, path: str, status: int = 200) -> str:
    return read(client.get(path), status).text


def sites_csv(lines: list[str]) -> dict:
    body = "label,station,postcode\n" + "".join(f"{line}\n" for line in lines)
    return {"file": (io.BytesIO(body.encode()), "sites.csv")}


@pytest.mark.parametrize("n", [1, 2])
def test_partners_and_their_sites_are_counted_in_the_singular_and_plural(client, admin, n):
    partners = [make_partner(name=f"Partner {i}") for i in range(n)]
    for i in range(n):
        make_site(partners[0], label=f"Depot {i}", station="LDS")
    said = text_of(client, "/triage/partners")
    assert counted(n, "partner", "partners") in said
    said = text_of(client, f"/triage/partners/{partners[0].id}")
    assert f"{counted(n, 'site', 'sites')}. Each entry link" in said
    assert not ONE_PLURAL.search(said)


@pytest.mark.parametrize("n", [1, 2])
def test_an_import_counts_its_sites_lines_and_problems(client, admin, n):
    partner = make_partner()
    url = f"/triage/partners/{partner.id}/import"
    good = [f"Depot {i},LDS," for i in range(n)]
    page = read(client.post(url, data=sites_csv(good)))
    said = page.text
    sites = "1 site" if n == 1 else "2 sites"
    assert f"Ready to import {sites}" in said and f"Import {sites}" in said
    assert f"0 of {'1 line' if n == 1 else '2 lines'} have a problem" in said
    [content] = [field["value"] for field in page.find_all("input", name="content")]
    confirmed = client.post(url, data={"content": content, "confirm": "yes"})
    assert confirmed.status_code == 303
    assert f"Imported {sites}." in text_of(client, f"/triage/partners/{partner.id}")

    bad = [f"Platform {i},Hogwarts," for i in range(n)]
    said = read(client.post(url, data=sites_csv(["York,YRK,", *bad])), 400).text
    assert f"The file has {'1 problem' if n == 1 else '2 problems'}." in said
    assert f"{n} of {n + 1} lines {'has' if n == 1 else 'have'} a problem" in said
    assert not ONE_PLURAL.search(said)


@pytest.mark.parametrize("n", [1, 2])
def test_scans_and_reports_per_partner_are_counted(client, admin, n):
    partner = make_partner(name="Northern Trains")
    site = make_site(partner, label="Leeds", station="LDS")
    for _ in range(n):
        entries.record_scan(site)
        report = make_report(region="yorkshire-humber")
        report.site_id, report.partner_id = site.id, partner.id
    db.session.commit()
    page = read(client.get("/triage/partners/results?weeks=4"))
    scans, reports = counted(n, "scan", "scans"), counted(n, "report", "reports")
    assert f"The last 4 weeks: {scans}, {reports}." in page.text
    assert f"Northern Trains</bdi>: {scans}, {reports} (100%)" in page.html
    assert not ONE_PLURAL.search(page.text)


@pytest.mark.parametrize("n", [1, 2])
def test_reports_are_counted_on_trends_retention_and_subject_access(client, admin, n):
    for _ in range(n):
        make_report(consent="share", contact={"email": "sam@example.org"})
        closed_days_ago(DAYS - 5)
    reports = counted(n, "report", "reports")
    assert f": {counted(2 * n, 'report', 'reports')}." in text_of(client, "/triage/trends")
    said = text_of(client, "/triage/retention")
    assert f"{reports}, soonest first." in said and not ONE_PLURAL.search(said)
    page = read(client.post("/triage/subject-access", data={"email": "sam@example.org"}))
    assert f"{reports} found" in page.text


@pytest.mark.parametrize("n", [1, 2])
def test_the_poster_zip_counts_its_sites(client, admin, n):
    partner = make_partner()
    db.session.add(
        PosterBundle(
            partner_id=partner.id, status="ready", sites=n, done=n, data=b"PK", size=2,
            finished_at=utcnow(),
        )
    )  # fmt: skip
    db.session.commit()
    said = text_of(client, f"/triage/partners/{partner.id}/posters")
    assert f"Ready: {counted(n, 'site', 'sites')}, " in said and not ONE_PLURAL.search(said)


@pytest.mark.parametrize("n", [1, 2])
def test_the_daily_summary_counts_the_reports_still_new(app, n):
    make_user(email="olive@staff.example")
    for _ in range(n):
        make_report(region="east-midlands")
    assert notify.daily_summary() == 1
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.subject.startswith(f"LookCloser: {counted(n, 'report', 'reports')} still new")
