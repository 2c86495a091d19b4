"""Working on a report: new -> triaged -> referred -> closed, assignment, notes, re-routing.
Every action is a CSRF-protected POST, and writes its audit row in its own transaction."""

import re

import pytest
from sqlalchemy import select, text

from reporter.extensions import db
from reporter.models import AuditEvent, Report, ReportEvent
from reporter.services.accounts import audit
from tests.factories import make_report, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, sign_in


@pytest.fixture
def app(make_app):
    """These tests run with CSRF protection on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True)


class Staff:
    """A signed-in member of staff who posts forms the way a browser does: with the token."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        sign_in(client, user)

    def token(self, reference: str) -> str:
        page = self.client.get(f"/triage/reports/{reference}").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def act(self, report: Report, action: str, **data):
        data["csrf_token"] = self.token(report.reference)
        return self.client.post(f"/triage/reports/{report.reference}/{action}", data=data)


def fresh(report: Report) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report.id)


@pytest.fixture
def officer(client):
    return Staff(client, make_user(name="Em Officer", regions=("east-midlands",)))


def test_an_action_without_the_csrf_token_is_refused(client, officer):
    report = make_report()
    response = client.post(f"/triage/reports/{report.reference}/triaged")
    assert response.status_code == 400
    assert fresh(report).status == "new"
    response = client.post(
        f"/triage/reports/{report.reference}/notes", data={"note": "x", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(ReportEvent)) is None


def test_the_whole_workflow_from_new_to_closed(officer):
    report = make_report()
    assert_redirects(officer.act(report, "triaged"), f"/triage/reports/{report.reference}")
    assert fresh(report).status == "triaged"
    response = officer.act(report, "refer", agency="btp", their_reference="BTP-123")
    assert_redirects(response, f"/triage/reports/{report.reference}")
    assert fresh(report).status == "referred"
    response = officer.act(report, "refer", agency="children-services", their_reference="")
    assert_redirects(response, f"/triage/reports/{report.reference}")
    assert fresh(report).status == "referred"
    response = officer.act(report, "close", close_reason="Both referrals acknowledged.")
    assert_redirects(response, f"/triage/reports/{report.reference}")
    assert fresh(report).status == "closed"
    actions = [(r.action, r.detail) for r in audit_rows() if r.report_id == report.id]
    changes = [a for a in actions if a[0] != "report_viewed"]
    assert changes == [
        ("status_changed", {"from": "new", "to": "triaged"}),
        ("referred", {"from": "triaged", "to": "referred", "agency": "btp"}),
        ("referred", {"from": "referred", "to": "referred", "agency": "children-services"}),
        ("status_changed", {"from": "referred", "to": "closed"}),
    ]
    assert all(r.actor_id == officer.user.id for r in audit_rows("status_changed"))


@pytest.mark.parametrize(
    ("status", "action", "data", "code"),
    [
        ("new", "refer", {"agency": "police"}, 400),
        ("referred", "triaged", {}, 409),  # a button alone: the refusal is not about a field
        ("closed", "triaged", {}, 409),
        ("closed", "refer", {"agency": "police"}, 400),
        ("closed", "close", {"close_reason": "Again"}, 400),
        ("closed", "assign", {"assignee": ""}, 400),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(officer, status, action, data, code):
    report = make_report(status=status)
    page = read(officer.act(report, action, **data), code)
    assert page.title.startswith("Error:") and "There is a problem" in page.text
    assert fresh(report).status == status
    assert db.session.scalar(select(ReportEvent)) is None
    assert not [r for r in audit_rows() if r.action != "report_viewed" and r.report_id]


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("close", {"close_reason": "  "}, "close_reason"),
        ("refer", {}, "agency-0"),
        ("refer", {"agency": "the-press"}, "agency-0"),
        ("notes", {"note": ""}, "note"),
        ("reroute", {"queue": "london"}, "reroute_reason"),
        ("reroute", {"queue": "east-midlands", "reroute_reason": "x"}, "queue"),
    ],
)
def test_missing_or_wrong_answers_are_explained(officer, action, data, field):
    report = make_report(status="triaged")
    response = officer.act(report, action, **data)
    page = read(response, 400)
    assert page.error_summary_links() == [f"#{field}"]
    assert fresh(report).status == "triaged"


def test_assignment_only_to_active_officers_of_the_reports_region(officer):
    report = make_report(region="east-midlands")
    colleague = make_user(name="Colleague", regions=("east-midlands", "london"))
    london = make_user(regions=("london",))
    gone = make_user(regions=("east-midlands",), active=False)
    national = make_user(role="national")
    for wrong in (london, gone, national):
        response = officer.act(report, "assign", assignee=str(wrong.id))
        assert response.status_code == 400, wrong.email
        assert fresh(report).assigned_to_id is None
    page = read(officer.client.get(f"/triage/reports/{report.reference}"))
    offered = {o.get("value") for o in page.find_all("option") if o.get("value", "x").isdigit()}
    assert offered == {str(officer.user.id), str(colleague.id)}
    assert_redirects(
        officer.act(report, "assign", assignee=str(colleague.id)),
        f"/triage/reports/{report.reference}",
    )
    assert fresh(report).assigned_to_id == colleague.id
    assert_redirects(
        officer.act(report, "assign", assignee=""), f"/triage/reports/{report.reference}"
    )
    assert fresh(report).assigned_to_id is None
    assigned = [r.detail for r in audit_rows("assigned")]
    assert assigned == [{"from": None, "to": colleague.id}, {"from": colleague.id, "to": None}]


def test_national_queue_reports_are_assigned_to_the_national_team(client):
    national = Staff(client, make_user(role="national"))
    report = make_report(region=None)
    officer = make_user(regions=("london",))
    assert national.act(report, "assign", assignee=str(officer.id)).status_code == 400
    assert_redirects(
        national.act(report, "assign", assignee=str(national.user.id)),
        f"/triage/reports/{report.reference}",
    )
    assert fresh(report).assigned_to_id == national.user.id


def test_notes_are_encrypted_at_rest(officer):
    report = make_report()
    note = "Mother says he has not been home since Tuesday."
    assert_redirects(officer.act(report, "notes", note=note), f"/triage/reports/{report.reference}")
    raw = db.session.execute(text("SELECT kind, text_enc FROM report_events")).all()
    assert [kind for kind, _ in raw] == ["note"]
    blob = bytes(raw[0][1])
    assert b"Tuesday" not in blob and note.encode() not in blob and len(blob) > len(note)
    # Nothing else in the database holds it either.
    dump = str(db.session.execute(text("SELECT * FROM audit_events")).all())
    assert "Tuesday" not in dump
    assert note in officer.client.get(f"/triage/reports/{report.reference}").get_data(as_text=True)
    [row] = audit_rows("note_added")
    assert (row.report_id, row.detail) == (report.id, None)


def test_a_note_cannot_be_moved_to_another_report(officer):
    first, second = make_report(), make_report()
    officer.act(first, "notes", note="About the first report only.")
    officer.act(second, "notes", note="Second.")
    events = db.session.scalars(select(ReportEvent).order_by(ReportEvent.id)).all()
    events[1].text_enc = events[0].text_enc  # someone with database access swaps them
    db.session.commit()
    response = officer.client.get(f"/triage/reports/{second.reference}")
    assert response.status_code == 500  # the ciphertext is bound to its report and entry


def test_reroute_moves_the_report_to_the_other_regions_officer(app, officer):
    london = Staff(app.test_client(), make_user(regions=("london",)))
    report = make_report(region="east-midlands", assigned_to=officer.user)
    assert report.reference not in london.client.get("/triage/").get_data(as_text=True)
    response = officer.act(report, "reroute", queue="london", reroute_reason="Seen at Euston.")
    assert_redirects(response, "/triage/")
    assert response.headers["Location"] == "/triage/"
    moved = fresh(report)
    assert (moved.queue, moved.region_id, moved.region_source, moved.assigned_to_id) == (
        "london",
        "london",
        "staff",
        None,
    )
    assert report.reference in london.client.get("/triage/").get_data(as_text=True)
    assert officer.client.get(f"/triage/reports/{report.reference}").status_code == 404
    assert report.reference not in officer.client.get("/triage/").get_data(as_text=True)
    [row] = audit_rows("rerouted")
    assert row.detail == {"from": "east-midlands", "to": "london"}
    body = london.client.get(f"/triage/reports/{report.reference}").get_data(as_text=True)
    assert "Re-routed from East Midlands to London" in body and "Seen at Euston." in body


def test_reroute_to_the_national_queue(officer):
    report = make_report()
    assert_redirects(
        officer.act(report, "reroute", queue="national", reroute_reason="Scotland"), "/triage/"
    )
    assert (fresh(report).queue, fresh(report).region_id) == ("national", None)


def test_an_action_and_its_audit_row_commit_together(officer, monkeypatch):
    report = make_report()
    token = officer.token(report.reference)

    def broken_record(action, **kwargs):
        db.session.add(AuditEvent(action=None))  # the audit insert fails at the database

    monkeypatch.setattr(audit, "record", broken_record)
    response = officer.client.post(
        f"/triage/reports/{report.reference}/triaged", data={"csrf_token": token}
    )
    assert response.status_code == 503
    assert fresh(report).status == "new"
    assert db.session.scalar(select(ReportEvent)) is None
