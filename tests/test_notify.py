"""Staff alerts: urgent reports at once, a daily summary of what is still new, no content. Each
goes through the outbox; `deliver` runs the worker's pass as `outbox work --once` would."""

import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from reporter.extensions import db
from reporter.models import (
    OutboxMessage,
    OutboxStatus,
    Report,
    StaffRegion,
    StaffUser,
    utcnow,
)
from reporter.services.data_protection import retention
from reporter.services.mail import outbox as outbox_service
from tests.factories import report_answers
from tests.fault_services import wait_for
from tests.pages import assert_redirects

URGENT_FORM = report_answers(
    danger="yes",
    signs=["controlled"],
    station="LEI",
    description="SECRET-DETAIL boy pushed onto the 10:15",
    place="SECRET-PLACE platform 4",
)


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


def deliver(app) -> int:
    with app.app_context():
        return outbox_service.deliver_due()


def outbox_rows(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_an_urgent_report_alerts_the_regions_active_officers_at_once(mail_app, outbox):
    mail_app.test_client().post("/report", data=URGENT_FORM)
    assert not messages(outbox)  # queued with the report, sent by the worker
    assert deliver(mail_app) == 1
    [mail] = messages(outbox)
    assert mail["To"] == "em@example.org"
    assert mail["Subject"].startswith("URGENT report LC-")
    body = mail.get_payload()
    assert "https://lc.example.org/triage/reports/LC-" in body


def test_alerts_hold_no_report_content(mail_app, outbox):
    mail_app.test_client().post("/report", data=URGENT_FORM)
    deliver(mail_app)
    raw = b"".join(p.read_bytes() for p in outbox.glob("*.eml"))
    assert b"SECRET" not in raw and b"LEI" not in raw and b"pushed" not in raw


def test_a_report_without_a_region_alerts_national_staff(mail_app, outbox):
    form = {**URGENT_FORM, "station": "", "place": "a car park"}
    mail_app.test_client().post("/report", data=form)
    deliver(mail_app)
    assert [m["To"] for m in messages(outbox)] == ["nat@example.org"]


def test_non_urgent_reports_wait_for_the_daily_summary(mail_app, outbox):
    client = mail_app.test_client()
    client.post("/report", data={**URGENT_FORM, "danger": "no"})
    assert deliver(mail_app) == 0
    result = mail_app.test_cli_runner().invoke(args=["notify", "daily-summary"])
    assert "Queued 2 summaries" in result.output  # the East Midlands officer and national staff
    again = mail_app.test_cli_runner().invoke(args=["notify", "daily-summary"])
    assert "Queued 0 summaries" in again.output  # once a day each, however often cron runs it
    result = mail_app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert "Sent 2 messages" in result.output
    by_recipient = {m["To"]: m.get_payload() for m in messages(outbox)}
    assert set(by_recipient) == {"em@example.org", "nat@example.org"}
    assert "high: 1" in by_recipient["em@example.org"]
    assert "SECRET" not in "".join(by_recipient.values())


def test_a_mail_failure_never_loses_the_report_or_its_alert(mail_app, outbox, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(outbox_service, "send_email", refuse)
    response = mail_app.test_client().post("/report", data=URGENT_FORM)
    assert_redirects(response, "/report/done")
    assert deliver(mail_app) == 0
    [row] = outbox_rows(mail_app)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "ConnectionRefusedError")
    assert row.sent_at is None and row.lease_owner is None
    assert row.next_attempt_at > row.created_at  # backing off

    monkeypatch.undo()
    with mail_app.app_context():  # the backoff has passed
        db.session.execute(update(OutboxMessage).values(next_attempt_at=row.created_at))
        db.session.commit()
    assert deliver(mail_app) == 1
    assert deliver(mail_app) == 0
    [sent] = outbox_rows(mail_app)
    # The record keeps what happened: sent on the second try, after a refused connection.
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, "ConnectionRefusedError")
    assert sent.sent_at is not None
    assert len(messages(outbox)) == 1


def test_retries_back_off_exponentially_up_to_a_cap(mail_app):
    with mail_app.app_context():
        delays = [outbox_service.retry_delay(n) for n in range(1, 9)]
    assert delays == [15, 30, 60, 120, 240, 480, 600, 600]


def test_a_message_that_keeps_failing_is_marked_failed_and_can_be_queued_again(
    make_app, outbox, monkeypatch
):
    app = make_app(MAIL_OUTBOX_DIR=str(outbox), OUTBOX_MAX_ATTEMPTS=2, OUTBOX_RETRY_SECONDS=0)
    monkeypatch.setattr(outbox_service, "send_email", _refuse)
    with app.app_context():
        outbox_service.enqueue("test:1", "test", ["a@example.org"], "Subject", "Body")
        db.session.commit()
        assert outbox_service.deliver_due() == 0  # tried twice: the second try gives up
        assert outbox_service.backlog()["failed"] == 1
    assert app.test_client().get("/healthz").get_json()["status"] == "degraded"
    monkeypatch.undo()
    assert "Queued 1 failed" in app.test_cli_runner().invoke(args=["outbox", "retry-failed"]).output
    assert deliver(app) == 1


def _refuse(*args, **kwargs):
    raise ConnectionRefusedError


def test_the_alert_is_stored_with_the_report_or_not_at_all(mail_app, monkeypatch):
    """One statement or transaction: if the alert cannot be stored, the report is not stored
    either, and the reporter gets the page that keeps their answers and shows who to call."""
    from reporter.services.reporting import reports

    taken = "alert:LC-2222-3333"  # an alert row already holds the key the new alert needs
    with mail_app.app_context():
        db.session.add(OutboxMessage(**outbox_service.message_row(taken, "x", ["a@b.c"], "s", "b")))
        db.session.commit()
    monkeypatch.setattr(reports, "new_reference", lambda: "LC-2222-3333")
    response = mail_app.test_client().post("/report", data=URGENT_FORM)
    assert response.status_code == 503
    with mail_app.app_context():
        assert db.session.scalar(select(func.count(Report.id))) == 0
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
    monkeypatch.undo()
    assert_redirects(mail_app.test_client().post("/report", data=URGENT_FORM), "/report/done")
    [row] = outbox_rows(mail_app)
    with mail_app.app_context():
        reference = db.session.scalar(select(Report.reference))
    assert row.key == f"alert:{reference}" and row.status == OutboxStatus.PENDING


def _sent_long_ago(key: str) -> None:
    outbox_service.enqueue(key, "test", ["a@example.org"], "Subject", "Body")
    long_ago = utcnow() - timedelta(days=31)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key)
        .values(status=OutboxStatus.SENT, sent_at=long_ago, created_at=long_ago)
    )


def _keys(app) -> dict[str, str]:
    return {row.key: row.status for row in outbox_rows(app)}


@contextmanager
def running_worker(app):
    """`outbox work` in a thread, stopped as SIGTERM stops it."""
    stop = threading.Event()

    def run():
        with app.app_context():
            outbox_service.work(stop)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(10)


def test_the_worker_prunes_when_it_starts_a_batch_a_turn_then_only_now_and_then(
    make_app, outbox, monkeypatch
):
    app = make_app(MAIL_OUTBOX_DIR=str(outbox), OUTBOX_POLL_SECONDS=0.01)
    monkeypatch.setattr(retention, "BATCH", 2)
    batches: list[int] = []
    prune_batch = retention.prune_sent_batch

    def counted(days, now=None):
        batches.append(prune_batch(days, now))
        return batches[-1]

    monkeypatch.setattr(retention, "prune_sent_batch", counted)
    with app.app_context():
        for n in range(5):
            _sent_long_ago(f"old:{n}")
        outbox_service.enqueue("test:1", "test", ["a@example.org"], "Subject", "Body")
        db.session.commit()
    with running_worker(app):
        wait_for(lambda: len(batches) >= 3, 10, "the worker to prune")
        # One batch a turn of the loop, straight on while a batch comes back full.
        assert batches == [2, 2, 1]
        wait_for(lambda: _keys(app) == {"test:1": "sent"}, 10, "the message to be sent")
        with app.app_context():
            _sent_long_ago("old:later")
            outbox_service.enqueue("test:2", "test", ["a@example.org"], "Subject", "Body")
            db.session.commit()
        wait_for(lambda: _keys(app).get("test:2") == "sent", 10, "the next message")
        time.sleep(0.2)  # many more polls
        assert batches == [2, 2, 1]  # not again before OUTBOX_PRUNE_SECONDS (an hour)
        assert "old:later" in _keys(app)


def test_a_worker_told_to_keep_sent_emails_under_a_day_says_so_and_still_sends(
    make_app, outbox, caplog
):
    app = make_app(MAIL_OUTBOX_DIR=str(outbox), OUTBOX_POLL_SECONDS=0.01, OUTBOX_RETENTION_DAYS=0)
    with app.app_context():
        _sent_long_ago("old")
        outbox_service.enqueue("test:1", "test", ["a@example.org"], "Subject", "Body")
        db.session.commit()
    with (
        caplog.at_level(logging.ERROR, logger="reporter.services.mail.outbox"),
        running_worker(app),
    ):
        wait_for(lambda: _keys(app).get("test:1") == "sent", 10, "the message to be sent")
    assert "OUTBOX_RETENTION_DAYS is 0, under 1: sent messages are not pruned" in caplog.text
    assert _keys(app) == {"old": "sent", "test:1": "sent"}
