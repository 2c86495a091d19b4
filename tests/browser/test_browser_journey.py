"""The reporter's journey in a real browser, in English, Welsh and Arabic."""

from __future__ import annotations

import re

import pytest
from browser_support import DESCRIPTION, LANGUAGES, POSTCODE
from playwright.sync_api import expect

from reporter.routing import Facts
from reporter.services.reporting.guidance import guidance_for

pytestmark = pytest.mark.browser


def expected_contacts(app, sector: str, signs) -> list:
    with app.app_context():
        facts = Facts(sector=sector, signs=frozenset(s.id for s in signs), postcode=POSTCODE)
        return list(guidance_for(facts).authorities)


def dial_links(authorities) -> list[str]:
    links = []
    for a in authorities:
        if a.phone:
            links.append("tel:" + a.phone.replace(" ", ""))
        if a.sms:
            links.append("sms:" + a.sms)
    return links


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rail_report_is_sent_and_points_first_to_the_btp_text_service(reporter, lang):
    person = reporter(lang)
    page = person.page
    person.open_start()
    person.choose_setting("rail")
    signs = person.signs("rail", 2)
    person.fill_rail_report(signs)
    assert person.send().status == 200

    assert person.html_lang()[0] == lang
    expect(page.get_by_role("heading", level=1)).to_have_text(
        person.t("Thank you. Your report is sent.")
    )
    person.reference_shown()

    contacts = expected_contacts(person.server.app, "rail", signs)
    guidance = page.locator("main ol").first
    items = guidance.get_by_role("listitem")
    expect(items).to_have_count(len(contacts))
    for item, contact in zip(items.all(), contacts, strict=True):
        expect(item.get_by_role("heading")).to_have_text(person.t(contact.name))
        # Every sentence as written ('stay 100% anonymous' once came out as '100{}nonymous').
        for text in (contact.when, contact.tell):
            expect(item.get_by_text(person.t(text), exact=True)).to_be_visible()
    hrefs = [
        href.split("?")[0]  # a text link carries its pre-filled body
        for href in (link.get_attribute("href") for link in guidance.get_by_role("link").all())
        if href.startswith(("tel:", "sms:"))
    ]
    assert hrefs == dial_links(contacts)
    # The promise to railway staff: a discreet text to British Transport Police comes first.
    first = guidance.get_by_role("link").first
    expect(first).to_have_attribute("href", re.compile(r"^sms:61016\?&body=.*LC-"))
    expect(first).to_contain_text("61016")


@pytest.mark.parametrize(("before", "after"), [("en", "cy"), ("cy", "ar"), ("ar", "en")])
def test_switching_language_mid_form_keeps_the_answers(reporter, before, after):
    person = reporter(before)
    person.open_start()
    person.choose_setting("rail")
    sign = person.signs("rail", 3)[2]
    person.sign_box(sign).check()
    person.textbox("What did you see?").fill(DESCRIPTION)

    person.switch_language(after)

    assert person.html_lang()[0] == after
    person = person.in_language(after)
    expect(person.sign_box(sign)).to_be_checked()
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)
    expect(person.page.get_by_role("alert")).to_have_count(0)  # a switch is not a submission

    # The language chosen stays for the rest of the journey.
    person.answer_danger("No")
    person.textbox("Postcode").fill(POSTCODE)
    assert person.send().status == 200
    assert person.html_lang()[0] == after
    person.reference_shown()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_works_without_javascript(reporter, lang):
    person = reporter(lang, javascript=False)
    page = person.page
    person.open_start()
    person.choose_setting("rail")

    assert person.send().status == 200
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(person.t("There is a problem"))
    links = summary.get_by_role("link")
    danger_error = person.t("Say if a child is in danger right now.")
    assert danger_error in links.all_inner_texts()
    for link in links.all():
        target = page.locator(link.get_attribute("href"))
        expect(target).to_have_count(1)
        expect(target).to_be_editable()
    links.filter(has_text=danger_error).click()
    expect(page.get_by_role("radio", name=person.t("Yes"), exact=True)).to_be_in_viewport()

    person.fill_rail_report(person.signs("rail", 2))
    assert person.send().status == 200
    assert person.html_lang()[0] == lang
    person.reference_shown()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("javascript", [True, False])
def test_a_report_from_the_kept_compressed_form_is_sent(reporter, serve, lang, javascript):
    """The browser gets the form kept and compressed once (public/static_pages.py), the same
    bytes as every other visitor: it reads it, and the report it sends is stored."""
    server = serve()
    for _ in range(2):  # the first visit renders and keeps the page; the second is served from it
        person = reporter(lang, server=server, javascript=javascript)
        person.open_start()
        with person.page.expect_response(lambda r: "/report?sector=rail" in r.url) as form:
            person.choose_setting("rail")
        person.fill_rail_report(person.signs("rail", 2))
        assert person.send().status == 200
        person.reference_shown()
    assert form.value.headers.get("content-encoding") in ("br", "gzip")
