"""Issue 16: station names as staff say them route to the right region, and a name that fits
stations in several regions is never settled silently."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from reporter.reference import load_reference
from reporter.reference.stations import StationFinder, words_of
from reporter.routing import Facts, resolve_region

REF = load_reference()

# (what station staff type, the station it must settle on)
SAID = [
    ("Waterloo", "WAT"),
    ("waterloo station", "WAT"),
    ("Euston", "EUS"),
    ("London Euston", "EUS"),
    ("Euston rail station", "EUS"),
    ("Paddington", "PAD"),
    ("Kings Cross", "KGX"),
    ("King's Cross", "KGX"),
    ("King's Cross St Pancras", "KGX"),
    ("St Pancras", "STP"),
    ("Saint Pancras", "STP"),
    ("Liverpool Street", "LST"),
    ("Liverpool St", "LST"),
    ("Liverpool St. station, London", "LST"),
    ("Lime Street", "LIV"),
    ("New Street", "BHM"),
    ("Birmingham", "BHM"),
    ("Piccadilly", "MAN"),
    ("Manchester", "MAN"),
    ("Temple Meads", "BRI"),
    ("Queen Street", "CDQ"),
    ("Cardiff", "CDF"),
    ("Cardiff Central", "CDF"),
    ("Newcastle Central", "NCL"),
    ("Leeds station", "LDS"),
    ("Leeds City", "LDS"),
    ("Brighton", "BTN"),
    ("New Brighton", "NBN"),
    ("Abergele & Pensarn", "AGL"),
    ("Abergele and Pensarn", "AGL"),
    ("lei", "LEI"),
]


@pytest.mark.parametrize(("typed", "crs"), SAID)
def test_names_staff_say_settle_on_their_station(typed, crs):
    assert REF.match_station(typed).station == REF.stations[crs]


def test_waterloo_is_london_waterloo_with_merseyside_offered():
    """The busiest station of a name is taken only when it is far busier than any other in
    another region (London Waterloo is 45 times as busy), and the other is offered."""
    match = REF.match_station("Waterloo")
    assert match.station.crs == "WAT"
    assert "WLO" in [s.crs for s in match.candidates]
    region = resolve_region(Facts(sector="rail", station=match.station.crs), REF, _NoPostcodes())
    assert region[0].id == "london"


@pytest.mark.parametrize(
    ("typed", "regions"),
    [
        ("Newport", {"wales", "eastern"}),  # Newport (S Wales) is only 8 times as busy
        ("Ashford", {"south-east", "eastern"}),  # Ashford (Surrey) by name; Kent's is busier
        ("Liverpool", {"north-west", "london"}),  # Lime Street, Central... or Liverpool Street
        ("Abbey Wood", {"london", "south-west"}),  # Abbey Wood (London), Filton Abbey Wood
    ],
)
def test_a_name_that_fits_stations_in_several_regions_settles_on_none(typed, regions):
    match = REF.match_station(typed)
    assert match.station is None
    assert match.ambiguous
    assert {REF.region_of_force(s.force).id for s in match.candidates} >= regions


def test_a_generic_word_alone_names_no_station():
    for typed in ("Central", "London", "station", "Street"):
        assert REF.match_station(typed).station is None


def test_every_station_is_found_by_its_own_name():
    """A data test over the whole list: a station's full name is that station, whatever
    other names start or end like it ("Chester": not Chester Road)."""
    wrong = [s.name for s in REF.stations.values() if REF.match_station(s.name).station != s]
    assert wrong == []


def _contained_pairs():
    plain = {s: f" {' '.join(words_of(s.name.split('(')[0]))} " for s in REF.stations.values()}
    for short, long in itertools.permutations(REF.stations.values(), 2):
        if plain[short] in plain[long]:
            yield short, long


CONTAINED = list(_contained_pairs())


def test_the_station_list_has_names_inside_others():
    """What the next test covers: real pairs, some across regions."""
    names = {(a.name, b.name) for a, b in CONTAINED}
    assert ("Brighton", "New Brighton") in names
    assert len(CONTAINED) > 100
    assert any(REF.forces[a.force].region != REF.forces[b.force].region for a, b in CONTAINED)


def test_in_a_description_the_longest_station_name_wins_for_every_pair():
    """Every pair of stations whose names contain each other: "outside New Brighton" is New
    Brighton, never Brighton. Reversing the rule (shortest wins) fails this for every pair."""
    wrong = [
        (short.name, long.name)
        for short, long in CONTAINED
        if REF.station_named_in(f"outside {long.name} by the ticket office").station != long
    ]
    assert wrong == []


def test_a_place_naming_a_station_routes_by_it():
    region, source = resolve_region(
        Facts(sector="delivery", place="by the taxi rank at New Brighton"), REF, _NoPostcodes()
    )
    assert (region.id, source) == ("north-west", "place")


# ---- the rule itself, on a made-up list --------------------------------------------------


@dataclass(frozen=True)
class _Town:
    crs: str
    name: str
    region: str
    usage: int


def _finder(*towns: _Town) -> StationFinder:
    return StationFinder(towns, usage=lambda s: s.usage, region=lambda s: s.region)


def test_the_busiest_fit_is_settled_only_when_far_busier_than_one_elsewhere():
    big = _Town("BIG", "Mill (Big)", "north", 2_000_000)
    small = _Town("SML", "Mill (Small)", "south", 99_000)
    assert _finder(big, small).match("Mill").station == big  # 20 times as busy
    close = _Town("SML", "Mill (Small)", "south", 101_000)
    assert _finder(big, close).match("Mill").station is None  # not quite
    same_region = _Town("SML", "Mill (Small)", "north", 1_900_000)
    assert _finder(big, same_region).match("Mill").station == big  # same region: the busiest


def test_the_least_used_fit_is_never_taken():
    big = _Town("BIG", "Mill (Big)", "north", 2_000_000)
    small = _Town("SML", "Mill (Small)", "north", 1_000)
    match = _finder(small, big).match("Mill")
    assert match.station == big
    assert match.candidates == (small,)


class _NoPostcodes:
    def force_for(self, postcode):  # pragma: no cover - no postcode in these facts
        raise AssertionError("no postcode given")
