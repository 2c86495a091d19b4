"""The reporter's journey: choose a setting, fill in the form, be told what to do."""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_limiter.util import get_remote_address

from reporter.campaign import campaign_data
from reporter.codes import Consent
from reporter.errors import render_error, retry_after_seconds
from reporter.i18n import LANGUAGE_ARG, choose_language, offered
from reporter.models import utcnow
from reporter.public import bp
from reporter.public.entry import entry_presets, entry_site
from reporter.public.forms import ReportForm
from reporter.public.static_pages import static_page
from reporter.public.steps import carried_answers, oversized_answers
from reporter.report_posts import takes_reports
from reporter.routing import Decision, Facts
from reporter.services.reporting import follow_up, idempotency
from reporter.services.reporting.guidance import guidance_for, summary_for
from reporter.services.reporting.report_limits import Place
from reporter.services.reporting.reports import NewReport, new_reference
from reporter.services.reporting.submission import Sender, submit, through_partner
from reporter.templating import squeeze_html

log = logging.getLogger(__name__)
# A phone is often shared: the outcome (reference, place, the text to BTP) is for the sender,
# right after sending. A reload then is fine; a later visit, by anyone, finds the form.
OUTCOME_SHOWN_SECONDS = 5 * 60
OUTCOME = "last_report"  # the session's copy of what the outcome page shows
FOLLOW_UP_CODE = "follow_up_code"  # in OUTCOME until the outcome page has shown it once


def _form(**kwargs) -> ReportForm:
    return ReportForm(ref=campaign_data(), **kwargs)


def _render_form(form: ReportForm, status: int = 200, notice: str | None = None):
    sector = campaign_data().sectors[form.sector.data]
    html = render_template("public/report.html", form=form, sector=sector, notice=notice)
    return squeeze_html(html), status


def _idempotency_key(form: ReportForm) -> str:
    """The key the phone's script made (a hidden field the reporter cannot correct: a malformed
    one is dropped, not refused). Without a script there is none, and the same answers from the
    same address within one window are one report (a double tap): idempotency.without_script."""
    try:
        key = idempotency.check_key(form.idempotency_key.data)
    except idempotency.IntakeError:
        key = None
    return key or idempotency.without_script(time.time())


@bp.get("/")
def index():
    return report()


def _render_unsent(
    form: ReportForm,
    authorities,
    danger: bool,
    retry_after: int | None = None,
    too_large: bool = False,
):
    """The report was not stored (storage down, too many reports from this address, too much
    to take): who to call, and every answer kept so it can be sent again."""
    title = _("Your report was not sent")
    if too_large:
        explanation = _(
            "It was too long to send. Make the answer named below shorter, then send it again. "
            "If you need to, contact one of these now."
        )
    elif retry_after:
        explanation = _(
            "Too many reports have come from your internet connection. Please contact one of "
            "these now. Your answers are still below, so you can send them later."
        )
    else:
        explanation = _(
            "Our system is not working right now. Please contact one of these now. Your "
            "answers are still below, so you can try sending again later."
        )
    html = render_template(
        "public/unsaved.html",
        form=form,
        sector=campaign_data().sectors[form.sector.data],
        decision_authorities=authorities,
        danger=danger,
        title=title,
        explanation=explanation,
        retry_minutes=math.ceil(retry_after / 60) if retry_after else None,
    )
    if retry_after:
        return html, 429, {"Retry-After": str(retry_after)}
    return html, 413 if too_large else 503


def _unsent_authorities(form: ReportForm, danger: bool):
    if form.validate() and form.report is not None:
        return guidance_for(form.report.facts).authorities
    return guidance_for(Facts(sector=form.sector.data, danger=danger)).authorities


def render_limited_form(retry_after: int):
    """Every POST from this address is over the flood limit: keep the answers as for a report."""
    if request.form.get("sector") not in campaign_data().sectors:
        return None
    form = _form()
    danger = form.danger.data == "yes"
    return _render_unsent(form, _unsent_authorities(form, danger), danger, retry_after=retry_after)


@bp.errorhandler(413)
def too_large(_error):
    """A long paste: on the form, the answers stay and the long one is named, with who to call.
    Nothing is stored."""
    if request.endpoint == "public.report" and request.method == "POST":
        answers = oversized_answers()
        if answers is not None and answers.get("sector") in campaign_data().sectors:
            request.form = answers  # what the request sent, read back: the page's context reads it
            form = _form(formdata=answers)
            danger = form.danger.data == "yes"
            authorities = _unsent_authorities(form, danger)
            return _render_unsent(form, authorities, danger, too_large=True)
    return render_error(413)


@bp.route("/report", methods=["GET", "POST"])
@takes_reports(lambda: Sender.from_address(get_remote_address()))
def report(sender: Sender | None, place: Place | None):
    sectors = campaign_data().sectors
    # The form's own sector when posted: one in the address as well must not be read instead.
    sector = (request.form if request.method == "POST" else request.args).get("sector")
    if sector not in sectors:
        if request.method != "GET":
            return render_template("public/choose_sector.html")
        return static_page(
            lambda: render_template("public/choose_sector.html"), {LANGUAGE_ARG: offered()}
        )
    if request.method == "GET":
        # The same bytes for every visitor: no token, no key (the phone's script makes the
        # key; without a script, the answers make it: `_idempotency_key`).
        # The query arguments the page takes and the values it allows (None: any entry code).
        args = {"sector": sectors, LANGUAGE_ARG: offered(), "entry": None}
        # An entry link's site is looked up only when the page is rendered, not for every scan
        # of a poster whose page is kept.
        return static_page(
            lambda: _render_form(_form(data={"sector": sector, **entry_presets(entry_site())}))[0],
            args,
        )
    form = _form()

    if switch_to := request.form.get("switch_lang"):
        # Changing language mid-form: show the same answers in the new language, in a form
        # whose address now says it.
        choose_language(switch_to)
        refresh()
        return _render_form(form)
    if request.form.get("change_setting"):
        # Another setting, answers and all: the chooser carries them to the new form.
        return render_template("public/choose_sector.html", carried=carried_answers())
    if changed_from := request.form.get("changed_from"):
        return _render_changed_form(form, changed_from)
    if not form.validate():
        return _render_form(form)

    assert form.report is not None  # validate() built it
    new = through_partner(form.report, site=entry_site())
    if form.website.data:
        log.info("honeypot field filled: report not stored")
        # A bot sees what a person would, code and all; nothing is stored.
        outcome = _outcome_of(new, new_reference(), guidance_for(new.facts))
        return _render_outcome({**outcome, FOLLOW_UP_CODE: follow_up.new_code()})
    assert sender is not None and place is not None  # a POST's: takes_reports took them
    submitted = submit(
        new,
        sender,
        place,
        key=_idempotency_key(form),
        reused_key_is_new=True,
    )
    danger = new.facts.danger
    if submitted.report is None:
        authorities = submitted.decision.authorities
        return _render_unsent(form, authorities, danger, retry_after=submitted.retry_after)
    # What the outcome page shows travels in the (signed) session, so that it opens even when
    # the database does not answer just after the report was stored.
    outcome = _outcome_of(new, submitted.report.reference, submitted.decision)
    session[OUTCOME] = {**outcome, FOLLOW_UP_CODE: submitted.follow_up_code}
    return redirect(url_for("public.outcome"), code=303)


def _outcome_of(new: NewReport, reference_code: str, decision: Decision) -> dict:
    facts = new.facts
    return {
        "reference": reference_code,
        "postcode": facts.postcode,
        "station": facts.station,
        "place": new.place,
        "seen_at": (new.seen_at or utcnow()).isoformat(),
        "signs": sorted(facts.signs),
        "authorities": decision.authority_ids,
        "danger": facts.danger,
        "sector": facts.sector,
        "anonymous": new.consent == Consent.ANONYMOUS,
        "sent_at": int(time.time()),
        "language": new.language,
    }


def _render_outcome(outcome: dict):
    ref = campaign_data()
    ticked = set(outcome["signs"])
    summary = summary_for(
        outcome["reference"],
        postcode=outcome["postcode"],
        station_crs=outcome["station"],
        place=outcome["place"],
        seen_at=datetime.fromisoformat(outcome["seen_at"]),
        sign_ids=[s.id for s in ref.signs_for(outcome["sector"]) if s.id in ticked],
    )
    return render_template(
        "public/outcome.html",
        summary=summary,
        decision_authorities=[
            ref.authorities[a] for a in outcome["authorities"] if a in ref.authorities
        ],
        danger=outcome["danger"],
        anonymous=outcome["anonymous"],
        follow_up_code=outcome.get(FOLLOW_UP_CODE),
    )


def _render_changed_form(form: ReportForm, changed_from: str):
    """The new setting's form with every answer it also asks: its own signs only (the others
    have no box to go in), a station only where it asks for one."""
    if not form.asks_station:
        form.station.data = None
    sector = campaign_data().sectors[form.sector.data]
    html = render_template(
        "public/report.html", form=form, sector=sector, notice=None, changed_from=changed_from
    )
    return squeeze_html(html)


@bp.errorhandler(429)
def too_many_posts(error):
    """Over the flood limit: on the form, keep the answers as for a report, with who to call."""
    if request.endpoint == "public.report" and request.method == "POST":
        page = render_limited_form(retry_after_seconds(error))
        if page is not None:
            return page
    return render_error(429, error)


@bp.get("/report/done")
def outcome():
    """The outcome of the report this phone just sent, from the session (no database), for
    OUTCOME_SHOWN_SECONDS: a reload right after is fine; a later visit finds the form."""
    stored = session.get(OUTCOME)
    if not isinstance(stored, dict) or "reference" not in stored:
        return redirect(url_for("public.report", lang=None))
    if time.time() - stored.get("sent_at", 0) > OUTCOME_SHOWN_SECONDS:
        session.pop(OUTCOME, None)
        return redirect(url_for("public.report", lang=None))
    choose_language(stored.get("language"))
    page = _render_outcome(stored)
    if stored.get(FOLLOW_UP_CODE):
        # The follow-up code is shown once: the page opened again shows the rest without it.
        session[OUTCOME] = {k: v for k, v in stored.items() if k != FOLLOW_UP_CODE}
    return page
