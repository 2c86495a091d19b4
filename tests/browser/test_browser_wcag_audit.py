"""What a WCAG 2.2 audit of the pages found (issue 22), held in Chromium: the 999 boxes keep
their shape in forced colours, the reference breaks only between its groups at 320 px, and the
Trends charts keep their labels whole with WCAG text spacing applied."""

from __future__ import annotations

import pytest
from browser_support import Reporter
from playwright.sync_api import Page, expect

from reporter.reference import get_reference
from tests.factories import PASSWORD, make_report, make_user

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}  # 1280 px at 400% zoom
BORDER = """el => { const s = getComputedStyle(el);
    return [parseFloat(s.borderTopWidth), s.borderTopStyle, s.borderTopColor, s.backgroundColor]; }"""


def send_danger_report(person: Reporter) -> None:
    person.open_form("rail")
    person.answer_danger("Yes")
    person.sign_box(person.signs("rail", 1)[0]).check()
    person.textbox("Station name or code").fill("LEI")
    assert person.send().status == 200


def test_the_999_boxes_keep_a_border_in_forced_colours(reporter):
    person = reporter("en")
    send_danger_report(person)
    page = person.page
    page.emulate_media(forced_colors="active")
    for box in (page.locator(".danger-line"), page.locator("main .call-999")):
        width, style, colour, background = box.evaluate(BORDER)
        assert width >= 3 and style == "solid", (box, width, style)
        assert colour != background  # the theme's own colours: the border shows
    page.emulate_media(forced_colors="none")
    assert page.locator("main .call-999").evaluate(BORDER)[0] == 0  # the red is enough


# Each line box of each group of the reference: a group on more than one line is broken inside.
GROUP_LINES = """p => [...p.querySelectorAll('.group')].map(group => [group.textContent,
    new Set([...group.getClientRects()].map(box => Math.round(box.top))).size])"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_reference_breaks_only_between_its_groups_at_320_px(reporter, lang):
    person = reporter(lang, viewport=NARROWEST)
    send_danger_report(person)
    reference = person.page.locator("p.reference:not(.code)")  # the follow-up code is another
    text = person.reference_shown()
    groups = reference.evaluate(GROUP_LINES)
    assert "".join(group for group, _lines in groups) == text
    assert all(lines == 1 for _group, lines in groups), groups
    assert reference.evaluate("p => p.scrollWidth <= p.clientWidth")  # nothing sticks out


# WCAG 2.2 success criterion 1.4.12, as its test bookmarklets apply it. A constructed sheet, as
# the app's Content Security Policy (rightly) refuses an inline <style>.
TEXT_SPACING = """css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }"""
SPACING_CSS = (
    "* { line-height: 1.5 !important; letter-spacing: .12em !important;"
    " word-spacing: .16em !important; } p { margin-block-end: 2em !important; }"
)
# Every shown text of every chart that is not wholly inside its chart (padding included).
CUT_TEXT = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
    const chart = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].filter(text => {
        if (getComputedStyle(text).display === 'none') return false;
        const box = text.getBoundingClientRect();
        return box.left < chart.left - 1 || box.right > chart.right + 1
            || box.top < chart.top - 2 || box.bottom > chart.bottom + 2;
    }).map(text => text.textContent);
})"""


def open_trends(page: Page, url: str) -> None:
    page.goto(url + "/triage/login")
    page.get_by_role("textbox", name="Email address", exact=True).fill("ada@staff.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(url + "/triage/trends?weeks=26")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trends")


@pytest.mark.parametrize("width", [320, 1280])
def test_the_trends_charts_keep_every_label_whole_with_text_spacing(live_server, new_page, width):
    signs = sorted(get_reference().signs.values(), key=lambda s: -len(s.label))[:10]
    with live_server.app.app_context():
        make_user(email="ada@staff.example", role="admin")
        for i, sign in enumerate(signs):  # the ten longest labels, each in the top ten
            for _ in range(i + 1):
                make_report(signs=(sign.id,), region=("east-midlands", "london")[i % 2])
    page = new_page("en-GB", viewport={"width": width, "height": 800})
    open_trends(page, live_server.url)
    assert page.evaluate(CUT_TEXT) == []
    page.evaluate(TEXT_SPACING, SPACING_CSS)
    assert page.evaluate("getComputedStyle(document.querySelector('svg text')).letterSpacing")
    assert page.evaluate(CUT_TEXT) == []
    expect(page.locator("#by-sign-heading ~ .chart-box svg > g")).to_have_count(len(signs))


def test_staff_pages_read_the_reporters_arabic_right_to_left(live_server, new_page):
    with live_server.app.app_context():
        make_user(email="ada@staff.example", role="admin")
        reference = make_report(
            description="فتاة مع رجل أكبر سنا، تبدو خائفة.", place="عند حاجز التذاكر", language="ar"
        ).reference
    page = new_page("en-GB")
    open_trends(page, live_server.url)  # signed in
    direction = "el => [el.lang, getComputedStyle(el).direction]"
    page.goto(f"{live_server.url}/triage/")
    assert page.get_by_text("عند حاجز التذاكر").evaluate(direction) == ["ar", "rtl"]
    page.goto(f"{live_server.url}/triage/reports/{reference}")
    for words in ("فتاة مع رجل أكبر سنا، تبدو خائفة.", "عند حاجز التذاكر"):
        assert page.get_by_text(words, exact=True).evaluate(direction) == ["ar", "rtl"]
    assert page.evaluate("document.documentElement.dir") == "ltr"  # the page itself is English
