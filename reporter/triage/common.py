"""What several staff pages share: UK dates in and out, the queue's filters and region choices,
errors on form fields (a service's refusal among them), audited pages, the layout's filters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, NotFound
from wtforms import Field, Form

from reporter.codes import NATIONAL_QUEUE, NATIONAL_QUEUE_LABEL
from reporter.models import StaffUser
from reporter.reference import Reference
from reporter.services.accounts import audit
from reporter.services.accounts.access import sees_every_queue
from reporter.services.casework.queue import QueueFilter
from reporter.services.partnerships.partners import all_partners
from reporter.triage import bp
from reporter.triage.forms import QueueFilterForm
from reporter.uktime import in_uk, uk_midnight

FIRST_YEAR, LAST_YEAR = 1900, 9000


def uk_time(moment: datetime | None) -> str:
    """Naive UTC from the database, shown as UK local time: 23 Nov 2026, 14:05."""
    if moment is None:
        return ""
    local = in_uk(moment)
    return f"{local.day} {local:%b %Y, %H:%M}"


bp.add_app_template_filter(uk_time, "uk_time")


def read_day(field: Field) -> date | None:
    """A YYYY-MM-DD field (an HTML date input) or DD/MM/YYYY; an error on the field if neither."""
    raw = (field.data or "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:  # the day after and UTC both still exist
            return day
    field.errors = [*field.errors, f"Enter {field.label.text.lower()} as a date, like 23/11/2026."]
    return None


def day_range(start: Field, end: Field) -> tuple[datetime | None, datetime | None]:
    """Inclusive UK days to a half-open naive UTC range."""
    first, last = read_day(start), read_day(end)
    since = uk_midnight(first) if first else None
    until = uk_midnight(last + timedelta(days=1)) if last else None
    return since, until


def query_args(*leaving_out: str) -> dict[str, Any]:
    """This page's query string, without the named arguments (a page position, say)."""
    return {k: v for k, v in request.args.items() if k not in leaving_out}


def asked_active() -> bool:
    """What a retire / bring-back button asks for (it posts active=yes or active=no)."""
    return request.form.get("active") == "yes"


def form_page(template: str, form, **context) -> tuple[str, int]:
    """A page with a form: 400 when the form has errors, so a refusal is never a success."""
    return render_template(template, form=form, **context), (400 if form.errors else 200)


def audited_page(
    template: str,
    action: str,
    *,
    actor: StaffUser,
    audit_detail: dict | None = None,
    **context: Any,
) -> str:
    """A list or a search page whose reading is audited (audit.viewed: `action`, by `actor`,
    with `audit_detail`). Recorded after rendering: a page that failed to render was never
    read, and the commit expires the signed-in member of staff the page shows."""
    page = render_template(template, **context)
    audit.viewed(action, actor=actor, detail=audit_detail)
    return page


def add_error(field: Field, message: str) -> None:
    field.errors = [*(field.errors or []), message]


@contextmanager
def refusal_shown(form: Form, refusal: type[Exception], field: str) -> Iterator[None]:
    """Around what a valid form asks of a service: if the service refuses (`refusal`), the rest
    of the block is skipped and the refusal is shown on the field it names when this form has
    that field, else on `field`; the view goes on to show the form again."""
    try:
        yield
    except refusal as refused:
        named = getattr(refused, "field", None)
        add_error(form[named if named in form else field], str(refused))


def region_choices(staff: StaffUser, ref: Reference) -> list[tuple[str, str]]:
    """The queues a member of staff may narrow a list to: every region and the national queue,
    or an officer's own regions."""
    if sees_every_queue(staff):
        regions = [(r.id, r.name) for r in ref.regions.values()]
        return [*regions, (NATIONAL_QUEUE, NATIONAL_QUEUE_LABEL)]
    return [(r, ref.regions[r].name) for r in staff.region_ids if r in ref.regions]


def _chosen(field) -> str | None:
    return field.data or None if not field.errors else None


def queue_filter(form: QueueFilterForm, staff: StaffUser) -> QueueFilter:
    """The queue's filters as asked (the queue page and its CSV export); a field in error is
    left out and keeps its message."""
    form.validate()
    since, until = day_range(form.date_from, form.date_to)
    search = _chosen(form.q)
    return QueueFilter(
        status=_chosen(form.status) or "open",
        priority=_chosen(form.priority),
        sector=_chosen(form.sector),
        sign=_chosen(form.sign),
        since=since,
        until=until,
        queue=_chosen(form.region),
        search=search.strip() if search else None,
        assigned_to_id=staff.id if form.mine.data else None,
        partner=_chosen(form.partner),
    )


def queue_form(staff: StaffUser, ref: Reference) -> QueueFilterForm:
    """The queue's filters: from the query string, or from the body when a search is posted.

    Search words never travel in a web address (it ends up in access logs and browser history):
    a search is posted, and a `q` in a query string is ignored. The other filters name codes and
    dates only, so they stay in the address, to bookmark and share."""
    formdata = request.form if request.method == "POST" else without_search(request.args)
    return QueueFilterForm(
        formdata, ref=ref, regions=region_choices(staff, ref), partners=partner_choices()
    )


def partner_choices() -> list[tuple[str, str]]:
    """Every partner, retired ones too: their reports are still in the queue."""
    return [(str(p.id), p.name if p.active else f"{p.name} (retired)") for p in all_partners()]


def without_search(args: MultiDict) -> MultiDict:
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k != "q"])


def filter_args(form: QueueFilterForm) -> dict[str, Any]:
    """The filters that name no content, as asked for and understood, for links onward."""
    return {
        f.name: f.raw_data[0]
        for f in form
        if f.name != "q" and f.raw_data and f.raw_data[0] and not f.errors
    }


@bp.before_request
def refuse_nul_characters():
    """Nobody types a NUL, and PostgreSQL cannot compare or store one in text: a form or query
    holding one is a bad request (400), never a database error (503)."""
    if any("\x00" in value for _key, values in request.values.lists() for value in values):
        raise BadRequest()


def unknown(unknown: str = ""):
    """Any other address under /triage, and any method a staff address does not take: signed
    out, the sign-in page (as for every staff page); signed in, the staff 404, the same page as
    for a report or account one may not see."""
    raise NotFound()


def route_what_staff_pages_do_not_serve(app: Flask) -> None:
    """Send to `unknown` every request under /triage that no staff route takes: an unknown
    address, or a method the address does not serve (PROPFIND, OPTIONS, a made-up one). Without
    this, routing itself refuses such a method with the public 405 page, before the staff area's
    checks (sign-in, NUL refusal) run, and its `Allow` tells what the address takes.

    Flask's add_url_rule always names the methods a rule takes; a Werkzeug rule without methods
    takes every one. Added after the blueprint's routes: at the same address Werkzeug tries the
    rules in the order they were added, so a route that takes the method answers first. The `/`
    rule is not strict about its slash, so `/triage` answers as `/triage/` for a method the
    queue does not take (GET and POST are still redirected to `/triage/`)."""
    endpoint = f"{bp.name}.unknown"
    app.view_functions[endpoint] = unknown
    for path, strict_slashes in (("/", False), ("/<path:unknown>", True)):
        rule = app.url_rule_class(
            f"{bp.url_prefix}{path}", endpoint=endpoint, strict_slashes=strict_slashes
        )
        app.url_map.add(rule)
