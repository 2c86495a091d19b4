"""The admins' retention page, and legal holds placed and lifted from a report's page."""

from datetime import timedelta

from sqlalchemy import update

from reporter.extensions import db
from reporter.models import Report, ReportEvent, utcnow
from reporter.services.casework import triage
from reporter.services.data_protection import holds, retention
from tests.factories import make_report, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, sign_in

DAYS = 730


def closed_days_ago(days: float) -> Report:
    report = make_report(description="Two boys at the barriers")
    triage.close(report, make_user(role="national"), "Nothing more for us")
    moment = utcnow() - timedelta(days=days)
    db.session.execute(
        update(ReportEvent).where(ReportEvent.report_id == report.id).values(created_at=moment)
    )
    db.session.commit()
    return report


def test_admins_see_what_is_due_for_purge_in_30_days_and_what_is_held(client):
    admin = make_user(role="admin")
    due = closed_days_ago(DAYS - 5)
    later = closed_days_ago(DAYS - 45)
    held = closed_days_ago(DAYS + 100)
    holds.place_hold(held, admin, "Evidence in a prosecution")
    sign_in(client, admin)
    page = read(client.get("/triage/retention"))
    assert page.title.startswith("Retention")
    [due_table, held_table] = page.html.split("<h2>")[1:]
    assert due.reference in due_table and later.reference not in due_table
    assert held.reference not in due_table and held.reference in held_table
    assert "1 report, soonest first." in page.text
    assert "Two boys" not in page.text
    assert [r.action for r in audit_rows("retention_viewed")] == ["retention_viewed"]


def test_the_retention_page_and_holds_do_not_exist_for_anyone_else(client):
    report = closed_days_ago(DAYS + 1)
    sign_in(client, make_user(role="national"))
    assert read(client.get("/triage/retention"), 404)
    response = client.post(
        f"/triage/reports/{report.reference}/hold", data={"hold_reason": "Because"}
    )
    assert response.status_code == 404
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert not page.find_all("textarea", id="hold_reason")
    assert db.session.get(Report, report.id).legal_hold_since is None


def test_an_admin_places_and_lifts_a_hold_from_the_report_page_with_reasons(client):
    admin = make_user(role="admin")
    report = closed_days_ago(DAYS + 1)
    sign_in(client, admin)
    path = f"/triage/reports/{report.reference}"
    refused = read(client.post(f"{path}/hold", data={"hold_reason": " "}), 400)
    assert refused.error_summary_links() == ["#hold_reason"]
    placed = client.post(f"{path}/hold", data={"hold_reason": "Evidence in a prosecution"})
    assert_redirects(placed, path)
    assert retention.purge_closed(DAYS) == 0
    page = read(client.get(path))
    assert "On legal hold since" in page.text and "Evidence in a prosecution" in page.text
    lifted = client.post(f"{path}/unhold", data={"lift_reason": "The trial is over"})
    assert_redirects(lifted, path)
    page = read(client.get(path))
    assert "Legal hold lifted" in page.text and "The trial is over" in page.text
    assert [r.action for r in audit_rows() if "hold" in r.action] == [
        "legal_hold_placed",
        "legal_hold_lifted",
    ]
    assert all(r.detail is None for r in audit_rows("legal_hold_placed"))  # never the words
    assert retention.purge_closed(DAYS) == 1
