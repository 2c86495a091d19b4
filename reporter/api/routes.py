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
from reporter.campaign import campaign_data
from reporter.codes import Priority
from reporter.i18n import offered, select_locale
from reporter.reference.stations import StationMatch
from reporter.report_posts import takes_reports
from reporter.routing import Decision, Facts
from reporter.services.reporting import idempotency
from reporter.services.reporting.guidance import guidance_for, local_to
from reporter.services.reporting.report_limits import Place
from reporter.services.reporting.submission import Sender, submit, through_partner


def guidance_json(decision: Decision, facts: Facts) -> dict:
    """Who to contact for the situation `facts` tell, and who covers its place by name (as the
    outcome page names them): the police force and the council."""
    region = decision.region
    local = local_to(postcode=facts.postcode, station_crs=facts.station)
    force = local.force
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
        "police_force": {"id": force.id, "name": force.name} if force else None,
        "council": {"name": local.council} if local.council else None,
    }


def _errors(errors: dict[str, str], status: int = 400):
    return jsonify({"errors": errors}), status


@bp.get("/guidance")
def guidance():
    try:
        facts = read_guidance_query(request.args, campaign_data())
    except PayloadErrors as invalid:
        return _errors(invalid.errors)
    return guidance_json(guidance_for(facts), facts)


def _language(chosen) -> str:
    return chosen if chosen in offered() else select_locale()


@bp.post("/reports")
@takes_reports(lambda: keys.sender(keys.key_or_none()))
def create_report(sender: Sender, place: Place):
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
        new = through_partner(new, partner=partner_key.partner if partner_key else None)
        submitted = submit(new, sender, place, key=key)
        guidance = guidance_json(submitted.decision, new.facts)
        if submitted.retry_after:
            message = _("Too many reports from your internet connection")
            body = {"errors": {"rate_limit": message}, "guidance": guidance}
            return jsonify(body), 429, {"Retry-After": str(submitted.retry_after)}
        if submitted.unavailable:
            # Not stored, but the reporter must still be told who to contact.
            return jsonify(
                {"errors": {"storage": _("Your report was not saved.")}, "guidance": guidance}
            ), 503
        if submitted.key_reused:
            message = _(
                "This Idempotency-Key was already used for a different report. Send each new "
                "report with a new key, and a retry with the same key and the same body."
            )
            return jsonify({"errors": {idempotency.HEADER: message}, "guidance": guidance}), 422
        assert submitted.report is not None
        answer = {
            "reference": submitted.report.reference,
            "guidance": guidance,
            "follow_up_code": submitted.follow_up_code,
        }
        answer.update(station_json(new.station_match))
    return jsonify(answer), 201


def station_json(match: StationMatch | None) -> dict:
    """What became of the station sent: the station it settled on, with the others it may
    be; or, when it settled on none, `place_unclear`: it was kept as the place, routed by
    what else the report says, with the stations it may be."""
    if match is None:
        return {}
    offered = [{"crs": s.crs, "name": s.name} for s in match.candidates]
    if match.station is not None:
        station = {"crs": match.station.crs, "name": match.station.name}
        return {"station": {**station, "did_you_mean": offered}}
    message = _(
        "We could not tell which station this is, so we kept it as the place. The report "
        "is stored and will reach the team."
    )
    unclear = {"message": message, "station_as_typed": match.typed, "candidates": offered}
    return {"place_unclear": unclear}


@bp.get("/openapi.json")
def openapi():
    return openapi_document(campaign_data())
