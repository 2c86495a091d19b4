"""Numbers in every language's own words: the character counter shows, for every count, the
catalogue's sentence for that count, in each plural category that Babel's (CLDR's) rule gives
the language, as the browser's Intl.PluralRules names them."""

from __future__ import annotations

import gettext
import json

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from reporter.i18n import DEFAULT_LOCALE, LOCALES
from tests.pages import read
from tests.test_safety_strings import ROOT

COUNTER = {
    "left": ("You have %(count)s character left", "You have %(count)s characters left"),
    "over": ("%(count)s character too many", "%(count)s characters too many"),
}
TRANSLATED = [lang for lang in LOCALES if lang != DEFAULT_LOCALE]


def catalogue(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def counter_on_the_page(client, lang: str) -> dict:
    page = read(client.get(f"/report?sector=rail&lang={lang}", follow_redirects=True))
    [box] = page.find_all("textarea", name="description")
    return json.loads(box["data-counter"])


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_counter_shows_the_catalogues_sentence_for_every_count(app, lang):
    """Every count from 1 to 199 (0 is left out: CLDR and gettext's rule disagree on it in some
    languages, and then CLDR's is the one the browser follows)."""
    shown = counter_on_the_page(app.test_client(), lang)
    catalog = catalogue(lang)
    form_of = gettext.c2py(catalog.plural_expr)
    rule = Locale.parse(lang).plural_form
    for n in range(1, 200):
        for kind, source in COUNTER.items():
            sentence = catalog.get(source).string[form_of(n)].replace("%(count)s", "{n}")
            assert shown[rule(n)][kind] == sentence, (lang, n, rule(n), kind)


@pytest.mark.parametrize("lang", ["ti", "pa"])
def test_one_character_left_is_said_in_the_singular(app, lang):
    shown = counter_on_the_page(app.test_client(), lang)
    singular = catalogue(lang).get(COUNTER["left"]).string[0].replace("%(count)s", "{n}")
    assert shown["one"]["left"] == singular


def test_arabic_counts_from_eleven_to_ninety_nine_in_the_accusative_singular(app):
    """15 حرفًا (tanwin: "many"), but 100 حرف ("other"), as the file's plural rule orders them."""
    shown = counter_on_the_page(app.test_client(), "ar")
    assert shown["many"]["left"] == "بقي لك {n} حرفًا"
    assert shown["many"]["over"] == "{n} حرفًا زائدًا"
    assert shown["other"]["left"] == "بقي لك {n} حرف"
    assert shown["other"]["over"] == "{n} حرف زائد"
