"""Retention: closed reports lose what people wrote after the retention period; codes stay.
Sent staff emails are deleted after theirs; emails not sent yet, or failed, are kept."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from reporter.extensions import db
from reporter.models import (
    AuditEvent,
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportEvent,
    ReportSearchToken,
    utcnow,
)
from reporter.services.casework import triage
from reporter.services.data_protection import retention
from reporter.services.mail import outbox as outbox_service
from tests.factories import data_context, make_report, make_user


@pytest.fixture(autouse=True)
def _context(app):
    with data_context(app):
        yield


def closed_report(days_ago: int, **kw) -> Report:
    officer = make_user(role="national")
    report = make_report(place="Platform 4 by the lifts", postcode="LE1 6RN", **kw)
    triage.close(report, officer, "Referred to police, nothing more for us")
    db.session.execute(
        update(ReportEvent)
        .where(ReportEvent.report_id == report.id)
        .values(created_at=utcnow() - timedelta(days=days_ago))
    )
    db.session.commit()
    return report


def test_a_report_closed_long_ago_loses_its_content_but_keeps_its_codes():
    report = closed_report(800, signs=("controlled",))
    tokens = select(ReportSearchToken).where(ReportSearchToken.report_id == report.id)
    assert db.session.scalars(tokens).all()  # the place was searchable
    assert retention.purge_closed(730) == 1
    db.session.refresh(report)
    assert report.description_enc is report.place_enc is report.postcode_enc is None
    assert report.content_purged_at is not None
    assert (report.sector, report.sign_ids, report.status) == ("rail", ["controlled"], "closed")
    events = db.session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id))
    assert all(e.text_enc is None for e in events)
    assert not db.session.scalars(tokens).all()


def test_recently_closed_and_open_reports_are_kept():
    recent = closed_report(10)
    still_open = make_report(created_at=utcnow() - timedelta(days=1000))
    assert retention.purge_closed(730) == 0
    for report in (recent, still_open):
        db.session.refresh(report)
        assert report.description_enc is not None


def test_each_purge_is_audited_and_a_second_run_does_nothing():
    report = closed_report(800)
    retention.purge_closed(730)
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "content_purged"))
    assert [r.report_reference for r in rows] == [report.reference]
    assert retention.purge_closed(730) == 0


def test_a_dry_run_counts_without_changing_anything(runner):
    report = closed_report(800)
    result = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert "Would purge the content of 1 report closed more than 730 days ago" in result.output
    db.session.refresh(report)
    assert report.description_enc is not None
    result = runner.invoke(args=["retention", "purge", "--days", "30"])
    assert "Purged the content of 1 report closed" in result.output


# --- sent staff emails (the outbox) ----------------------------------------------------------

NOW = datetime(2026, 5, 1, 12, 0, 0)
LONG_AGO = NOW - timedelta(days=400)


def outbox_message(key: str, status: str = OutboxStatus.SENT, **columns) -> OutboxMessage:
    """A message as the worker leaves it: sent (with `sent_at`), waiting, or given up on."""
    created = columns.pop("created_at", columns.get("sent_at") or LONG_AGO)
    row = outbox_service.message_row(
        key, "test", ["officer@staff.example"], "URGENT report LC-2222-3333", "Read it."
    )
    message = OutboxMessage(
        **{**row, "status": status, "created_at": created, "next_attempt_at": created, **columns}
    )
    db.session.add(message)
    db.session.commit()
    return message


def outbox_keys() -> set[str]:
    return set(db.session.scalars(select(OutboxMessage.key)))


def test_only_emails_sent_longer_ago_than_the_retention_are_deleted():
    edge = NOW - timedelta(days=30)
    outbox_message("sent:long-ago", sent_at=LONG_AGO, attempts=1)
    outbox_message("sent:a-second-too-long-ago", sent_at=edge - timedelta(seconds=1), attempts=1)
    outbox_message("sent:a-second-inside", sent_at=edge + timedelta(seconds=1), attempts=1)
    outbox_message("sent:just-now", sent_at=NOW, attempts=1)
    outbox_message("pending:never-tried", OutboxStatus.PENDING)
    outbox_message(
        "pending:retrying", OutboxStatus.PENDING, attempts=7, last_error="ConnectionRefusedError"
    )
    outbox_message("failed", OutboxStatus.FAILED, attempts=50, last_error="SMTPDataError")
    # The status decides, whatever else a row says.
    outbox_message("failed:with-a-time", OutboxStatus.FAILED, sent_at=LONG_AGO, attempts=50)
    assert retention.prune_sent_messages(30, now=NOW) == 2
    assert outbox_keys() == {
        "sent:a-second-inside",
        "sent:just-now",
        "pending:never-tried",
        "pending:retrying",
        "failed",
        "failed:with-a-time",
    }
    assert retention.prune_sent_messages(30, now=NOW) == 0


def test_emails_are_deleted_a_batch_per_transaction(monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    for n in range(5):
        outbox_message(f"sent:{n}", sent_at=LONG_AGO)
    outbox_message("pending", OutboxStatus.PENDING)
    assert retention.prune_sent_batch(30, NOW) == 2
    assert len(outbox_keys()) == 4
    assert retention.prune_sent_messages(30, now=NOW) == 3
    assert outbox_keys() == {"pending"}


def test_deleting_an_alert_leaves_its_report_alone():
    report = make_report(priority="urgent")
    outbox_message(f"alert:{report.reference}", sent_at=LONG_AGO, report=report)
    assert retention.prune_sent_messages(30, now=NOW) == 1
    db.session.expire_all()
    assert db.session.get(Report, report.id).description_enc is not None


def test_sent_emails_are_kept_at_least_a_day():
    """The daily summary is queued once a day however often cron runs it, because the day's
    message is still in the outbox."""
    outbox_message("sent", sent_at=LONG_AGO)
    for days in (0, -1):
        with pytest.raises(ValueError, match="at least 1 day"):
            retention.prune_sent_messages(days)
    assert outbox_keys() == {"sent"}


def test_outbox_prune_says_how_many_it_deleted(runner):
    now = utcnow()
    outbox_message("sent:31-days-ago", sent_at=now - timedelta(days=31))
    outbox_message("sent:29-days-ago", sent_at=now - timedelta(days=29))
    outbox_message("failed", OutboxStatus.FAILED)
    result = runner.invoke(args=["outbox", "prune", "--dry-run"])
    assert result.output == "Would delete 1 emails sent more than 30 days ago.\n"
    assert len(outbox_keys()) == 3
    result = runner.invoke(args=["outbox", "prune"])
    assert result.output == "Deleted 1 emails sent more than 30 days ago.\n"
    assert outbox_keys() == {"sent:29-days-ago", "failed"}
    result = runner.invoke(args=["outbox", "prune", "--days", "28"])
    assert result.output == "Deleted 1 emails sent more than 28 days ago.\n"
    refused = runner.invoke(args=["outbox", "prune", "--days", "0"])
    assert refused.exit_code != 0 and "Deleted" not in refused.output
    assert outbox_keys() == {"failed"}
