"""Who may see and act on which reports. Every staff read of reports goes through here.

The rule: admins and national staff see every queue, the national one included (reports with
no region); officers see the queues of their own regions and nothing else. A report someone
may not see does not exist for them: `visible_report()` gives the same 404 as for a reference
that was never issued, and `report_scope()` keeps it out of every list and count.

For later features (exports, notifications, statistics), build queries as
`select(Report).where(report_scope(user), ...)` and fetch single reports with
`visible_report(user, reference)`.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, false, select, true
from werkzeug.exceptions import NotFound

from reporter.codes import NATIONAL_QUEUE, Role
from reporter.extensions import db
from reporter.models import Report, StaffRegion, StaffUser

REFERENCE_SHAPE = re.compile(r"LC-[0-9A-Z]{4}-[0-9A-Z]{4}")
SEES_EVERY_QUEUE = frozenset({Role.ADMIN, Role.NATIONAL})


def sees_every_queue(user: StaffUser) -> bool:
    return user.active and user.role in SEES_EVERY_QUEUE


def is_admin(user: StaffUser) -> bool:
    return user.active and user.role == Role.ADMIN


def visible_queues(user: StaffUser) -> frozenset[str] | None:
    """The queues a user may see; None means all of them."""
    if not user.active:
        return frozenset()
    if sees_every_queue(user):
        return None
    if user.role == Role.OFFICER:
        return frozenset(user.region_ids)
    return frozenset()


def report_scope(user: StaffUser) -> ColumnElement[bool]:
    """A WHERE clause for the reports a user may see."""
    queues = visible_queues(user)
    if queues is None:
        return true()
    if not queues:
        return false()
    return Report.queue.in_(sorted(queues))


def can_see(user: StaffUser, report: Report) -> bool:
    queues = visible_queues(user)
    return queues is None or report.queue in queues


def visible_report(user: StaffUser, reference: str) -> Report:
    """The report, if the user may see it; otherwise the very same 404 as for no report.
    Anything not shaped like a reference is that 404 too, before the database sees it."""
    if not REFERENCE_SHAPE.fullmatch(reference.upper()):
        raise NotFound()
    report = db.session.scalar(
        select(Report).where(Report.reference == reference.upper(), report_scope(user))
    )
    if report is None:
        raise NotFound()
    return report


def can_act(user: StaffUser, report: Report) -> bool:
    """Whoever may see a report may work on it: officers in their regions, national staff and
    admins everywhere (the national team triages the national queue)."""
    return can_see(user, report)


def assignable_staff(report: Report) -> list[StaffUser]:
    """Who a report may be assigned to: the active officers of its region, or for the national
    queue the active national staff."""
    query = select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.email)
    if report.queue == NATIONAL_QUEUE or report.region_id is None:
        query = query.where(StaffUser.role == Role.NATIONAL)
    else:
        query = query.where(
            StaffUser.role == Role.OFFICER,
            StaffUser.id.in_(
                select(StaffRegion.user_id).where(StaffRegion.region_id == report.region_id)
            ),
        )
    return list(db.session.scalars(query))
