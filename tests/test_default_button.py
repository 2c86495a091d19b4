"""Enter, or a phone keyboard's Go, presses a form's default button: the first submit button of
the form in the page. On every page with the report form it sends, and is never a language of
the switcher in the header (tests/browser/test_browser_keyboard.py presses the keys)."""

from __future__ import annotations

import html5lib
import pytest
from flask_babel import force_locale, gettext

from reporter import create_app
from tests.factories import report_answers
from tests.pages import read

RAIL = report_answers(signs=["hiding"], station="LEI")


def send_report(app, lang: str) -> str:
    """The Send button's words in `lang`, from the app's own catalogue."""
    with app.test_request_context(), force_locale(lang):
        return gettext("Send report")


def default_button(html: str) -> dict:
    """The attributes and text of the report form's default button, as HTML defines it."""
    root = html5lib.parse(html, namespaceHTMLElements=False)
    form = root.find(".//form[@id='report-form']")
    inside = {id(element) for element in form.iter()}
    for element in root.iter():
        kind = element.get("type", "submit" if element.tag == "button" else "text")
        owner = element.get("form")
        ours = owner == "report-form" or (owner is None and id(element) in inside)
        if element.tag in ("button", "input") and kind == "submit" and ours:
            return {**element.attrib, "text": "".join(element.itertext()).strip()}
    raise AssertionError("the report form has no submit button")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_forms_default_button_sends_the_report(app, client, lang):
    page = read(client.get("/report?sector=rail", headers={"Accept-Language": lang}))
    button = default_button(page.html)
    assert "name" not in button  # no switch_lang=...
    assert button["text"] == send_report(app, lang)
    assert page.find_all("button", name="switch_lang")  # the switcher is there, after it


def test_the_form_back_with_errors_sends_on_enter_too(client):
    page = read(client.post("/report", data={**RAIL, "danger": ""}))
    assert "name" not in default_button(page.html)


def test_the_page_of_a_report_not_stored_sends_on_enter_too(app, tmp_path):
    down = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/x.db"})
    sent = down.test_client().post("/report", data=RAIL, headers={"Accept-Language": "cy"})
    page = read(sent, 503)
    button = default_button(page.html)
    assert "name" not in button and button["text"] == send_report(app, "cy")
