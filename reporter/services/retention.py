"""Retention: what reporters and staff wrote is kept only as long as it is needed.

A report closed more than REPORT_RETENTION_DAYS ago loses its content: description, place,
full postcode, contact details, staff notes and reasons, its search tokens, and what was
written at follow-up (sightings' places and details, officers' questions and the answers). Its codes
(setting, signs, region, priority, dates, status) stay, so trends and the audit trail still
add up. Open reports are never purged. Run daily: `flask --app wsgi retention purge`.

A staff email in the outbox is deleted OUTBOX_RETENTION_DAYS after it was sent: it holds no
report content, but it names its recipients (staff email addresses) and, for an alert, an urgent
report's reference. The outbox worker prunes a batch at a time now and then; `flask --app wsgi
outbox prune` does it all at once. A message not sent yet, or given up on (failed), is never
pruned: it is work still to do, and /healthz says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from reporter.codes import Status
from reporter.extensions import db, rows_changed
from reporter.models import (
    OfficerQuestion,
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportEvent,
    ReportSearchToken,
    Sighting,
    utcnow,
)
from reporter.services import audit

BATCH = 500
# The daily summary is sent once a day, however often cron runs it, because its message of the
# day is still in the outbox (services/notify.py): sent messages must outlive their day.
MIN_SENT_MESSAGE_DAYS = 1


def _closed_before(cutoff: datetime):
    """Reports whose closing is older than the cutoff and whose content is still there."""
    closed_at = (
        select(ReportEvent.report_id, func.max(ReportEvent.created_at).label("at"))
        .where(ReportEvent.kind == "status", ReportEvent.to_value == Status.CLOSED)
        .group_by(ReportEvent.report_id)
        .subquery()
    )
    return (
        select(Report)
        .join(closed_at, closed_at.c.report_id == Report.id)
        .where(
            Report.status == Status.CLOSED,
            Report.content_purged_at.is_(None),
            closed_at.c.at < cutoff,
        )
        .order_by(Report.id)
    )


def purge_closed(days: int, *, dry_run: bool = False) -> int:
    """Remove the content of reports closed more than `days` ago. Returns how many."""
    now = utcnow()
    cutoff = now - timedelta(days=days)
    purged = 0
    while True:
        batch = db.session.scalars(_closed_before(cutoff).limit(BATCH)).all()
        if dry_run:
            return len(db.session.scalars(_closed_before(cutoff)).all())
        if not batch:
            return purged
        ids = [r.id for r in batch]
        for report in batch:
            report.description_enc = report.place_enc = None
            report.postcode_enc = report.contact_enc = None
            report.content_purged_at = now
            audit.record("content_purged", report=report, detail={"days": days})
        db.session.execute(
            update(ReportEvent).where(ReportEvent.report_id.in_(ids)).values(text_enc=None)
        )
        db.session.execute(
            update(Sighting)
            .where(Sighting.report_id.in_(ids))
            .values(postcode_enc=None, place_enc=None, details_enc=None)
        )
        db.session.execute(
            update(OfficerQuestion)
            .where(OfficerQuestion.report_id.in_(ids))
            .values(question_enc=None, answer_enc=None)
        )
        db.session.execute(delete(ReportSearchToken).where(ReportSearchToken.report_id.in_(ids)))
        db.session.commit()  # one batch, one transaction: content and audit rows together
        purged += len(batch)


def _sent_before(cutoff: datetime):
    return (OutboxMessage.status == OutboxStatus.SENT) & (OutboxMessage.sent_at < cutoff)


def _message_cutoff(days: int, now: datetime | None) -> datetime:
    if days < MIN_SENT_MESSAGE_DAYS:
        raise ValueError(f"sent messages are kept at least {MIN_SENT_MESSAGE_DAYS} day")
    return (now or utcnow()) - timedelta(days=days)


def prune_sent_batch(days: int, now: datetime | None = None) -> int:
    """Delete up to BATCH messages sent more than `days` ago, in one short transaction. Returns
    how many. On PostgreSQL, rows another pruner holds are skipped, not waited for."""
    cutoff = _message_cutoff(days, now)
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(_sent_before(cutoff))
        .order_by(OutboxMessage.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    count = 0
    if ids:
        count = rows_changed(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _sent_before(cutoff))
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return count


def prune_sent_messages(days: int, *, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete every message sent more than `days` ago, a batch per transaction. Returns how
    many (with `dry_run`, how many would be)."""
    cutoff = _message_cutoff(days, now)
    if dry_run:
        return (
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(_sent_before(cutoff))
            )
            or 0
        )
    pruned = 0
    while (count := prune_sent_batch(days, now)) == BATCH:
        pruned += count
    return pruned + count
