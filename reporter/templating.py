"""What every template can use: the language, its direction, the switcher, the reference data."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Flask, request, url_for
from flask_babel import format_datetime, get_locale, gettext

from reporter.campaign import campaign_data
from reporter.codes import CODES
from reporter.i18n import native_name, offered, text_direction


def switch_language_url(code: str) -> str:
    """This page again in another language (query string kept)."""
    args: dict[str, Any] = {**request.args.to_dict(), "lang": code}
    endpoint = request.endpoint if request.url_rule and request.method == "GET" else None
    return url_for(endpoint or "public.report", **(request.view_args or {}), **args)


def left_to_right(text: str) -> str:
    """Keep a phone number or code in reading order inside right-to-left text (Unicode isolate),
    and in one piece (no-break spaces), so it is never split or misread."""
    return "\u2066" + str(text).replace(" ", "\u00a0") + "\u2069"


def translated(text) -> str:
    """Translate a string that comes from data (a sign, a sector, an authority's sentence).
    Unlike Jinja's `_()`, it never %-formats, so a literal "100%" in the data is safe."""
    return gettext(str(text))


def uk_datetime(value) -> str:
    """A moment as UK local time, written the way the reader's language writes dates."""
    return format_datetime(value, "medium", rebase=True)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["ltr"] = left_to_right
    app.jinja_env.filters["uk_datetime"] = uk_datetime
    app.jinja_env.filters["translated"] = translated
    # Codes and their labels (codes.py): `Status.CLOSED`, `Consent.label_for(report.consent)`.
    app.jinja_env.globals.update(CODES)

    @app.context_processor
    def inject():
        locale = str(get_locale() or "en")
        return {
            "locale": locale,
            "text_direction": text_direction(locale),
            "languages": [(code, native_name(code)) for code in offered()],
            "switch_language_url": switch_language_url,
            "language_name": lambda code: f"{Locale.parse(code).english_name} ({code})",
            "ref": campaign_data(),
        }
