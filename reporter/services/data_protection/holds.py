"""Legal holds, and warning admins of what retention will remove.

A report that must be kept (a prosecution, an inquiry, a subject's request)
is kept past retention until the hold is lifted. Placing and lifting a hold each need a reason,
which goes on the report's timeline (encrypted, as staff's words always are) and in the audit
log (as an action, never the words). Only admins place and lift holds.

`flask --app wsgi retention warn` (daily, from cron) queues for each active admin, once a day,
a digest of the reports whose content will be removed in the next 30 days: references and
dates only, never content, with a link to the page where they can place a hold.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from reporter.codes import Role
from reporter.extensions import db, rows_changed
from reporter.models import Report, StaffUser, utcnow
from reporter.services.accounts import audit
from reporter.services.accounts.access import is_admin
from reporter.services.casework.triage import (
    REASON_MAX_LENGTH,
    WorkflowError,
    add_event,
    clean_text,
)
from reporter.services.data_protection.retention import WARN_AHEAD, DuePurge, due_for_purge
from reporter.services.mail import outbox
from reporter.uktime import in_uk


def place_hold(report: Report, actor: StaffUser, reason: str | None) -> None:
    if not is_admin(actor):
        raise WorkflowError("Only an admin can place a legal hold.")
    reason = clean_text(reason, REASON_MAX_LENGTH, "a reason for the legal hold")
    moment = utcnow()
    done = rows_changed(
        update(Report)
        .where(
            Report.id == report.id,
            Report.legal_hold_since.is_(None),
            Report.content_purged_at.is_(None),
        )
        .values(legal_hold_since=moment)
        .execution_options(synchronize_session=False)
    )
    if done != 1:
        db.session.rollback()
        db.session.refresh(report)
        if report.content_purged_at is not None:
            raise WorkflowError("What this report said was removed under retention already.")
        raise WorkflowError("This report is already on legal hold.")
    add_event(report, actor, "held", text=reason)
    audit.record("legal_hold_placed", actor=actor, report=report)
    db.session.commit()
    db.session.refresh(report)


def lift_hold(report: Report, actor: StaffUser, reason: str | None) -> None:
    if not is_admin(actor):
        raise WorkflowError("Only an admin can lift a legal hold.")
    reason = clean_text(reason, REASON_MAX_LENGTH, "a reason for lifting the hold")
    done = rows_changed(
        update(Report)
        .where(Report.id == report.id, Report.legal_hold_since.is_not(None))
        .values(legal_hold_since=None)
        .execution_options(synchronize_session=False)
    )
    if done != 1:
        db.session.rollback()
        raise WorkflowError("This report is not on legal hold.")
    add_event(report, actor, "unheld", text=reason)
    audit.record("legal_hold_lifted", actor=actor, report=report)
    db.session.commit()
    db.session.refresh(report)


def held_reports() -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.legal_hold_since.is_not(None))
            .order_by(Report.legal_hold_since, Report.id)
        )
    )


RETENTION_DIGEST = "retention-digest"
DIGEST_LISTS = 100  # references named in one email; the page lists every one


def _uk_day(moment: datetime) -> str:
    local = in_uk(moment)
    return f"{local.day} {local:%B %Y}"


def digest_body(due: list[DuePurge], base: str) -> str:
    count = len(due)
    reports, its = ("report", "its") if count == 1 else ("reports", "their")
    lines = [
        f"{count} {reports} will have {its} content removed under retention in the next "
        f"{WARN_AHEAD.days} days.",
        "",
        "If any must be kept (a prosecution, an inquiry, a request from the person it is about),",
        f"place a legal hold on it before then: {base}/triage/retention",
        "",
    ]
    lines += [f"{d.reference}  removed from {_uk_day(d.purge_at)}" for d in due[:DIGEST_LISTS]]
    if count > DIGEST_LISTS:
        lines.append(f"... and {count - DIGEST_LISTS} more on the page.")
    return "\n".join(lines) + "\n"


def warn_admins(days: int, now: datetime | None = None) -> int:
    """Queue today's digest for every active admin who has not had it; returns how many were
    queued. Nothing is due, nothing is sent."""
    now = now or utcnow()
    due = due_for_purge(days, now=now)
    if not due:
        return 0
    base = current_app.config["REPORTER_BASE_URL"].rstrip("/")
    body = digest_body(due, base)
    admins = db.session.scalars(
        select(StaffUser).where(StaffUser.role == Role.ADMIN, StaffUser.active.is_(True))
    )
    queued = 0
    for admin in admins:
        key = f"retention:{now:%Y-%m-%d}:{admin.id}"
        if outbox.exists(key):
            continue
        subject = f"{len(due)} {'report' if len(due) == 1 else 'reports'} due for purge"
        outbox.enqueue(key, RETENTION_DIGEST, [admin.email], subject, body)
        queued += 1
    db.session.commit()
    return queued
