"""Promises made by reporter/reference/stations.csv, the station -> police force table.

Railway staff name a station or its three-letter CRS code; this file turns that into the
territorial police force whose area the station is in (the region then comes from the force in
regions.toml). A wrong row sends a report to the wrong place, so these tests pin the format and
the facts that matter most. See reporter/reference/STATIONS_SOURCES.md for where the data comes
from and how to add a station.
"""

import csv
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "reporter" / "reference"
STATIONS_CSV = REFERENCE / "stations.csv"
REGIONS_TOML = REFERENCE / "regions.toml"

LONDON_FORCES = {"metropolitan", "city-of-london"}

# National Rail stations inside each city named in DOMAIN.md ("Stations"), counted when the table
# was built from the station's position and the ONS local authority it falls in (the city council
# area, e.g. E08000012 Liverpool; Northampton is the town in West Northamptonshire): the force,
# how many stations, and their CRS codes. A city may gain a station; it must never silently lose one.
CITY_STATIONS = {
    # Liverpool City Council area: 22 stations (Merseyrail and main line).
    "Liverpool": (
        "merseyside",
        22,
        "AIG BAH BGE BRW CSG EDG FAZ HNX KKD LVC LVJ LIV LPY MRF MSH OPK RIL SDL STM WAO WAV WSA",
    ),
    # Leeds City Council area: 15 stations.
    "Leeds": (
        "west-yorkshire",
        15,
        "BLE BUY COT CRG EGF GRF GSY HDY HRS KLF LDS MIK MLY NPD WDS",
    ),
    # Birmingham City Council area: 37 stations, including the Camp Hill line's
    # Kings Heath, Moseley Village and Pineapple Road.
    "Birmingham": (
        "west-midlands",
        37,
        (
            "ACG ADD AST BMO BHM BSW BKT BBS BRV BUL CRD DUD ERD FWY FOK GVH HLG HSD JEQ KIH KNN"
            " LEH LOB MOV NFD PRY PIR SLY SMA SRI SCF SUT TYS UNI WTT WYL YRD"
        ),
    ),
    # Leicester City Council area: 1 station.
    "Leicester": ("leicestershire", 1, "LEI"),
    # Nottingham City Council area: 2 stations.
    "Nottingham": ("nottinghamshire", 2, "NOT BLW"),
    # Derby City Council area: 3 stations.
    "Derby": ("derbyshire", 3, "DBY PEA SPO"),
    # City of Lincoln: 1 station.
    "Lincoln": ("lincolnshire", 1, "LCN"),
    # Northampton (town, West Northamptonshire): 1 station.
    "Northampton": ("northamptonshire", 1, "NMP"),
}

# Greater London (the 32 boroughs and the City): 340 stations when the table was built,
# 6 of them in the City of London.
LONDON_STATION_COUNT = 340
CITY_OF_LONDON_CRS = {"BFR", "CST", "CTK", "FST", "LST", "MOG"}


def _rows():
    with STATIONS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows():
    return _rows()


@pytest.fixture(scope="module")
def by_crs(rows):
    return {row["crs"]: row for row in rows}


@pytest.fixture(scope="module")
def forces():
    with REGIONS_TOML.open("rb") as handle:
        return tomllib.load(handle)["forces"]


def force_of(by_crs, crs):
    assert crs in by_crs, f"{crs} is missing from stations.csv"
    return by_crs[crs]["force"]


# Format


def test_header_is_exact():
    with STATIONS_CSV.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["crs", "name", "force"]


def test_every_row_has_three_non_empty_fields(rows):
    for row in rows:
        assert None not in row, f"extra field in {row}"
        assert all(value and value == value.strip() for value in row.values()), row


def test_crs_codes_are_three_upper_case_letters(rows):
    bad = [row["crs"] for row in rows if not re.fullmatch(r"[A-Z]{3}", row["crs"])]
    assert bad == []


def test_crs_codes_are_unique(rows):
    counts = Counter(row["crs"] for row in rows)
    assert [crs for crs, n in counts.items() if n > 1] == []


def test_names_are_unique_ignoring_case(rows):
    counts = Counter(row["name"].casefold() for row in rows)
    assert [name for name, n in counts.items() if n > 1] == []


def test_rows_are_sorted_by_name(rows):
    names = [row["name"] for row in rows]
    assert names == sorted(names, key=str.casefold)


def test_every_force_exists_in_regions_toml(rows, forces):
    unknown = sorted({row["force"] for row in rows} - set(forces))
    assert unknown == []


# Coverage


def test_enough_stations_outside_and_inside_london(rows):
    london = [row for row in rows if row["force"] in LONDON_FORCES]
    elsewhere = [row for row in rows if row["force"] not in LONDON_FORCES]
    assert len(elsewhere) >= 150
    assert len(london) >= LONDON_STATION_COUNT
    assert len(rows) >= 300


@pytest.mark.parametrize("city", sorted(CITY_STATIONS))
def test_every_station_in_each_named_city_is_listed(by_crs, city):
    force, count, codes = CITY_STATIONS[city]
    codes = codes.split()
    missing = [crs for crs in codes if crs not in by_crs]
    assert missing == []
    wrong = [crs for crs in codes if by_crs[crs]["force"] != force]
    assert wrong == []
    listed = {crs for crs in codes if by_crs[crs]["force"] == force}
    assert len(listed) == count, f"{city}: {len(listed)} stations in stations.csv, {count} found"


def test_city_of_london_stations(rows):
    city = {row["crs"] for row in rows if row["force"] == "city-of-london"}
    assert city == CITY_OF_LONDON_CRS


# Spot checks that read as promises


@pytest.mark.parametrize(
    ("crs", "name", "force"),
    [
        ("LEI", "Leicester", "leicestershire"),
        ("EUS", "London Euston", "metropolitan"),
        ("LST", "London Liverpool Street", "city-of-london"),
        ("BHM", "Birmingham New Street", "west-midlands"),
        ("LDS", "Leeds", "west-yorkshire"),
        ("LIV", "Liverpool Lime Street", "merseyside"),
        ("NOT", "Nottingham", "nottinghamshire"),
        ("DBY", "Derby", "derbyshire"),
        ("LCN", "Lincoln Central", "lincolnshire"),
        ("NMP", "Northampton", "northamptonshire"),
        ("CDF", "Cardiff Central", "south-wales"),
        ("MAN", "Manchester Piccadilly", "greater-manchester"),
        ("DFD", "Dartford", "kent"),
    ],
)
def test_named_station_row(by_crs, crs, name, force):
    assert by_crs[crs] == {"crs": crs, "name": name, "force": force}


def test_leicester_is_in_leicestershire(by_crs):
    assert force_of(by_crs, "LEI") == "leicestershire"


def test_london_euston_is_in_the_metropolitan_police_area(by_crs):
    assert force_of(by_crs, "EUS") == "metropolitan"


def test_liverpool_street_is_in_the_city_of_london(by_crs):
    assert force_of(by_crs, "LST") == "city-of-london"


def test_london_bridge_is_in_southwark_so_metropolitan(by_crs):
    assert force_of(by_crs, "LBG") == "metropolitan"


def test_blackfriars_counts_as_city_of_london(by_crs):
    """The station spans the Thames; its main entrance and ticket hall are in the City."""
    assert force_of(by_crs, "BFR") == "city-of-london"


def test_farringdon_is_in_islington_so_metropolitan(by_crs):
    """Farringdon is just outside the City boundary, in the London Borough of Islington."""
    assert force_of(by_crs, "ZFD") == "metropolitan"


def test_cardiff_central_is_in_south_wales(by_crs):
    assert force_of(by_crs, "CDF") == "south-wales"


def test_manchester_piccadilly_is_in_greater_manchester(by_crs):
    assert force_of(by_crs, "MAN") == "greater-manchester"


@pytest.mark.parametrize(
    ("crs", "force"),
    [
        ("DFD", "kent"),  # Dartford: Kent, not London
        ("WFJ", "hertfordshire"),  # Watford Junction: Hertfordshire, not London
        ("EPS", "surrey"),  # Epsom: Surrey, not London
        ("SLO", "thames-valley"),  # Slough: Berkshire, Thames Valley Police
        ("HMC", "surrey"),  # Hampton Court: East Molesey, south of the Thames
        ("WLC", "hertfordshire"),  # Waltham Cross: Broxbourne, not Enfield
        (
            "KNI",
            "west-mercia",
        ),  # Knighton: the station is on the English side (Shropshire)
        (
            "DVY",
            "dyfed-powys",
        ),  # Dovey Junction: Powys, near the Gwynedd/Ceredigion border
    ],
)
def test_border_stations(by_crs, crs, force):
    assert force_of(by_crs, crs) == force


def test_elizabeth_line_and_airport_codes_are_the_national_rail_ones(by_crs):
    """Public lists also carry non-National Rail codes (FDX, LSX, WHX, LHR): never use them."""
    for crs in ("ZFD", "LST", "ZLW", "TCR", "BDS", "HXX", "HAF", "HWV"):
        assert crs in by_crs
    for crs in ("FDX", "LSX", "WHX", "ZWL", "LHR", "ABX", "PDX"):
        assert crs not in by_crs
