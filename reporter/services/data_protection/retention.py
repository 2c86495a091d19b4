"""Retention: what reporters and staff wrote is kept only as long as it is needed.

A report closed more than REPORT_RETENTION_DAYS ago loses its content: description, place,
full postcode, contact details, staff notes and reasons, its search tokens, and what was
written at follow-up (sightings' places and details, officers' questions and the answers). Its codes
(setting, signs, region, priority, dates, status) stay, so trends and the audit trail still
add up. Open reports are never purged, nor reports under a legal hold
(services/data_protection/holds.py). Run daily: `flask --app wsgi retention purge`. Admins see what
is due in the next 30 days at /triage/retention, and `flask --app wsgi retention warn` (daily)
emails them a digest.

A staff email in the outbox is deleted OUTBOX_RETENTION_DAYS after it was sent: it holds no
report content, but it names its recipients (staff email addresses) and, for an alert, an urgent
report's reference. The outbox worker prunes a batch at a time now and then; `flask --app wsgi
outbox prune` does it all at once. A message not sent yet, or given up on (failed), is never
pruned: it is work still to do, and /healthz says so.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from reporter.services.accounts import audit

BATCH = 500
WARN_AHEAD = timedelta(days=30)  # admins are warned this long before a purge
# The daily summary is sent once a day, however often cron runs it, because its message of the
# day is still in the outbox (services/mail/notify.py): sent messages must outlive their day.
MIN_SENT_MESSAGE_DAYS = 1


def _closings():
    """When each report was last closed (a reopened report counts from its new closing)."""
    return (
        select(ReportEvent.report_id, func.max(ReportEvent.created_at).label("at"))
        .where(ReportEvent.kind == "status", ReportEvent.to_value == Status.CLOSED)
        .group_by(ReportEvent.report_id)
        .subquery()
    )


def _closed_before(cutoff: datetime):
    """Reports whose closing is older than the cutoff, whose content is still there and that
    no legal hold keeps. Times are UTC: a retention period is exact elapsed time, so a change
    of the UK clocks neither shortens nor lengthens it."""
    closed_at = _closings()
    return (
        select(Report)
        .join(closed_at, closed_at.c.report_id == Report.id)
        .where(
            Report.status == Status.CLOSED,
            Report.content_purged_at.is_(None),
            Report.legal_hold_since.is_(None),
            closed_at.c.at < cutoff,
        )
        .order_by(Report.id)
    )


@dataclass(frozen=True)
class DuePurge:
    reference: str
    queue: str
    closed_at: datetime
    purge_at: datetime  # naive UTC: the first purge run after this removes its content


def due_for_purge(days: int, within: timedelta = WARN_AHEAD, now: datetime | None = None):
    """Reports whose content a purge will remove within `within` (or at its next run, if
    overdue), soonest first: what admins are warned of."""
    now = now or utcnow()
    closed_at = _closings()
    rows = db.session.execute(
        select(Report.reference, Report.queue, closed_at.c.at)
        .join(closed_at, closed_at.c.report_id == Report.id)
        .where(
            Report.status == Status.CLOSED,
            Report.content_purged_at.is_(None),
            Report.legal_hold_since.is_(None),
            closed_at.c.at < now - timedelta(days=days) + within,
        )
        .order_by(closed_at.c.at, Report.id)
    ).all()
    retained = timedelta(days=days)
    return [DuePurge(ref, queue, at, at + retained) for ref, queue, at in rows]


def purge_closed(days: int, *, dry_run: bool = False, now: datetime | None = None) -> int:
    """Remove the content of reports closed more than `days` ago. Returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    purged = 0
    while True:
        # Locked: a legal hold placed meanwhile waits for this batch, then finds it purged.
        batch = db.session.scalars(
            _closed_before(cutoff).limit(BATCH).with_for_update(of=Report)
        ).all()
        if dry_run:
            return len(db.session.scalars(_closed_before(cutoff)).all())
        if not batch:
            return purged
        ids = [r.id for r in batch]
        for report in batch:
            report.description_enc = report.place_enc = None
            report.postcode_enc = report.contact_enc = None
            report.contact_email_hash = report.contact_phone_hash = None
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
