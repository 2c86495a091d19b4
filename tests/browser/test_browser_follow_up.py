"""Follow-up in a real browser: the code on the outcome page, its copy button where the phone
can copy (and, without script, a code selected whole by one tap), and the way back to the
report's status, in English, Welsh and Arabic."""

from __future__ import annotations

import re

import pytest
from browser_support import LANGUAGES, axe_violations, describe_violations, horizontal_overflow
from playwright.sync_api import expect
from sqlalchemy import select

from reporter.codes import Status
from reporter.extensions import db
from reporter.models import Report, Sighting
from reporter.services.casework import questions
from reporter.services.reporting.follow_up import CODE_PATTERN, STATUS_WORDS
from tests.factories import make_user

pytestmark = pytest.mark.browser


def follow_up(person, reference: str, code: str) -> None:
    page = person.page
    with page.expect_navigation():
        page.get_by_role("link", name=person.t("Follow up a report"), exact=True).click()
    person.textbox("Your reference").fill(reference)
    person.textbox("Follow-up code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name=person.t("Follow up a report"), exact=True).click()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_code_is_copied_and_opens_the_reports_status(reporter, lang):
    person = reporter(lang)
    page = person.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    reference = person.reach_outcome()
    code = page.locator("#follow-up-code").inner_text().strip()
    assert re.fullmatch(CODE_PATTERN, code)
    copy = page.get_by_role("button", name=person.t("Copy the code"), exact=True)
    copy.click()
    expect(page.locator("button[data-copy]")).to_have_text(person.t("Copied"))
    # ... and said to screen readers, from a live region that was empty at load.
    expect(page.get_by_role("status").filter(has_text=person.t("Copied"))).to_have_count(1)
    assert page.evaluate("navigator.clipboard.readText()") == code
    follow_up(person, reference, code)
    expect(page.locator(".status-words")).to_have_text(person.t(str(STATUS_WORDS[Status.NEW])))
    assert page.errors == []


def test_without_script_the_code_is_shown_selectable_and_works(reporter):
    person = reporter("en", javascript=False)
    page = person.page
    reference = person.reach_outcome()
    code = page.locator("#follow-up-code")
    expect(code).to_be_visible()
    expect(page.locator("button[data-copy]")).to_be_hidden()
    assert code.evaluate("e => getComputedStyle(e).userSelect") == "all"
    follow_up(person, reference.lower(), code.inner_text().replace("-", " "))
    expect(page.locator(".status-words")).to_have_text(person.t(str(STATUS_WORDS[Status.NEW])))


def test_the_code_is_gone_when_the_outcome_page_opens_again(reporter):
    person = reporter("en")
    person.reach_outcome()
    person.page.reload()
    person.reference_shown()
    expect(person.page.locator("#follow-up-code")).to_have_count(0)


NOT_SENT = "Not sent yet. It is saved on this phone and will be sent when the connection works."


def test_a_sighting_sent_with_no_signal_waits_on_the_phone_and_goes_once(reporter):
    person = reporter("cy")
    page, app = person.page, person.server.app
    reference = person.reach_outcome()
    code = page.locator("#follow-up-code").inner_text().strip()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    follow_up(person, reference, code)

    page.context.set_offline(True)
    seen = page.locator("#seen-again-form")
    group = seen.get_by_role("group", name=person.t("Is a child in danger right now?"))
    group.get_by_role("radio", name=person.t("No"), exact=True).check()
    seen.get_by_role("checkbox", name=person.t("The same place as before")).check()
    seen.get_by_role("textbox", name=person.t("What is different this time?")).fill("Again, 9pm")
    seen.get_by_role("button", name=person.t("Send"), exact=True).click()
    notice = page.locator("#saved-notice")
    expect(notice.get_by_role("heading", level=2)).to_have_text(person.t(NOT_SENT))
    assert sightings_stored(app) == 0

    with page.expect_navigation(url="**/follow-up/thanks"):
        page.context.set_offline(False)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        person.t("Thank you. We have added this to your report.")
    )
    page.wait_for_timeout(1000)  # a second copy would have arrived by now
    assert sightings_stored(app) == 1
    assert page.errors == []


def sightings_stored(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Sighting)).all())


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_follow_up_pages_pass_axe_and_fit_a_phone_with_a_question_waiting(reporter, lang):
    person = reporter(lang)
    page, app = person.page, person.server.app
    reference = person.reach_outcome()
    code = page.locator("#follow-up-code").inner_text().strip()
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        officer = make_user(regions=(report.queue,))
        questions.ask(report, officer, "Which platform were they on?")
    with page.expect_navigation():
        page.get_by_role("link", name=person.t("Follow up a report"), exact=True).click()
    for step in ("form", "status"):
        violations = axe_violations(page)
        assert not violations, f"{step}:\n{describe_violations(violations)}"
        overflow = horizontal_overflow(page)
        assert overflow["scrollWidth"] <= overflow["clientWidth"], overflow["wide"]
        if step == "form":
            person.textbox("Your reference").fill(reference)
            person.textbox("Follow-up code").fill(code)
            with page.expect_navigation():
                page.get_by_role("button", name=person.t("Follow up a report"), exact=True).click()
    expect(page.locator("blockquote.question")).to_have_text("Which platform were they on?")
    page.get_by_role("textbox", name=person.t("Your answer"), exact=True).fill("Platform 3")
    with page.expect_navigation():
        page.get_by_role("button", name=person.t("Send your answer"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        person.t("Thank you. Your answer is sent to the team.")
    )
