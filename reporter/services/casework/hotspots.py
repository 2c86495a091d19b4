"""Hotspots for tasking: the stations, partner sites and postcode districts where reports and
sightings gather, ranked over the last four weeks, with the change from the week before, the
signs most ticked there and the share of reports marked urgent.

Only codes and counts: no reporter's text or contact details. Every count is made by the
database (GROUP BY) inside `report_scope`, so an officer sees their regions and national staff
every region. The queues are always named in the WHERE clause (every queue for national staff),
so PostgreSQL reads the four weeks from ix_reports_queue_created instead of every report
(bench/hotspots.py measures it at a million reports).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from reporter.codes import NATIONAL_QUEUE, Priority
from reporter.extensions import db
from reporter.models import URGENCY, Report, ReportSign, Sighting, Site, StaffUser, utcnow
from reporter.reference import Reference
from reporter.services.accounts.access import report_scope, visible_queues
from reporter.services.casework.export import BYTE_ORDER_MARK, guard_cell

PERIOD = timedelta(weeks=4)
WEEK = timedelta(weeks=1)
TOP_PLACES = 20  # of each kind
TOP_SIGNS = 3  # of each place
KINDS = ("station", "site", "district")
KIND_LABELS = {"station": "Stations", "site": "Partner sites", "district": "Postcode districts"}


@dataclass(frozen=True)
class HotspotFilter:
    queue: str | None = None  # a region id or "national"; None: every queue the user sees
    sector: str | None = None
    sign: str | None = None

    def describe(self) -> dict:
        """For the audit log: codes only."""
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class Hotspot:
    kind: str
    code: str  # a CRS code, a site id, a postcode district
    label: str
    reports: int = 0
    sightings: int = 0
    this_week: int = 0  # reports and sightings in the last 7 days
    week_before: int = 0  # in the 7 days before those
    urgent: int = 0  # reports marked urgent
    signs: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.reports + self.sightings

    @property
    def change(self) -> int:
        return self.this_week - self.week_before

    @property
    def urgent_share(self) -> float:
        return self.urgent / self.reports if self.reports else 0.0


@dataclass(frozen=True)
class Hotspots:
    since: datetime
    until: datetime
    places: dict[str, list[Hotspot]]  # by kind, most first


def _queues(user: StaffUser, f: HotspotFilter, ref: Reference) -> list[str]:
    visible = visible_queues(user)
    queues = [*ref.regions, NATIONAL_QUEUE] if visible is None else sorted(visible)
    return [q for q in queues if q == f.queue] if f.queue else queues


def _report_conditions(
    user: StaffUser, f: HotspotFilter, ref: Reference
) -> list[ColumnElement[bool]]:
    """Which reports count: the user's scope and the filters (not yet the period: a sighting
    in the period counts whenever its report was made)."""
    where = [report_scope(user), Report.queue.in_(_queues(user, f, ref))]
    if f.sector:
        where.append(Report.sector == f.sector)
    if f.sign:
        # Its own alias: the signs query joins report_signs too, and must not correlate to it.
        ticked = aliased(ReportSign)
        where.append(exists().where(ticked.report_id == Report.id, ticked.sign_id == f.sign))
    return where


def _week_sums(moment, until: datetime):
    this_week = and_(moment >= until - WEEK, moment < until)
    week_before = and_(moment >= until - 2 * WEEK, moment < until - WEEK)
    return (
        func.sum(case((this_week, 1), else_=0)),
        func.sum(case((week_before, 1), else_=0)),
    )


PLACE_OF_REPORT = {
    "station": Report.station_crs,
    "site": Report.site_id,
    "district": Report.postcode_district,
}
PLACE_OF_SIGHTING = {"station": Sighting.station_crs, "district": Sighting.postcode_district}


def hotspots(
    user: StaffUser, f: HotspotFilter, ref: Reference, now: datetime | None = None
) -> Hotspots:
    until = now or utcnow()
    since = until - PERIOD
    where = [
        *_report_conditions(user, f, ref),
        Report.created_at >= since,
        Report.created_at < until,
    ]
    urgent = func.sum(case((Report.urgency == URGENCY[Priority.URGENT], 1), else_=0))
    places: dict[str, list[Hotspot]] = {}
    for kind in KINDS:
        column = PLACE_OF_REPORT[kind]
        found: dict[str, Hotspot] = {}
        query = (
            select(column, func.count(), *_week_sums(Report.created_at, until), urgent)
            .where(*where, column.is_not(None))
            .group_by(column)
        )
        for code, n, this_week, before, n_urgent in db.session.execute(query):
            spot = found.setdefault(str(code), Hotspot(kind, str(code), str(code)))
            spot.reports, spot.urgent = n, n_urgent or 0
            spot.this_week, spot.week_before = this_week or 0, before or 0
        _add_sightings(kind, found, user, f, ref, since, until)
        ranked = sorted(found.values(), key=lambda s: (-s.total, -s.this_week, s.code))
        places[kind] = ranked[:TOP_PLACES]
        _add_signs(kind, places[kind], where, ref)
        _label(kind, places[kind], ref)
    return Hotspots(since=since, until=until, places=places)


def _add_sightings(kind, found, user, f, ref, since, until) -> None:
    """Sightings in the period, at the place each names (for a site: those the reporter said
    were at the same place as a report made through it)."""
    where = [
        *_report_conditions(user, f, ref),
        Sighting.created_at >= since,
        Sighting.created_at < until,
    ]
    column: Any = Report.site_id if kind == "site" else PLACE_OF_SIGHTING[kind]
    where.append(column.is_not(None))
    if kind == "site":
        where.append(Sighting.same_place.is_(True))
    query = (
        select(column, func.count(), *_week_sums(Sighting.created_at, until))
        .select_from(Sighting)
        .join(Report, Report.id == Sighting.report_id)
        .where(*where)
        .group_by(column)
    )
    for code, n, this_week, before in db.session.execute(query):
        spot = found.setdefault(str(code), Hotspot(kind, str(code), str(code)))
        spot.sightings = n
        spot.this_week += this_week or 0
        spot.week_before += before or 0


def _add_signs(kind: str, spots: list[Hotspot], where, ref: Reference) -> None:
    if not spots:
        return
    column = PLACE_OF_REPORT[kind]
    codes = [int(s.code) if kind == "site" else s.code for s in spots]
    query = (
        select(column, ReportSign.sign_id, func.count())
        .join(ReportSign, ReportSign.report_id == Report.id)
        .where(*where, column.in_(codes))
        .group_by(column, ReportSign.sign_id)
    )
    counts: dict[str, Counter] = defaultdict(Counter)
    for code, sign, n in db.session.execute(query):
        counts[str(code)][sign] = n
    for spot in spots:
        top = sorted(counts[spot.code].items(), key=lambda item: (-item[1], item[0]))
        spot.signs = [(ref.signs[s].label if s in ref.signs else s, n) for s, n in top[:TOP_SIGNS]]


def _label(kind: str, spots: list[Hotspot], ref: Reference) -> None:
    if kind == "station":
        for spot in spots:
            station = ref.stations.get(spot.code)
            spot.label = f"{station.name} ({spot.code})" if station else spot.code
    elif kind == "site" and spots:
        sites = db.session.scalars(select(Site).where(Site.id.in_([int(s.code) for s in spots])))
        names = {str(site.id): f"{site.partner.name}: {site.label}" for site in sites}
        for spot in spots:
            spot.label = names.get(spot.code, f"Site {spot.code}")


CSV_HEADER = (
    "kind", "place", "code", "reports", "sightings", "last_7_days", "the_7_days_before",
    "change", "urgent_share_percent", "signs_ticked_most",
)  # fmt: skip


def as_csv(result: Hotspots) -> str:
    """The hotspots as CSV, every cell guarded against formula injection (a place is a site's
    label, which a partner's own file may have named)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for kind in KINDS:
        for spot in result.places[kind]:
            signs = "; ".join(f"{label} ({n})" for label, n in spot.signs)
            cells = (
                kind, spot.label, spot.code, spot.reports, spot.sightings, spot.this_week,
                spot.week_before, spot.change, round(100 * spot.urgent_share), signs,
            )  # fmt: skip
            writer.writerow([guard_cell(str(cell)) for cell in cells])
    return BYTE_ORDER_MARK + out.getvalue()
