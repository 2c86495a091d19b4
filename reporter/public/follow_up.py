"""Follow up a report: with its reference and follow-up code, the reporter sees where it is,
tells the team they saw the young people again, and answers the officer's question.

A wrong code and an unknown reference get the same page; too many wrong attempts from one
address, or at one reference, get the same "try again later" (services/reporting/follow_up.py).
Every send proves the reference and code again: they travel as hidden fields of the page.
"""

from __future__ import annotations

import math
from contextlib import suppress

from flask import redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from reporter.campaign import campaign_data
from reporter.models import Report
from reporter.public import bp
from reporter.public.follow_up_forms import AnswerForm, ProvedForm, SightingForm
from reporter.services.casework import questions
from reporter.services.reporting import follow_up, idempotency, sightings

SIGHTING_SENT = "sighting_sent"  # in the session: what the thanks page says
NOT_FOUND = _l(
    "We could not find a report with that reference and follow-up code. Check both and try again."
)


class FollowUpForm(FlaskForm):
    class Meta:
        csrf = False  # as every public form: public/cross_origin.py

    reference = StringField(
        _l("Your reference"), validators=[InputRequired(_l("Enter the reference of your report."))]
    )
    code = StringField(
        _l("Follow-up code"), validators=[InputRequired(_l("Enter your follow-up code."))]
    )


def _no_store(page: str, status: int = 200, headers: dict | None = None):
    """A report's status is for whoever holds the code: no cache keeps it."""
    return page, status, {"Cache-Control": "no-store", **(headers or {})}


def _ask_again(form: FlaskForm, retry_after: int | None = None):
    """The follow-up page again: the code was wrong (or the reference unknown), or there were
    too many tries."""
    if retry_after:
        page = render_template(
            "public/follow_up.html", form=form, retry_minutes=math.ceil(retry_after / 60)
        )
        return _no_store(page, 429, {"Retry-After": str(retry_after)})
    form.code.errors = [NOT_FOUND]
    form.code.data = ""
    return _no_store(render_template("public/follow_up.html", form=form))


def _proved(form: ProvedForm):
    """The report whose reference and code the form carries, or the page that says why not."""
    found = follow_up.look_up(form.reference.data or "", form.code.data or "", get_remote_address())
    if found.report is None:
        asked = FollowUpForm(formdata=None, reference=form.reference.data)
        return None, _ask_again(asked, found.retry_after)
    return found.report, None


def _status_page(report: Report, code: str, *, sighting=None, answer=None):
    proved = {"reference": report.reference, "code": code}
    question = questions.waiting(report)
    if answer is None and question is not None:
        answer = AnswerForm(formdata=None, question_id=str(question.id), **proved)
    sighting = sighting or SightingForm(
        formdata=None, ref=campaign_data(), idempotency_key=idempotency.new_key(), **proved
    )
    page = render_template(
        "public/follow_up_status.html",
        report=report,
        status_words=follow_up.status_words(report),
        question=questions.text_of(report, question, "question") if question else None,
        answer_form=answer if question else None,
        sighting_form=sighting,
        sector=campaign_data().sectors.get(report.sector),
    )
    return _no_store(page)


@bp.route("/follow-up", methods=["GET", "POST"])
def follow_up_report():
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _no_store(render_template("public/follow_up.html", form=form))
    found = follow_up.look_up(form.reference.data, form.code.data, get_remote_address())
    if found.report is None:
        return _ask_again(form, found.retry_after)
    return _status_page(found.report, form.code.data)


@bp.post("/follow-up/seen-again")
def seen_again():
    form = SightingForm(ref=campaign_data())
    report, refused = _proved(form)
    if report is None:
        return refused
    if not form.validate():
        return _status_page(report, form.code.data, sighting=form)
    assert form.sighting is not None  # validate() built it
    sighting, _again = sightings.record(report, form.sighting)
    # Post/redirect/get, as a report does: the phone's outbox knows a sighting went by where
    # the answer lands (templates/offline/sw.js).
    session[SIGHTING_SENT] = {"danger": sighting.danger}
    return redirect(url_for("public.sighting_sent"), code=303)


@bp.get("/follow-up/thanks")
def sighting_sent():
    sent = session.get(SIGHTING_SENT)
    if not isinstance(sent, dict):
        return redirect(url_for("public.follow_up_report"))
    page = render_template("public/follow_up_done.html", danger=sent.get("danger"), sighting=True)
    return _no_store(page)


@bp.post("/follow-up/answer")
def answer_question():
    form = AnswerForm()
    report, refused = _proved(form)
    if report is None:
        return refused
    if form.validate():
        question_id = form.question_id.data
        # Answered already (sent twice), or no longer waiting: thanked all the same.
        with suppress(questions.QuestionError):
            questions.answer(
                report, int(question_id) if question_id.isdigit() else None, form.answer.data
            )
        page = render_template("public/follow_up_done.html", danger=False, sighting=False)
        return _no_store(page)
    return _status_page(report, form.code.data, answer=form)
