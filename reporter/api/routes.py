"""JSON API for partners' apps: guidance for a situation, and reports."""

from __future__ import annotations

from dataclasses import replace

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
from reporter.campaign import campaign_data
from reporter.codes import Priority
from reporter.i18n import offered, select_locale
from reporter.routing import Decision
from reporter.services import idempotency
from reporter.services.guidance import guidance_for
from reporter.services.report_limits import count_stored_report, seconds_until_allowed
from reporter.services.reports import StorageError, decision_of, submit_report


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
                "when": _(a.when_for(decision.priority == Priority.URGENT)),  # urgent: in danger
            }
            for a in decision.authorities
        ],
    }


def _errors(errors: dict[str, str], status: int = 400):
    return jsonify({"errors": errors}), status


@bp.get("/guidance")
def guidance():
    try:
        facts = read_guidance_query(request.args, campaign_data())
    except PayloadErrors as invalid:
        return _errors(invalid.errors)
    return guidance_json(guidance_for(facts))


def _language(chosen) -> str:
    return chosen if chosen in offered() else select_locale()


@bp.post("/reports")
def create_report():
    try:
        partner_key = keys.request_key()
    except keys.KeyRejected:
        return keys.unauthorized()
    try:
        body = read_json(request)
    except PayloadErrors as invalid:
        return _errors(invalid.errors, invalid.status)
    language = _language(language_of(body))
    with force_locale(language):
        try:
            key = idempotency.check_key(request.headers.get(idempotency.HEADER))
            new = read_report(body, campaign_data(), language=language, source="api")
        except idempotency.IntakeError as invalid:
            return _errors({idempotency.HEADER: str(invalid.message)})
        except PayloadErrors as invalid:
            return _errors(invalid.errors)
        new = keys.with_key(new, partner_key)
        decision = guidance_for(new.facts)
        guidance = guidance_json(decision)
        # A live partner key has an allowance of its own; without one, the client address's.
        allowance = {"key": keys.report_limit_key(), "limits": keys.report_limit()}
        if retry_after := seconds_until_allowed(**allowance):
            message = _("Too many reports from your internet connection")
            body = {"errors": {"rate_limit": message}, "guidance": guidance}
            return jsonify(body), 429, {"Retry-After": str(retry_after)}
        try:
            stored = submit_report(replace(new, idempotency_key=key), decision)
        except StorageError:
            # Not stored, but the reporter must still be told who to contact.
            return jsonify(
                {"errors": {"storage": _("Your report was not saved.")}, "guidance": guidance}
            ), 503
        # Sent again with the same key: the same answer as the first time.
        guidance = guidance_json(decision_of(stored))
    count_stored_report(**allowance)
    return jsonify({"reference": stored.reference, "guidance": guidance}), 201


@bp.get("/openapi.json")
def openapi():
    return openapi_document(campaign_data())
