"""Email alerts to staff. They never carry report content: only the priority, the region, a
reference and a link to sign in and read it.

Urgent reports alert their region's officers at once; `flask --app wsgi notify daily-summary`
(run daily from cron) tells each member of staff how many reports are still `new` for them.
Without MAIL_SERVER (development, tests) mail is written to the outbox folder instead.
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from reporter.extensions import db
from reporter.models import Report, StaffUser, utcnow
from reporter.routing import PRIORITIES, URGENT
from reporter.services.access import assignable_staff

log = logging.getLogger(__name__)


def _send(to: list[str], subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    if not config["MAIL_SERVER"]:
        outbox = Path(config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        (outbox / f"{stamp}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def report_link(reference: str) -> str:
    return f"{current_app.config['REPORTER_BASE_URL'].rstrip('/')}/triage/reports/{reference}"


def recipients_for(report: Report) -> list[str]:
    """Whoever covers the report's queue: the same people it may be assigned to."""
    return [user.email for user in assignable_staff(report)]


def report_received(report: Report) -> None:
    """Alert at once about an urgent report. A failure to send never loses the report."""
    if report.priority != URGENT:
        return
    try:
        to = recipients_for(report)
        if not to:
            log.warning("urgent report %s: no active staff to alert", report.reference)
            return
        _send(
            to,
            f"URGENT report {report.reference}",
            "An urgent report has arrived: a reporter said a child was in immediate danger.\n\n"
            f"Read it after signing in: {report_link(report.reference)}\n\n"
            "This message holds no report content. Do not forward it.",
        )
    except (OSError, smtplib.SMTPException, SQLAlchemyError) as exc:
        db.session.rollback()
        log.error("urgent alert for %s not sent: %s", report.reference, type(exc).__name__)


def _new_counts_by_queue() -> dict[str, Counter]:
    rows = db.session.execute(
        select(Report.queue, Report.priority, func.count())
        .where(Report.status == "new")
        .group_by(Report.queue, Report.priority)
    )
    counts: dict[str, Counter] = {}
    for queue, priority, n in rows:
        counts.setdefault(queue, Counter())[priority] += n
    return counts


def daily_summary(now: datetime | None = None) -> int:
    """Tell each active member of staff how many reports are still new for them. Returns the
    number of messages sent."""
    counts = _new_counts_by_queue()
    date = (now or utcnow()).strftime("%d %B %Y")
    sent = 0
    staff = db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True)))
    for user in staff:
        queues = counts if user.role in ("national", "admin") else user.region_ids
        total = Counter()
        for queue in queues:
            total.update(counts.get(queue, Counter()))
        if not total:
            continue
        lines = [f"  {p}: {total[p]}" for p in PRIORITIES if total[p]]
        base = current_app.config["REPORTER_BASE_URL"].rstrip("/")
        _send(
            [user.email],
            f"LookCloser: {sum(total.values())} reports still new ({date})",
            "Reports still waiting for triage:\n" + "\n".join(lines)
            + f"\n\nSign in to read them: {base}/triage/\n\n"
            "This message holds no report content.",
        )  # fmt: skip
        sent += 1
    return sent
