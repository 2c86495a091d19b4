"""Error pages. Every one of them still shows who to call: a reporter who meets an error may be
looking at a child in danger. API paths get JSON; staff pages (/triage) their own English page
for the errors staff meet. No stack trace ever reaches a user. A 429 says in `Retry-After` when
to try again, from the limit that refused it, and the page says the same in minutes.
(Flask-Limiter's own headers are off: they cost a round trip to the store on every POST.)"""

from __future__ import annotations

import logging
import math
import sys
import time
import traceback
from pathlib import Path

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from reporter.campaign import campaign_data
from reporter.extensions import db, limiter
from reporter.i18n import STAFF_BLUEPRINT, text_direction

log = logging.getLogger(__name__)
DANGER_CONTACTS = ("emergency-999", "police-101", "crimestoppers")
# The last resort, in English: also what the proxy serves for the errors it makes itself and
# for gunicorn's own (README, "Running in production"), so it is a static file.
FALLBACK_PAGE = (Path(__file__).parent / "static" / "fallback.html").read_text("utf-8")


def fallback_page(contacts) -> str:
    """The last resort when an error page cannot render: plain HTML in the reporter's language,
    built from strings every catalogue already has. If even that fails, English."""
    try:
        locale = str(get_locale() or "en")
        items = "".join(
            f'<li>{escape(_(a.name))}: <a href="tel:{escape(a.phone.replace(" ", ""))}">'
            f"{escape(_('Call %(number)s', number=a.phone))}</a></li>"
            for a in contacts
            if a.phone
        )
        return (
            f'<!doctype html><html lang="{escape(locale)}" dir="{text_direction(locale)}">'
            '<meta charset="utf-8"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1"><title>{escape(_("Sorry, something went wrong"))}</title>'
            f"<h1>{escape(_('Sorry, something went wrong'))}</h1>"
            f'<p><a href="tel:999">{escape(_("If a child is in immediate danger, call 999"))}'
            f"</a></p><ul>{items}</ul></html>"
        )
    except Exception:  # the last resort must not fail
        log.exception("fallback error page failed")
        return FALLBACK_PAGE


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something was wrong with that request"), _("Please go back and try again.")),
        # A post from another site's page (public/cross_origin.py): the same words, and who
        # to call, as every error page.
        403: (_("Something was wrong with that request"), _("Please go back and try again.")),
        404: (_("Page not found"), _("Check the web address, or start a report below.")),
        405: (
            _("That kind of request is not allowed here"),
            _("Check the web address, or start a report below."),
        ),
        413: (
            _("That was too much to send"),
            _("Please make your report shorter and send it again."),
        ),
        429: (_("Too many reports from your internet connection"), ""),
        500: (_("Sorry, something went wrong"), _("Please try again later.")),
        503: (_("Sorry, the service is not working right now"), _("Please try again later.")),
    }


# Staff pages are English only and need no numbers to call.
STAFF_MESSAGES = {
    400: ("Something was wrong with that request", "Go back, reload the page and try again."),
    404: ("Page not found", "There is no such page, or it is not one you can see."),
    429: ("Too many attempts", "Wait a few minutes before you try again."),
}


def retry_after_seconds(error: HTTPException | None = None) -> int:
    """How long until the limit that refused this request lets one through again: as the
    refusal says (a report route's flood limit, reporter/report_posts.py), or Flask-Limiter."""
    told = getattr(error, "retry_after", None)
    if isinstance(told, int):
        return told
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


def render_staff_error(status: int, title: str, body: str):
    # A 404 is one page for everyone, signed in or not, whatever their role: without the
    # staff menu, whose links differ by role, it cannot tell one kind of 404 from another.
    anonymous = {"staff": None, "staff_is_admin": False} if status == 404 else {}
    html = render_template("triage/error.html", title=title, body=body, status=status, **anonymous)
    return current_app.make_response((html, status))


def render_error(status: int, error: HTTPException | None = None):
    retry_after = retry_after_seconds(error) if status == 429 else None
    response = _error_response(status, retry_after)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _error_response(status: int, retry_after: int | None):
    if request.blueprint == STAFF_BLUEPRINT and status in STAFF_MESSAGES:
        return render_staff_error(status, *STAFF_MESSAGES[status])
    title, body = _messages().get(status, _messages()[500])
    ref = campaign_data()
    contacts = [ref.authorities[a] for a in DANGER_CONTACTS]
    if request.path.startswith("/api/"):
        response = current_app.json.response(
            {"error": title, "authorities": [a.id for a in contacts]}
        )
        response.status_code = status
        return response
    try:
        html = render_template(
            "errors/error.html",
            status=status,
            title=title,
            body=body,
            contacts=contacts,
            retry_minutes=math.ceil(retry_after / 60) if retry_after else None,
        )
    except Exception:  # the error page itself failed: the numbers must still show
        log.error("error page %s failed to render: %s", status, type(sys.exc_info()[1]).__name__)
        html = fallback_page(contacts)
    return current_app.make_response((html, status))


def init_app(app: Flask) -> None:
    @app.errorhandler(SQLAlchemyError)
    def database_down(error):
        db.session.rollback()
        log.error("database error: %s", type(error).__name__)
        return render_error(503)

    @app.errorhandler(HTTPException)
    def http_error(error):
        response = render_error(error.code if error.code in _messages() else 400, error)
        allow = dict(error.get_headers()).get("Allow")
        if allow:  # a 405 says which methods the address takes
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(Exception)
    def unexpected(error):
        # Where and what type, never the message: a message may quote what was typed.
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("unexpected %s on %s\n%s", type(error).__name__, request.endpoint, frames)
        return render_error(500)
