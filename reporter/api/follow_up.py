"""Follow-up through the API, for partners' apps: with a report's reference and the follow-up
code from its 201, where the report is now, and "I saw them again" (a sighting, with who to
contact: 999 first when a child is in danger now). The same rules as the reporter's page
(services/reporting/follow_up.py): one answer for a wrong code and an unknown reference, and limits
on wrong attempts per address and per reference."""

from __future__ import annotations

from dataclasses import replace

from flask import jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from reporter.api import bp
from reporter.api.payload import PayloadErrors, read_json
from reporter.campaign import campaign_data
from reporter.codes import Status
from reporter.services.reporting import follow_up, idempotency, intake, sightings
from reporter.services.reporting.guidance import guidance_for
from reporter.services.reporting.sightings import NewSighting

FIELDS = ("reference", "code")
MAX_LENGTH = 64  # of each field: a reference or a code with spaces and dashes fits easily
CODE_PATTERN = follow_up.CODE_PATTERN


def _read(body, fields: tuple[str, ...] = FIELDS) -> dict[str, str]:
    if not isinstance(body, dict):
        raise PayloadErrors({"body": _("Send a JSON object.")})
    errors = {}
    for name in set(body) - set(fields):
        errors[name] = _("This field is not part of a follow-up.")
    for name in FIELDS:
        value = body.get(name)
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_LENGTH:
            errors[name] = _("Send the reference and the follow-up code, as text.")
    if errors:
        raise PayloadErrors(errors)
    return {name: body[name] for name in FIELDS}


def _opened(proved: dict):
    """The report that the reference and code open, or the answer that says they do not."""
    found = follow_up.look_up(proved["reference"], proved["code"], get_remote_address())
    return found.report, _refused(found)


def _refused(found: follow_up.LookUp):
    """The answer when the reference and code do not open a report."""
    if found.retry_after:
        message = _(
            "Follow-up is paused for this reference or this internet connection after too "
            "many wrong codes."
        )
        return (
            jsonify({"errors": {"follow_up": message}}),
            429,
            {"Retry-After": str(found.retry_after)},
        )
    if found.report is None:
        message = _(
            "We could not find a report with that reference and follow-up code. Check both "
            "and try again."
        )
        return jsonify({"errors": {"follow_up": message}}), 404
    return None


@bp.post("/follow-up")
def follow_up_status():
    try:
        sent = _read(read_json(request))
    except PayloadErrors as invalid:
        return jsonify({"errors": invalid.errors}), invalid.status
    report, refused = _opened(sent)
    if report is None:
        return refused
    return jsonify(
        {
            "reference": report.reference,
            "status": report.status,
            "status_text": follow_up.status_words(report),
        }
    )


SIGHTING_FIELDS = (*FIELDS, "danger", "same_place", "seen_at", "station", "postcode", "details")
# The sighting's text answers, read by the report's own intake rules (the JSON name: the
# intake field's), so a postcode, station or time is taken or refused as in a report.
SIGHTING_TEXT = {"seen_at": "seen_at", "station": "station", "postcode": "postcode"}
SIGHTING_TEXT["details"] = "description"


def _read_sighting(body, ref) -> tuple[dict[str, str], NewSighting]:
    errors: dict[str, str] = {}
    try:
        proved = _read(body, SIGHTING_FIELDS)
    except PayloadErrors as invalid:
        if "body" in invalid.errors:
            raise
        errors.update(invalid.errors)
        proved = {}
    danger, same_place = body.get("danger"), body.get("same_place")
    if not isinstance(danger, bool):
        errors["danger"] = _("Say if a child is in danger right now.")
    if same_place is not None and not isinstance(same_place, bool):
        errors["same_place"] = str(intake.TYPE_MESSAGES["bool"])
    raw = {field: body.get(name) for name, field in SIGHTING_TEXT.items()}
    clean: dict = {}
    try:
        clean = intake._read(raw, ref, tuple(SIGHTING_TEXT.values()), ())
    except intake.IntakeErrors as invalid:
        named = {field: name for name, field in SIGHTING_TEXT.items()}
        errors.update({named[field]: str(m) for field, m in invalid.errors.items()})
    placed = same_place is True or clean.get("station") or clean.get("postcode")
    if not errors and not placed:
        errors["station"] = _("Tell us where: a station, a postcode, or the same place as before.")
    if errors:
        raise PayloadErrors(errors)
    new = NewSighting(
        danger=bool(danger),
        seen_at=clean.get("seen_at"),
        same_place=same_place is True,
        postcode=clean.get("postcode"),
        station=clean.get("station"),
        details=clean.get("description"),
    )
    return proved, new


@bp.post("/follow-up/sightings")
def add_sighting():
    from reporter.api.routes import guidance_json  # routes imports this module's document

    try:
        body = read_json(request)
        key = idempotency.check_key(request.headers.get(idempotency.HEADER))
        proved, new = _read_sighting(body, campaign_data())
    except idempotency.IntakeError as invalid:
        return jsonify({"errors": {idempotency.HEADER: str(invalid.message)}}), 400
    except PayloadErrors as invalid:
        return jsonify({"errors": invalid.errors}), invalid.status
    report, refused = _opened(proved)
    if report is None:
        return refused
    sighting, again = sightings.record(report, replace(new, idempotency_key=key))
    facts = sightings.facts(report, sighting, new)
    answer = {
        "reference": report.reference,
        "again": again,
        "guidance": guidance_json(guidance_for(facts), facts),
    }
    return jsonify(answer), 200 if again else 201


def _object(description: str, required: list[str], properties: dict, **more) -> dict:
    """An object with only these properties; `more` adds rules across them."""
    return {
        "type": "object",
        "description": description,
        "required": required,
        "properties": properties,
        "additionalProperties": False,
        **more,
    }


def schemas(ref) -> dict:
    # The report's document module builds the field rules; it imports this one.
    from reporter.api.openapi import VISIBLE, _field_schema, _given

    text = {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH}
    reference = {"type": "string", "description": "the report's reference"}
    fields = intake.FIELDS_BY_NAME
    visible = {"type": "string", "pattern": VISIBLE}
    return {
        "NewSighting": _object(
            "I saw them again: a later sighting of the young people of a report. With danger "
            "true the guidance puts 999 first, and staff are alerted.",
            ["reference", "code", "danger"],
            {
                "reference": {**text, "description": "the report's reference, e.g. LC-7KQD-9PRA"},
                "code": {**text, "description": "the report's follow_up_code, from its 201"},
                "danger": {"type": "boolean", "description": "a child in danger right now"},
                "same_place": {
                    "type": ["boolean", "null"],
                    "description": "at the same place as the report",
                },
                **{
                    name: _field_schema(fields[field], ref) for name, field in SIGHTING_TEXT.items()
                },
                "details": {
                    **_field_schema(fields["description"], ref),
                    "description": "what is different this time, in the reporter's words",
                },
            },
            anyOf=[  # where: the same place, a station or a postcode
                {"required": ["same_place"], "properties": {"same_place": {"const": True}}},
                _given("station", visible),
                _given("postcode", visible),
            ],
        ),
        "SightingStored": _object(
            "the sighting is stored with the report",
            ["reference", "again", "guidance"],
            {
                "reference": reference,
                "again": {
                    "type": "boolean",
                    "description": "sent before under the same Idempotency-Key: stored once",
                },
                "guidance": {
                    "$ref": "#/components/schemas/Guidance",
                    "description": "who to contact now about this sighting",
                },
            },
        ),
        "FollowUpRequest": _object(
            "a report's reference and its follow-up code",
            list(FIELDS),
            {
                "reference": {**text, "description": "as given, e.g. LC-7KQD-9PRA"},
                "code": {
                    **text,
                    "description": "the follow_up_code of the 201; dashes, "
                    "spaces and case do not matter",
                },
            },
        ),
        "FollowUpStatus": _object(
            "where the report is now",
            ["reference", "status", "status_text"],
            {
                "reference": reference,
                "status": {
                    "enum": [s.value for s in Status],
                    "description": "the report's status code, for a program; show status_text",
                },
                "status_text": {
                    "type": "string",
                    "description": "where the report is, in the reporter's words",
                },
            },
        ),
    }


def paths(response, idempotency_key: dict) -> dict:
    refused = {
        "400": response("Invalid body or Idempotency-Key", "Errors"),
        "404": response(
            "No report has this reference with this code (the same answer for a wrong code "
            "and an unknown reference)",
            "Errors",
        ),
        "413": response("The body is over 64 KiB", "Problem"),
        "415": response("The body is not application/json", "Errors"),
        "429": {
            **response(
                "Too many wrong attempts from this address, or at this reference; "
                "Retry-After gives the seconds to wait",
                "Errors",
            ),
            "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
        },
    }
    return {
        "/follow-up/sightings": {
            "post": {
                "summary": "I saw them again: a sighting linked to a report",
                "parameters": [idempotency_key],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewSighting"}}
                    },
                },
                "responses": {
                    "201": response("Stored, with who to contact", "SightingStored"),
                    "200": response(
                        "Stored before under the same Idempotency-Key", "SightingStored"
                    ),
                    **refused,
                },
            }
        },
        "/follow-up": {
            "post": {
                "summary": "Where a report is now, with its reference and follow-up code",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/FollowUpRequest"}
                        }
                    },
                },
                "responses": {
                    "200": response("The report's status", "FollowUpStatus"),
                    "400": response("Invalid body", "Errors"),
                    "404": response(
                        "No report has this reference with this code (the same answer "
                        "for a wrong code and an unknown reference)",
                        "Errors",
                    ),
                    "413": response("The body is over 64 KiB", "Problem"),
                    "415": response("The body is not application/json", "Errors"),
                    "429": {
                        **response(
                            "Too many wrong attempts from this address, or at this "
                            "reference; Retry-After gives the seconds to wait",
                            "Errors",
                        ),
                        "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
                    },
                },
            }
        },
    }
