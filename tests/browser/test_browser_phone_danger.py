"""999 where a child is in danger (issue 17), on a 360 px phone: the "Not sent yet" notice opens
on the red tap-to-call 999 box when Yes is answered, whoever shows it (the page from the server,
the page kept by the service worker, the page script with no worker); "Call 999 now" beside Yes;
and a report our service keeps refusing says it waits for our service, not for the signal."""

from __future__ import annotations

import pytest
from browser_support import RATE_LIMITED
from playwright.sync_api import expect
from test_browser_offline import stored, wait_until_kept

from reporter.templating import left_to_right

pytestmark = pytest.mark.browser

IN_DANGER = "You said a child is in danger right now. Call 999 now."
NOT_SENT = "Not sent yet. It is saved on this phone and will be sent when the connection works."
BUSY = (
    "Not sent yet: our service is not taking reports right now. It is saved on this phone and "
    "will be sent when our service takes it. Please contact one of these now."
)


def send_offline(person) -> None:
    person.page.context.set_offline(True)
    person.page.get_by_role("button", name=person.t("Send report"), exact=True).click()


def notice_opens_on_999(person) -> None:
    """The first call in the notice is the red 999 box, on screen; the setting's numbers come
    after it, under "After you have called 999"."""
    notice = person.page.locator("#saved-notice")
    expect(notice).to_be_focused()
    calls = notice.locator('a[href^="tel:"]:visible, a[href^="sms:"]:visible')
    first = calls.first
    expect(first).to_have_attribute("href", "tel:999")
    expect(first).to_have_class("call-999 if-danger")
    expect(first).to_contain_text(person.t("Call %(number)s", number=left_to_right("999")))
    expect(first).to_contain_text(person.t(IN_DANGER))
    expect(first).to_be_in_viewport()
    after = notice.get_by_role("heading", name=person.t("After you have called 999"))
    expect(after).to_be_visible()
    hrefs = [link.get_attribute("href") for link in calls.all()]
    assert hrefs[0] == "tel:999" and "tel:999" not in hrefs[1:], hrefs
    assert {"tel:101", "sms:61016"} <= set(hrefs), hrefs
    below = after.bounding_box()["y"]
    assert all(link.bounding_box()["y"] > below for link in calls.all()[1:])


@pytest.mark.parametrize("lang", ["en", "pl", "ar"])
def test_offline_with_a_child_in_danger_the_notice_opens_on_the_999_box(reporter, lang):
    person = reporter(lang)
    person.open_form("rail")
    wait_until_kept(person.page, len(person.ref.sectors))
    person.fill_rail_report(person.signs("rail", 1))
    person.answer_danger("Yes")
    send_offline(person)
    notice_opens_on_999(person)
    assert stored(person.server.app) == []


def test_the_form_kept_by_the_service_worker_opens_its_notice_on_999(reporter):
    person = reporter("cy")
    page = person.page
    person.open_form("rail")
    wait_until_kept(page, len(person.ref.sectors))
    page.context.set_offline(True)
    page.goto(person.server.url + "/report?sector=hotel")
    expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
    person.answer_danger("Yes")
    person.textbox("What did you see?").fill("A girl of about 12 led upstairs by two men.")
    page.get_by_role("button", name=person.t("Send report"), exact=True).click()
    notice = page.locator("#saved-notice")
    expect(notice).to_be_focused()
    first = notice.locator('a[href^="tel:"]:visible').first
    expect(first).to_have_class("call-999 if-danger")
    expect(first).to_be_in_viewport()
    expect(
        notice.get_by_role("heading", name=person.t("After you have called 999"))
    ).to_be_visible()


def test_with_no_service_worker_the_page_scripts_notice_opens_on_999_too(reporter):
    person = reporter("ar", service_workers="block")
    person.open_form("rail")
    person.fill_rail_report(person.signs("rail", 1))
    person.answer_danger("Yes")
    send_offline(person)
    notice_opens_on_999(person)  # its expectations: focus, 999 first and in view, the heading
    assert stored(person.server.app) == []  # offline: kept on the phone, not sent


def test_with_no_danger_the_notice_opens_on_the_999_line_and_no_red_box(reporter):
    person = reporter()
    person.open_form("rail")
    wait_until_kept(person.page, len(person.ref.sectors))
    person.fill_rail_report(person.signs("rail", 1))
    send_offline(person)
    notice = person.page.locator("#saved-notice")
    first = notice.locator('a[href^="tel:"]:visible').first
    expect(first).to_have_text(person.t("If a child is in immediate danger, call 999"))
    expect(notice.locator(".call-999")).to_be_hidden()
    expect(notice.get_by_role("heading", name=person.t("After you have called 999"))).to_be_hidden()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_tapping_yes_puts_call_999_now_right_there(reporter, lang):
    person = reporter(lang)
    page = person.page
    person.open_form("rail")
    call = page.get_by_role("link", name=person.t("Call 999 now"), exact=True)
    expect(call).to_be_hidden()
    person.answer_danger("Yes")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:999")
    expect(call).to_be_in_viewport()
    group = page.get_by_role("group", name=person.t("Is a child in danger right now?"))
    yes = group.get_by_role("radio", name=person.t("Yes"), exact=True).bounding_box()
    no = group.get_by_role("radio", name=person.t("No"), exact=True).bounding_box()
    box = call.bounding_box()
    assert yes["y"] < box["y"] < no["y"], (yes, box, no)  # right under Yes, before No
    person.answer_danger("No")
    expect(call).to_be_hidden()


def test_call_999_now_needs_no_script_to_follow_the_answer(reporter):
    """It is hidden from the first paint, not by a script that runs later (the form would
    shift under the thumb): with the page scripts never arriving, it still follows Yes."""
    person = reporter("cy")
    page = person.page
    page.route("**/static/js/*.js*", lambda route: route.abort())
    person.open_form("rail")
    call = page.get_by_role("link", name=person.t("Call 999 now"), exact=True)
    expect(call).to_be_hidden()
    person.answer_danger("Yes")
    expect(call).to_be_visible()


def test_without_javascript_call_999_now_is_always_beside_yes(reporter):
    person = reporter("pl", javascript=False)
    page = person.page
    person.open_form("taxi")
    call = page.get_by_role("link", name=person.t("Call 999 now"), exact=True)
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:999")
    expect(call).to_be_in_viewport()


def test_a_report_our_service_keeps_refusing_says_it_waits_for_our_service(reporter, serve):
    """Over the rate limit, every send from the phone gets 429: the notice no longer blames
    the connection, and who to call is right there."""
    person = reporter(server=serve(**RATE_LIMITED))
    page = person.page
    person.reach_outcome()  # the address's one report for the hour
    person.open_form("rail")
    wait_until_kept(page, len(person.ref.sectors))
    person.fill_rail_report(person.signs("rail", 1))
    send_offline(person)
    notice = page.locator("#saved-notice")
    expect(notice.get_by_role("heading", level=2)).to_have_text(person.t(NOT_SENT))

    page.context.set_offline(False)  # the signal is back; our service still says "not now"
    heading = notice.get_by_role("heading", level=2)
    expect(heading).to_have_text(person.t(BUSY), timeout=15_000)
    expect(heading).to_be_in_viewport()
    calls = notice.locator('a[href^="tel:"]:visible, a[href^="sms:"]:visible')
    hrefs = [link.get_attribute("href") for link in calls.all()]
    assert hrefs[0] == "tel:999" and {"tel:101", "sms:61016"} <= set(hrefs), hrefs
    assert len(stored(person.server.app)) == 1  # only the first report
    assert page.url.endswith("/report?sector=rail")
