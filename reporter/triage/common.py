"""What several staff pages share: UK dates in and out, the queue's filters and region choices,
errors on form fields, the layout's filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import render_template, request
from wtforms import Field

from reporter.codes import NATIONAL_QUEUE, NATIONAL_QUEUE_LABEL
from reporter.models import StaffUser
from reporter.reference import Reference
from reporter.services.access import sees_every_queue
from reporter.services.queue import QueueFilter
from reporter.triage import bp
from reporter.triage.forms import QueueFilterForm
from reporter.uktime import in_uk, uk_midnight


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
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
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


def form_page(template: str, form, **context) -> tuple[str, int]:
    """A page with a form: 400 when the form has errors, so a refusal is never a success."""
    return render_template(template, form=form, **context), (400 if form.errors else 200)


def add_error(field: Field, message: str) -> None:
    field.errors = [*(field.errors or []), message]


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
    )
