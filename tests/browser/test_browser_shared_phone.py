"""A shared phone keeps no secrets (issue 17): couriers and station staff share a work phone or
hand theirs to a colleague. The outcome is shown to its sender once; Back after sending puts
nothing back; a report left unsent is offered to whoever holds the phone next, not filled in;
and "Clear my answers" asks first."""

from __future__ import annotations

import pytest
from browser_support import (
    DESCRIPTION,
    POSTCODE,
    REFERENCE,
    axe_violations,
    describe_violations,
)
from playwright.sync_api import expect
from test_browser_offline import stored, wait_until_kept

from reporter.public import routes

pytestmark = pytest.mark.browser

OFFER = "This phone has a report that was not sent."


def test_the_outcome_is_shown_to_its_sender_once_not_to_a_later_visit(reporter, monkeypatch):
    monkeypatch.setattr(routes, "OUTCOME_SHOWN_SECONDS", 2)
    person = reporter()
    page = person.page
    reference = person.reach_outcome()
    assert page.reload().status == 200  # a reload right after is fine
    assert person.reference_shown() == reference

    page.wait_for_timeout(2500)  # later: the next person picks up the phone
    later = page.context.new_page()
    response = later.goto(person.server.url + "/report/done")
    assert response.status == 200 and later.url.endswith("/report")
    expect(later.get_by_text(REFERENCE)).to_have_count(0)
    expect(later.locator("body")).not_to_contain_text(reference)
    page.reload()
    expect(page.locator("body")).not_to_contain_text(reference)


def test_back_after_sending_puts_no_answer_back(reporter):
    person = reporter("pl")
    page = person.page
    person.open_form("taxi")
    person.answer_danger("No")
    person.textbox("Postcode").fill(POSTCODE)
    person.textbox("What did you see?").fill(DESCRIPTION)
    share = person.t("Share my details: the police may contact me too")
    page.get_by_role("radio", name=share, exact=True).check()
    person.textbox("Your name").fill("Ewa Kowalska")
    person.textbox("Phone number").fill("07700 900123")
    assert person.send().status == 200
    person.reference_shown()

    page.go_back()
    expect(page).to_have_url(person.server.url + "/report?sector=taxi")
    expect(person.textbox("What did you see?")).to_have_value("")
    expect(person.textbox("Postcode")).to_have_value("")
    expect(page.locator("#name")).to_have_value("")  # hidden again: "Stay anonymous" is back
    expect(page.locator("#phone")).to_have_value("")
    assert page.locator("#report-form").get_attribute("autocomplete") == "off"
    for field in ("name", "phone", "email"):
        assert page.locator(f"#{field}").get_attribute("autocomplete") == "off"


def leave_a_draft(person) -> None:
    """Someone types a report and walks away without sending it."""
    person.open_form("rail")
    person.answer_danger("No")
    person.textbox("Postcode").fill(POSTCODE)
    person.textbox("What did you see?").fill(DESCRIPTION)
    person.page.close()


def next_person(person):
    """The next person opens the form on the same phone, in a new tab."""
    page = person.page.context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(error))
    nxt = type(person)(page, person.server, person.lang)
    nxt.open_form("rail")
    return nxt


def test_an_unsent_report_is_offered_to_the_next_person_not_filled_in(reporter):
    person = reporter("cy")
    leave_a_draft(person)
    nxt = next_person(person)
    page = nxt.page
    offer = page.get_by_role("heading", name=nxt.t(OFFER))
    expect(offer).to_be_visible()
    expect(offer).to_be_in_viewport()
    expect(nxt.textbox("What did you see?")).to_have_value("")
    expect(nxt.textbox("Postcode")).to_have_value("")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    page.get_by_role("button", name=nxt.t("Look at it"), exact=True).click()
    expect(offer).to_be_hidden()
    expect(nxt.textbox("What did you see?")).to_have_value(DESCRIPTION)
    expect(nxt.textbox("Postcode")).to_have_value(POSTCODE)
    page.reload()  # now this tab's own: filled in again, not offered
    expect(nxt.textbox("What did you see?")).to_have_value(DESCRIPTION)
    expect(offer).to_be_hidden()
    assert page.errors == []


def test_an_unsent_report_can_be_deleted_by_the_next_person(reporter):
    person = reporter()
    leave_a_draft(person)
    nxt = next_person(person)
    page = nxt.page
    page.get_by_role("button", name=nxt.t("Delete it"), exact=True).click()
    expect(page.get_by_role("heading", name=nxt.t(OFFER))).to_be_hidden()
    expect(nxt.textbox("What did you see?")).to_have_value("")

    again = next_person(nxt)  # and it is gone for good
    expect(again.page.get_by_role("heading", name=again.t(OFFER))).to_be_hidden()
    expect(again.textbox("What did you see?")).to_have_value("")


def test_an_unsent_report_can_be_sent_now_once(reporter):
    person = reporter("ar")
    leave_a_draft(person)
    nxt = next_person(person)
    page = nxt.page
    with page.expect_navigation(url="**/report/done"):
        page.get_by_role("button", name=nxt.t("Send it now"), exact=True).click()
    reference = nxt.reference_shown()
    [report] = stored(nxt.server.app)
    assert report.reference == reference and report.sector == "rail"
    after = next_person(nxt)
    expect(after.page.get_by_role("heading", name=after.t(OFFER))).to_be_hidden()


def test_a_report_kept_offline_then_sent_shows_its_outcome_to_no_one_else(reporter):
    """The sender walked away with the report waiting on the phone; when it goes, the next
    person's tab is not taken to its reference and place, and the offer of it goes away."""
    person = reporter()
    page = person.page
    person.open_form("rail")
    wait_until_kept(page, len(person.ref.sectors))
    page.context.set_offline(True)
    person.fill_rail_report(person.signs("rail", 1))
    page.get_by_role("button", name=person.t("Send report"), exact=True).click()
    expect(page.locator("#saved-notice")).to_be_visible()
    page.close()

    nxt = next_person(person)
    offer = nxt.page.get_by_role("heading", name=nxt.t(OFFER))
    expect(offer).to_be_visible()
    nxt.page.context.set_offline(False)
    expect(offer).to_be_hidden(timeout=15_000)  # sent by the worker: nothing left to offer
    [report] = stored(nxt.server.app)
    assert nxt.page.url.endswith("/report?sector=rail")
    expect(nxt.page.locator("body")).not_to_contain_text(report.reference)
    expect(nxt.textbox("What did you see?")).to_have_value("")
    assert nxt.page.errors == []


def test_clear_my_answers_asks_first(reporter):
    person = reporter("uk")
    page = person.page
    person.open_form("rail")
    person.textbox("What did you see?").fill(DESCRIPTION)
    clear = page.get_by_role("button", name=person.t("Clear my answers"), exact=True)
    clear.click()
    question = page.get_by_text(person.t("Clear all your answers from this phone?"))
    expect(question).to_be_visible()
    expect(page.locator("#clear-ask")).to_be_focused()
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    page.get_by_role("button", name=person.t("No, keep them"), exact=True).click()
    expect(question).to_be_hidden()
    expect(clear).to_be_focused()
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)

    clear.click()
    with page.expect_navigation():
        page.get_by_role("button", name=person.t("Yes, clear them"), exact=True).click()
    expect(person.textbox("What did you see?")).to_have_value("")
    page.reload()
    expect(person.textbox("What did you see?")).to_have_value("")
