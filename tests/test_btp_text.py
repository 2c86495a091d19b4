"""The text to British Transport Police (61016) that the outcome page prepares: the control room
reads English, so the fixed words are English in every language, with the reporter's language
named for an interpreter; a child in danger now comes first, then when it was seen; what the
reporter typed stays as typed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest

from reporter.i18n import DEFAULT_LOCALE, LOCALES
from reporter.reference import get_reference
from tests.factories import report_answers
from tests.pages import assert_redirects, read

# Earlier today, in the form's own format (UK local time): never in the future.
SEEN = (datetime.now() - timedelta(days=1)).replace(hour=8, minute=52)


def text_to_btp(app, lang: str, **answers) -> str:
    client = app.test_client()
    client.get(f"/report?lang={lang}")
    seen_at = SEEN.strftime("%d/%m/%Y %H:%M")
    usual = {"station": "LEI", "signs": ["hiding", "controlled"], "seen_at": seen_at}
    data = report_answers(**{**usual, "description": "Seen twice this week.", **answers})
    response = client.post(f"/report?lang={lang}", data=data)  # the form's own address
    assert_redirects(response, "/report/done")
    page = read(client.get(response.location))
    [sms] = [link for link in page.links() if link.startswith("sms:61016")]
    return unquote(sms.split("body=", 1)[1])


def test_a_child_in_danger_now_is_said_first_then_the_reference_and_when_it_was_seen(app):
    body = text_to_btp(app, "en", danger="yes")
    seen = f"{SEEN.day} {SEEN:%B %Y}, 08:52"
    assert re.fullmatch(
        rf"CHILD IN DANGER NOW\. LookCloser report LC-[A-Z0-9]{{4}}-[A-Z0-9]{{4}}\. "
        rf"Seen: {seen}\. Where: Leicester\. Signs: .+\.",
        body,
    ), body


def test_without_danger_the_text_does_not_say_a_child_is_in_danger(app):
    body = text_to_btp(app, "en")
    assert body.startswith("LookCloser report LC-")
    assert "DANGER" not in body
    assert "Reporter's language" not in body  # English needs no interpreter


@pytest.mark.parametrize("lang", [lang for lang in LOCALES if lang != DEFAULT_LOCALE])
def test_the_fixed_words_are_english_in_every_language_with_the_language_named(app, lang):
    body = text_to_btp(app, lang, danger="yes")
    assert body.startswith("CHILD IN DANGER NOW. LookCloser report LC-")
    signs = "; ".join(get_reference().signs[s].label for s in ("hiding", "controlled"))
    assert f"Where: Leicester. Signs: {signs}." in body
    assert body.isascii(), body  # Polish, Urdu or Tigrinya words would not be
    assert re.search(r"Reporter's language: [A-Z][A-Za-z ()]+\.$", body)


@pytest.mark.parametrize(
    ("lang", "named"),
    [
        ("pl", "Polish"),
        ("ur", "Urdu"),
        ("ar", "Arabic"),
        ("bn", "Bengali"),
        ("ckb", "Kurdish (Sorani)"),
    ],
)
def test_the_reporters_language_is_named_as_an_interpreter_knows_it(app, lang, named):
    assert text_to_btp(app, lang).endswith(f" Reporter's language: {named}.")


def test_what_the_reporter_typed_stays_as_typed(app):
    place = "Peron 3, obok kiosku z gazetami (dworzec główny)"
    body = text_to_btp(app, "pl", station="", place=place)
    assert f"Where: {place}." in body
