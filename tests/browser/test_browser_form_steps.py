"""The steps of the form keep what was typed (issue 17): "Change where you work" carries every
answer the new setting also asks; switching language with no signal opens the phone's copy or
says it needs a signal; a body too large to take keeps the answers and names the long field."""

from __future__ import annotations

import pytest
from browser_support import DESCRIPTION, POSTCODE, axe_violations, describe_violations
from playwright.sync_api import expect
from test_browser_offline import stored, wait_until_kept

from reporter.i18n import native_name

pytestmark = pytest.mark.browser

NEEDS_SIGNAL = (
    "There is no signal. Changing the language or where you work needs one. Your answers are "
    "kept on this phone."
)


OUTBOX_SIZE = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("lookcloser", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("outbox", {keyPath: "key"});
    open.onsuccess = () => {
        const count = open.result.transaction("outbox").objectStore("outbox").count();
        count.onsuccess = () => { open.result.close(); resolve(count.result); };
    };
    open.onerror = () => reject(open.error);
})"""


def danger_answer(person, answer: str):
    group = person.page.get_by_role("group", name=person.t("Is a child in danger right now?"))
    return group.get_by_role("radio", name=person.t(answer), exact=True)


def fill_rail(person, shared_sign, rail_only_sign) -> None:
    person.answer_danger("Yes")
    person.textbox("Postcode").fill(POSTCODE)
    person.textbox("Station name or code").fill("LEI")
    person.textbox("What did you see?").fill(DESCRIPTION)
    person.sign_box(shared_sign).check()
    person.sign_box(rail_only_sign).check()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_change_where_you_work_keeps_every_answer_the_new_setting_asks(reporter, javascript):
    person = reporter("pl", javascript=javascript)
    page = person.page
    hotel_ids = {s.id for s in person.ref.signs_for("hotel")}
    shared = next(s for s in person.ref.signs_for("rail") if s.id in hotel_ids)
    rail_only = next(s for s in person.ref.signs_for("rail") if s.id not in hotel_ids)
    person.open_form("rail")
    fill_rail(person, shared, rail_only)

    with page.expect_navigation():
        page.get_by_role("button", name=person.t("Change where you work"), exact=True).click()
    violations = axe_violations(page) if javascript else []
    assert not violations, describe_violations(violations)
    hotel = person.t(person.ref.sectors["hotel"].name)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=hotel, exact=True).click()
    assert navigation.value.status == 200
    expect(page.locator(".setting strong")).to_have_text(hotel)
    expect(danger_answer(person, "Yes")).to_be_checked()
    expect(person.textbox("Postcode")).to_have_value(POSTCODE)
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)
    expect(person.sign_box(shared)).to_be_checked()
    expect(person.textbox("Station name or code")).to_have_count(0)  # hotels are not asked
    expect(page.locator("#error-summary")).to_have_count(0)  # not sent: nothing to correct

    person.stay_anonymous()
    assert person.send().status == 200
    person.reference_shown()
    [report] = stored(person.server.app)
    assert report.sector == "hotel" and report.danger
    assert {s.sign_id for s in report.signs} == {shared.id}
    if javascript:  # the rail draft went with the answers; nothing is left to offer
        drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lc-draft'))")
        assert drafts == [], drafts


def test_offline_a_language_the_phone_has_used_opens_from_the_phone_answers_kept(reporter):
    person = reporter("en")
    page = person.page
    person.open_form("rail")
    person.switch_language("cy")
    welsh = person.in_language("cy")
    wait_until_kept(page, len(person.ref.sectors))
    welsh.switch_language("en")
    wait_until_kept(page, len(person.ref.sectors))
    person.textbox("What did you see?").fill(DESCRIPTION)

    page.context.set_offline(True)
    person.switch_language("cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
    expect(welsh.textbox("What did you see?")).to_have_value(DESCRIPTION)


def answered_then_offline(person, danger: str, service_workers: str):
    """The rail form opened (and, with a service worker, every setting's form kept on the
    phone), danger answered and what was seen typed; then the signal goes."""
    person.open_form("rail")
    if service_workers == "allow":
        wait_until_kept(person.page, len(person.ref.sectors))
    person.answer_danger(danger)
    person.textbox("What did you see?").fill(DESCRIPTION)
    person.page.context.set_offline(True)
    return person


@pytest.mark.parametrize("service_workers", ["allow", "block"])
def test_offline_changing_where_you_work_says_it_needs_a_signal(reporter, service_workers):
    person = answered_then_offline(
        reporter("pl", service_workers=service_workers), "Yes", service_workers
    )
    page = person.page
    page.get_by_role("button", name=person.t("Change where you work"), exact=True).click()
    notice = page.get_by_text(person.t(NEEDS_SIGNAL))
    expect(notice).to_be_visible()
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)
    expect(danger_answer(person, "Yes")).to_be_checked()
    assert stored(person.server.app) == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lc-draft'))") == [
        "lc-draft:rail"
    ]
    if service_workers == "allow":  # a step of the form, not a report: nothing in the outbox
        assert page.evaluate(OUTBOX_SIZE) == 0
    assert page.errors == []


@pytest.mark.parametrize("service_workers", ["allow", "block"])
def test_offline_a_language_not_on_the_phone_says_it_needs_a_signal(reporter, service_workers):
    person = answered_then_offline(
        reporter("en", service_workers=service_workers), "No", service_workers
    )
    page = person.page
    page.locator("details summary", has_text=person.t("Language")).click()
    page.get_by_role("button", name=native_name("ar"), exact=True).click()
    notice = page.get_by_text(person.t(NEEDS_SIGNAL))
    expect(notice).to_be_visible()
    expect(notice).to_be_in_viewport()
    if service_workers == "block":  # the page itself said so: the list closed for the notice
        expect(page.locator("details.languages")).not_to_have_attribute("open", "")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)
    expect(danger_answer(person, "No")).to_be_checked()
    assert "needs_signal" not in page.url  # a reload does not say it again
    assert page.errors == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_report_too_large_to_take_keeps_the_answers_and_names_the_long_field(
    reporter, javascript
):
    person = reporter("ar", javascript=javascript)
    page = person.page
    person.open_form("rail")
    person.answer_danger("Yes")
    person.textbox("Postcode").fill(POSTCODE)
    person.stay_anonymous()
    pasted = "نص طويل جدا " * 1200  # 14,400 characters, about 80 KB sent: over the body limit
    box = person.textbox("What did you see?")
    box.evaluate("(el, text) => { el.value = text; }", pasted)  # a paste, not 14,400 key presses
    response = person.send()
    assert response.status == 413
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    label = person.t("What did you see?").rstrip("?؟ ")
    expect(summary.get_by_role("link")).to_contain_text(label)
    assert box.input_value() == pasted, "the long answer was not kept as typed"
    expect(person.textbox("Postcode")).to_have_value(POSTCODE)
    expect(danger_answer(person, "Yes")).to_be_checked()
    expect(page.locator("main > a.call-999")).to_be_visible()  # 999 first, as on 429 and 503
    assert stored(person.server.app) == []
    violations = axe_violations(page) if javascript else []
    assert not violations, describe_violations(violations)


NO_CALL_NEEDED = (
    "You do not have to call anyone: your report is sent. The LookCloser team does not act "
    "straight away, so if you can, also contact the first one on this list now: they can act "
    "sooner. The others can help too."
)
WITHIN_A_DAY = (
    "The prevention officer for the area is told about your report within a day. If a child "
    "needs protecting, they pass it on to the police or the council. This can take a few "
    "working days."
)


@pytest.mark.parametrize("lang", ["en", "pl", "ur"])
def test_the_outcome_without_danger_says_plainly_who_else_to_call_and_when(reporter, lang):
    person = reporter(lang)
    page = person.page
    person.reach_outcome()
    plain = page.get_by_text(person.t(NO_CALL_NEEDED), exact=True)
    expect(plain).to_be_visible()
    first = page.locator("ol.authorities > li").first
    assert plain.bounding_box()["y"] < first.bounding_box()["y"]  # said before the list
    expect(page.get_by_text(person.t(WITHIN_A_DAY), exact=True)).to_be_visible()
    anonymous = "You stayed anonymous, so no one will contact you about this report."
    expect(page.get_by_text(person.t(anonymous), exact=True)).to_be_visible()
    assert page.errors == []
