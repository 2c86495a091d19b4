"""JSON API for partners' apps: guidance for a situation, and reports."""

from __future__ import annotations

import json
from dataclasses import replace

from flask import current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from reporter.api import bp
from reporter.api.openapi import openapi_document
from reporter.api.payload import PayloadErrors, read_guidance_query, read_report
from reporter.extensions import limiter
from reporter.i18n import offered, select_locale
from reporter.public.routes import report_rate_limit
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


def _json_body():
    """The request's JSON object; PayloadErrors for anything that is not valid UTF-8 JSON."""
    try:
        return json.loads(request.get_data(cache=False).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PayloadErrors({"body": _("The request must be UTF-8 text.")}) from exc
    except ValueError as exc:
        raise PayloadErrors({"body": _("The request must be valid JSON.")}) from exc


def _language(body) -> str:
    chosen = body.get("language") if isinstance(body, dict) else None
    return chosen if chosen in offered() else select_locale()


@bp.post("/reports")
@limiter.shared_limit(report_rate_limit, scope="reports")
def create_report():
    try:
        body = _json_body()
    except PayloadErrors as invalid:
        return _errors(invalid.errors)
    language = _language(body)
    with force_locale(language):
        try:
            new = read_report(body, reference(), current_app.config["DESCRIPTION_MAX_LENGTH"])
        except PayloadErrors as invalid:
            return _errors(invalid.errors)
        decision = guidance_for(new.facts)
        guidance = guidance_json(decision)
        try:
            stored = submit_report(replace(new, language=language), decision)
        except StorageError:
            # Not stored, but the reporter must still be told who to contact.
            return jsonify(
                {"errors": {"storage": _("Your report was not saved.")}, "guidance": guidance}
            ), 503
    return jsonify({"reference": stored.reference, "guidance": guidance}), 201


@bp.get("/openapi.json")
def openapi():
    return openapi_document(reference())
