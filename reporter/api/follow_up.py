"""Follow-up through the API, for partners' apps: with a report's reference and the follow-up
code from its 201, where the report is now. The same rules as the reporter's page
(services/follow_up.py): one answer for a wrong code and an unknown reference, and limits on
wrong attempts per address and per reference."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from reporter.api import bp
from reporter.api.payload import PayloadErrors, read_json
from reporter.codes import Status
from reporter.services import follow_up

FIELDS = ("reference", "code")
MAX_LENGTH = 64  # of each field: a reference or a code with spaces and dashes fits easily
CODE_PATTERN = follow_up.CODE_PATTERN


def _read(body) -> dict[str, str]:
    if not isinstance(body, dict):
        raise PayloadErrors({"body": _("Send a JSON object.")})
    errors = {}
    for name in set(body) - set(FIELDS):
        errors[name] = _("This field is not part of a follow-up.")
    for name in FIELDS:
        value = body.get(name)
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_LENGTH:
            errors[name] = _("Send the reference and the follow-up code, as text.")
    if errors:
        raise PayloadErrors(errors)
    return {name: body[name] for name in FIELDS}


@bp.post("/follow-up")
def follow_up_status():
    try:
        sent = _read(read_json(request))
    except PayloadErrors as invalid:
        return jsonify({"errors": invalid.errors}), invalid.status
    found = follow_up.look_up(sent["reference"], sent["code"], get_remote_address())
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
    report = found.report
    return jsonify(
        {
            "reference": report.reference,
            "status": report.status,
            "status_text": follow_up.status_words(report),
        }
    )


def schemas() -> dict:
    text = {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH}
    return {
        "FollowUpRequest": {
            "type": "object",
            "required": list(FIELDS),
            "properties": {
                "reference": {**text, "description": "as given, e.g. LC-7KQD-9PRA"},
                "code": {
                    **text,
                    "description": "the follow_up_code of the 201; dashes, "
                    "spaces and case do not matter",
                },
            },
            "additionalProperties": False,
        },
        "FollowUpStatus": {
            "type": "object",
            "required": ["reference", "status", "status_text"],
            "properties": {
                "reference": {"type": "string"},
                "status": {"enum": [s.value for s in Status]},
                "status_text": {
                    "type": "string",
                    "description": "where the report is, in the reporter's words",
                },
            },
            "additionalProperties": False,
        },
    }


def paths(response) -> dict:
    return {
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
        }
    }
