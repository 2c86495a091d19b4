"""The officer on a phone (360x740): references on one line, the queue and users as cards with
nothing scrolling sideways, link cells level with their row, the weekly chart showing the weeks
that have reports, and no request for an icon answered with a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_support import PHONE
from playwright.sync_api import Page, expect
from test_browser_triage import problems_on, sign_in

from reporter.models import utcnow
from tests.factories import make_report, make_user

pytestmark = pytest.mark.browser

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
    assert '"Where"' in labels and '"Reference"' in labels, labels  # each cell says what it is
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
    box = page.locator(".chart-wrap").bounding_box()
    columns = page.locator(".chart-wrap rect").all()
    shown = [c.bounding_box() for c in columns if c.bounding_box()["height"] > 0]
    assert shown, "no column for the week with a report"
    for column in shown:
        assert box["x"] <= column["x"] and column["x"] + column["width"] <= box["x"] + box["width"]
    assert not problems, "\n".join(problems)
