"""Reading the JSON API's input: a strict JSON reader, and the body and query string turned
into the raw answers of the intake schema (`services/reporting/intake.py`), which checks them
exactly as it checks the form's.

The reader refuses, with 400 and a message, what Python's json module would let through but
the app cannot use: duplicate keys, lone surrogates ("\\ud800", not text), NaN and Infinity
(not JSON), numbers of more than 100 digits, and nesting deeper than Python can parse. A body
that is not `application/json` gets 415. NUL and other control characters inside text are
removed by the intake schema, as for the form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from flask import Request
from flask_babel import lazy_gettext as _l

from reporter.reference import Reference
from reporter.routing import Facts
from reporter.services.reporting import intake

CONTACT = "contact"
LANGUAGE = "language"
MAX_NUMBER_DIGITS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")
GUIDANCE_FIELDS = ("sector", "signs", "danger", "postcode", "station", "young")
GUIDANCE_FLAGS = ("danger", "young")
GUIDANCE_LANGUAGE = "lang"  # as on every page: the language of the answer


class PayloadErrors(Exception):
    def __init__(self, errors: dict[str, str], status: int = 400):
        super().__init__("invalid payload")
        self.errors = errors
        self.status = status


class _Refused(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(_l("Each field may appear only once."))
        result[key] = value
    return result


def _number(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _Refused(_l("The JSON is nested too deeply or has a number that is too large."))
    return int(text)


def _not_json(name: str):
    raise _Refused(_l("The request must be valid JSON."))


def _has_surrogates(value: Any) -> bool:
    """True when a key or text anywhere in the parsed value holds a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def read_json(request: Request) -> Any:
    """The request's JSON value, or PayloadErrors (415 for a body that is not JSON)."""
    if request.mimetype != "application/json":
        raise PayloadErrors(
            {"body": str(_l("Send the report as JSON, with Content-Type: application/json."))},
            status=415,
        )
    try:
        text = request.get_data(cache=False).decode("utf-8")
        value = json.loads(
            text, object_pairs_hook=_object, parse_int=_number, parse_constant=_not_json
        )
    except UnicodeDecodeError as exc:
        raise PayloadErrors({"body": str(_l("The request must be UTF-8 text."))}) from exc
    except _Refused as exc:
        raise PayloadErrors({"body": str(exc.message)}) from exc
    except RecursionError as exc:
        message = _l("The JSON is nested too deeply or has a number that is too large.")
        raise PayloadErrors({"body": str(message)}) from exc
    except ValueError as exc:
        raise PayloadErrors({"body": str(_l("The request must be valid JSON."))}) from exc
    if _has_surrogates(value):
        raise PayloadErrors({"body": str(_l("The request must be UTF-8 text."))})
    return value


def language_of(body: Any) -> Any:
    return body.get(LANGUAGE) if isinstance(body, dict) else None


def _flatten(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The intake schema's raw answers by field name from the nested body, and the errors of
    its shape: unknown keys, a contact that is not an object, a language that is not text."""
    errors: dict[str, str] = {}
    contact = body.get(CONTACT)
    if contact is None:
        contact = {}
    elif not isinstance(contact, dict):
        errors[CONTACT] = str(_l("Contact must have only consent, name, phone and email."))
        contact = {}
    raw: dict[str, Any] = {}
    known = {CONTACT, LANGUAGE}
    known_in_contact = set()
    for spec in intake.FIELDS:
        if spec.key.startswith(CONTACT + "."):
            name = spec.key.split(".", 1)[1]
            known_in_contact.add(name)
            raw[spec.name] = contact.get(name)
        else:
            known.add(spec.key)
            raw[spec.name] = body.get(spec.key)
    for unknown in sorted(set(body) - known):
        errors[unknown] = str(_l("This field is not part of a report."))
    for unknown in sorted(set(contact) - known_in_contact):
        errors[f"{CONTACT}.{unknown}"] = str(_l("This field is not part of a report."))
    language = body.get(LANGUAGE)
    if language is not None and not isinstance(language, str):
        errors[LANGUAGE] = str(intake.TYPE_MESSAGES["text"])
    return raw, errors


def read_report(body: Any, ref: Reference, **extra: Any) -> intake.NewReport:
    """A new report from a parsed JSON body, or PayloadErrors naming every field that is wrong."""
    if not isinstance(body, dict):
        raise PayloadErrors({"body": str(_l("Send a JSON object."))})
    raw, errors = _flatten(body)
    try:
        new = intake.read_report(raw, ref, **extra)
    except intake.IntakeErrors as invalid:
        errors = {**invalid.api_errors, **errors}
    if errors:
        raise PayloadErrors(errors)
    return new


def read_guidance_query(args: Mapping[str, str], ref: Reference) -> Facts:
    """The facts for GET /guidance from its query string: `signs` comma-separated, `danger`
    and `young` "true" or "false" (any case)."""
    if unknown := sorted(set(args) - set(GUIDANCE_FIELDS) - {GUIDANCE_LANGUAGE}):
        message = str(_l("This field is not part of a report."))
        raise PayloadErrors(dict.fromkeys(unknown, message))
    raw: dict[str, Any] = {name: args.get(name) for name in GUIDANCE_FIELDS}
    raw["signs"] = [s for s in (raw["signs"] or "").split(",") if s]
    for flag in GUIDANCE_FLAGS:
        value = raw[flag]
        raw[flag] = {"true": True, "false": False}.get(value.lower(), value) if value else False
    try:
        return intake.read_facts(raw, ref, GUIDANCE_FIELDS)
    except intake.IntakeErrors as invalid:
        raise PayloadErrors(invalid.api_errors) from invalid
