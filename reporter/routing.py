"""From the facts of a report to a decision: region, queue, priority, who to contact.

Pure: no Flask, no database. The rules are data (reference/routing.toml, signs.toml,
regions.toml); this module only reads them. Safe to call when the database is down, which is
how the danger path keeps working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from reporter.codes import NATIONAL_QUEUE, Priority, RegionSource
from reporter.reference import Authority, Reference, Region, Route

# A postcode written inside free text, such as "outside the chip shop, LE1 6RN".
POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9][A-Z]{2})\b", re.IGNORECASE)


class PostcodeLookup(Protocol):
    def force_for(self, postcode: str): ...


@dataclass(frozen=True)
class Facts:
    """What a reporter told us that routing needs. `postcode` is already normalised."""

    sector: str
    signs: frozenset[str] = frozenset()
    danger: bool = False
    postcode: str | None = None
    station: str | None = None
    place: str | None = None
    site_region: str | None = None  # the region of the partner's site it was sent through
    partner_region: str | None = None
    young: bool = False


@dataclass(frozen=True)
class Decision:
    region: Region | None
    # postcode, station, place, site, partner, outside (England and Wales), unknown
    region_source: RegionSource
    queue: str
    priority: Priority
    authorities: tuple[Authority, ...]
    reasons: tuple[str, ...]

    @property
    def authority_ids(self) -> list[str]:
        return [a.id for a in self.authorities]


def resolve_region(
    facts: Facts, ref: Reference, postcodes: PostcodeLookup
) -> tuple[Region | None, RegionSource]:
    """The region from the postcode district first, then the station, then the place; for a
    report sent through a partner's site, then the site's region, then the partner's."""
    if facts.postcode:
        match = postcodes.force_for(facts.postcode)
        if match.known:
            region = ref.region_of_force(match.force)
            return region, RegionSource.POSTCODE if region else RegionSource.OUTSIDE
    if facts.station and facts.station in ref.stations:
        return ref.region_of_force(ref.stations[facts.station].force), RegionSource.STATION
    if facts.place:
        region = _region_from_place(facts.place, ref, postcodes)
        if region:
            return region, RegionSource.PLACE
    if facts.site_region in ref.regions:
        return ref.regions[facts.site_region], RegionSource.SITE
    if facts.partner_region in ref.regions:
        return ref.regions[facts.partner_region], RegionSource.PARTNER
    return None, RegionSource.UNKNOWN


def _region_from_place(place: str, ref: Reference, postcodes: PostcodeLookup) -> Region | None:
    for outward, inward in POSTCODE_IN_TEXT.findall(place):
        match = postcodes.force_for(f"{outward} {inward}".upper())
        if match.known and match.force:
            return ref.region_of_force(match.force)
    station = ref.match_station(place).station
    return ref.region_of_force(station.force) if station else None


def priority_for(facts: Facts, ref: Reference) -> Priority:
    if facts.danger:
        return Priority.URGENT
    signs = [ref.signs[s] for s in facts.signs if s in ref.signs]
    if any(s.serious for s in signs) or len(signs) >= ref.high_when_signs_at_least:
        return Priority.HIGH
    return Priority.NORMAL


def _applies(route: Route, facts: Facts, tags: frozenset[str], railway: bool) -> bool:
    return (
        (route.danger is None or route.danger == facts.danger)
        and (route.railway is None or route.railway == railway)
        and (route.sectors is None or facts.sector in route.sectors)
        and (route.tags is None or bool(route.tags & tags))
        and (route.young is None or route.young == facts.young)
    )


def authorities_for(facts: Facts, ref: Reference) -> tuple[tuple[Authority, ...], tuple[str, ...]]:
    """Who to contact, most urgent first, with the reason each route applied."""
    tags = frozenset(t for s in facts.signs if s in ref.signs for t in ref.signs[s].tags)
    sector = ref.sectors.get(facts.sector)
    railway = bool(sector and sector.railway) or bool(facts.station)
    chosen: dict[str, Authority] = {}
    reasons = []
    for route in ref.routes:
        if _applies(route, facts, tags, railway):
            reasons.append(route.why)
            for authority_id in route.offer:
                chosen.setdefault(authority_id, ref.authorities[authority_id])
    return tuple(chosen.values()), tuple(reasons)


def decide(facts: Facts, ref: Reference, postcodes: PostcodeLookup) -> Decision:
    region, source = resolve_region(facts, ref, postcodes)
    authorities, reasons = authorities_for(facts, ref)
    return Decision(
        region=region,
        region_source=source,
        queue=region.id if region else NATIONAL_QUEUE,
        priority=priority_for(facts, ref),
        authorities=authorities,
        reasons=reasons,
    )
