"""Guidance for a report: the routing decision, from the reference data with admins' moves of
police forces applied. Works when storage does not: without the database, the files alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reporter.campaign import campaign_data, postcode_index
from reporter.reference import Authority, Force
from reporter.routing import Decision, Facts, decide
from reporter.services.reference_admin import effective_reference

EMERGENCY = "emergency-999"


def guidance_for(facts: Facts) -> Decision:
    return decide(facts, effective_reference(), postcode_index())


def emergency_first(
    authorities: list[Authority] | tuple[Authority, ...], danger: bool
) -> tuple[list[Authority], list[Authority]]:
    """When a child is in danger, 999 stands alone first and the others come after it;
    otherwise every authority is in the first list."""
    if not danger:
        return list(authorities), []
    return (
        [a for a in authorities if a.id == EMERGENCY],
        [a for a in authorities if a.id != EMERGENCY],
    )


@dataclass(frozen=True)
class Summary:
    """What the reporter should pass on when they call or text, and who covers the place.

    `force` and `council` are names from the reference data ("Leicestershire Police",
    "Leicestershire"), None when what the reporter gave does not tell us."""

    reference: str
    where: str | None = None
    seen_at: datetime | None = None
    signs: tuple[str, ...] = ()
    force: str | None = None
    council: str | None = None


@dataclass(frozen=True)
class Local:
    """Who covers the place: the territorial police force (from the postcode, else the
    station) and the council that runs children's services for most of the postcode's sector
    or district (from a postcode only). None when what was given does not tell us."""

    force: Force | None = None
    council: str | None = None


def local_to(*, postcode: str | None, station_crs: str | None) -> Local:
    ref = campaign_data()
    postcodes = postcode_index()
    station = ref.stations.get(station_crs) if station_crs else None
    force_id = station.force if station else None
    council = None
    if postcode:
        match = postcodes.force_for(postcode)
        force_id = match.force if match.known else force_id
        found = postcodes.council_for(postcode)
        council = found.name if found else None
    return Local(force=ref.forces.get(force_id) if force_id else None, council=council)


def summary_for(
    reference_code: str,
    *,
    postcode: str | None,
    station_crs: str | None,
    place: str | None,
    seen_at: datetime | None,
    sign_ids: list[str] | tuple[str, ...] = (),
) -> Summary:
    ref = campaign_data()
    station = ref.stations.get(station_crs) if station_crs else None
    local = local_to(postcode=postcode, station_crs=station_crs)
    return Summary(
        reference=reference_code,
        where=station.name if station else (postcode or place),
        seen_at=seen_at,
        signs=tuple(ref.signs[s].label for s in sign_ids if s in ref.signs),
        force=local.force.name if local.force else None,
        council=local.council,
    )
