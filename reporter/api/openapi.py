"""The OpenAPI 3.1 description of the JSON API. Enumerations come from the reference data, so
the document cannot drift from what the API accepts."""

from __future__ import annotations

from reporter.reference import Reference
from reporter.routing import PRIORITIES
from reporter.services.reports import REFERENCE_ALPHABET


def _schemas(ref: Reference) -> dict:
    nullable_text = {"type": ["string", "null"]}
    return {
        "Region": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"enum": list(ref.regions)}, "name": {"type": "string"}},
            "additionalProperties": False,
        },
        "Authority": {
            "type": "object",
            "required": ["id", "name", "phone", "sms", "link", "when"],
            "properties": {
                "id": {"enum": list(ref.authorities)},
                "name": {"type": "string"},
                "phone": nullable_text,
                "sms": nullable_text,
                "link": {"type": ["string", "null"], "description": "tel:, sms: or https: link"},
                "when": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "Guidance": {
            "type": "object",
            "required": ["region", "priority", "authorities"],
            "properties": {
                "region": {"oneOf": [{"$ref": "#/components/schemas/Region"}, {"type": "null"}]},
                "priority": {"enum": list(PRIORITIES)},
                "authorities": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/components/schemas/Authority"},
                },
            },
            "additionalProperties": False,
        },
        "NewReport": {
            "type": "object",
            "required": ["sector", "danger"],
            "properties": {
                "sector": {"enum": list(ref.sectors)},
                "signs": {"type": "array", "items": {"enum": list(ref.signs)}},
                "danger": {"type": "boolean"},
                "description": {"type": "string"},
                "postcode": {"type": "string", "examples": ["LE1 6RN"]},
                "station": {"type": "string", "description": "CRS code or station name"},
                "place": {"type": "string", "maxLength": 200},
                "seen_at": {
                    "type": "string",
                    "examples": ["2026-11-23T14:30"],
                    "description": "UK local time; omit for now",
                },
                "young": {"type": "boolean", "description": "the reporter is under 18"},
                "language": {"type": "string"},
                "contact": {
                    "type": "object",
                    "properties": {
                        "consent": {"enum": ["share", "confidential", "anonymous"]},
                        "name": {"type": "string"},
                        "phone": {"type": "string"},
                        "email": {"type": "string"},
                    },
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
        "Created": {
            "type": "object",
            "required": ["reference", "guidance"],
            "properties": {
                "reference": {
                    "type": "string",
                    "pattern": f"^LC-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$",
                },
                "guidance": {"$ref": "#/components/schemas/Guidance"},
            },
            "additionalProperties": False,
        },
        "Errors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {"type": "object", "additionalProperties": {"type": "string"}},
                "guidance": {"$ref": "#/components/schemas/Guidance"},
            },
        },
    }


def _response(description: str, schema: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def openapi_document(ref: Reference) -> dict:
    query = [
        ("sector", True, {"enum": list(ref.sectors)}),
        ("danger", False, {"enum": ["true", "false"]}),
        ("signs", False, {"type": "string", "description": "comma-separated sign ids"}),
        ("postcode", False, {"type": "string"}),
        ("station", False, {"type": "string"}),
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "LookCloser Reporter API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/guidance": {
                "get": {
                    "summary": "Who to contact, and the region, for a situation",
                    "parameters": [
                        {"name": n, "in": "query", "required": r, "schema": s} for n, r, s in query
                    ],
                    "responses": {
                        "200": _response("Guidance", "Guidance"),
                        "400": _response("Invalid query", "Errors"),
                    },
                }
            },
            "/reports": {
                "post": {
                    "summary": "Make a report",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewReport"}
                            }
                        },
                    },
                    "responses": {
                        "201": _response("Stored, with guidance", "Created"),
                        "400": _response("Invalid report", "Errors"),
                        "429": {"description": "Too many reports; see Retry-After"},
                        "503": _response("Not stored; guidance still given", "Errors"),
                    },
                }
            },
        },
        "components": {"schemas": _schemas(ref)},
    }
