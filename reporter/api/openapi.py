"""The OpenAPI 3.1 description of the JSON API. The report's rules are generated from the
intake schema (`services/reporting/intake.py`: its fields, limits and cross-field rules) and the
enumerations from the reference data, so the document cannot drift from what the API accepts.
The schemas of the answers are in `openapi_answers.py`, the examples in `openapi_examples.py`.

What a schema cannot say is in the descriptions: text is cleaned (control characters other
than tab and new lines removed, whitespace trimmed), and a blank text is no answer; a CR LF
counts as one character; `seen_at` must be in the last year and not in the future.
"""

from __future__ import annotations

from collections.abc import Callable

from reporter.api import follow_up as follow_up_api
from reporter.api import openapi_examples as examples_of
from reporter.api.openapi_answers import answer_schemas
from reporter.codes import Consent
from reporter.i18n import offered as offered_languages
from reporter.postcodes import ACCEPTED_PATTERN, SPACE_CHARS
from reporter.reference import Reference
from reporter.services.reporting import idempotency, intake

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
    schema.update(_FIELD_DOCS[spec.name](ref))  # every field is described
    schema.update(spec.json(ref))
    if "enum" in schema and not spec.required:
        schema["enum"] = [*schema["enum"], None]
    return schema


_FIELD_DOCS: dict[str, Callable[[Reference], dict]] = {
    "sector": lambda ref: {
        "description": "where the reporter works (the setting): it decides which signs are "
        "asked and who to contact",
        "examples": ["rail", "delivery"],
    },
    "signs": lambda ref: {
        "description": "the signs the reporter ticked, by id: only the chosen setting's own "
        "and the general ones (allOf lists each setting's). At least one sign, or a "
        "`description`",
        "examples": [["hiding", "avoids-staff"]],
    },
    "danger": lambda ref: {
        "description": "true when a child is in danger right now: the guidance puts 999 "
        "first and the area's officer is alerted at once",
    },
    "postcode": lambda ref: {
        "description": "where: a UK postcode (LE1 6RN) or its first half (LE1), any case "
        "and spacing. It gives the region, the police force and the council. One of "
        "`postcode`, `station` or `place` is needed",
        "pattern": _blank_or(ACCEPTED_PATTERN),
        "examples": ["LE1 6RN"],
    },
    "station": lambda ref: {
        "description": "where: a station's 3-letter CRS code, or its name as people say it "
        "('Euston', 'New Street', 'Cardiff'). Never refused: a name that settles on no "
        "station is kept as the place, and the 201 says so in `place_unclear`.",
        "examples": ["EUS", "London Waterloo", "New Street"],
    },
    "place": lambda ref: {
        "description": "where, in the reporter's words (a platform, a street, a shop); a "
        "postcode written in it is used to route the report",
        "examples": ["Platform 3, by the ticket gates"],
    },
    "seen_at": lambda ref: {
        "format": SEEN_AT_FORMAT,
        "pattern": _blank_or(SEEN_AT_PATTERN),
        "examples": ["2026-11-23T14:30"],
        "description": "when it was seen: UK local time in the last year, not in the "
        "future; omit for now. Also 23/11/2026 14:30, 2026-11-23 14:30, 23/11/2026, 2026-11-23",
    },
    "description": lambda ref: {
        "description": "what the reporter saw, in their own words (kept encrypted). Needed "
        "when no sign is ticked",
        "examples": ["Two boys of about 14 waiting by the toilets for an hour."],
    },
    "young": lambda ref: {
        "description": "true when the reporter is under 18 themselves: Childline is offered",
    },
    "consent": lambda ref: {
        "description": "what the team may do with the reporter's details: "
        + "; ".join(f"`{c.value}`: {c.label}" for c in Consent)
        + ". Anonymous (the default) means no name, phone or email",
    },
    "name": lambda ref: {"description": "the reporter's name (optional)"},
    "phone": lambda ref: {
        "description": "a phone number to reach the reporter (UK or +international)",
        "pattern": _blank_or(intake.PHONE.pattern),
        "examples": ["07700 900123"],
    },
    "email": lambda ref: {
        "description": "an email address to reach the reporter",
        "pattern": _blank_or(EMAIL_PATTERN),
        "examples": ["sam@example.com"],
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
        "description": "who the reporter is, if they choose to say: omit it (or null) to "
        "stay anonymous; to share details, a `consent` other than anonymous and a phone or "
        "an email",
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
        "description": "a report: the setting, whether a child is in danger, where (a "
        "postcode, a station or the place in words), and what was seen (signs or words)",
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


def _with_examples(operation: dict, requests: dict | None, responses: dict[str, dict]) -> dict:
    """The operation with its examples: the request's, and each response's by status."""
    if requests:
        operation["requestBody"]["content"]["application/json"]["examples"] = requests
    for status, named in responses.items():
        operation["responses"][status]["content"]["application/json"]["examples"] = named
    return operation


def _query(ref: Reference) -> list[dict]:
    """The parameters of GET /guidance, each described, with its value in each example."""
    sign = "(?:" + "|".join(ref.signs) + ")"
    flag = {"type": "string", "pattern": "^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])?$"}
    fields = intake.FIELDS_BY_NAME
    query = [
        ("sector", True, {"type": "string", "enum": list(ref.sectors)}, None),
        ("danger", False, flag, "true when a child is in danger right now (999 first)"),
        ("young", False, flag, "true when the reporter is under 18 (Childline is offered)"),
        (
            "signs",
            False,
            {"type": "string", "pattern": rf"^,*(?:{sign}(?:,+{sign})*)?,*$"},
            "the signs seen, as comma-separated ids (any setting's)",
        ),
        ("postcode", False, _field_schema(fields["postcode"], ref) | {"type": "string"}, None),
        ("station", False, {**_field_schema(fields["station"], ref), "type": "string"}, None),
        (
            "lang",
            False,
            {"type": "string"},
            "the language of the answer (one of "
            + ", ".join(offered_languages())
            + "); otherwise Accept-Language decides",
        ),
    ]
    examples = examples_of.guidance_queries()
    parameters = []
    for name, required, schema, description in query:
        if description is None:
            description = _FIELD_DOCS[name](ref)["description"]
        parameter = {"name": name, "in": "query", "required": required, "schema": schema}
        parameter["description"] = description
        if name in examples:
            parameter["examples"] = examples[name]
        parameters.append(parameter)
    return parameters


def _follow_up_paths() -> dict:
    paths = follow_up_api.paths(_response, _IDEMPOTENCY_KEY)
    _with_examples(
        paths["/follow-up"]["post"],
        examples_of.follow_up_requests(),
        examples_of.follow_up_responses(),
    )
    _with_examples(
        paths["/follow-up/sightings"]["post"],
        examples_of.sighting_requests(),
        examples_of.sighting_responses(),
    )
    return paths


def openapi_document(ref: Reference) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "LookCloser Reporter API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/guidance": {
                "get": _with_examples(
                    {
                        "summary": "Who to contact, and the region, for a situation",
                        "description": "What the reporter should do now, before or without "
                        "a report: the same guidance a report's 201 carries. Stores nothing.",
                        "parameters": _query(ref),
                        "responses": {
                            "200": _response("Guidance", "Guidance"),
                            "400": _response("Invalid query", "Errors"),
                            "429": _response("Too many requests; see Retry-After", "Problem"),
                        },
                    },
                    None,
                    examples_of.guidance_responses(),
                )
            },
            "/reports": {
                "post": _with_examples(
                    {
                        "summary": "Make a report",
                        "description": "Store a report and answer who to contact now. Send "
                        "`Content-Type: application/json`, an `Idempotency-Key` (a new random "
                        "one per report, the same on every retry) and, if the LookCloser team "
                        "gave you one, your API key as `Authorization: Bearer lck_...`. Show the "
                        "reporter the `guidance`, the `reference` and the `follow_up_code`.",
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
                    },
                    examples_of.report_requests(),
                    examples_of.report_responses(),
                )
            },
            **_follow_up_paths(),
        },
        "components": {
            "schemas": {"NewReport": new_report_schema(ref)}
            | answer_schemas(ref)
            | follow_up_api.schemas(ref),
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
