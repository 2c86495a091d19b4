"""The triage queue: the reports a member of staff may see, filtered, most urgent then newest.

Pagination is by keyset (the last row's urgency, time and id), never OFFSET, so page 500 costs
what page 1 does: the indexes ix_reports_queue_urgency_created (one region) and
ix_reports_urgency_created (every region) serve the order directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import starmap
from typing import NamedTuple

from sqlalchemy import Select, exists, or_, select, text, tuple_

from reporter.codes import Status
from reporter.extensions import db
from reporter.models import OPEN_REPORTS, URGENCY, Report, ReportSign, StaffUser, staff_label
from reporter.reference import Reference
from reporter.services.accounts.access import report_scope
from reporter.services.casework.search import search_clause
from reporter.services.reporting.reports import decrypt_field

PAGE_SIZE = 50
NO_PARTNER = "none"  # the partner filter's choice for reports sent through no partner
RELATED_WINDOW = timedelta(days=14)
RELATED_LIMIT = 20
PLACE_CHARS = 60  # of a described place in the queue; the report page has it whole
_CURSOR = re.compile(r"^([0-2])\.(\d{20})\.(\d{1,18})$")


@dataclass(frozen=True, slots=True)
class QueueRow:
    """What a queue page shows of a report, and its cursor: a row's encrypted content is most
    of its bytes and the queue never shows it. Plain rows, not ORM objects: loading fifty
    Report objects cost twice what the database took to find them (bench/triage_queue.py)."""

    id: int
    reference: str
    created_at: datetime
    sector: str
    danger: bool
    priority: str
    status: str
    region_id: str | None
    queue: str
    postcode_district: str | None
    station_crs: str | None
    urgency: int
    place_enc: bytes | None  # "Where" shows the place described when there is no other
    language: str  # the language the reporter wrote in
    assignee_name: str | None
    assignee_email: str | None

    @property
    def assignee(self) -> str | None:
        return staff_label(self.assignee_name, self.assignee_email)


# In QueueRow's order.
QUEUE_COLUMNS = (
    Report.id, Report.reference, Report.created_at, Report.sector, Report.danger,
    Report.priority, Report.status, Report.region_id, Report.queue, Report.postcode_district,
    Report.station_crs, Report.urgency, Report.place_enc, Report.language,
    StaffUser.name.label("assignee_name"), StaffUser.email.label("assignee_email"),
)  # fmt: skip


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the sort key of its last row."""

    urgency: int
    created_at: datetime
    id: int

    def encode(self) -> str:
        return f"{self.urgency}.{self.created_at:%Y%m%d%H%M%S%f}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        match = _CURSOR.match(text or "")
        if not match:
            return None
        try:
            moment = datetime.strptime(match.group(2), "%Y%m%d%H%M%S%f")
        except ValueError:
            return None
        return cls(int(match.group(1)), moment, int(match.group(3)))

    @classmethod
    def after(cls, row: QueueRow) -> Cursor:
        return cls(row.urgency, row.created_at, row.id)


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"  # "open", "any" or one status
    priority: str | None = None
    sector: str | None = None
    sign: str | None = None
    since: datetime | None = None  # naive UTC, inclusive
    until: datetime | None = None  # naive UTC, exclusive
    queue: str | None = None  # a region id or "national"
    search: str | None = None
    assigned_to_id: int | None = None
    partner: str | None = None  # a partner's id, or NO_PARTNER

    def describe(self) -> dict:
        """What was asked, for the audit log: codes only, and never the search words."""
        shown = {
            "status": self.status,
            "priority": self.priority,
            "sector": self.sector,
            "sign": self.sign,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "queue": self.queue,
            "search": bool(self.search),
            "mine": self.assigned_to_id is not None,
            "partner": self.partner,
        }
        return {k: v for k, v in shown.items() if v}


def queue_query(user: StaffUser, f: QueueFilter, ref: Reference) -> Select:
    query = select(Report).where(report_scope(user))
    if f.status == "open":
        query = query.where(text(OPEN_REPORTS))  # verbatim, so the partial indexes apply
    elif f.status in tuple(Status):
        query = query.where(Report.status == f.status)
        if f.status != Status.CLOSED:
            # Also state the partial indexes' condition: a bound `status = ?` does not imply
            # it, and SQLite would otherwise scan the full index (2.7 ms -> 0.08 ms measured).
            query = query.where(text(OPEN_REPORTS))
    if f.priority in URGENCY:
        # urgency mirrors priority and is in the queue indexes; priority is not
        query = query.where(Report.urgency == URGENCY[f.priority])
    if f.sector:
        query = query.where(Report.sector == f.sector)
    if f.sign:
        query = query.where(
            exists().where(ReportSign.report_id == Report.id, ReportSign.sign_id == f.sign)
        )
    if f.since:
        query = query.where(Report.created_at >= f.since)
    if f.until:
        query = query.where(Report.created_at < f.until)
    if f.queue:
        query = query.where(Report.queue == f.queue)
    if f.assigned_to_id is not None:
        query = query.where(Report.assigned_to_id == f.assigned_to_id)
    if f.partner == NO_PARTNER:
        query = query.where(Report.partner_id.is_(None))
    elif f.partner and f.partner.isdigit():
        query = query.where(Report.partner_id == int(f.partner))
    if f.search:
        query = query.where(search_clause(f.search, ref))
    # How the assignee is loaded is each caller's choice: one statement for a page, batches
    # for an export.
    return query.order_by(Report.urgency.desc(), Report.created_at.desc(), Report.id.desc())


def queue_page(
    user: StaffUser,
    f: QueueFilter,
    ref: Reference,
    after: Cursor | None = None,
) -> tuple[list[QueueRow], Cursor | None]:
    """One page of the queue and the cursor of the next page (None on the last one)."""
    query = (
        queue_query(user, f, ref)
        .with_only_columns(*QUEUE_COLUMNS, maintain_column_froms=True)
        # The assignee in the same statement: a second query costs a round trip.
        .outerjoin(StaffUser, StaffUser.id == Report.assigned_to_id)
    )
    if after:
        key = tuple_(Report.urgency, Report.created_at, Report.id)
        query = query.where(key < tuple_(after.urgency, after.created_at, after.id))
    rows = list(starmap(QueueRow, db.session.execute(query.limit(PAGE_SIZE + 1))))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (Cursor.after(rows[-1]) if more else None)


class Where(NamedTuple):
    """Where, in a few words for the queue. `language` is the reporter's when the words are
    theirs (the place they described), for the page to mark them; None when they are ours."""

    text: str
    language: str | None = None


def where(report: Report | QueueRow, ref: Reference) -> Where:
    """Where a report was made, in a few words for the queue: the station, the postcode
    district, or the start of the place the reporter described (decrypted for the page)."""
    if report.station_crs:
        station = ref.stations.get(report.station_crs)
        return Where(f"{station.name} ({report.station_crs})" if station else report.station_crs)
    if report.postcode_district:
        return Where(report.postcode_district)
    place = " ".join((decrypt_field(report, "place") or "").split())
    if not place:
        return Where("Not given")
    short = place if len(place) <= PLACE_CHARS else place[: PLACE_CHARS - 1].rstrip() + "…"
    return Where(short, report.language)


def queue_places(rows: list[QueueRow], ref: Reference) -> dict[int, Where]:
    return {report.id: where(report, ref) for report in rows}


def same_place_nearby(
    user: StaffUser, report: Report, window: timedelta, *, by_site: bool = False
) -> Select | None:
    """Other reports from the same station or postcode district (or partner site, `by_site`)
    within `window` either side, among those the user may see, newest first; None when the
    report names no such place."""
    same_place = []
    if report.station_crs:
        same_place.append(Report.station_crs == report.station_crs)
    if by_site and report.site_id:
        same_place.append(Report.site_id == report.site_id)
    if report.postcode_district:
        same_place.append(Report.postcode_district == report.postcode_district)
    if not same_place:
        return None
    return (
        select(Report)
        .where(
            or_(*same_place),
            Report.id != report.id,
            Report.created_at >= report.created_at - window,
            Report.created_at <= report.created_at + window,
            report_scope(user),
        )
        .order_by(Report.created_at.desc())
    )


def related_reports(user: StaffUser, report: Report) -> list[Report]:
    """Reports from the same station or postcode district within 14 days either side, among
    those the user may see."""
    query = same_place_nearby(user, report, RELATED_WINDOW)
    return [] if query is None else list(db.session.scalars(query.limit(RELATED_LIMIT)))
