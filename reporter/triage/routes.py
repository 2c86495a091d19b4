"""The queue, a report, and the actions on it. Views are thin: read a form, call a service,
redirect. A report the user may not see is a 404 before anything else is looked at."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from reporter.campaign import campaign_data
from reporter.codes import LinkState
from reporter.models import Report, StaffUser
from reporter.reference import Reference
from reporter.services.accounts import audit
from reporter.services.accounts.access import (
    assignable_staff,
    can_see,
    visible_report,
)
from reporter.services.casework import links, questions, triage
from reporter.services.casework.queue import Cursor, queue_page, queue_places, related_reports
from reporter.services.reporting import sightings
from reporter.triage import bp
from reporter.triage.auth import current_staff
from reporter.triage.common import (
    add_error,
    audited_page,
    filter_args,
    queue_filter,
    queue_form,
)
from reporter.triage.forms import (
    AssignForm,
    CloseForm,
    EmptyForm,
    HoldForm,
    LiftHoldForm,
    LinkForm,
    NoteForm,
    QuestionForm,
    ReferForm,
    ReopenForm,
    RerouteForm,
    choices,
)


@bp.route("/", methods=["GET", "POST"])
def queue():
    staff = current_staff()
    ref = campaign_data()
    form = queue_form(staff, ref)
    chosen = queue_filter(form, staff)
    args = filter_args(form)
    if request.method == "POST" and not chosen.search and not form.errors:
        # Nothing to keep out of the address: show the filters as an ordinary page.
        return redirect(url_for("triage.queue", **args), code=303)
    source = request.form if request.method == "POST" else request.args
    after = Cursor.decode(source.get("after"))
    rows, next_cursor = queue_page(staff, chosen, ref, after)
    return audited_page(
        "triage/queue.html",
        "queue_viewed",
        actor=staff,
        audit_detail={**chosen.describe(), "later_page": bool(after)},
        form=form,
        rows=rows,
        places=queue_places(rows, ref),
        seen_again=sightings.counts([row.id for row in rows]),
        show_regions=len(form.region.choices) > 2,
        filters=args,
        search=chosen.search,
        next_after=next_cursor.encode() if next_cursor else None,
        later_page=bool(after),
    )


def _action_forms(report: Report, ref: Reference, failed: FlaskForm | None) -> dict[str, FlaskForm]:
    """Every form of the report page, unbound, except the one that failed (kept with errors)."""
    forms = {
        "triaged": EmptyForm(formdata=None),
        "refer": ReferForm(formdata=None),
        "close": CloseForm(formdata=None),
        "reopen": ReopenForm(formdata=None),
        "hold": HoldForm(formdata=None),
        "lift": LiftHoldForm(formdata=None),
        "assign": AssignForm(formdata=None, assignee=str(report.assigned_to_id or "")),
        "note": NoteForm(formdata=None),
        "question": QuestionForm(formdata=None),
        "reroute": RerouteForm(formdata=None),
    }
    for name, form in forms.items():
        if type(failed) is type(form):
            forms[name] = failed
    _fill_choices(forms["assign"], report, ref)
    _fill_choices(forms["reroute"], report, ref)
    return forms


def _fill_choices(form: FlaskForm, report: Report, ref: Reference) -> None:
    if isinstance(form, AssignForm):
        people = [(str(u.id), u.label) for u in assignable_staff(report)]
        form.assignee.choices = choices([("", "Nobody (unassigned)"), *people])
    elif isinstance(form, RerouteForm):
        targets = triage.reroute_targets(report, ref)
        form.queue.choices = choices([("", "Choose a region"), *targets])


def _render_report(report: Report, failed: FlaskForm | None = None, problem=None, status=200):
    staff = current_staff()
    ref = campaign_data()
    page = render_template(
        "triage/report.html",
        detail=triage.report_detail(report, ref),
        related=related_reports(staff, report),
        timeline=triage.timeline(report, ref),
        forms=_action_forms(report, ref, failed),
        failed=failed,
        problem=problem,
        next_statuses=triage.TRANSITIONS.get(report.status, ()),
        agencies=triage.AGENCIES,
        can_ask_reporter=questions.can_ask(report),
        link_window=(window := links.window_days(request.args.get("window"))),
        link_windows=links.WINDOW_DAYS,
        link_offers=links.offers(staff, report, window),
        linked_reports=links.decided(staff, report, LinkState.LINKED),
        dismissed_reports=links.decided(staff, report, LinkState.DISMISSED),
    )
    audit.viewed("report_viewed", actor=staff, report=report)
    return page, status


@bp.get("/reports/<reference>")
def report(reference: str):
    return _render_report(visible_report(current_staff(), reference))


def _act(reference: str, form: FlaskForm, do, done: str | Callable[[FlaskForm], str]):
    """Run an action from a posted form: the report is found (or 404) before the form is read."""
    staff = current_staff()
    found = visible_report(staff, reference)
    _fill_choices(form, found, campaign_data())
    if form.validate_on_submit():
        try:
            do(found, staff, form)
        except triage.WorkflowError as refused:
            fields = [f for f in form if f.name != "csrf_token"]
            if fields:
                add_error(fields[0], str(refused))
                return _render_report(found, failed=form, status=400)
            return _render_report(found, problem=str(refused), status=409)
        flash(done if isinstance(done, str) else done(form))
        if not can_see(staff, found):
            return redirect(url_for("triage.queue"), code=303)
        return redirect(url_for("triage.report", reference=found.reference), code=303)
    return _render_report(found, failed=form, status=400)


def action(path: str, form: type[FlaskForm], done: str | Callable[[FlaskForm], str], guard=None):
    """Make `do(report, staff, form)` the action POSTed to /reports/<reference>/<path>, under
    the function's name as its endpoint; `guard` (such as admin_only) wraps the view."""

    def register(do: Callable[[Report, StaffUser, FlaskForm], None]):
        def view(reference: str):
            return _act(reference, form(), do, done)

        bp.add_url_rule(
            f"/reports/<reference>/{path}",
            do.__name__,
            guard(view) if guard else view,
            methods=["POST"],
        )
        return do

    return register


@action("triaged", EmptyForm, "The report is triaged.")
def mark_triaged(r: Report, staff: StaffUser, _form: EmptyForm) -> None:
    triage.mark_triaged(r, staff)


@action("refer", ReferForm, "The referral is recorded.")
def refer(r: Report, staff: StaffUser, form: ReferForm) -> None:
    triage.refer(r, staff, form.agency.data, form.their_reference.data)


@action("close", CloseForm, "The report is closed.")
def close(r: Report, staff: StaffUser, form: CloseForm) -> None:
    triage.close(r, staff, form.close_reason.data)


@action("reopen", ReopenForm, "The report is open again.")
def reopen(r: Report, staff: StaffUser, form: ReopenForm) -> None:
    triage.reopen(r, staff, form.reopen_reason.data)


@action("assign", AssignForm, "The assignment is saved.")
def assign(r: Report, staff: StaffUser, form: AssignForm) -> None:
    chosen = form.assignee.data
    triage.assign(r, staff, int(chosen) if chosen else None)


@action("notes", NoteForm, "The note is added.")
def add_note(r: Report, staff: StaffUser, form: NoteForm) -> None:
    triage.add_note(r, staff, form.note.data)


@action("reroute", RerouteForm, "The report is moved to another queue.")
def reroute(r: Report, staff: StaffUser, form: RerouteForm) -> None:
    triage.reroute(r, staff, form.queue.data, form.reroute_reason.data, campaign_data())


@action(
    "question", QuestionForm, "The question is saved. The reporter sees it when they follow up."
)
def ask_question(r: Report, staff: StaffUser, form: QuestionForm) -> None:
    try:
        questions.ask(r, staff, form.question.data)
    except questions.QuestionError as refused:
        raise triage.WorkflowError(str(refused)) from refused


LINK_DONE = {
    "link": "The reports are linked.",
    "dismiss": "The reports are marked as not the same young people.",
    "undo": "The decision is undone: the reports are offered again.",
}


@action("links", LinkForm, lambda form: LINK_DONE.get(form.decision.data, ""))
def link_reports(r: Report, staff: StaffUser, form: LinkForm) -> None:
    other = visible_report(staff, form.other.data) if form.other.data else None
    try:
        links.decide(staff, r, other, form.decision.data)
    except links.LinkError as refused:
        raise triage.WorkflowError(str(refused)) from refused
