"""JSON API for partners' apps: guidance for a situation, and reports."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from reporter.api import bp, keys
from reporter.api.openapi import openapi_document
from reporter.api.payload import (
    PayloadErrors,
    language_of,
    read_guidance_query,
    read_json,
    read_report,
)
from reporter.extensions import limiter
from reporter.i18n import offered, select_locale
from reporter.routing import Decision
from reporter.services.guidance import guidance_for, reference
from reporter.services.reports import StorageError, submit_report


def guidance_json(decision: Decision) -> dict:
    region = decision.region
    return {
        "region": {"id": region.id, "name": _(region.name)} if region else None,
        "priority": decision.priority,
        "authorities": [
            {
                "id": a.id,
                "name": _(a.name),
                "phone": a.phone,
                "sms": a.sms,
                "link": a.link,
                "when": _(a.when),
            }
            for a in decision.authorities
        ],
    }


def _errors(errors: dict[str, str], status: int = 400):
    return jsonify({"errors": errors}), status


@bp.get("/guidance")
def guidance():
    try:
        facts = read_guidance_query(request.args, reference())
    except PayloadErrors as invalid:
        return _errors(invalid.errors)
    return guidance_json(guidance_for(facts))


def _language(chosen) -> str:
    return chosen if chosen in offered() else select_locale()


@bp.post("/reports")
@limiter.shared_limit(keys.report_limit, scope="reports", key_func=keys.report_limit_key)
def create_report():
    try:
        key = keys.request_key()
    except keys.KeyRejected:
        return keys.unauthorized()
    try:
        body = read_json(request)
    except PayloadErrors as invalid:
        return _errors(invalid.errors, invalid.status)
    language = _language(language_of(body))
    with force_locale(language):
        try:
            new = read_report(body, reference(), language=language, source="api")
        except PayloadErrors as invalid:
            return _errors(invalid.errors)
        new = keys.with_key(new, key)
        decision = guidance_for(new.facts)
        guidance = guidance_json(decision)
        try:
            stored = submit_report(new, decision)
        except StorageError:
            # Not stored, but the reporter must still be told who to contact.
            return jsonify(
                {"errors": {"storage": _("Your report was not saved.")}, "guidance": guidance}
            ), 503
    return jsonify({"reference": stored.reference, "guidance": guidance}), 201


@bp.get("/openapi.json")
def openapi():
    return openapi_document(reference())
