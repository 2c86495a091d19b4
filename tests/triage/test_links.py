"""Possibly the same young people: reports from the same station, partner site or postcode
district within the chosen window are offered; linking and dismissing are audited on both
reports and can be undone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reporter.models import utcnow
from tests.factories import make_report, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows
from tests.triage.test_workflow import Staff


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def officer(client):
    return Staff(client, make_user(name="Em Officer", regions=("east-midlands",)))


def offered(officer, report, window: int | None = None) -> list[str]:
    query = f"?window={window}d" if window else ""
    page = read(officer.client.get(f"/triage/reports/{report.reference}{query}"))
    block = page.html.split('class="related link-offers"', 1)
    return [] if len(block) == 1 else _references(block[1].split("</ul>", 1)[0])


def section(officer, report, kind: str) -> list[str]:
    html = read(officer.client.get(f"/triage/reports/{report.reference}")).html
    block = html.split(f'class="related {kind}"', 1)
    return [] if len(block) == 1 else _references(block[1].split("</ul>", 1)[0])


def _references(html: str) -> list[str]:
    return [part.split("<", 1)[0] for part in html.split('class="ref">')[1:]]


def test_reports_at_the_same_station_within_the_window_are_offered(officer):
    now = utcnow()
    report = make_report(station="LEI", created_at=now)
    near = make_report(station="LEI", created_at=now - timedelta(days=5))
    far = make_report(station="LEI", created_at=now - timedelta(days=20))
    make_report(station="NOT", created_at=now)  # another station
    assert offered(officer, report) == [near.reference]
    assert offered(officer, report, window=28) == [near.reference, far.reference]
    assert offered(officer, report, window=3) == []


def test_linking_is_audited_on_both_reports_and_can_be_undone(officer):
    report = make_report(station="LEI")
    other = make_report(station="LEI")
    response = officer.act(report, "links", other=other.reference, decision="link")
    assert_redirects(response, f"/triage/reports/{report.reference}")
    assert section(officer, report, "linked") == [other.reference]
    assert section(officer, other, "linked") == [report.reference]
    assert offered(officer, report) == []
    rows = audit_rows("reports_linked")
    assert {(r.report_reference, r.detail["with"]) for r in rows} == {
        (report.reference, other.reference),
        (other.reference, report.reference),
    }
    officer.act(report, "links", other=other.reference, decision="undo")
    assert section(officer, report, "linked") == []
    assert offered(officer, report) == [other.reference]
    assert [r.detail["was"] for r in audit_rows("link_undone")] == ["linked", "linked"]


def test_a_dismissed_offer_is_not_offered_again_until_undone(officer):
    report = make_report(district="LE1")
    other = make_report(district="LE1")
    officer.act(report, "links", other=other.reference, decision="dismiss")
    assert offered(officer, report) == []
    assert section(officer, report, "dismissed") == [other.reference]
    assert len(audit_rows("link_dismissed")) == 2
    officer.act(other, "links", other=report.reference, decision="undo")
    assert offered(officer, report) == [other.reference]


def test_a_report_the_officer_cannot_see_is_never_offered_or_linked(officer):
    report = make_report(station="EUS", region="east-midlands")
    london = make_report(station="EUS", region="london")
    assert offered(officer, report) == []
    refused = officer.act(report, "links", other=london.reference, decision="link")
    assert refused.status_code == 404
    assert audit_rows("reports_linked") == []
