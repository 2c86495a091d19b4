"""The keyboard sends what the reporter chose (issue 22): Enter, or a phone keyboard's Go, in a
field sends the report and never switches the language; a station suggestion is stored only when
it is the one chosen, however it was chosen. With and without JavaScript."""

from __future__ import annotations

import re

import pytest
from browser_support import DESCRIPTION, POSTCODE, RATE_LIMITED, Reporter
from playwright.sync_api import expect
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import Report
from reporter.services.reporting.reports import decrypt_field

pytestmark = pytest.mark.browser

# What each field is given before Enter is pressed in it, and what the stored report then holds.
ENTER_IN = {
    "Postcode": POSTCODE,
    "Station name or code": "LEI",
    "Or describe the place": "By the ticket barrier",
}
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


def stored_reports(person: Reporter) -> list[dict]:
    with person.server.app.app_context():
        return [
            {
                "language": r.language,
                "postcode": decrypt_field(r, "postcode"),
                "station": r.station_crs,
                "place": decrypt_field(r, "place"),
            }
            for r in db.session.scalars(select(Report))
        ]


def answer_all_but_where(person: Reporter) -> None:
    person.answer_danger("No")
    person.textbox("What did you see?").fill(DESCRIPTION)
    person.stay_anonymous()


def press_enter_in(person: Reporter, label: str, value: str):
    box = person.textbox(label)
    box.fill(value)
    with person.page.expect_navigation() as navigation:
        box.press("Enter")
    return navigation.value


@JAVASCRIPT
@pytest.mark.parametrize("label", list(ENTER_IN))
@pytest.mark.parametrize("lang", ["cy", "ar"])
def test_enter_in_a_where_field_sends_the_report_in_the_reporters_language(
    reporter, lang, label, javascript
):
    person = reporter(lang, javascript=javascript)
    person.open_form("rail")
    answer_all_but_where(person)
    assert press_enter_in(person, label, ENTER_IN[label]).status == 200
    assert person.html_lang()[0] == lang
    expect(person.page.get_by_role("heading", level=1)).to_have_text(
        person.t("Thank you. Your report is sent.")
    )
    person.reference_shown()
    [report] = stored_reports(person)
    assert report["language"] == lang
    assert ENTER_IN[label] in (report["postcode"], report["station"], report["place"])
    person.open_start()  # the language is not switched for the next visit either
    assert person.html_lang()[0] == lang


@JAVASCRIPT
def test_enter_on_the_rate_limit_page_tries_again_in_the_same_language(reporter, serve, javascript):
    person = reporter("cy", server=serve(**RATE_LIMITED), javascript=javascript)
    person.reach("rate-limited")
    assert press_enter_in(person, "Postcode", POSTCODE).status == 429
    assert person.html_lang()[0] == "cy"
    assert len(stored_reports(person)) == 1


def with_suggestions(person: Reporter) -> None:
    """The rail form back with suggestions for "Lancster" (the danger question unanswered)."""
    person.open_form("rail")
    person.textbox("What did you see?").fill(DESCRIPTION)
    person.textbox("Station name or code").fill("Lancster")
    assert person.send().status == 200
    expect(person.page.locator("#station-suggestions")).to_be_visible()


def suggestion(person: Reporter, name: str):
    return person.page.get_by_role("radio", name=re.compile(rf"^{name} \("))


def keep_what_i_wrote(person: Reporter):
    return person.page.get_by_role("radio", name=person.t("None of these: keep what I wrote"))


@JAVASCRIPT
def test_a_tapped_suggestion_is_the_station_stored(reporter, javascript):
    person = reporter("en", javascript=javascript)
    with_suggestions(person)
    suggestion(person, "Lancaster").check()
    person.answer_danger("No")
    assert person.send().status == 200
    [report] = stored_reports(person)
    assert report["station"] == "LAN"
    assert report["place"] is None


@JAVASCRIPT
def test_tapping_keep_what_i_wrote_after_a_suggestion_stores_what_was_written(reporter, javascript):
    person = reporter("en", javascript=javascript)
    with_suggestions(person)
    suggestion(person, "Lancaster").check()
    keep_what_i_wrote(person).check()
    expect(person.textbox("Station name or code")).to_have_value("Lancster")
    person.answer_danger("No")
    assert person.send().status == 200
    [report] = stored_reports(person)
    assert report["station"] is None
    assert report["place"] == "Lancster"


@JAVASCRIPT
def test_arrowing_through_the_suggestions_and_back_stores_what_was_written(reporter, javascript):
    person = reporter("en", javascript=javascript)
    with_suggestions(person)
    keep = keep_what_i_wrote(person)
    keep.focus()
    radios = person.page.locator("input[name=station_choice]")
    for _ in range(radios.count() - 1):  # up through every suggestion, "Lancaster" among them
        person.page.keyboard.press("ArrowUp")
    expect(radios.first).to_be_checked()
    for _ in range(radios.count() - 1):  # and down again to "None of these"
        person.page.keyboard.press("ArrowDown")
    expect(keep).to_be_checked()
    expect(person.textbox("Station name or code")).to_have_value("Lancster")
    person.answer_danger("No")
    assert person.send().status == 200
    [report] = stored_reports(person)
    assert report["station"] is None
    assert report["place"] == "Lancster"


def test_arrowing_to_a_suggestion_stores_that_one(reporter):
    person = reporter("en")
    with_suggestions(person)
    keep_what_i_wrote(person).focus()
    person.page.keyboard.press("ArrowUp")  # the last suggestion
    chosen = person.page.locator("input[name=station_choice]:checked")
    crs = chosen.get_attribute("value")
    assert crs
    expect(person.textbox("Station name or code")).to_have_value(chosen.get_attribute("data-name"))
    person.answer_danger("No")
    assert person.send().status == 200
    [report] = stored_reports(person)
    assert report["station"] == crs
