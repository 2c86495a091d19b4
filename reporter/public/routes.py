"""The reporter's journey: choose a setting, fill in the form, be told what to do."""

from __future__ import annotations

import logging

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh

from reporter.extensions import limiter
from reporter.i18n import remember_choice
from reporter.public import bp
from reporter.public.entry import entry_presets, entry_site, through_site
from reporter.public.forms import ReportForm
from reporter.services.guidance import guidance_for, reference
from reporter.services.reports import (
    StorageError,
    decrypt_field,
    find_report,
    new_reference,
    submit_report,
)

log = logging.getLogger(__name__)


def report_rate_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


def _form(**kwargs) -> ReportForm:
    return ReportForm(ref=reference(), **kwargs)


def _render_form(form: ReportForm, status: int = 200, notice: str | None = None):
    sector = reference().sectors[form.sector.data]
    return render_template("public/report.html", form=form, sector=sector, notice=notice), status


@bp.get("/")
def index():
    return report()


@bp.route("/report", methods=["GET", "POST"])
@limiter.shared_limit(report_rate_limit, scope="reports", methods=["POST"])
def report():
    sector = request.values.get("sector")
    if sector not in reference().sectors:
        return render_template("public/choose_sector.html")
    presets = entry_presets(entry_site())
    form = _form(data={"sector": sector, **presets}) if request.method == "GET" else _form()
    if request.method == "GET":
        return _render_form(form)

    if switch_to := request.form.get("switch_lang"):
        # Changing language mid-form: show the same answers in the new language.
        remember_choice(switch_to)
        refresh()
        return _render_form(form)
    if not form.validate():
        return _render_form(form)

    new = through_site(form.report, entry_site())
    facts = new.facts
    decision = guidance_for(facts)
    if form.website.data:
        log.info("honeypot field filled: report not stored")
        return render_template(
            "public/outcome.html",
            reference=new_reference(),
            decision_authorities=decision.authorities,
            where=None,
            seen_at=None,
            danger=facts.danger,
        )
    try:
        stored = submit_report(new, decision)
    except StorageError:
        return render_template(
            "public/unsaved.html",
            form=form,
            sector=reference().sectors[facts.sector],
            decision_authorities=decision.authorities,
            danger=facts.danger,
        ), 503
    session["last_report"] = stored.reference
    return redirect(url_for("public.outcome"), code=303)


def render_expired_form():
    """The CSRF token expired or was missing: keep every answer and ask to send again."""
    if request.form.get("sector") not in reference().sectors:
        return render_template("public/choose_sector.html"), 400
    form = _form()
    notice = _("This page was open for a long time. Check your answers and send them again.")
    return _render_form(form, status=400, notice=notice)


@bp.get("/report/done")
def outcome():
    reference_code = session.get("last_report")
    stored = find_report(reference_code) if reference_code else None
    if stored is None:
        return redirect(url_for("public.report"))
    ref = reference()
    where = None
    if stored.station_crs in ref.stations:
        where = ref.stations[stored.station_crs].name
    else:
        where = decrypt_field(stored, "postcode") or decrypt_field(stored, "place")
    return render_template(
        "public/outcome.html",
        reference=stored.reference,
        decision_authorities=[ref.authorities[a] for a in stored.authorities],
        where=where,
        seen_at=stored.seen_at or stored.created_at,
        danger=stored.danger,
    )
