"""The audit log: who did what, when, to which report. Never what a report says.

`record()` adds a row to the caller's transaction, so an action and its audit row are committed
together or not at all. A row made while a request is served records the client's address,
which the web layer sets once per request (`client_address`, set by reporter/client.py): this
module never reads the request. Rows are never changed: there is no function here to do it, and the
database refuses UPDATE and DELETE on the table (triggers, migration 0002).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from reporter.extensions import db
from reporter.models import AuditEvent, Report, StaffUser

# Every action the log knows, with the words an admin reads.
ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "queue_viewed": "Viewed the queue",
    "report_viewed": "Viewed a report",
    "status_changed": "Changed status",
    "referred": "Referred",
    "assigned": "Assigned",
    "note_added": "Added a note",
    "rerouted": "Re-routed",
    "reopened": "Reopened a closed report",
    "audit_viewed": "Viewed the audit log",
    "users_viewed": "Viewed the list of users",
    "user_created": "Created a user",
    "user_changed": "Changed a user",
    "user_deactivated": "Deactivated a user",
    "user_reactivated": "Reactivated a user",
    "password_changed": "Changed a password",
    "password_reset": "Reset a password",
    "totp_enabled": "Turned on the second factor",
    "totp_reset": "Reset the second factor",  # before set-up links: older rows only
    "setup_link_issued": "Made a set-up link for an account",
    "account_set_up": "Set up their account with a set-up link",
    "content_purged": "Removed a closed report's content (retention)",
    "keys_rotated": "Re-encrypted stored data under the newest key",
    "legal_hold_placed": "Placed a legal hold on a report",
    "legal_hold_lifted": "Lifted a legal hold",
    "retention_viewed": "Viewed the reports due for purge",
    "reports_exported": "Exported reports (CSV)",
    "subject_access_searched": "Searched for a person's reports (subject access)",
    "subject_access_exported": "Exported a person's reports (subject access, CSV)",
    "trends_viewed": "Viewed trends",
    "reference_viewed": "Viewed the police forces and their regions",
    "force_moved": "Moved a police force to another region",
    "partners_viewed": "Viewed the partners",
    "partner_created": "Created a partner",
    "partner_changed": "Changed a partner",
    "partner_retired": "Retired a partner",
    "partner_reactivated": "Brought a partner back",
    "site_created": "Added a partner's site",
    "sites_imported": "Imported a partner's sites (CSV)",
    "site_retired": "Retired a partner's site",
    "site_reactivated": "Brought a partner's site back",
    "posters_requested": "Asked for a partner's posters and cards (zip)",
    "posters_downloaded": "Downloaded a partner's posters and cards",
    "partner_key_created": "Made a partner API key",
    "partner_key_revoked": "Revoked a partner API key",
    "entry_results_viewed": "Viewed partners' scans and reports",
    "question_asked": "Asked the reporter a question",
    "reports_linked": "Linked two reports (possibly the same young people)",
    "link_dismissed": "Dismissed two reports as not the same young people",
    "link_undone": "Undid a link or dismissal between two reports",
    "hotspots_viewed": "Viewed hotspots",
    "hotspots_exported": "Exported hotspots (CSV)",
    "follow_up_locked": "Follow-up locked for a reference after too many wrong codes",
}
PAGE_SIZE = 100


# The address of the client whose request is being served; None in commands and workers.
client_address: ContextVar[str | None] = ContextVar("audit_client_address", default=None)


def record(
    action: str,
    *,
    actor: StaffUser | None = None,
    report: Report | None = None,
    subject: StaffUser | None = None,
    detail: dict | None = None,
    address: str | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction. `detail` holds codes, never free text;
    `address` is the client's (by default, that of the request being served)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else None,
        report_id=report.id if report else None,
        report_reference=report.reference if report else None,
        subject_user_id=subject.id if subject else None,
        address=address or client_address.get(),
        detail=detail or None,
    )
    db.session.add(event)
    return event


def viewed(
    action: str,
    *,
    actor: StaffUser,
    report: Report | None = None,
    detail: dict | None = None,
) -> None:
    """Record that a member of staff read something, in its own transaction: reading reports
    and lists is audited even though it changes nothing."""
    record(action, actor=actor, report=report, detail=detail)
    db.session.commit()


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_email: str | None = None
    reference: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # keyset: rows older than this one


def audit_query(f: AuditFilter) -> Select:
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.actor_email:
        query = query.where(AuditEvent.actor_email == f.actor_email.strip().lower())
    if f.reference:
        query = query.where(AuditEvent.report_reference == f.reference.strip().upper())
    if f.since:
        query = query.where(AuditEvent.created_at >= f.since)
    if f.until:
        query = query.where(AuditEvent.created_at < f.until)
    if f.before_id:
        query = query.where(AuditEvent.id < f.before_id)
    return query


def audit_page(f: AuditFilter) -> tuple[list[AuditEvent], int | None]:
    """One page of the log, newest first, and the id to continue from (None on the last page)."""
    rows = list(db.session.scalars(audit_query(f).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].id if more else None)
