"""The API names who covers the place, as the outcome page does: the police force (from the
postcode, else the station) and the council for the postcode's area, in `/api/v1/guidance` and
in the report's 201 (and its other answers that carry guidance)."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from reporter.reference import DATA_DIR, get_reference

POSTCODE, STATION = "LE1 6RN", "LEI"


def from_the_data_files() -> dict:
    """The force and council for POSTCODE's district, and the station's force, read from the
    data files themselves (the postcode's own row and sector are not in the index here)."""
    table = json.loads((DATA_DIR / "postcodes.json").read_text("utf-8"))
    district = POSTCODE.split()[0]
    assert POSTCODE not in table["postcodes"] and POSTCODE[:-2] not in table["sectors"]
    ref = get_reference()
    force = ref.forces[table["districts"][district]]
    council = table["council_names"][table["council_districts"][district]]
    station_force = ref.forces[ref.stations[STATION].force]
    return {
        "postcode": ({"id": force.id, "name": force.name}, {"name": council}),
        "station": ({"id": station_force.id, "name": station_force.name}, None),
    }


EXPECTED = from_the_data_files()


def test_the_data_gives_names_to_check():
    (force, council), (station_force, _none) = EXPECTED["postcode"], EXPECTED["station"]
    assert (force["name"], council["name"]) == ("Leicestershire Police", "Leicester")
    assert station_force["name"] == "Leicestershire Police"


@pytest.fixture
def guidance_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/Guidance", **document}
    return Draft202012Validator(schema)


def names(guidance: dict) -> tuple:
    return guidance["police_force"], guidance["council"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"sector=delivery&postcode={POSTCODE}", EXPECTED["postcode"]),
        (f"sector=rail&station={STATION}", EXPECTED["station"]),
        # A postcode names the force even beside a station elsewhere (as on the page).
        (f"sector=rail&station=EUS&postcode={POSTCODE}", EXPECTED["postcode"]),
        ("sector=delivery", (None, None)),
    ],
    ids=["postcode", "station", "postcode-and-station", "nothing"],
)
def test_guidance_names_the_police_force_and_the_council(client, guidance_schema, query, expected):
    response = client.get(f"/api/v1/guidance?{query}")
    assert response.status_code == 200
    body = response.get_json()
    guidance_schema.validate(body)
    assert names(body) == expected
    # Additive: what was there before is still there.
    assert {"region", "priority", "authorities"} <= set(body)


REPORTS = {
    "postcode": {
        "sector": "delivery",
        "danger": False,
        "signs": ["guarded"],
        "postcode": POSTCODE.lower(),
    },
    "station": {"sector": "rail", "danger": False, "signs": ["hiding"], "station": "Leicester"},
    "nothing": {
        "sector": "delivery",
        "danger": False,
        "signs": ["guarded"],
        "place": "a flat above the chip shop",
    },
}


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("postcode", EXPECTED["postcode"]),
        ("station", EXPECTED["station"]),
        ("nothing", (None, None)),
    ],
)
def test_the_reports_201_names_the_police_force_and_the_council(
    client, guidance_schema, sent, expected
):
    response = client.post("/api/v1/reports", json=REPORTS[sent])
    assert response.status_code == 201, response.get_json()
    guidance = response.get_json()["guidance"]
    guidance_schema.validate(guidance)
    assert names(guidance) == expected


def test_a_postcode_outside_england_and_wales_names_its_council_but_no_force(client):
    body = client.get("/api/v1/guidance?sector=delivery&postcode=EH1%201YZ").get_json()
    assert body["police_force"] is None
    assert body["council"] == {"name": "City of Edinburgh"}
