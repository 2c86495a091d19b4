"""Email alerts to staff. They never carry report content: only the priority, the region, a
reference and a link to sign in and read it.

Every alert goes through the outbox (services/mail/outbox.py): an urgent report's alert is written
in the same transaction as the report, so a stored report always has its alert and an alert
never names a report that was not stored; the outbox worker sends it, and tries again while
mail is down. Someone always hears of an urgent report: when no active officer covers its
region, national staff are alerted instead, and admins when there are none of those
(`alert_recipients`). `flask --app wsgi notify daily-summary` (run daily from cron) queues, for each
member of staff, how many reports are still `new` for them.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from reporter.campaign import campaign_data
from reporter.codes import NATIONAL_QUEUE, Priority, Role, Status
from reporter.extensions import db
from reporter.models import Report, StaffUser, utcnow
from reporter.plurals import counted
from reporter.services.accounts.access import assignable_staff
from reporter.services.mail import outbox

log = logging.getLogger(__name__)
URGENT_ALERT = "urgent-alert"
DAILY_SUMMARY = "daily-summary"


def report_link(reference: str) -> str:
    return f"{current_app.config['REPORTER_BASE_URL'].rstrip('/')}/triage/reports/{reference}"


def recipients_for(report: Report) -> list[str]:
    """Whoever covers the report's queue: the same people it may be assigned to."""
    return [user.email for user in assignable_staff(report)]


# Who an urgent report alerts when nobody active covers its queue: the first of these with
# anyone active. An urgent report never goes unheard while any account is active.
STAND_INS = (Role.NATIONAL, Role.ADMIN)


@dataclass(frozen=True)
class AlertRecipients:
    emails: list[str]
    standing_in: Role | None = None  # alerted instead of the queue's own staff, who are missing


def alert_recipients(report: Report) -> AlertRecipients:
    """Who an urgent report alerts: whoever covers its queue; when nobody active does (a region
    with no active officer), the national team; when it has nobody active either, the admins."""
    to = recipients_for(report)
    if to:
        return AlertRecipients(to)
    for role in STAND_INS:
        emails = list(
            db.session.scalars(
                select(StaffUser.email)
                .where(StaffUser.active.is_(True), StaffUser.role == role)
                .order_by(StaffUser.email)
            )
        )
        if emails:
            return AlertRecipients(emails, standing_in=role)
    return AlertRecipients([])


def _nobody_covers(report: Report) -> str:
    """Why the alert came to someone else, in the words staff read."""
    region = campaign_data().regions.get(report.region_id or "")
    if report.queue == NATIONAL_QUEUE or region is None:
        return "No active member of the national team works the national queue"
    return f"No active prevention officer covers the {region.name} region"


def report_alert(report: Report) -> dict | None:
    """The outbox row of the alert about an urgent report (outbox.message_row), or None when it
    needs none. The caller stores it in the same statement or transaction as the report."""
    if report.priority != Priority.URGENT:
        return None
    recipients = alert_recipients(report)
    if not recipients.emails:
        log.error("urgent report %s: no active staff to alert", report.reference)
        return None
    standing_in = ""
    if recipients.standing_in is not None:
        log.warning(
            "urgent report %s: nobody covers queue %s; alerting %s staff instead",
            report.reference,
            report.queue,
            recipients.standing_in.value,
        )
        standing_in = (
            f"{_nobody_covers(report)}, so this alert comes to you instead. "
            "Make sure someone reads the report now.\n\n"
        )
    return outbox.message_row(
        f"alert:{report.reference}",
        URGENT_ALERT,
        recipients.emails,
        f"URGENT report {report.reference}",
        "An urgent report has arrived: a reporter said a child was in immediate danger.\n\n"
        + standing_in
        + f"Read it after signing in: {report_link(report.reference)}\n\n"
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
            f"LookCloser: {counted(sum(total.values()), 'report', 'reports')} still new ({date})",
            "Reports still waiting for triage:\n" + "\n".join(lines)
            + f"\n\nSign in to read them: {base}/triage/\n\n"
            "This message holds no report content.",
        )  # fmt: skip
        queued += 1
    db.session.commit()
    return queued
