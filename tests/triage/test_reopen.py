"""A closed report brought back with a reason, and the queue narrowed to one partner's reports."""

import re
from datetime import timedelta

import pytest

from reporter.extensions import db
from reporter.models import Report, utcnow
from reporter.services.data_protection import retention
from tests.factories import make_partner, make_report, make_user
from tests.pages import read
from tests.triage.conftest import audit_rows, sign_in


def fresh(report: Report) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report.id)


def reopen(client, report: Report, reason: str = "The same two boys were seen again today."):
    return client.post(f"/triage/reports/{report.reference}/reopen", data={"reopen_reason": reason})


def test_a_closed_report_is_reopened_with_a_reason_on_its_timeline_and_in_the_audit(client):
    officer = make_user(name="Em Officer")
    report = make_report(status="closed")
    sign_in(client, officer)
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert page.find_all("textarea", id="reopen_reason")
    response = reopen(client, report)
    assert (response.status_code, response.headers["Location"]) == (
        303,
        f"/triage/reports/{report.reference}",
    )
    assert fresh(report).status == "triaged"
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert "Reopened" in page.text and "The same two boys were seen again today." in page.text
    assert not page.find_all("textarea", id="reopen_reason")  # open now: nothing to reopen
    [row] = audit_rows("reopened")
    assert (row.actor_id, row.report_id, row.detail) == (
        officer.id,
        report.id,
        {"from": "closed", "to": "triaged"},
    )
    assert "seen again" not in str(row.detail)  # the reason is on the timeline, encrypted


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        ("closed", "  ", "Enter a reason for reopening."),
        ("triaged", "Because", "Only a closed report can be reopened."),
        ("new", "Because", "Only a closed report can be reopened."),
    ],
)
def test_reopening_needs_a_reason_and_a_closed_report(client, status, reason, expected):
    report = make_report(status=status)
    sign_in(client, make_user())
    page = read(reopen(client, report, reason), 400)
    assert fresh(report).status == status
    assert audit_rows("reopened") == []
    assert page.error_summary_links() == ["#reopen_reason"] and expected in page.text


def test_a_report_purged_under_retention_stays_closed(client):
    report = make_report(status="closed")
    report.content_purged_at = utcnow()
    db.session.commit()
    sign_in(client, make_user())
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert not page.find_all("textarea", id="reopen_reason")
    page = read(reopen(client, report), 400)
    assert "removed under retention" in page.text and fresh(report).status == "closed"


def test_an_officer_cannot_reopen_another_regions_report(client):
    report = make_report(status="closed", region="london")
    sign_in(client, make_user(regions=("east-midlands",)))
    assert reopen(client, report).status_code == 404
    assert fresh(report).status == "closed"


def test_a_reopened_report_is_never_purged_and_can_be_closed_again(client):
    """Retention counts from the last closing, and an open report is never purged."""
    report = make_report(status="new")
    sign_in(client, make_user())
    client.post(f"/triage/reports/{report.reference}/close", data={"close_reason": "Done"})
    reopen(client, report)
    assert retention.purge_closed(0) == 0  # open again: never purged
    client.post(f"/triage/reports/{report.reference}/close", data={"close_reason": "Done again"})
    assert fresh(report).status == "closed"


# --- the partner filter ---------------------------------------------------------------------


def listed(client, query: str) -> list[str]:
    response = client.get(f"/triage/?{query}")
    return re.findall(r'class="ref">(LC-[A-Z0-9-]+)<', read(response).html)


def test_the_queue_narrows_to_one_partner_or_to_reports_through_none(client):
    rail = make_partner(name="Midland Trains")
    couriers = make_partner(name="Quick Couriers", sector="delivery", active=False)
    by_rail = make_report(partner=rail)
    by_courier = make_report(partner=couriers, created_at=utcnow() - timedelta(hours=1))
    direct = make_report(created_at=utcnow() - timedelta(hours=2))
    sign_in(client, make_user())
    page = read(client.get("/triage/"))
    options = [o.get("value") for o in page.find_all("option") if "value" in o]
    assert str(rail.id) in options and str(couriers.id) in options and "none" in options
    assert "Quick Couriers (retired)" in page.text
    assert listed(client, f"partner={rail.id}") == [by_rail.reference]
    assert listed(client, f"partner={couriers.id}") == [by_courier.reference]
    assert listed(client, "partner=none") == [direct.reference]
    assert len(listed(client, "")) == 3
    assert audit_rows("queue_viewed")[1].detail["partner"] == str(rail.id)


def test_an_unknown_partner_is_explained_and_the_other_filters_still_apply(client):
    make_report(partner=make_partner())
    sign_in(client, make_user())
    page = read(client.get("/triage/?partner=99999"))
    assert "Choose one of the options." in page.text
    assert len(re.findall(r'class="ref">', page.html)) == 1


def test_the_csv_export_keeps_the_partner_filter(client):
    rail = make_partner(name="Midland Trains")
    by_rail = make_report(partner=rail)
    other = make_report()
    sign_in(client, make_user(role="national", regions=()))
    exported = client.get(f"/triage/export.csv?partner={rail.id}").get_data(as_text=True)
    assert by_rail.reference in exported and other.reference not in exported
