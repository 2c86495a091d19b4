"""Trends: how many reports, by region, setting, sign and week, among those a user may see.

Every count is made by the database (GROUP BY), inside `report_scope`, so an officer's numbers
never include another region's reports. Weeks are UK weeks (Monday to Sunday, Europe/London):
their boundaries are worked out here, as naive UTC like every stored time, and the database
puts each report in its week with a CASE over those ranges. That is the same SQL on SQLite and
PostgreSQL, and right across the clock changes, which date_trunc on UTC times would not be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select

from reporter.codes import NATIONAL_QUEUE, NATIONAL_QUEUE_LABEL
from reporter.extensions import db
from reporter.models import Report, ReportSign, StaffUser
from reporter.reference import Reference
from reporter.services.accounts.access import report_scope, visible_queues
from reporter.uktime import uk_midnight

WEEK_CHOICES = (12, 26)
MAX_WEEKS = 106  # about two years: longer periods are better read from an export
TOP_SIGNS = 10

Rows = list[tuple[str, int]]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class TrendFilter:
    first_day: date  # UK days, inclusive
    last_day: date
    queue: str | None = None  # a region id or "national"

    @classmethod
    def for_days(
        cls,
        first_day: date | None,
        last_day: date | None,
        *,
        weeks: int,
        today: date,
        queue: str | None = None,
    ) -> TrendFilter:
        """The days asked for; without a first day, the last `weeks` weeks up to the last day
        (this week, so far, and the weeks before it)."""
        last = last_day or today
        first = first_day or monday(last) - timedelta(weeks=weeks - 1)
        return cls(first_day=first, last_day=last, queue=queue)

    @property
    def since(self) -> datetime:
        return uk_midnight(self.first_day)

    @property
    def until(self) -> datetime:
        return uk_midnight(self.last_day + timedelta(days=1))

    def week_starts(self) -> list[date]:
        """The Monday of each week the period touches, oldest first."""
        start, end = monday(self.first_day), monday(self.last_day)
        return [start + timedelta(weeks=n) for n in range((end - start).days // 7 + 1)]

    def describe(self) -> dict:
        """For the audit log: dates and codes only."""
        shown = {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "queue": self.queue,
        }
        return {k: v for k, v in shown.items() if v}


@dataclass(frozen=True)
class Trends:
    total: int
    by_region: Rows
    by_sector: Rows
    by_sign: Rows  # the most reported signs, at most TOP_SIGNS
    by_week: list[tuple[date, int]]  # Monday of each week, oldest first


def _conditions(user: StaffUser, f: TrendFilter) -> list[ColumnElement[bool]]:
    found = [report_scope(user), Report.created_at >= f.since, Report.created_at < f.until]
    if f.queue:
        found.append(Report.queue == f.queue)
    return found


def _grouped(column, where: list[ColumnElement[bool]]) -> dict[str, int]:
    query = select(column, func.count()).where(*where).group_by(column)
    return {code: count for code, count in db.session.execute(query)}


def _most_first(rows: Rows) -> Rows:
    """Largest first; equal counts keep their given (reference data) order."""
    return sorted(rows, key=lambda row: -row[1])


def _region_rows(user: StaffUser, f: TrendFilter, counts: dict[str, int], ref: Reference) -> Rows:
    """Every queue the user may see (with its zero), and only those."""
    visible = visible_queues(user)
    queues = [*ref.regions, NATIONAL_QUEUE] if visible is None else sorted(visible)
    if f.queue:
        queues = [q for q in queues if q == f.queue]
    queues += sorted(set(counts) - set(queues))  # a queue no longer in the reference data

    def label(code: str) -> str:
        if code == NATIONAL_QUEUE:
            return NATIONAL_QUEUE_LABEL
        return ref.regions[code].name if code in ref.regions else code

    return _most_first([(label(q), counts.get(q, 0)) for q in queues])


def _sector_rows(counts: dict[str, int], ref: Reference) -> Rows:
    codes = [*ref.sectors, *sorted(set(counts) - set(ref.sectors))]
    return _most_first(
        [(ref.sectors[c].name if c in ref.sectors else c, counts.get(c, 0)) for c in codes]
    )


def _sign_rows(where: list[ColumnElement[bool]], ref: Reference) -> Rows:
    count = func.count()
    query = (
        select(ReportSign.sign_id, count)
        .join(Report, Report.id == ReportSign.report_id)
        .where(*where)
        .group_by(ReportSign.sign_id)
        .order_by(count.desc(), ReportSign.sign_id)
        .limit(TOP_SIGNS)
    )
    return [
        (ref.signs[sign].label if sign in ref.signs else sign, n)
        for sign, n in db.session.execute(query)
    ]


def _week_rows(f: TrendFilter, where: list[ColumnElement[bool]]) -> list[tuple[date, int]]:
    starts = f.week_starts()
    bounds = [
        (max(uk_midnight(day), f.since), min(uk_midnight(day + timedelta(weeks=1)), f.until))
        for day in starts
    ]
    week = case(
        *(
            (and_(Report.created_at >= lo, Report.created_at < hi), n)
            for n, (lo, hi) in enumerate(bounds)
        )
    ).label("week")
    # Grouped outside a subquery: PostgreSQL binds each parameter separately, so the same CASE
    # in SELECT and in GROUP BY would not be recognised as one expression.
    weeks = select(week).where(*where).subquery()
    query = select(weeks.c.week, func.count()).group_by(weeks.c.week)
    counts = {n: count for n, count in db.session.execute(query) if n is not None}
    return [(day, counts.get(n, 0)) for n, day in enumerate(starts)]


def trends(user: StaffUser, f: TrendFilter, ref: Reference) -> Trends:
    where = _conditions(user, f)
    total = db.session.scalar(select(func.count()).select_from(Report).where(*where)) or 0
    return Trends(
        total=total,
        by_region=_region_rows(user, f, _grouped(Report.queue, where), ref),
        by_sector=_sector_rows(_grouped(Report.sector, where), ref),
        by_sign=_sign_rows(where, ref),
        by_week=_week_rows(f, where),
    )
