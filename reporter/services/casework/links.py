"""Possibly the same young people: reports made at the same station, partner site or postcode
district within a chosen window are offered to the officer, who links them or dismisses the
offer. Every decision is audited and can be undone (the pair is then offered again)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, or_, select

from reporter.codes import LinkState
from reporter.extensions import db
from reporter.models import Report, ReportLink, StaffUser, utcnow
from reporter.services.accounts import audit
from reporter.services.accounts.access import can_act, report_scope
from reporter.services.casework.queue import same_place_nearby

WINDOW_DAYS = (3, 7, 14, 28)  # the windows an officer may choose, in days either side
DEFAULT_WINDOW_DAYS = 14
OFFER_LIMIT = 20
DECISIONS = ("link", "dismiss", "undo")


class LinkError(ValueError):
    """A decision the rules refuse; the message says why."""


def window_days(raw: str | None) -> int:
    """The window asked for in the address (`14d`), or the default."""
    days = (raw or "").removesuffix("d")
    return int(days) if days.isdigit() and int(days) in WINDOW_DAYS else DEFAULT_WINDOW_DAYS


def _pair(a: Report, b: Report) -> tuple[int, int]:
    return (a.id, b.id) if a.id < b.id else (b.id, a.id)


def _decided_with(report: Report):
    """The ids of reports already decided on with this one (linked or dismissed), by state."""
    rows = db.session.execute(
        select(ReportLink.low_id, ReportLink.high_id, ReportLink.state).where(
            or_(ReportLink.low_id == report.id, ReportLink.high_id == report.id)
        )
    )
    decided: dict[int, str] = {}
    for low, high, state in rows:
        decided[high if low == report.id else low] = state
    return decided


def offers(user: StaffUser, report: Report, days: int = DEFAULT_WINDOW_DAYS) -> list[Report]:
    """Other reports from the same station, site or postcode district within `days` either
    side, that the user may see and no one has decided on yet; newest first."""
    query = same_place_nearby(user, report, timedelta(days=days), by_site=True)
    if query is None:
        return []
    decided = _decided_with(report)
    found = db.session.scalars(query.limit(OFFER_LIMIT + len(decided)))
    return [r for r in found if r.id not in decided][:OFFER_LIMIT]


def decided(user: StaffUser, report: Report, state: LinkState) -> list[Report]:
    """The reports linked to this one (or dismissed as not the same) that the user may see,
    oldest first."""
    ids = [other for other, was in _decided_with(report).items() if was == state]
    if not ids:
        return []
    query = select(Report).where(Report.id.in_(ids), report_scope(user)).order_by(Report.created_at)
    return list(db.session.scalars(query))


def decide(actor: StaffUser, report: Report, other: Report | None, decision: str) -> None:
    """Link the two reports, dismiss the offer, or undo either; audited on both reports."""
    if other is None or other.id == report.id or not can_act(actor, other):
        raise LinkError("Choose a report you can work on.")
    if not can_act(actor, report):
        raise LinkError("You cannot work on this report.")
    if decision not in DECISIONS:
        raise LinkError("Choose to link, dismiss or undo.")
    low, high = _pair(report, other)
    existing = db.session.get(ReportLink, (low, high))
    if decision == "undo":
        if existing is None:
            raise LinkError("There is nothing to undo between these reports.")
        db.session.execute(
            delete(ReportLink).where(and_(ReportLink.low_id == low, ReportLink.high_id == high))
        )
        action, detail = "link_undone", {"was": existing.state}
    else:
        state = LinkState.LINKED if decision == "link" else LinkState.DISMISSED
        if existing is None:
            existing = ReportLink(low_id=low, high_id=high)
            db.session.add(existing)
        existing.state, existing.decided_at, existing.decided_by_id = state, utcnow(), actor.id
        action = "reports_linked" if state == LinkState.LINKED else "link_dismissed"
        detail = {}
    for one, two in ((report, other), (other, report)):
        audit.record(action, actor=actor, report=one, detail={**detail, "with": two.reference})
    db.session.commit()
