"""Which regions have someone to alert: a region is covered while at least one active prevention
officer covers it. An urgent report in a region nobody covers still alerts someone (national
staff, or the admins: services/mail/notify.py), and `/healthz` and the Users page name the region,
so that the gap is seen and filled rather than found out on the day."""

from __future__ import annotations

from sqlalchemy import select

from reporter.campaign import campaign_data
from reporter.codes import Role
from reporter.extensions import db
from reporter.models import StaffRegion, StaffUser
from reporter.reference import Region


def covered_region_ids() -> set[str]:
    """The regions at least one active officer covers."""
    return set(
        db.session.scalars(
            select(StaffRegion.region_id)
            .join(StaffUser, StaffUser.id == StaffRegion.user_id)
            .where(StaffUser.active.is_(True), StaffUser.role == Role.OFFICER)
            .distinct()
        )
    )


def uncovered_regions() -> list[Region]:
    """The regions no active officer covers, in the order of regions.toml."""
    covered = covered_region_ids()
    return [region for region in campaign_data().regions.values() if region.id not in covered]


def region_names(regions: list[Region]) -> str:
    return ", ".join(region.name for region in regions)
