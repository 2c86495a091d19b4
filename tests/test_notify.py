"""Staff alerts: urgent reports at once, a daily summary of what is still new, no content."""

from email import message_from_bytes
from pathlib import Path

import pytest

from reporter.extensions import db
from reporter.models import StaffRegion, StaffUser

URGENT_FORM = {
    "sector": "rail",
    "danger": "yes",
    "signs": ["controlled"],
    "station": "LEI",
    "description": "SECRET-DETAIL boy pushed onto the 10:15",
    "place": "SECRET-PLACE platform 4",
    "consent": "anonymous",
}


@pytest.fixture
def outbox(tmp_path):
    return tmp_path / "outbox"


@pytest.fixture
def mail_app(make_app, outbox):
    app = make_app(MAIL_OUTBOX_DIR=str(outbox), REPORTER_BASE_URL="https://lc.example.org")
    with app.app_context():
        for email, role, regions, active in [
            ("em@example.org", "officer", ["east-midlands"], True),
            ("em-gone@example.org", "officer", ["east-midlands"], False),
            ("ldn@example.org", "officer", ["london"], True),
            ("nat@example.org", "national", [], True),
        ]:
            user = StaffUser(email=email, role=role, active=active, password_hash="x")
            user.region_links = [StaffRegion(region_id=r) for r in regions]
            db.session.add(user)
        db.session.commit()
    return app


def messages(outbox: Path):
    return [message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def test_an_urgent_report_alerts_the_regions_active_officers_at_once(mail_app, outbox):
    mail_app.test_client().post("/report", data=URGENT_FORM)
    [mail] = messages(outbox)
    assert mail["To"] == "em@example.org"
    assert mail["Subject"].startswith("URGENT report LC-")
    body = mail.get_payload()
    assert "https://lc.example.org/triage/reports/LC-" in body


def test_alerts_hold_no_report_content(mail_app, outbox):
    mail_app.test_client().post("/report", data=URGENT_FORM)
    raw = b"".join(p.read_bytes() for p in outbox.glob("*.eml"))
    assert b"SECRET" not in raw and b"LEI" not in raw and b"pushed" not in raw


def test_a_report_without_a_region_alerts_national_staff(mail_app, outbox):
    form = {**URGENT_FORM, "station": "", "place": "a car park"}
    mail_app.test_client().post("/report", data=form)
    assert [m["To"] for m in messages(outbox)] == ["nat@example.org"]


def test_non_urgent_reports_wait_for_the_daily_summary(mail_app, outbox):
    client = mail_app.test_client()
    client.post("/report", data={**URGENT_FORM, "danger": "no"})
    assert not messages(outbox)
    result = mail_app.test_cli_runner().invoke(args=["notify", "daily-summary"])
    assert "Sent 2 summaries" in result.output  # the East Midlands officer and national staff
    by_recipient = {m["To"]: m.get_payload() for m in messages(outbox)}
    assert set(by_recipient) == {"em@example.org", "nat@example.org"}
    assert "high: 1" in by_recipient["em@example.org"]
    assert "SECRET" not in "".join(by_recipient.values())


def test_a_mail_failure_never_loses_the_report(mail_app, monkeypatch):
    from reporter.services import notify

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(notify, "_send", refuse)
    response = mail_app.test_client().post("/report", data=URGENT_FORM)
    assert response.status_code == 303


def test_a_database_error_while_alerting_still_reports_success(mail_app, monkeypatch):
    """The report is committed before anyone is alerted: it must not be sent twice."""
    from sqlalchemy.exc import OperationalError

    from reporter.services import notify

    def fail(report):
        raise OperationalError("SELECT", {}, Exception("gone"))

    monkeypatch.setattr(notify, "assignable_staff", fail)
    response = mail_app.test_client().post("/report", data=URGENT_FORM)
    assert response.status_code == 303
