"""Retention: what reporters and staff wrote is kept only as long as it is needed.

A report closed more than REPORT_RETENTION_DAYS ago loses its content: description, place,
full postcode, contact details, staff notes and reasons, and its search tokens. Its codes
(setting, signs, region, priority, dates, status) stay, so trends and the audit trail still
add up. Open reports are never purged. Run daily: `flask --app wsgi retention purge`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from reporter.codes import Status
from reporter.extensions import db
from reporter.models import Report, ReportEvent, ReportSearchToken, utcnow
from reporter.services import audit

BATCH = 500


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
        db.session.execute(delete(ReportSearchToken).where(ReportSearchToken.report_id.in_(ids)))
        db.session.commit()  # one batch, one transaction: content and audit rows together
        purged += len(batch)
