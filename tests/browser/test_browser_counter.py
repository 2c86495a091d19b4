"""The character counter in the browser says 1 in the singular in every language whose plural
rule puts 0 in "one" too (Tigrinya, Punjabi, Portuguese), and Arabic's 11-99 in the accusative."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_plurals import COUNTER, catalogue

pytestmark = pytest.mark.browser


def sentence(lang: str, kind: str, form: int, n: int) -> str:
    return catalogue(lang).get(COUNTER[kind]).string[form].replace("%(count)s", str(n))


@pytest.mark.parametrize("lang", ["ti", "pa", "pt"])
def test_one_character_left_is_said_in_the_singular(reporter, lang):
    person = reporter(lang)
    person.open_form("taxi")
    box = person.textbox("What did you see?")
    box.fill("x" * 1999)
    expect(person.page.locator("#description-counter")).to_have_text(sentence(lang, "left", 0, 1))


def test_arabic_says_15_characters_too_many_in_the_accusative(reporter):
    person = reporter("ar")
    person.open_form("taxi")
    box = person.textbox("What did you see?")
    box.fill("x" * 2015)
    counter = person.page.locator("#description-counter")
    expect(counter).to_contain_text("حرفًا زائدًا")
