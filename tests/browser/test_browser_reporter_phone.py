"""What a reporter on a 360 x 740 phone sees (issue 12): 999 on the first screen when a child is
in danger, contact fields only when they are wanted, station suggestions to tap, a counter in
words, and error links that land with the question in view. With and without JavaScript."""

from __future__ import annotations

import re

import pytest
from browser_support import DESCRIPTION, PHONE, axe_violations, describe_violations
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Within a pixel: the page scrolls by whole pixels, and a box can start at a fraction of one.
IN_VIEW = """el => { const box = el.getBoundingClientRect();
    return box.top > -1 && box.bottom < window.innerHeight + 1; }"""


@pytest.mark.parametrize("lang", ["en", "pl", "ar"])
def test_with_a_child_in_danger_the_999_call_is_on_the_first_screen(reporter, lang):
    person = reporter(lang)
    page = person.page
    person.open_form("rail")
    person.answer_danger("Yes")
    person.sign_box(person.signs("rail", 1)[0]).check()
    person.textbox("Station name or code").fill("LEI")
    assert person.send().status == 200
    call = page.locator("main a.call-999")
    expect(call).to_have_attribute("href", "tel:999")
    expect(call).to_contain_text(
        person.t("You said a child is in danger right now. Call 999 now if you have not already.")
    )
    box = call.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"999 ends at {box} on a 740 px screen"
    thanks = page.get_by_role("heading", level=1).bounding_box()
    assert box["y"] < thanks["y"]
    expect(page.get_by_role("heading", name=person.t("After you have called 999"))).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    person.screenshot("outcome-danger")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_contact_fields_appear_only_for_the_choices_that_use_them(reporter, javascript):
    person = reporter("en", javascript=javascript)
    page = person.page
    person.open_form("taxi")
    name = person.textbox("Your name")
    expect(name).to_be_hidden()  # "Stay anonymous" is chosen at first
    page.get_by_role(
        "radio", name=person.t("Share my details: the police may contact me too")
    ).check()
    expect(name).to_be_visible()
    expect(person.textbox("Phone number")).to_be_visible()
    person.stay_anonymous()
    expect(name).to_be_hidden()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_misspelt_station_is_offered_as_choices_to_tap(reporter, javascript):
    person = reporter("en", javascript=javascript)
    page = person.page
    person.open_form("rail")
    person.sign_box(person.signs("rail", 1)[0]).check()
    person.textbox("Station name or code").fill("Leicster")
    assert person.send().status == 200  # back only because the danger question is unanswered
    suggestion = page.get_by_role("radio", name=re.compile(r"^Leicester \(LEI\)"))
    expect(suggestion).to_be_visible()
    violations = axe_violations(page) if javascript else []
    assert not violations, describe_violations(violations)
    if not javascript:
        person.screenshot("station-suggestions")
    suggestion.check()
    if javascript:
        expect(person.textbox("Station name or code")).to_have_value("Leicester")
    person.answer_danger("No")
    assert person.send().status == 200
    tell = page.locator(".tell-them")
    expect(tell).to_contain_text("Leicester")
    expect(tell).not_to_contain_text("Leicster")


def test_an_unrecognised_station_alone_still_sends_the_report(reporter):
    person = reporter("en")
    person.open_form("rail")
    person.answer_danger("No")
    person.sign_box(person.signs("rail", 1)[0]).check()
    person.textbox("Station name or code").fill("Nowhere Parkway Halt")
    assert person.send().status == 200
    person.reference_shown()
    expect(person.page.locator(".tell-them")).to_contain_text("Nowhere Parkway Halt")


@pytest.mark.parametrize(
    ("lang", "left", "over"),
    [
        ("en", "You have 1,990 characters left", "10 characters too many"),
        ("pl", "Zostało Ci 1990 znaków", "O 10 znaków za dużo"),  # CLDR: no grouping under 10,000
    ],
)
def test_the_counter_says_what_is_left_in_words_for_the_locale(reporter, lang, left, over):
    person = reporter(lang)
    person.open_form("taxi")
    box = person.textbox("What did you see?")
    counter = person.page.locator("#description-counter")
    box.fill("x" * 10)
    expect(counter).to_have_text(left)
    box.fill("x" * 2010)
    expect(counter).to_have_text(over)


def test_an_error_summary_link_lands_with_the_label_and_message_in_view(reporter):
    person = reporter("en")
    page = person.page
    person.open_form("taxi")
    person.answer_danger("No")
    person.textbox("What did you see?").fill(DESCRIPTION + "x" * 2000)
    person.textbox("Postcode").fill("LE1 6RN")
    assert person.send().status == 200
    page.locator("#error-summary a[href='#description']").click()
    expect(person.textbox("What did you see?")).to_be_focused()
    label = page.locator("label[for=description]")
    message = page.locator("#description-error")
    assert label.evaluate(IN_VIEW) and message.evaluate(IN_VIEW)
    person.screenshot("error-link-landed")
