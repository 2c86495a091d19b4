"""Email alerts to staff. They never carry report content: only the priority, the region, a
reference and a link to sign in and read it.

Every alert goes through the outbox (services/outbox.py): an urgent report's alert is written
in the same transaction as the report, so a stored report always has its alert and an alert
never names a report that was not stored; the outbox worker sends it, and tries again while
mail is down. `flask --app wsgi notify daily-summary` (run daily from cron) queues, for each
member of staff, how many reports are still `new` for them.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from reporter.codes import Priority, Role, Status
from reporter.extensions import db
from reporter.models import Report, StaffUser, utcnow
from reporter.services import outbox
from reporter.services.access import assignable_staff

log = logging.getLogger(__name__)
URGENT_ALERT = "urgent-alert"
DAILY_SUMMARY = "daily-summary"


def report_link(reference: str) -> str:
    return f"{current_app.config['REPORTER_BASE_URL'].rstrip('/')}/triage/reports/{reference}"


def recipients_for(report: Report) -> list[str]:
    """Whoever covers the report's queue: the same people it may be assigned to."""
    return [user.email for user in assignable_staff(report)]


def report_alert(report: Report) -> dict | None:
    """The outbox row of the alert about an urgent report (outbox.message_row), or None when it
    needs none. The caller stores it in the same statement or transaction as the report."""
    if report.priority != Priority.URGENT:
        return None
    to = recipients_for(report)
    if not to:
        log.warning("urgent report %s: no active staff to alert", report.reference)
        return None
    return outbox.message_row(
        f"alert:{report.reference}",
        URGENT_ALERT,
        to,
        f"URGENT report {report.reference}",
        "An urgent report has arrived: a reporter said a child was in immediate danger.\n\n"
        f"Read it after signing in: {report_link(report.reference)}\n\n"
        "This message holds no report content. Do not forward it.",
    )


def _new_counts_by_queue() -> dict[str, Counter]:
    rows = db.session.execute(
        select(Report.queue, Report.priority, func.count())
        .where(Report.status == Status.NEW)
        .group_by(Report.queue, Report.priority)
    )
    counts: dict[str, Counter] = {}
    for queue, priority, n in rows:
        counts.setdefault(queue, Counter())[priority] += n
    return counts


def daily_summary(now: datetime | None = None) -> int:
    """Queue, for each active member of staff, how many reports are still new for them: once a
    day each, however often it runs. Returns the number of messages queued."""
    now = now or utcnow()
    counts = _new_counts_by_queue()
    date = now.strftime("%d %B %Y")
    queued = 0
    staff = list(db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True))))
    for user in staff:
        queues = counts if user.role in (Role.NATIONAL, Role.ADMIN) else user.region_ids
        total: Counter[str] = Counter()
        for queue in queues:
            total.update(counts.get(queue, Counter()))
        key = f"summary:{now:%Y-%m-%d}:{user.id}"
        if not total or outbox.exists(key):
            continue
        lines = [f"  {p}: {total[p]}" for p in Priority if total[p]]
        base = current_app.config["REPORTER_BASE_URL"].rstrip("/")
        outbox.enqueue(
            key,
            DAILY_SUMMARY,
            [user.email],
            f"LookCloser: {sum(total.values())} reports still new ({date})",
            "Reports still waiting for triage:\n" + "\n".join(lines)
            + f"\n\nSign in to read them: {base}/triage/\n\n"
            "This message holds no report content.",
        )  # fmt: skip
        queued += 1
    db.session.commit()
    return queued
