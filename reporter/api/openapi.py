"""The OpenAPI 3.1 description of the JSON API. The report's rules are generated from the
intake schema (`services/reporting/intake.py`: its fields, limits and cross-field rules) and the
enumerations from the reference data, so the document cannot drift from what the API accepts.

What a schema cannot say is in the descriptions: text is cleaned (control characters other
than tab and new lines removed, whitespace trimmed), and a blank text is no answer; a CR LF
counts as one character; `seen_at` must be in the last year and not in the future.
"""

from __future__ import annotations

from collections.abc import Callable

from reporter.api import follow_up as follow_up_api
from reporter.codes import Consent, Priority
from reporter.i18n import offered as offered_languages
from reporter.postcodes import ACCEPTED_PATTERN, SPACE_CHARS
from reporter.reference import Reference
from reporter.services.reporting import idempotency, intake
from reporter.services.reporting.reports import REFERENCE_ALPHABET


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
                "priority": {"enum": [p.value for p in Priority]},
                "authorities": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/components/schemas/Authority"},
                },
            },
            "additionalProperties": False,
        },
        "NewReport": new_report_schema(ref),
        "Created": {
            "type": "object",
            "required": ["reference", "guidance", "follow_up_code"],
            "properties": {
                "reference": {
                    "type": "string",
                    "pattern": f"^LC-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$",
                },
                "guidance": {"$ref": "#/components/schemas/Guidance"},
                "follow_up_code": {
                    "type": ["string", "null"],
                    "pattern": follow_up_api.CODE_PATTERN,
                    "description": "shown once: with the reference, it opens POST /follow-up. "
                    "Null only when a report sent again could not be given a new one",
                },
                "station": {
                    "type": "object",
                    "description": "the station the `station` sent settled on, with the "
                    "others it may be",
                    "required": ["crs", "name", "did_you_mean"],
                    "properties": {
                        **_STATION_PROPERTIES,
                        "did_you_mean": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Station"},
                        },
                    },
                    "additionalProperties": False,
                },
                "place_unclear": {
                    "type": "object",
                    "description": "the `station` sent settled on no station (unknown, or "
                    "a name that fits stations in several regions): it was kept as the place "
                    "and the report routed by what else it says. The report is stored.",
                    "required": ["message", "station_as_typed", "candidates"],
                    "properties": {
                        "message": {"type": "string"},
                        "station_as_typed": {"type": "string"},
                        "candidates": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Station"},
                        },
                    },
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
        "Station": {
            "type": "object",
            "required": ["crs", "name"],
            "properties": _STATION_PROPERTIES,
            "additionalProperties": False,
        },
        "Errors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {"type": "object", "additionalProperties": {"type": "string"}},
                "guidance": {"$ref": "#/components/schemas/Guidance"},
            },
            "additionalProperties": False,
        },
        "Problem": {
            "type": "object",
            "description": "any other error: what went wrong, and who to call meanwhile",
            "required": ["error", "authorities"],
            "properties": {
                "error": {"type": "string"},
                "authorities": {"type": "array", "items": {"enum": list(ref.authorities)}},
            },
            "additionalProperties": False,
        },
    }


_STATION_PROPERTIES = {
    "crs": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "name": {"type": "string"},
}
CLEANED = intake.CONTROL
BLANK = rf"^[{SPACE_CHARS}{CLEANED}]*$"
VISIBLE = rf"[^{SPACE_CHARS}{CLEANED}]"
SEEN_AT_FORMAT = "uk-local-time"
# The shapes intake.SEEN_AT_FORMATS read: 2026-11-23T14:30, 2026-11-23 14:30, 23/11/2026 14:30,
# 23/11/2026, 2026-11-23. The last year only, and no day that is not in the calendar.
_DAY, _MONTH = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])"
_TIME = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
SEEN_AT_PATTERN = (
    rf"^(?:[0-9]{{4}}-{_MONTH}-{_DAY}(?:[T ]{_TIME})?|{_DAY}/{_MONTH}/[0-9]{{4}}(?: {_TIME})?)$"
)
# The email check's pattern, minus the control characters that cleaning would remove.
EMAIL_PATTERN = intake.EMAIL.pattern.replace(r"[^@\s]", rf"[^@{SPACE_CHARS}{CLEANED}]")
CONTACT = "contact"


def _blank_or(pattern: str) -> str:
    """Text matching `pattern` once trimmed, or blank (no answer)."""
    return rf"^[{SPACE_CHARS}{CLEANED}]*(?:{pattern.strip('^$')})?[{SPACE_CHARS}{CLEANED}]*$"


def _field_schema(spec: intake.Field, ref: Reference) -> dict:
    """The JSON schema of one intake field: its type, limit and own rules."""
    if spec.kind == "bool":
        # null is "not given", as for text: the field's default applies (false).
        schema: dict = {"type": "boolean" if spec.required else ["boolean", "null"]}
    elif spec.kind == "list":
        schema = {"type": "array"}
    else:
        schema = {"type": ["string", "null"]}
        if spec.limit is not None:
            schema["maxLength"] = spec.limit
    schema.update(_TEXT_RULES.get(spec.name, lambda ref: {})(ref))
    schema.update(spec.json(ref))
    if "enum" in schema and not spec.required:
        schema["enum"] = [*schema["enum"], None]
    return schema


_TEXT_RULES: dict[str, Callable[[Reference], dict]] = {
    "postcode": lambda ref: {"pattern": _blank_or(ACCEPTED_PATTERN), "examples": ["LE1 6RN"]},
    "station": lambda ref: {
        "description": "a station's 3-letter CRS code, or its name as people say it "
        "('Euston', 'New Street', 'Cardiff'). Never refused: a name that settles on no "
        "station is kept as the place, and the 201 says so in `place_unclear`.",
        "examples": ["EUS", "London Waterloo", "New Street"],
    },
    "phone": lambda ref: {"pattern": _blank_or(intake.PHONE.pattern)},
    "email": lambda ref: {"pattern": _blank_or(EMAIL_PATTERN)},
    "seen_at": lambda ref: {
        "format": SEEN_AT_FORMAT,
        "pattern": _blank_or(SEEN_AT_PATTERN),
        "examples": ["2026-11-23T14:30"],
        "description": "UK local time in the last year, not in the future; omit for now. "
        "Also 23/11/2026 14:30, 2026-11-23 14:30, 23/11/2026, 2026-11-23",
    },
}


def _given(name: str, schema: dict) -> dict:
    return {"required": [name], "properties": {name: schema}}


def _contact_schema(ref: Reference) -> dict:
    """Anonymous means no details; sharing means a phone or an email."""
    fields = [f for f in intake.FIELDS if f.key.startswith(CONTACT + ".")]
    properties = {f.key.split(".", 1)[1]: _field_schema(f, ref) for f in fields}
    blank = {"pattern": BLANK}
    return {
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": False,
        "anyOf": [
            {"type": "null"},
            {
                "properties": {
                    "consent": {"enum": [Consent.ANONYMOUS.value, None]},
                    "name": blank,
                    "phone": blank,
                    "email": blank,
                }
            },
            {
                "required": ["consent"],
                "properties": {
                    "consent": {"enum": [Consent.SHARE.value, Consent.CONFIDENTIAL.value]}
                },
                "anyOf": [
                    _given(name, {"type": "string", "pattern": VISIBLE})
                    for name in ("phone", "email")
                ],
            },
        ],
    }


def new_report_schema(ref: Reference) -> dict:
    """The body of POST /reports, from the intake schema."""
    top = [f for f in intake.FIELDS if not f.key.startswith(CONTACT + ".")]
    properties = {f.key: _field_schema(f, ref) for f in top}
    properties[CONTACT] = _contact_schema(ref)
    properties["language"] = {
        "type": ["string", "null"],
        "description": "the reporter's language for messages (one of "
        + ", ".join(offered_languages())
        + "); otherwise Accept-Language decides",
    }
    visible = {"type": "string", "pattern": VISIBLE}
    return {
        "type": "object",
        "required": [f.key for f in top if f.required],
        "properties": properties,
        "additionalProperties": False,
        "allOf": [
            {  # the signs of the chosen setting
                "anyOf": [
                    {
                        "properties": {
                            "sector": {"const": sector},
                            "signs": {"items": {"enum": [s.id for s in ref.signs_for(sector)]}},
                        }
                    }
                    for sector in ref.sectors
                ]
            },
            {  # where: a postcode, a station or a description of the place
                "anyOf": [
                    _given("postcode", {"type": "string", "pattern": VISIBLE}),
                    _given("station", {"type": "string", "pattern": VISIBLE}),
                    _given("place", visible),
                ]
            },
            {  # at least one sign, or a description
                "anyOf": [
                    _given("signs", {"type": "array", "minItems": 1}),
                    _given("description", visible),
                ]
            },
        ],
    }


_IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN},
    "description": (
        "A random key the sender makes for each report and sends again on every retry. "
        "The same key twice stores one report and answers the same reference both times."
    ),
}


def _response(description: str, schema: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _too_many_reports() -> dict:
    """429 from /reports: over the stored-report limit (the report's own guidance comes with
    it), or over the flood limit on every POST (who to call meanwhile). Not stored either way."""
    either = {"oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in ("Errors", "Problem")]}
    return {
        "description": "Too many reports from this address, not stored: errors.rate_limit with "
        "the report's guidance (only stored reports count), or, over the limit on every POST, "
        "an error and who to call. Retry-After gives the seconds to wait",
        "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
        "content": {"application/json": {"schema": either}},
    }


def openapi_document(ref: Reference) -> dict:
    sign = "(?:" + "|".join(ref.signs) + ")"
    flag = {"type": "string", "pattern": "^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])?$"}
    fields = intake.FIELDS_BY_NAME
    query = [
        ("sector", True, {"type": "string", "enum": list(ref.sectors)}),
        ("danger", False, flag),
        ("young", False, flag),
        (
            "signs",
            False,
            {
                "type": "string",
                "pattern": rf"^,*(?:{sign}(?:,+{sign})*)?,*$",
                "description": "comma-separated sign ids",
            },
        ),
        ("postcode", False, _field_schema(fields["postcode"], ref) | {"type": "string"}),
        ("station", False, {**_field_schema(fields["station"], ref), "type": "string"}),
        (
            "lang",
            False,
            {
                "type": "string",
                "description": "the language of the answer (one of "
                + ", ".join(offered_languages())
                + "); otherwise Accept-Language decides",
            },
        ),
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
                        "429": _response("Too many requests; see Retry-After", "Problem"),
                    },
                }
            },
            "/reports": {
                "post": {
                    "summary": "Make a report",
                    # No key works; a partner's key records the partner (see partnerKey).
                    "security": [{}, {"partnerKey": []}],
                    "parameters": [_IDEMPOTENCY_KEY],
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
                        "400": _response(
                            "Invalid report or Idempotency-Key, or a body that is not JSON",
                            "Errors",
                        ),
                        "401": _response("A wrong or revoked partner API key", "Errors"),
                        "413": _response("The body is over 64 KiB", "Problem"),
                        "415": _response("The body is not application/json", "Errors"),
                        "422": _response(
                            "The Idempotency-Key was used before for a report with other "
                            "answers: not stored; guidance given",
                            "Errors",
                        ),
                        "429": _too_many_reports(),
                        "503": _response("Not stored; guidance still given", "Errors"),
                    },
                }
            },
            **follow_up_api.paths(_response, _IDEMPOTENCY_KEY),
        },
        "components": {
            "schemas": _schemas(ref) | follow_up_api.schemas(ref),
            "securitySchemes": {
                "partnerKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "Optional. A partner's API key (made by the LookCloser team, shown "
                        "once), as `Authorization: Bearer lck_...`. The report records the "
                        "partner, and the rate limit counts per key, not per address. A wrong "
                        "or revoked key gets 401."
                    ),
                }
            },
        },
    }
