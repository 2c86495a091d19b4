"""The audit log: written with every action, readable by admins, changeable by nobody."""

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from reporter.extensions import db
from reporter.services.accounts import audit
from tests.factories import make_report, make_user
from tests.pages import read
from tests.triage.conftest import audit_rows, log_in, sign_in


def test_the_database_refuses_to_change_or_delete_audit_rows(app):
    audit.record("sign_out", actor=make_user())
    db.session.commit()
    attempts = ["UPDATE audit_events SET action = 'sign_in'", "DELETE FROM audit_events"]
    if db.engine.dialect.name == "postgresql":
        attempts.append("TRUNCATE audit_events")
    for statement in attempts:
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert [row.action for row in audit_rows()] == ["sign_out"]


def test_no_route_can_change_the_log(app):
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert [(r.rule, r.methods - {"HEAD", "OPTIONS"}) for r in rules] == [
        ("/triage/audit", {"GET"})
    ]


def test_each_kind_of_event_is_recorded_with_who_when_and_which_report(client):
    officer = make_user(email="o@staff.example")
    report = make_report()
    log_in(client, "o@staff.example", "wrong password")
    log_in(client, "o@staff.example")
    client.get("/triage/")
    base = f"/triage/reports/{report.reference}"
    client.get(base)
    client.post(f"{base}/triaged")
    client.post(f"{base}/refer", data={"agency": "police", "their_reference": "P1"})
    client.post(f"{base}/assign", data={"assignee": str(officer.id)})
    client.post(f"{base}/notes", data={"note": "Called the school."})
    client.post(f"{base}/reroute", data={"queue": "london", "reroute_reason": "Seen in London"})
    client.post("/triage/logout")
    actions = [row.action for row in audit_rows() if row.action != "report_viewed"]
    assert actions == [
        "sign_in_failed",
        "sign_in",
        "queue_viewed",
        "status_changed",
        "referred",
        "assigned",
        "note_added",
        "rerouted",
        "sign_out",
    ]
    for row in audit_rows():
        assert row.actor_id == officer.id and row.actor_email == "o@staff.example"
        assert row.created_at is not None and row.address == "127.0.0.1"
        if row.action not in ("sign_in_failed", "sign_in", "queue_viewed", "sign_out"):
            assert (row.report_id, row.report_reference) == (report.id, report.reference)
    dump = str([(r.detail, r.action) for r in audit_rows()])
    assert "Called the school" not in dump and "Seen in London" not in dump and "P1" not in dump


def test_admins_read_and_filter_the_log(client):
    admin = make_user(role="admin", email="admin@staff.example")
    officer = make_user(email="o@staff.example")
    report = make_report()
    audit.record("report_viewed", actor=officer, report=report)
    audit.record("sign_in", actor=officer)
    audit.record("sign_in", actor=admin)
    db.session.commit()
    sign_in(client, admin)
    page = read(client.get("/triage/audit"))
    assert "o@staff.example" in page.text and report.reference in page.text
    page = read(client.get("/triage/audit?action=sign_in&actor=O@staff.example"))
    assert page.html.count("<tr>") == 2  # the header and one row
    page = read(client.get(f"/triage/audit?reference={report.reference.lower()}"))
    assert page.html.count("<tr>") == 2 and "Viewed a report" in page.text
    assert audit_rows("audit_viewed")[-1].actor_id == admin.id
    client.get("/triage/users")
    assert audit_rows("users_viewed")[-1].actor_id == admin.id


def test_the_log_pages_by_keyset(client):
    admin = make_user(role="admin")
    for _ in range(130):
        audit.record("sign_in", actor=admin)
    db.session.commit()
    sign_in(client, admin)
    first = read(client.get("/triage/audit?action=sign_in"))
    assert first.html.count("<tr>") == 101
    older = next(a["href"] for a in first.find_all("a") if a.get("rel") == "next")
    assert "action=sign_in" in older and "before=" in older
    second = read(client.get(older))
    assert second.html.count("<tr>") == 31


def test_the_details_column_is_in_words_not_stored_values(client):
    admin = make_user(role="admin", email="ada@staff.example")
    officer = make_user(email="olive@staff.example")
    sign_in(client, officer)
    client.post("/triage/", data={"q": "granby", "priority": "high"})
    sign_in(client, admin)
    client.post(
        f"/triage/users/{officer.id}",
        data={"role": "officer", "regions": ["east-midlands", "wales"], "totp_required": "y"},
    )
    page = read(client.get("/triage/audit"))
    details = re.findall(r'data-label="Details"><span class="cell">([^<]*)<', page.html)
    assert (
        "Status: open (new, triaged or referred); priority: high; "
        "with a search (words not recorded); the first page"
    ) in details
    assert (
        f"Account #{officer.id}. Regions: east-midlands → east-midlands, wales; "
        "second factor not required → second factor required"
    ) in details
    for raw in ("later_page", "True", "False", "search:", "totp_required", "['"):
        assert raw not in page.html.split("<tbody>")[1], raw


def test_a_row_records_the_address_of_its_own_request_and_a_command_none(client):
    make_user(email="o@staff.example")
    log_in(client, "o@staff.example", environ_base={"REMOTE_ADDR": "203.0.113.8"})
    audit.record("sign_out")  # as a command would, after the request is over
    db.session.commit()
    assert [(row.action, row.address) for row in audit_rows()] == [
        ("sign_in", "203.0.113.8"),
        ("sign_out", None),
    ]
