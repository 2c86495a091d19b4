"""Languages: which ones we offer, how a request's language is chosen, and its text direction.

Choice, in order: a language switched to on a posted form, the address's `?lang=` (every
public address the app makes carries it, and a partner's entry link redirects with its
language), the browser's Accept-Language, English. No session is involved: the public pages
are the same bytes for everyone at an address. Staff pages (/triage) are English only.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from flask import current_app, g, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

DEFAULT_LOCALE = "en"
STAFF_BLUEPRINT = "triage"
LANGUAGE_ARG = "lang"  # ?lang= on any public address: the language of the page
# Order of the language switcher: English, Welsh, then the languages most used by partners' staff.
LOCALES = (
    "en", "cy", "pl", "ro", "pt", "es", "it", "bg", "lt", "ar",
    "ur", "bn", "pa", "so", "tr", "uk", "ckb", "ti",
)  # fmt: skip
# Where the name speakers use differs from CLDR's ("Central Kurdish").
NATIVE_NAMES = {"ckb": "کوردی (سۆرانی)"}
# Where the English name interpreting services use differs from CLDR's ("Bangla").
ENGLISH_NAMES = {"bn": "Bengali", "ckb": "Kurdish (Sorani)"}


def available_locales(translations_dir: Path) -> tuple[str, ...]:
    """English plus every locale whose catalogue is present."""
    present = {p.parent.parent.name for p in translations_dir.glob("*/LC_MESSAGES/messages.po")}
    return tuple(code for code in LOCALES if code == DEFAULT_LOCALE or code in present)


def offered() -> tuple[str, ...]:
    return current_app.config["REPORTER_LOCALES"]


def native_name(code: str) -> str:
    """Each language named in itself: Cymraeg, Polski, العربية."""
    name = NATIVE_NAMES.get(code) or Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def english_name(code: str) -> str:
    """Each language named in English, as an interpreting service knows it: Polish, Bengali."""
    return ENGLISH_NAMES.get(code) or Locale.parse(code).get_display_name("en") or code


@cache
def text_direction(code: str) -> str:
    """ "rtl" or "ltr", as CLDR has it for the language (through Babel)."""
    return Locale.parse(code).text_direction


@cache
def parsed(code: str) -> Locale:
    """The Babel locale of a code, made once per process."""
    return Locale.parse(code)


def request_locale() -> Locale:
    """Flask-Babel's locale selector: `select_locale()`'s choice as a Babel locale, which
    Flask-Babel takes as it is instead of parsing the code again on every request."""
    return parsed(select_locale())


def choose_language(code: str | None) -> None:
    """The reporter switched language on a posted form: this answer is in `code` (and the
    form's address says so, so that sending it keeps it)."""
    if code in offered():
        g.language_chosen = code


def select_locale() -> str:
    req = request._get_current_object()  # type: ignore[attr-defined]  # one lookup, not four
    if req.blueprint == STAFF_BLUEPRINT:
        return DEFAULT_LOCALE
    locales = offered()
    chosen = g.get("language_chosen")
    if chosen in locales:
        return chosen
    explicit = req.args.get(LANGUAGE_ARG)
    if explicit in locales:
        return explicit
    return browser_choice(req.headers.get("Accept-Language", ""), locales)


@lru_cache(maxsize=512)
def browser_choice(accept_language: str, locales: tuple[str, ...]) -> str:
    """The best of `locales` for an Accept-Language header. Phones send few distinct headers
    ("en-GB,en;q=0.9", "pl-PL,pl;q=0.9,en;q=0.8"), so each is parsed and matched once."""
    return (
        parse_accept_header(accept_language, LanguageAccept).best_match(locales) or DEFAULT_LOCALE
    )
