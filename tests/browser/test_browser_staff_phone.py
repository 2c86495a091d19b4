"""The officer on a phone (360x740, or the 360x640 of a small one): references on one line, the
queue and users as cards with nothing scrolling sideways, the first report on the first screen
with the filters folded above it (and working without JavaScript), link cells level with their
row, the trends' charts as wide as the screen, and no request for an icon answered with a 404."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from browser_support import PHONE
from playwright.sync_api import Page, expect
from test_browser_triage import problems_on, sign_in

from reporter.models import utcnow
from reporter.reference import get_reference
from tests.factories import make_report, make_user

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
PAGE_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"

LINES = """link => {
    const range = document.createRange();
    range.selectNodeContents(link);
    return new Set([...range.getClientRects()].map(box => Math.round(box.top))).size;
}"""
SIDEWAYS = "el => [el.scrollWidth, el.clientWidth]"
TEXT_TOP = """cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !node.textContent.trim()) {}
    const range = document.createRange();
    range.selectNodeContents(node);
    return range.getClientRects()[0].top;
}"""


def _not_found_requests(page: Page) -> list[str]:
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    return missing


def test_the_queue_on_a_phone_is_cards_with_references_whole(live_server, new_page):
    with live_server.app.app_context():
        make_user(email="olive@staff.example")
        made = [
            make_report(station="LEI", priority="urgent", danger=True),
            make_report(place="Car park behind the Drovers Arms, by the recycling bins"),
            make_report(postcode="S40 1AA", priority="high"),
        ]
        references = [r.reference for r in made]
    page = new_page("en-GB", viewport=PHONE)
    missing = _not_found_requests(page)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "olive@staff.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    problems = problems_on(page, "queue-phone")
    wrap = page.locator(".table-wrap").first
    scroll, width = wrap.evaluate(SIDEWAYS)
    assert scroll <= width, f"the queue scrolls sideways: {scroll} px in {width}"
    for reference in references:
        link = page.get_by_role("link", name=reference, exact=True)
        expect(link).to_be_visible()
        assert link.evaluate(LINES) == 1, f"{reference} is broken over lines"
    expect(page.locator("tr", has_text=references[1])).to_contain_text("Car park behind")
    labels = (
        page.locator("tr", has_text=references[0])
        .locator("td")
        .evaluate_all("cells => cells.map(td => getComputedStyle(td, '::before').content)")
    )
    shown = [label.split(" / ")[0] for label in labels]  # shown; the header is what is read
    assert '"Where"' in shown and '"Reference"' in shown, labels  # each cell says what it is
    assert not [url for url in missing if url.endswith("favicon.ico")], missing
    assert not problems, "\n".join(problems)


def test_on_a_wide_screen_link_cells_sit_level_with_their_row(live_server, new_page):
    with live_server.app.app_context():
        make_user(email="olive@staff.example")
        reference = make_report(station="LEI").reference
    page = new_page("en-GB", viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "olive@staff.example")
    row = page.locator("tr", has_text=reference)
    link_top = row.locator("td").nth(0).evaluate(TEXT_TOP)
    status_top = row.locator("td").nth(2).evaluate(TEXT_TOP)
    assert abs(link_top - status_top) <= 2, (link_top, status_top)


def test_the_users_table_on_a_phone_does_not_scroll_sideways(live_server, new_page):
    with live_server.app.app_context():
        make_user(email="ada@staff.example", role="admin")
        make_user(email="a.very.long.address.for.an.officer@police.example.org.uk")
    page = new_page("en-GB", viewport=PHONE)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "ada@staff.example")
    page.goto(live_server.url + "/triage/users")
    problems = problems_on(page, "users-phone")
    scroll, width = page.locator(".table-wrap").first.evaluate(SIDEWAYS)
    assert scroll <= width, f"the users table scrolls sideways: {scroll} px in {width}"
    assert not problems, "\n".join(problems)


def test_the_weekly_chart_on_a_phone_shows_the_week_with_reports(live_server, new_page):
    with live_server.app.app_context():
        make_user(email="olive@staff.example")
        make_report(created_at=utcnow() - timedelta(days=1))
    page = new_page("en-GB", viewport=PHONE)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "olive@staff.example")
    page.goto(live_server.url + "/triage/trends?weeks=26")
    problems = problems_on(page, "trends-phone")
    box = page.locator("#chart-by-week-title").locator("xpath=..").bounding_box()
    columns = page.locator(".chart-columns rect").all()
    shown = [c.bounding_box() for c in columns if c.bounding_box()["height"] > 0]
    assert shown, "no column for the week with a report"
    for column in shown:
        assert box["x"] <= column["x"] and column["x"] + column["width"] <= box["x"] + box["width"]
    assert not problems, "\n".join(problems)


# --- the queue's filters, folded --------------------------------------------------------------


def first_card_top(page: Page) -> float:
    """Where the queue's first report starts, in px from the top of the page."""
    card = page.locator("table.queue tbody tr").first
    return card.evaluate("row => row.getBoundingClientRect().top + window.scrollY")


def filter_panel(page: Page):
    return page.get_by_role("search", name="Find reports").locator("details")


@pytest.mark.parametrize("screen", [SMALL_PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_first_report_is_on_the_first_screen_with_every_filter_a_tap_away(
    live_server, new_page, screen
):
    with live_server.app.app_context():
        make_user(email="nat@staff.example", role="national")  # every filter, the region too
        first = make_report(priority="urgent", station="LEI").reference
        make_report()
    page = new_page("en-GB", viewport=screen)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "nat@staff.example")
    expect(page.get_by_role("link", name=first, exact=True)).to_be_visible()
    top = first_card_top(page)
    assert top + 44 <= screen["height"], f"the first report starts {top} px down"
    expect(page.get_by_role("link", name=first, exact=True)).to_be_in_viewport()
    scroll, width = page.evaluate(PAGE_WIDTH)
    assert scroll <= width, f"the queue scrolls sideways: {scroll} px in {width}"
    name = "phone" if screen is SMALL_PHONE else "desktop"
    problems = problems_on(page, f"queue-folded-{name}")

    # By keyboard, as a person who cannot use a pointer: the summary is a real control.
    summary = filter_panel(page).locator("summary")
    expect(summary).to_have_text("Filter reports")
    expect(page.get_by_label("Priority", exact=True)).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(filter_panel(page)).to_have_attribute("open", "")
    for label in ("Search", "Status", "Priority", "Setting", "Sign", "Region", "Received from"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Only reports assigned to me")).to_be_visible()
    problems += problems_on(page, f"queue-unfolded-{name}")
    assert not problems, "\n".join(problems)


def test_without_javascript_a_filter_is_set_and_the_queue_filtered(live_server, new_page):
    with live_server.app.app_context():
        make_user(email="olive@staff.example")
        high = make_report(priority="high").reference
        normal = make_report(priority="normal").reference
    page = new_page("en-GB", viewport=SMALL_PHONE, javascript=False)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "olive@staff.example")
    expect(page.get_by_role("link", name=normal, exact=True)).to_be_visible()
    filter_panel(page).locator("summary").click()
    page.get_by_label("Priority", exact=True).select_option(label="High")
    with page.expect_navigation():
        page.get_by_role("button", name="Show reports", exact=True).click()
    assert "priority=high" in page.url  # the filters stay in the address, to bookmark
    expect(page.get_by_role("link", name=high, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=normal, exact=True)).to_have_count(0)
    expect(filter_panel(page)).to_have_attribute("open", "")
    expect(page.get_by_label("Priority", exact=True)).to_have_value("high")
    # No page.evaluate here, so no axe-core: Playwright cannot run a script in a page without
    # JavaScript. The unfolded filters are checked with it in the test after this one.


def test_a_filter_in_the_address_unfolds_the_filters_and_is_counted(live_server, new_page):
    with live_server.app.app_context():
        make_user(email="olive@staff.example")
        make_report(priority="high", sector="hotel")
    page = new_page("en-GB", viewport=SMALL_PHONE)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "olive@staff.example")
    expect(filter_panel(page)).not_to_have_attribute("open", "")
    page.goto(live_server.url + "/triage/?status=open&priority=high&sector=hotel&sign=")
    expect(filter_panel(page)).to_have_attribute("open", "")
    expect(filter_panel(page).locator("summary")).to_have_text("Filter reports (2 active)")
    expect(page.get_by_label("Setting", exact=True)).to_be_visible()
    expect(page.get_by_label("Setting", exact=True)).to_have_value("hotel")
    problems = problems_on(page, "queue-filtered")
    assert not problems, "\n".join(problems)


# --- the trends' charts, as wide as the screen ------------------------------------------------

CHART_FIT = """svg => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')]
        .filter(text => getComputedStyle(text).display !== 'none')
        .map(text => text.getBoundingClientRect())
        .filter(text => text.width > 0);
    return {
        left: box.left, right: box.right,
        textLeft: Math.min(...texts.map(t => t.left)),
        textRight: Math.max(...texts.map(t => t.right)),
        fontSize: Math.min(...texts.map(t => t.height)),
    };
}"""
COLUMN_LABELS = """svg => [...svg.querySelectorAll('g > text:last-child')]
    .filter(text => getComputedStyle(text).display !== 'none')
    .map(text => text.getBoundingClientRect())
    .map(box => [box.left, box.right])"""


@pytest.mark.parametrize("screen", [SMALL_PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_trends_charts_fit_the_screen_and_keep_their_tables(live_server, new_page, screen):
    with live_server.app.app_context():
        make_user(email="nat@staff.example", role="national")
        signs = sorted(get_reference().signs.values(), key=lambda sign: -len(sign.label))
        regions = ("yorkshire-and-the-humber", "wales", "london", None)
        for week in range(26):
            make_report(
                created_at=utcnow() - timedelta(weeks=week),
                signs=(signs[week % 10].id,),
                region=regions[week % 4],
                sector="petrol" if week % 3 else "hotel",
            )
    page = new_page("en-GB", viewport=screen)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "nat@staff.example")
    page.goto(live_server.url + "/triage/trends?weeks=26")
    scroll, width = page.evaluate(PAGE_WIDTH)
    assert scroll <= width, f"the trends page scrolls sideways: {scroll} px in {width}"
    charts = page.get_by_role("img")
    expect(charts).to_have_count(4)
    for chart in charts.all():
        fit = chart.evaluate(CHART_FIT)
        named = chart.get_attribute("aria-labelledby")
        assert fit["left"] >= 0 and fit["right"] <= width, (named, fit)
        assert fit["textLeft"] >= 0 and fit["textRight"] <= width, (named, fit)  # no word cut
        assert fit["fontSize"] >= 14, fit  # the text is not shrunk to fit
    labels = page.locator(".chart-columns").evaluate(COLUMN_LABELS)
    assert len(labels) >= 3, labels
    overlaps = [(a, b) for a, b in pairwise(labels) if b[0] < a[1]]
    assert not overlaps, f"week labels overlap: {overlaps}"
    # The numbers are there as text too, for a screen reader and for anyone who prefers them.
    weeks = page.get_by_role("table", name="By week: the numbers")
    expect(weeks.get_by_role("row")).to_have_count(27)
    expect(page.get_by_role("table", name="Signs reported most: the numbers")).to_contain_text(
        signs[0].label
    )
    name = "phone" if screen is SMALL_PHONE else "desktop"
    problems = problems_on(page, f"trends-{name}")
    assert not problems, "\n".join(problems)
