"""What every template can use: the language, its direction, the switcher, the reference data."""

from __future__ import annotations

import re
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from flask import Flask, request, url_for
from flask_babel import get_locale, gettext, ngettext, to_user_timezone
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from reporter.bidi import bdi, isolated_text
from reporter.campaign import campaign_data
from reporter.codes import CODES
from reporter.i18n import DEFAULT_LOCALE, english_name, native_name, offered, text_direction
from reporter.plurals import counted, plural
from reporter.services.reporting.guidance import emergency_first


def switch_language_url(code: str) -> str:
    """This page again in another language (query string kept)."""
    args: dict[str, Any] = {**request.args.to_dict(), "lang": code}
    endpoint = request.endpoint if request.url_rule and request.method == "GET" else None
    return url_for(endpoint or "public.report", **(request.view_args or {}), **args)


def left_to_right(text: str) -> str:
    """Keep a phone number or code in reading order inside right-to-left text (Unicode isolate),
    and in one piece (no-break spaces), so it is never split or misread."""
    return "\u2066" + str(text).replace(" ", "\u00a0") + "\u2069"


def reference_groups(reference: str) -> Markup:
    """A reference that a narrow screen may break only between its groups (LC-EYGX- / QGPQ),
    never inside one: each group unbreakable, a break allowed after each hyphen."""
    groups = str(reference).split("-")
    last = len(groups) - 1
    return Markup("").join(
        Markup('<span class="group">{}{}</span>{}').format(
            group, "-" if i < last else "", Markup("<wbr>") if i < last else ""
        )
        for i, group in enumerate(groups)
    )


def translated(text) -> str:
    """Translate a string that comes from data (a sign, a sector, an authority's sentence).
    Unlike Jinja's `_()`, it never %-formats, so a literal "100%" in the data is safe."""
    return gettext(str(text))


def uk_datetime(value, locale: Locale | None = None) -> str:
    """A moment as UK local time, written the way the reader's language (or `locale`) writes
    dates, to the minute: "2 December 2026, 08:52" in English (British, not CLDR's American
    "en"), each locale's own long date, short time and joining pattern in the others."""
    locale = locale or get_locale() or Locale("en")
    if locale.language == "en":
        locale = Locale("en", "GB")
    moment = to_user_timezone(value)
    pattern = str(locale.datetime_formats["medium"])
    return pattern.replace("{1}", format_date(moment, "long", locale=locale)).replace(
        "{0}", format_time(moment, "short", locale=locale)
    )


def sms_body(summary, danger: bool = False) -> str:
    """A text to British Transport Police, ready to send: a child in danger now first, then the
    reference, when and where it was seen and the signs ticked. The control room reads English,
    so the fixed words are English whatever the page's language, with the reporter's language
    named so that BTP can call an interpreter; what the reporter typed (the place) stays as
    typed. Plain text (the template URL-encodes it)."""
    parts = ["CHILD IN DANGER NOW."] if danger else []
    parts.append(f"LookCloser report {summary.reference}.")
    if summary.seen_at:
        parts.append(f"Seen: {uk_datetime(summary.seen_at, Locale('en', 'GB'))}.")
    if summary.where:
        parts.append(f"Where: {summary.where}.")
    if summary.signs:
        parts.append(f"Signs: {'; '.join(str(label) for label in summary.signs)}.")
    language = get_locale()
    if language and language.language != DEFAULT_LOCALE:
        parts.append(f"Reporter's language: {english_name(str(language))}.")
    return " ".join(parts)


# What a person typed is kept as it is: whitespace inside these elements is never touched.
_KEEP_WHITESPACE = re.compile(r"(<(textarea|pre)\b.*?</\2>)", re.S | re.I)
_INDENTS_AND_BLANK_LINES = re.compile(r"\n\s+")


def tojson_utf8(value) -> Markup:
    """As Jinja's `tojson`, safe in HTML, but letters as UTF-8 rather than \\u escapes: a
    Bengali sentence costs half the bytes."""
    return htmlsafe_json_dumps(value, ensure_ascii=False)


def squeeze_html(html: str) -> str:
    """The page without the templates' indentation and blank lines: on a phone paying for data,
    about a kilobyte of the heaviest form. Whitespace inside <textarea> and <pre> is kept."""
    parts = _KEEP_WHITESPACE.split(html)
    # split() gives text, element, tag name, text, ...: squeeze the text between elements.
    return "".join(
        _INDENTS_AND_BLANK_LINES.sub("\n", part) if i % 3 == 0 else part
        for i, part in enumerate(parts)
        if i % 3 != 2
    )


def plural_samples(locale: Locale) -> dict[str, int]:
    """A number for each plural category of the language, by Babel's (CLDR's) rule: the
    smallest counting number of the category, and 0 only for a category that holds nothing
    else (Arabic's and Welsh's "zero"). CLDR puts 0 in "one" in Tigrinya, Punjabi and
    Portuguese, where the catalogue's gettext rule (n != 1) puts it with the plural: 0 as the
    sample of "one" would show the plural sentence for 1."""
    samples: dict[str, int] = {}
    for n in [*range(1, 200), 0]:
        samples.setdefault(locale.plural_form(n), n)
    return samples


def counter_texts() -> dict[str, dict[str, str]]:
    """The character counter's sentences for each plural category of the page's language
    (CLDR's, as the browser's Intl.PluralRules names them), with "{n}" where app.js puts the
    number, formatted for the language. Each category is rendered through the catalogue with a
    number of that category, so the catalogue's own plural forms are used."""
    locale = get_locale() or Locale("en")
    return {
        category: {
            "left": ngettext(
                "You have %(count)s character left",
                "You have %(count)s characters left",
                n,
                count="{n}",
            ),
            "over": ngettext(
                "%(count)s character too many", "%(count)s characters too many", n, count="{n}"
            ),
        }
        for category, n in plural_samples(locale).items()
    }


def init_app(app: Flask) -> None:
    app.jinja_env.globals["counter_texts"] = counter_texts
    app.jinja_env.filters["sms_body"] = sms_body
    app.jinja_env.filters["emergency_first"] = emergency_first
    app.jinja_env.filters["ltr"] = left_to_right
    app.jinja_env.filters["uk_datetime"] = uk_datetime
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.filters["reference_groups"] = reference_groups
    app.jinja_env.filters["tojson_utf8"] = tojson_utf8
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.filters["isolated"] = isolated_text
    # Counts on the staff pages, in English: {{ counted(sites|length, 'site', 'sites') }}.
    app.jinja_env.globals.update(counted=counted, plural=plural)
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
