"""The reporter's information pages: who runs this service, the privacy notice, the
accessibility statement, and cookies and storage. The same for every visitor in a language, kept
by the service worker so they open with no signal, and readable without JavaScript."""

from __future__ import annotations

from datetime import date

from babel import Locale
from babel.dates import format_date
from flask import current_app, render_template
from flask_babel import get_locale

from reporter.i18n import LANGUAGE_ARG, offered
from reporter.public import bp
from reporter.public.static_pages import static_page

# The accessibility statement must say when it was last reviewed (2018 regulations): change this
# date whenever the pages are checked again (tests/browser/test_browser_info_pages.py).
ACCESSIBILITY_REVIEWED = date(2026, 12, 6)

# Endpoint and template of each page, in the footer's order. The service worker keeps these.
INFO_PAGES = {
    "public.about": "public/about.html",
    "public.privacy": "public/privacy.html",
    "public.accessibility": "public/accessibility.html",
    "public.cookies": "public/cookies.html",
}


def long_date(day: date) -> str:
    """A date as the reader's language writes it; English is British ("6 December 2026"), not
    CLDR's American "en", as templating.uk_datetime does."""
    locale = get_locale() or Locale("en")
    if locale.language == "en":
        locale = Locale("en", "GB")
    return format_date(day, "long", locale=locale)


def _page(endpoint: str, **context):
    return static_page(
        lambda: render_template(INFO_PAGES[endpoint], **context), {LANGUAGE_ARG: offered()}
    )


@bp.get("/about")
def about():
    return _page("public.about")


@bp.get("/privacy")
def privacy():
    config = current_app.config
    return _page(
        "public.privacy",
        controller=config["DATA_CONTROLLER_NAME"],
        controller_contact=config["DATA_CONTROLLER_CONTACT"],
        dpo_contact=config["DPO_CONTACT"],
        retention_days=config["REPORT_RETENTION_DAYS"],
    )


@bp.get("/accessibility")
def accessibility():
    return _page(
        "public.accessibility",
        contact=current_app.config["DATA_CONTROLLER_CONTACT"],
        reviewed=long_date(ACCESSIBILITY_REVIEWED),
    )


@bp.get("/cookies")
def cookies():
    return _page("public.cookies")
