"""What a screen reader is told, and when (issue 22): the character counter once typing pauses,
not at every key; a staff page's message from a live region that was empty when the page loaded.

What a screen reader says is what changes inside live regions (aria-live, role=status or alert):
a MutationObserver records each change, as the accessibility tree hands it on."""

from __future__ import annotations

import pytest
from browser_support import Reporter
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, make_report, make_user

pytestmark = pytest.mark.browser

TYPED = "Two boys, 14"  # 12 keys
# Records the text of a live region each time it changes, from before the page's own scripts run.
# A hidden region (a notice the page has not shown, such as "There is no signal") says nothing.
RECORD_LIVE_REGIONS = """
window.announced = [];
new MutationObserver(changes => {
    const regions = new Set(changes.map(change => {
        const node = change.target.nodeType === 1 ? change.target : change.target.parentElement;
        return node && node.closest('[aria-live]:not([aria-live=off]), [role=status], [role=alert]');
    }).filter(Boolean));
    regions.forEach(region => {
        if (!region.closest('[hidden]')) { window.announced.push(region.textContent); }
    });
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def announced(page: Page) -> list[str]:
    return page.evaluate("window.announced")


def test_the_counter_is_said_once_typing_pauses_not_at_every_key(reporter):
    person: Reporter = reporter("en")
    page = person.page
    page.add_init_script(RECORD_LIVE_REGIONS)
    person.open_form("taxi")
    box = person.textbox("What did you see?")
    box.click()
    page.keyboard.type(TYPED, delay=80)
    counter = page.locator("#description-counter")
    expect(counter).to_have_text("You have 1,988 characters left")  # shown at every key
    assert announced(page) == []  # still typing: nothing said yet
    expect(page.locator("#description-counter-said")).to_have_text(counter.inner_text())
    page.wait_for_timeout(300)
    assert announced(page) == ["You have 1,988 characters left"]  # said once
    expect(box).to_have_accessible_description(
        "Describe the young person, anyone with them, and what happened. Write up to 2,000 "
        "characters. You have 1,988 characters left"
    )


def test_answers_put_back_from_the_phone_are_not_read_out(reporter):
    person: Reporter = reporter("en")
    page = person.page
    person.open_form("taxi")
    person.textbox("What did you see?").fill(TYPED)
    page.wait_for_timeout(1200)
    page.add_init_script(RECORD_LIVE_REGIONS)
    person.open_form("taxi")  # the draft kept on the phone is put back by a script
    expect(person.textbox("What did you see?")).to_have_value(TYPED)
    page.wait_for_timeout(1500)
    assert announced(page) == []


def sign_in_and_triage(live_server, page: Page, *, javascript: bool = True):
    with live_server.app.app_context():
        make_user(email="olive@staff.example")
        reference = make_report(region="east-midlands").reference
    page.goto(f"{live_server.url}/triage/login")
    page.get_by_role("textbox", name="Email address", exact=True).fill("olive@staff.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{live_server.url}/triage/reports/{reference}")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Mark as triaged", exact=True).click()
    return navigation.value


def test_a_staff_message_is_put_in_an_empty_live_region_after_the_page_loads(live_server, new_page):
    page = new_page("en-GB")
    page.add_init_script(RECORD_LIVE_REGIONS)
    response = sign_in_and_triage(live_server, page)
    served = response.text()
    assert '<div class="visually-hidden" role="status" id="flash-said"></div>' in served
    expect(page.get_by_role("status")).to_have_text("The report is triaged.")
    assert announced(page) == ["The report is triaged."]
    shown = page.locator(".notice.flash")
    expect(shown).to_have_text("The report is triaged.")
    expect(shown).to_be_visible()
    expect(shown).to_have_attribute("aria-hidden", "true")  # said once, by the live region


def test_without_javascript_a_staff_message_is_shown_and_read_in_the_page(live_server, new_page):
    page = new_page("en-GB", javascript=False)
    sign_in_and_triage(live_server, page)
    shown = page.locator(".notice.flash")
    expect(shown).to_have_text("The report is triaged.")
    expect(shown).not_to_have_attribute("aria-hidden", "true")
