"""What several staff pages share: UK dates in and out, error pages, the layout's filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel import Locale
from flask import g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, NotFound
from wtforms import Field

from reporter.triage import bp

UK = ZoneInfo("Europe/London")
FIRST_YEAR, LAST_YEAR = 1900, 9000


def english_only() -> None:
    """Staff pages are English only, whatever language the browser or session asks for."""
    english = Locale.parse("en")
    g._flask_babel = SimpleNamespace(babel_locale=english, forced_babel_locale=english)


def uk_time(moment: datetime | None) -> str:
    """Naive UTC from the database, shown as UK local time: 23 Nov 2026, 14:05."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=UTC).astimezone(UK)
    return f"{local.day} {local:%b %Y, %H:%M}"


bp.add_app_template_filter(uk_time, "uk_time")


def uk_day_start(day: date) -> datetime:
    """The first moment of a UK calendar day, as naive UTC."""
    local = datetime(day.year, day.month, day.day, tzinfo=UK)
    return local.astimezone(UTC).replace(tzinfo=None)


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
    since = uk_day_start(first) if first else None
    until = uk_day_start(last + timedelta(days=1)) if last else None
    return since, until


def add_error(field: Field, message: str) -> None:
    field.errors = [*(field.errors or []), message]


# --- error pages --------------------------------------------------------------------------

MESSAGES = {
    400: ("Something was wrong with that request", "Go back, reload the page and try again."),
    404: ("Page not found", "There is no such page, or it is not one you can see."),
    429: ("Too many attempts", "Wait a few minutes before you try again."),
    503: (
        "Sign-in is not available right now",
        "Part of the service is not working, so sign-in is paused to keep accounts safe. "
        "Please try again in a few minutes.",
    ),
}


def render_error(status: int, retry_after: int | None = None):
    title, body = MESSAGES[status]
    # A 404 is one page for everyone, signed in or not, whatever their role: without the
    # staff menu, whose links differ by role, it cannot tell one kind of 404 from another.
    anonymous = {"staff": None, "staff_is_admin": False} if status == 404 else {}
    html = render_template("triage/error.html", title=title, body=body, status=status, **anonymous)
    response = (html, status)
    if retry_after:
        return (*response, {"Retry-After": str(retry_after)})
    return response


@bp.before_request
def refuse_nul_characters():
    """Nobody types a NUL, and PostgreSQL cannot compare or store one in text: a form or query
    holding one is a bad request (400), never a database error (503)."""
    if any("\x00" in value for _key, values in request.values.lists() for value in values):
        raise BadRequest()


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(unknown: str):
    """Any other address under /triage: signed out, the sign-in page (as for every staff page);
    signed in, the staff 404, the same page as for a report or account one may not see."""
    raise NotFound()


@bp.errorhandler(404)
def not_found(_error):
    english_only()
    return render_error(404)


@bp.errorhandler(400)
@bp.errorhandler(CSRFError)
def bad_request(_error):
    english_only()
    return render_error(400)
