"""Scans of entry links and the reports they became, per site and per UK week.

A scan is one count added to its site's row for the week: nothing about who scanned is stored
(no address, no device, no cookie). Reports are counted from the reports themselves (their
site and partner), so the two numbers never drift apart for reports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from reporter.extensions import db
from reporter.models import EntryScan, Partner, Report, ReportEvent, Site
from reporter.services.casework.trends import monday
from reporter.services.partnerships import feedback
from reporter.uktime import UK_TIME, uk_midnight

log = logging.getLogger(__name__)
WEEK_CHOICES = (4, 12, 26)


def this_week(now: datetime | None = None) -> date:
    now = now or datetime.now(UTC)
    return monday(now.astimezone(UK_TIME).date())


def record_scan(site: Site, now: datetime | None = None) -> None:
    """Count one scan of `site` in this UK week. Counting never stands between a reporter and
    the form: a failure is logged (no address) and the form opens all the same."""
    table = cast(Table, EntryScan.__table__)
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(site_id=site.id, week=this_week(now), scans=1)
        .on_conflict_do_update(
            index_elements=[table.c.site_id, table.c.week], set_={"scans": table.c.scans + 1}
        )
    )
    try:
        db.session.execute(statement)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("scan not counted: %s", type(exc).__name__)


@dataclass(frozen=True)
class Counts:
    scans: int = 0
    reports: int = 0

    @property
    def share(self) -> float | None:
        """The share of scans that became reports; None with no scans to divide by."""
        return self.reports / self.scans if self.scans else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.scans + other.scans, self.reports + other.reports)


@dataclass(frozen=True)
class SiteResult:
    site: Site
    counts: Counts
    weeks: list[Counts]  # one per week of the period, oldest first
    referrals: int = 0  # of its reports in the period, how many were referred (not for show:
    # feedback.shown decides what a partner may see)


@dataclass(frozen=True)
class PartnerResult:
    partner: Partner
    counts: Counts  # through its sites, and through its API keys
    api_reports: int
    sites: list[SiteResult]
    api_referrals: int = 0

    @property
    def referrals_shown(self) -> int | None:
        """Reports that led to a referral, through its sites and API keys, when safe to show."""
        parts = [s.referrals for s in self.sites]
        return feedback.total_shown([*parts, self.api_referrals] if self.api_reports else parts)


@dataclass(frozen=True)
class Results:
    weeks: list[date]  # Mondays, oldest first
    partners: list[PartnerResult]
    by_week: list[Counts]

    @property
    def total(self) -> Counts:
        return sum((p.counts for p in self.partners), Counts())


def _week_case(weeks: list[date]):
    return case(
        *(
            (
                and_(
                    Report.created_at >= uk_midnight(day),
                    Report.created_at < uk_midnight(day + timedelta(weeks=1)),
                ),
                n,
            )
            for n, day in enumerate(weeks)
        )
    ).label("week")


def results(weeks: int = WEEK_CHOICES[1], now: datetime | None = None) -> Results:
    """Scans and reports per partner and site over the last `weeks` UK weeks (this one too)."""
    last = this_week(now)
    starts = [last - timedelta(weeks=n) for n in reversed(range(weeks))]
    since, until = uk_midnight(starts[0]), uk_midnight(last + timedelta(weeks=1))

    scans: dict[tuple[int, date], int] = {
        (site_id, week): n
        for site_id, week, n in db.session.execute(
            select(EntryScan.site_id, EntryScan.week, EntryScan.scans).where(
                EntryScan.week >= starts[0], EntryScan.week <= last
            )
        )
    }
    # Grouped outside a subquery: PostgreSQL would not see the same CASE in SELECT and GROUP BY.
    in_period = (Report.created_at >= since, Report.created_at < until)
    sited = (
        select(Report.site_id, _week_case(starts))
        .where(Report.site_id.is_not(None), *in_period)
        .subquery()
    )
    reports: dict[tuple[int, int], int] = {
        (site_id, n): count
        for site_id, n, count in db.session.execute(
            select(sited.c.site_id, sited.c.week, func.count()).group_by(
                sited.c.site_id, sited.c.week
            )
        )
    }
    api_reports = dict(
        db.session.execute(
            select(Report.partner_id, func.count())
            .where(Report.partner_id.is_not(None), Report.site_id.is_(None), *in_period)
            .group_by(Report.partner_id)
        ).all()
    )

    referred = _referred(in_period)

    by_week = [Counts() for _ in starts]
    partners = []
    for partner in db.session.scalars(select(Partner).order_by(Partner.name)):
        site_results = []
        for site in partner.sites:
            weekly = [
                Counts(scans.get((site.id, day), 0), reports.get((site.id, n), 0))
                for n, day in enumerate(starts)
            ]
            by_week = [a + b for a, b in zip(by_week, weekly, strict=True)]
            total = sum(weekly, Counts())
            site_results.append(SiteResult(site, total, weekly, referred.get(("site", site.id), 0)))
        from_api = api_reports.get(partner.id, 0)
        counts = sum((s.counts for s in site_results), Counts()) + Counts(0, from_api)
        api_referrals = referred.get(("partner", partner.id), 0)
        partners.append(PartnerResult(partner, counts, from_api, site_results, api_referrals))
    return Results(weeks=starts, partners=partners, by_week=by_week)


def _referred(in_period) -> dict[tuple[str, int], int]:
    """Reports of the period that were referred to the police or another agency, per site
    (("site", id)) and, for reports through an API key, per partner (("partner", id))."""
    was_referred = (
        select(ReportEvent.report_id).where(ReportEvent.kind == "referred").distinct().subquery()
    )
    rows = db.session.execute(
        select(Report.site_id, Report.partner_id, func.count())
        .join(was_referred, was_referred.c.report_id == Report.id)
        .where(Report.partner_id.is_not(None), *in_period)
        .group_by(Report.site_id, Report.partner_id)
    )
    found: dict[tuple[str, int], int] = {}
    for site_id, partner_id, n in rows:
        if site_id is not None:
            key = ("site", site_id)
        elif partner_id is not None:
            key = ("partner", partner_id)
        else:
            continue
        found[key] = found.get(key, 0) + n
    return found
