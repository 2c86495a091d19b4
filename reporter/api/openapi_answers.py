"""The OpenAPI schemas of the API's answers: guidance (who to contact, the region, the police
force and council by name), a stored report, errors. Every property is described
(`tests/test_api_examples.py` walks them all)."""

from __future__ import annotations

from reporter.api import follow_up as follow_up_api
from reporter.codes import Priority
from reporter.reference import Reference
from reporter.services.reporting.reports import REFERENCE_ALPHABET


def _described(description: str, schema: dict) -> dict:
    return {"description": description, **schema}


def _guidance_schemas(ref: Reference) -> dict:
    nullable_text = {"type": ["string", "null"]}
    return {
        "Region": {
            "type": "object",
            "description": "one of the ten policing regions: its prevention officer gets "
            "the report",
            "required": ["id", "name"],
            "properties": {
                "id": _described("the region's id", {"enum": list(ref.regions)}),
                "name": _described(
                    "the region's name, in the answer's language", {"type": "string"}
                ),
            },
            "additionalProperties": False,
        },
        "Authority": {
            "type": "object",
            "description": "someone to contact now, with a one-tap link",
            "required": ["id", "name", "phone", "sms", "link", "when"],
            "properties": {
                "id": _described("the authority's id", {"enum": list(ref.authorities)}),
                "name": _described("its name, in the answer's language", {"type": "string"}),
                "phone": _described("the number to call, as written; null if none", nullable_text),
                "sms": _described("the number to text; null if none", nullable_text),
                "link": _described(
                    "the link to open on the phone: tel:, sms: or https:; null if none",
                    nullable_text,
                ),
                "when": _described(
                    "when to contact it, in the answer's language", {"type": "string"}
                ),
            },
            "additionalProperties": False,
        },
        "PoliceForce": {
            "type": "object",
            "description": "the territorial police force covering the place",
            "required": ["id", "name"],
            "properties": {
                "id": _described("the force's id", {"enum": list(ref.forces)}),
                "name": _described("its name as it gives it (not translated)", {"type": "string"}),
            },
            "additionalProperties": False,
        },
        "Council": {
            "type": "object",
            "description": "the council that runs children's services for most of the "
            "postcode's sector (or district): a sector can straddle two councils",
            "required": ["name"],
            "properties": {
                "name": _described("its name (not translated)", {"type": "string"}),
            },
            "additionalProperties": False,
        },
        "Guidance": {
            "type": "object",
            "description": "who to contact now, most urgent first, and who covers the place",
            "required": ["region", "priority", "authorities", "police_force", "council"],
            "properties": {
                "region": _described(
                    "the region the report goes to; null when the place does not tell "
                    "(the national team gets it) or is outside England and Wales",
                    {"oneOf": [{"$ref": "#/components/schemas/Region"}, {"type": "null"}]},
                ),
                "priority": _described(
                    "urgent when a child is in danger now; high for a serious sign or "
                    "several signs; otherwise normal",
                    {"enum": [p.value for p in Priority]},
                ),
                "authorities": _described(
                    "whom to contact, most urgent first (999 first when a child is in danger)",
                    {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/components/schemas/Authority"},
                    },
                ),
                "police_force": _described(
                    "the police force for the place, by name, as the reporter's page names "
                    "it beside 101: from the postcode, else the station. On the railway "
                    "British Transport Police polices too (its text service is then among "
                    "the authorities). Null when what was sent does not tell, or the "
                    "postcode is outside England and Wales",
                    {"oneOf": [{"$ref": "#/components/schemas/PoliceForce"}, {"type": "null"}]},
                ),
                "council": _described(
                    "the council for the postcode area, as the reporter's page names it "
                    "beside children's services; from a postcode only, null without one "
                    "or when the postcode is unknown",
                    {"oneOf": [{"$ref": "#/components/schemas/Council"}, {"type": "null"}]},
                ),
            },
            "additionalProperties": False,
        },
    }


def answer_schemas(ref: Reference) -> dict:
    """The schemas of what the API answers (and the station within them)."""
    station = {"$ref": "#/components/schemas/Station"}
    return _guidance_schemas(ref) | {
        "Created": {
            "type": "object",
            "description": "the report is stored",
            "required": ["reference", "guidance", "follow_up_code"],
            "properties": {
                "reference": _described(
                    "the report's reference, for the reporter to keep and to give to anyone "
                    "they contact",
                    {
                        "type": "string",
                        "pattern": f"^LC-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$",
                    },
                ),
                "guidance": _described(
                    "who to contact now: show it to the reporter",
                    {"$ref": "#/components/schemas/Guidance"},
                ),
                "follow_up_code": {
                    "type": ["string", "null"],
                    "pattern": follow_up_api.CODE_PATTERN,
                    "description": "shown once: with the reference, it opens POST /follow-up. "
                    "Null only when a report sent again could not be given a new one",
                },
                "station": {
                    "type": "object",
                    "description": "only when a `station` was sent and settled on one: that "
                    "station, with the others the name may be",
                    "required": ["crs", "name", "did_you_mean"],
                    "properties": {
                        **_STATION_PROPERTIES,
                        "did_you_mean": _described(
                            "other stations the name fits, busiest first, to offer the "
                            "reporter (empty when none)",
                            {"type": "array", "items": station},
                        ),
                    },
                    "additionalProperties": False,
                },
                "place_unclear": {
                    "type": "object",
                    "description": "only when the `station` sent settled on no station "
                    "(unknown, or a name that fits stations in several regions): it was kept "
                    "as the place and the report routed by what else it says. The report is "
                    "stored.",
                    "required": ["message", "station_as_typed", "candidates"],
                    "properties": {
                        "message": _described(
                            "what happened, for the reporter, in their language",
                            {"type": "string"},
                        ),
                        "station_as_typed": _described(
                            "the station as it was sent", {"type": "string"}
                        ),
                        "candidates": _described(
                            "stations it may be, busiest first (empty when none fits)",
                            {"type": "array", "items": station},
                        ),
                    },
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
        "Station": {
            "type": "object",
            "description": "a station",
            "required": ["crs", "name"],
            "properties": _STATION_PROPERTIES,
            "additionalProperties": False,
        },
        "Errors": {
            "type": "object",
            "description": "what to correct, by field; with the guidance when the report "
            "itself was readable",
            "required": ["errors"],
            "properties": {
                "errors": _described(
                    "a message in the reporter's language for each field (its JSON name, "
                    "`contact` or `contact.phone` inside it, or a header such as "
                    "`Idempotency-Key` or `authorization`, or `rate_limit`, `storage`, `body`)",
                    {"type": "object", "additionalProperties": {"type": "string"}},
                ),
                "guidance": _described(
                    "who to contact now, even though the report was not stored",
                    {"$ref": "#/components/schemas/Guidance"},
                ),
            },
            "additionalProperties": False,
        },
        "Problem": {
            "type": "object",
            "description": "any other error: what went wrong, and who to call meanwhile",
            "required": ["error", "authorities"],
            "properties": {
                "error": _described("what went wrong, in a sentence", {"type": "string"}),
                "authorities": _described(
                    "ids of the authorities to call meanwhile (999 first): their numbers are "
                    "in any guidance answer",
                    {"type": "array", "items": {"enum": list(ref.authorities)}},
                ),
            },
            "additionalProperties": False,
        },
    }


_STATION_PROPERTIES = {
    "crs": {
        "type": "string",
        "pattern": "^[A-Z]{3}$",
        "description": "the station's 3-letter code (CRS), as on tickets",
    },
    "name": {"type": "string", "description": "the station's name"},
}
