"""The campaign's reference data: sectors, signs, authorities, regions, forces, stations, routes.

The data lives in files beside this module so that a safeguarding lead can read and change it.
`load_reference()` reads and validates all of it; the app calls it once at start-up and refuses
to start when the data is inconsistent.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reporter.reference.stations import StationFinder, StationMatch

DATA_DIR = Path(__file__).parent

SECTOR_IDS = (
    "delivery", "rail", "underground-metro", "bus-coach", "hotel", "food-service",
    "roadside-services", "taxi", "retail", "banking", "other",
)  # fmt: skip
REGION_IDS = (
    "north-east", "north-west", "yorkshire-humber", "east-midlands", "west-midlands",
    "eastern", "london", "south-east", "south-west", "wales",
)  # fmt: skip
AUTHORITY_IDS = (
    "emergency-999", "police-101", "btp-text-61016", "btp-phone", "crimestoppers",
    "modern-slavery-helpline", "nspcc-helpline", "childline", "children-services",
)  # fmt: skip
TAGS = frozenset({"criminal", "sexual", "abuse", "trafficking", "control"})
ROUTE_CONDITIONS = frozenset({"danger", "railway", "sectors", "tags", "young"})
DIALABLE = re.compile(r"^[0-9][0-9 ]{1,14}[0-9]$")
STATION_SUGGESTIONS = 3  # stations offered for a name that is not quite right


class ReferenceDataError(ValueError):
    """The reference data is incomplete or inconsistent."""


@dataclass(frozen=True)
class Sector:
    id: str
    name: str
    asks_station: bool = False  # the form asks for a station in this setting
    railway: bool = False  # about the railway or a network BTP polices (routing offers BTP)


@dataclass(frozen=True)
class Sign:
    id: str
    label: str
    sectors: frozenset[str]
    tags: frozenset[str]
    serious: bool = False
    general: bool = False


@dataclass(frozen=True)
class Authority:
    id: str
    name: str
    when: str
    tell: str
    phone: str | None = None
    sms: str | None = None
    web: str | None = None
    after_999: str | None = None  # `when`, for a child in danger, once 999 has been called

    def when_for(self, danger: bool) -> str:
        return self.after_999 if danger and self.after_999 else self.when

    @property
    def link(self) -> str | None:
        """The one-tap link: a text where the authority takes texts, else a call, else its page."""
        if self.sms:
            return "sms:" + self.sms.replace(" ", "")
        if self.phone:
            return "tel:" + self.phone.replace(" ", "")
        return self.web


@dataclass(frozen=True)
class Region:
    id: str
    name: str


@dataclass(frozen=True)
class Force:
    id: str
    name: str
    region: str


@dataclass(frozen=True)
class Station:
    crs: str
    name: str
    force: str
    usage: int = 0  # entries and exits a year (ORR), to rank stations a name fits


@dataclass(frozen=True)
class Route:
    why: str
    offer: tuple[str, ...]
    danger: bool | None = None
    railway: bool | None = None
    sectors: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    young: bool | None = None


@dataclass(frozen=True)
class Reference:
    sectors: dict[str, Sector]
    signs: dict[str, Sign]
    authorities: dict[str, Authority]
    regions: dict[str, Region]
    forces: dict[str, Force]
    stations: dict[str, Station]
    routes: tuple[Route, ...]
    high_when_signs_at_least: int
    _station_names: dict[str, Station] = field(default_factory=dict, repr=False)
    _station_finder: StationFinder | None = field(default=None, repr=False, compare=False)

    def signs_for(self, sector_id: str) -> list[Sign]:
        """The checklist for a setting: the setting's own signs first (what this reporter is
        most likely to see), then the campaign's general ones."""
        general = [s for s in self.signs.values() if s.general]
        own = [s for s in self.signs.values() if not s.general and sector_id in s.sectors]
        return own + general

    def region_of_force(self, force_id: str | None) -> Region | None:
        force = self.forces.get(force_id) if force_id else None
        return self.regions[force.region] if force else None

    def find_station(self, text: str) -> Station | None:
        """The station a name settles on (by CRS code, or by a name as people say it), or
        None when no station fits or the name is ambiguous (see `match_station`)."""
        return self.match_station(text).station

    def match_station(self, text: str) -> StationMatch:
        """A CRS code, or a name as people say it ("Euston", "New Street"): the station it
        settles on, if any, and the stations to offer (reference/stations.py)."""
        key = " ".join(text.split())
        if len(key) == 3 and key.upper() in self.stations:
            return StationMatch(self.stations[key.upper()])
        assert self._station_finder is not None
        return self._station_finder.match(key)

    def station_named_in(self, text: str) -> StationMatch:
        """A station named inside a description of a place ("outside Euston")."""
        assert self._station_finder is not None
        return self._station_finder.named_in(text)

    def station_suggestions(self, text: str) -> list[Station]:
        limit = STATION_SUGGESTIONS
        import difflib

        key = " ".join(text.split()).casefold()
        names = difflib.get_close_matches(key, self._station_names, n=limit, cutoff=0.6)
        starts = [n for n in self._station_names if n.startswith(key)] if len(key) >= 3 else []
        picked = list(dict.fromkeys(starts[:limit] + names))[:limit]
        return [self._station_names[n] for n in picked]


def _read_toml(name: str, data_dir: Path) -> dict:
    with open(data_dir / name, "rb") as f:
        return tomllib.load(f)


def _unique(items: list, kind: str) -> dict:
    seen: dict = {}
    for item in items:
        key = getattr(item, "id", None) or item.crs
        if key in seen:
            raise ReferenceDataError(f"{kind} {key!r} is listed twice")
        seen[key] = item
    return seen


def _require(ids: dict, expected: tuple[str, ...], kind: str) -> None:
    missing = set(expected) - set(ids)
    extra = set(ids) - set(expected)
    if missing or extra:
        raise ReferenceDataError(f"{kind}: missing {sorted(missing)}, unexpected {sorted(extra)}")


def _load_sectors(data: dict) -> dict[str, Sector]:
    sectors = []
    for raw in data["sector"]:
        if unknown := set(raw) - {"id", "name", "asks_station", "railway"}:
            raise ReferenceDataError(f"sector {raw.get('id')!r} has unknown keys {sorted(unknown)}")
        for flag in ("asks_station", "railway"):
            if not isinstance(raw.get(flag, False), bool):
                raise ReferenceDataError(f"sector {raw['id']!r}: {flag} must be true or false")
        sectors.append(Sector(**raw))
    found = _unique(sectors, "sector")
    _require(found, SECTOR_IDS, "sectors")
    return found


def _load_signs(data: dict, sectors: dict) -> dict[str, Sign]:
    signs = []
    for raw in data["sign"]:
        general = raw["sectors"] == "all"
        sign_sectors = frozenset(sectors) if general else frozenset(raw["sectors"])
        if unknown := sign_sectors - set(sectors):
            raise ReferenceDataError(f"sign {raw['id']!r} names unknown sectors {sorted(unknown)}")
        if unknown_tags := set(raw.get("tags", ())) - TAGS:
            raise ReferenceDataError(f"sign {raw['id']!r} has unknown tags {sorted(unknown_tags)}")
        signs.append(
            Sign(
                id=raw["id"],
                label=raw["label"],
                sectors=sign_sectors,
                tags=frozenset(raw.get("tags", ())),
                serious=raw.get("serious", False),
                general=general,
            )
        )
    return _unique(signs, "sign")


def _load_authorities(data: dict) -> dict[str, Authority]:
    authorities = _unique([Authority(**raw) for raw in data["authority"]], "authority")
    for a in authorities.values():
        if not (a.phone or a.sms or a.web):
            raise ReferenceDataError(f"authority {a.id!r} has no way to contact it")
        for number in (a.phone, a.sms):
            if number and not DIALABLE.match(number):
                raise ReferenceDataError(f"authority {a.id!r} number {number!r} is not dialable")
    _require(authorities, AUTHORITY_IDS, "authorities")
    return authorities


def _load_routes(data: dict, authorities: dict, sectors: dict) -> tuple[Route, ...]:
    routes = []
    for raw in data["route"]:
        raw = dict(raw)
        why, offer = raw.pop("why"), tuple(raw.pop("offer"))
        if unknown := set(raw) - ROUTE_CONDITIONS:
            raise ReferenceDataError(f"route {why!r} has unknown conditions {sorted(unknown)}")
        if unknown := set(offer) - set(authorities):
            raise ReferenceDataError(f"route {why!r} offers unknown authorities {sorted(unknown)}")
        if unknown := set(raw.get("sectors", ())) - set(sectors):
            raise ReferenceDataError(f"route {why!r} names unknown sectors {sorted(unknown)}")
        if unknown := set(raw.get("tags", ())) - TAGS:
            raise ReferenceDataError(f"route {why!r} names unknown tags {sorted(unknown)}")
        for key in ("sectors", "tags"):
            if key in raw:
                raw[key] = frozenset(raw[key])
        routes.append(Route(why=why, offer=offer, **raw))
    return tuple(routes)


def _load_stations(data_dir: Path, forces: dict) -> dict[str, Station]:
    with open(data_dir / "station_usage.csv", newline="", encoding="utf-8") as f:
        usage = {row["crs"]: int(row["entries_exits"]) for row in csv.DictReader(f)}
    with open(data_dir / "stations.csv", newline="", encoding="utf-8") as f:
        stations = [
            Station(row["crs"], row["name"], row["force"], usage.get(row["crs"], 0))
            for row in csv.DictReader(f)
        ]
    if unknown := set(usage) - {s.crs for s in stations}:
        raise ReferenceDataError(f"station_usage.csv names unknown stations {sorted(unknown)}")
    for station in stations:
        if station.force not in forces:
            raise ReferenceDataError(f"station {station.crs} names unknown force {station.force!r}")
    return _unique(stations, "station")


def load_reference(data_dir: Path = DATA_DIR) -> Reference:
    """Read every reference file and check that they agree with each other."""
    sectors = _load_sectors(_read_toml("sectors.toml", data_dir))
    signs = _load_signs(_read_toml("signs.toml", data_dir), sectors)
    authorities = _load_authorities(_read_toml("authorities.toml", data_dir))

    geography = _read_toml("regions.toml", data_dir)
    regions = _unique([Region(**raw) for raw in geography["region"]], "region")
    _require(regions, REGION_IDS, "regions")
    forces = {fid: Force(id=fid, **raw) for fid, raw in geography["forces"].items()}
    for force in forces.values():
        if force.region not in regions:
            raise ReferenceDataError(f"force {force.id!r} names unknown region {force.region!r}")
    if empty := set(regions) - {f.region for f in forces.values()}:
        raise ReferenceDataError(f"regions without a force: {sorted(empty)}")

    routing = _read_toml("routing.toml", data_dir)
    routes = _load_routes(routing, authorities, sectors)
    offered = {a for route in routes for a in route.offer}
    if unoffered := set(authorities) - offered:
        raise ReferenceDataError(f"authorities no route offers: {sorted(unoffered)}")

    stations = _load_stations(data_dir, forces)
    return Reference(
        sectors=sectors,
        signs=signs,
        authorities=authorities,
        regions=regions,
        forces=forces,
        stations=stations,
        routes=routes,
        high_when_signs_at_least=routing["priority"]["high_when_signs_at_least"],
        _station_names=_station_index(stations),
        _station_finder=StationFinder(
            stations.values(),
            usage=lambda s: s.usage,
            region=lambda s: forces[s.force].region,
        ),
    )


def _station_index(stations: dict[str, Station]) -> dict[str, Station]:
    """Names people type: the full name, and the name without its bracket ("Abbey Wood" for
    "Abbey Wood (London)") where only one station has that short name."""

    def key(name: str) -> str:
        return " ".join(name.split()).casefold()

    index = {key(s.name): s for s in stations.values()}
    short: dict[str, list[Station]] = {}
    for station in stations.values():
        if "(" in station.name:
            short.setdefault(key(station.name.split("(")[0]), []).append(station)
    for name, matches in short.items():
        if len(matches) == 1:
            index.setdefault(name, matches[0])
    return index


@cache
def get_reference() -> Reference:
    """The reference data, read once per process."""
    return load_reference()
