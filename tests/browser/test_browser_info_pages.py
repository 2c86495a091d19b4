"""The reporter's information pages in a real browser: no WCAG 2.2 A/AA problem axe-core can
find, no sideways scrolling at 320 CSS px or 200% zoom, the same words without JavaScript,
reached and followed by keyboard from the first screen, and opened with no signal."""

from __future__ import annotations

import pytest
from browser_support import LANGUAGES, axe_violations, describe_violations, horizontal_overflow
from playwright.sync_api import expect
from test_browser_offline import controlled, kept_pages
from test_browser_pages import REFLOW_SIZES

pytestmark = pytest.mark.browser

INFO = {"/about": "About this service", "/privacy": "Privacy notice",
        "/accessibility": "Accessibility statement", "/cookies": "Cookies and storage"}  # fmt: skip


@pytest.mark.parametrize("path", INFO)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_information_page_is_accessible_reflows_and_reads_without_javascript(
    reporter, new_page, lang, path
):
    person = reporter(lang)
    page = person.page
    page.goto(person.server.url + path)
    assert person.html_lang()[0] == lang
    expect(page.locator("h1")).to_have_text(person.t(INFO[path]))
    person.screenshot(path.strip("/"))

    problems = []
    if violations := axe_violations(page):
        problems.append(
            f"axe-core: {len(violations)} violation(s):\n" + describe_violations(violations)
        )
    for size, viewport in REFLOW_SIZES.items():
        page.set_viewport_size(viewport)
        layout = horizontal_overflow(page)
        if layout["scrollWidth"] > layout["clientWidth"]:
            problems.append(f"scrolls sideways at {size}: {layout}")
    if page.errors:
        problems.append(f"JavaScript errors: {page.errors}")
    assert not problems, f"{lang} {path}:\n" + "\n".join(problems)

    bare = new_page(lang, javascript=False)
    bare.goto(person.server.url + path)
    assert bare.locator("main").inner_text() == page.locator("main").inner_text()
    assert bare.locator("main p").count() >= 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_footer_links_are_reached_and_followed_with_the_keyboard(reporter, lang):
    person = reporter(lang)
    page = person.page
    for path, title in INFO.items():
        person.open_start()
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.getAttribute('href')") or ""
            # Every public address says its language (?lang=): the page is the path.
            if focused.split("?")[0] == path and page.evaluate(
                "!!document.activeElement.closest('footer')"
            ):
                break
        else:
            pytest.fail(f"{path} was not reached from the footer by Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.split("?")[0].endswith(path)
        expect(page.locator("h1")).to_have_text(person.t(title))


def test_after_one_visit_the_information_pages_open_with_no_signal(reporter):
    person = reporter("ar")
    person.open_start()
    page = person.page
    controlled(page)
    kept_pages(page, 1 + len(person.ref.sectors) + len(INFO))
    context = page.context
    page.close()

    context.set_offline(True)
    offline = context.new_page()
    for path, title in INFO.items():
        offline.goto(person.server.url + path)
        expect(offline.locator("html")).to_have_attribute("data-offline-copy", "")
        expect(offline.locator("html")).to_have_attribute("lang", "ar")
        expect(offline.locator("h1")).to_have_text(person.t(title))
        expect(offline.locator('header a[href="tel:999"]')).to_be_visible()
