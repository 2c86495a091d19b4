"""Screenshots at 360x740 for a person to look at, in English, Polish and Arabic: the chooser,
every setting's form, the form with its errors, the three kinds of outcome (danger, railway,
postcode) and the staff queue (English whatever the browser asks). Written to
tests/browser/screenshots/shot-<lang>-<page>.png (git-ignored). Each page is also checked for
sideways scrolling, the one layout fault a screenshot is taken to find."""

from __future__ import annotations

import pytest
from browser_support import POSTCODE, SCREENSHOTS, Reporter, horizontal_overflow
from test_browser_triage import sign_in

from tests.factories import make_report, make_user

pytestmark = pytest.mark.browser

SHOT_LANGUAGES = ("en", "pl", "ar")


def shoot(person: Reporter, name: str) -> list[str]:
    SCREENSHOTS.mkdir(exist_ok=True)
    person.page.screenshot(path=SCREENSHOTS / f"shot-{person.lang}-{name}.png", full_page=True)
    width = horizontal_overflow(person.page)
    if width["scrollWidth"] > width["clientWidth"]:
        return [f"{person.lang} {name}: scrolls sideways {width}"]
    return []


def outcome(person: Reporter, sector: str, *, danger: str) -> int:
    person.open_form(sector)
    person.answer_danger(danger)
    person.sign_box(person.signs(sector, 1)[0]).check()
    person.textbox("Postcode").fill(POSTCODE)
    person.textbox("What did you see?").fill("Two young people by the barrier at 9pm.")
    person.stay_anonymous()
    return person.send().status


@pytest.mark.parametrize("lang", SHOT_LANGUAGES)
def test_screenshots_of_every_page_a_reporter_meets(reporter, lang):
    person = reporter(lang)
    problems = []
    person.open_start()
    problems += shoot(person, "chooser")
    for sector in person.ref.sectors:
        person.open_form(sector)
        problems += shoot(person, f"form-{sector}")
    person.open_form("rail")
    assert person.send().status == 200
    problems += shoot(person, "form-error")
    for name, sector, danger in [
        ("outcome-danger", "rail", "Yes"),
        ("outcome-rail", "rail", "No"),
        ("outcome-postcode", "delivery", "No"),
    ]:
        assert outcome(person, sector, danger=danger) == 200, name
        problems += shoot(person, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", SHOT_LANGUAGES)
def test_screenshot_of_the_staff_queue_in_english_whatever_the_browser_asks(
    live_server, reporter, lang
):
    with live_server.app.app_context():
        make_user(email="olive@staff.example")
        make_report(station="LEI", priority="urgent", danger=True)
        make_report(place="Car park behind the Drovers Arms")
    person = reporter(lang)
    person.page.goto(live_server.url + "/triage/login")
    sign_in(person.page, "olive@staff.example")
    assert person.html_lang() == ["en", "ltr"]
    assert not shoot(person, "triage-queue")
