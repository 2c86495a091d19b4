"""The staff side in a real browser: an officer signs in, works a report of their region and
signs out; every staff page passes axe-core. Each page is saved as a screenshot at 360x740
(tests/browser/screenshots/triage-<page>.png, not kept in git) for a person to look at."""

from __future__ import annotations

import re

import pytest
from browser_support import SCREENSHOTS, axe_violations, describe_violations
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, make_report, make_user

pytestmark = pytest.mark.browser

SIGN_IN = "Sign in to LookCloser triage"
NOTE = "Called the station: CCTV of platform 2 is kept for 30 days."


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """By accessible names, as a person (or a screen reader user) signs in."""
    page.get_by_role("textbox", name="Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def problems_on(page: Page, name: str) -> list[str]:
    """Save the page as triage-<name>.png; axe-core's violations, sideways scrolling of the page
    (a wide table may scroll inside its own region) and any JavaScript error."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"triage-{name}.png", full_page=True)
    problems = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(
            f"{name} ({page.url}): the page scrolls sideways, {width[0]} px in {width[1]}"
        )
    if violations := axe_violations(page):
        problems.append(f"{name} ({page.url}): axe-core found {len(violations)} violation(s):")
        problems.append(describe_violations(violations))
    if page.errors:
        problems.append(f"{name} ({page.url}): JavaScript errors: {page.errors}")
    return problems


def timeline(page: Page):
    return page.locator("ol.timeline > li")


@pytest.fixture
def page(new_page) -> Page:
    """Staff are in Britain: their browser asks for en-GB."""
    return new_page("en-GB")


def test_an_officer_works_a_report_of_their_region_then_signs_out(live_server, page):
    email = "olive@staff.example"
    with live_server.app.app_context():
        make_user(email=email, name="Olive Officer")  # covers east-midlands
        mine = make_report(region="east-midlands", station="LEI").reference
        theirs = make_report(region="london").reference
    problems = []

    page.goto(live_server.url + "/triage/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SIGN_IN)
    problems += problems_on(page, "login")

    sign_in(page, email, "not the password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.get_by_role("alert")).to_contain_text("The email address or password is not right.")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_role("textbox", name="Email address")).to_have_value(email)
    problems += problems_on(page, "login-error")

    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    queue = page.get_by_role("table")
    expect(queue.get_by_role("link", name=mine, exact=True)).to_be_visible()
    expect(queue.get_by_role("link", name=theirs)).to_have_count(0)
    expect(page.get_by_text(theirs)).to_have_count(0)
    problems += problems_on(page, "queue")
    assert page.request.get(f"{live_server.url}/triage/reports/{theirs}").status == 404

    with page.expect_navigation():
        queue.get_by_role("link", name=mine, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report {mine}")
    expect(timeline(page)).to_have_count(1)
    expect(timeline(page).first).to_contain_text("Report received")
    problems += problems_on(page, "report")

    with page.expect_navigation():
        page.get_by_role("button", name="Mark as triaged", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("The report is triaged.")
    expect(timeline(page)).to_have_count(2)
    expect(timeline(page).last).to_contain_text("Status changed from new to triaged")
    expect(timeline(page).last).to_contain_text(f"by Olive Officer ({email})")
    expect(page.get_by_role("button", name="Mark as triaged")).to_have_count(0)

    page.get_by_role("textbox", name="Internal note", exact=True).fill(NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="Add the note", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("The note is added.")
    expect(timeline(page)).to_have_count(3)
    expect(timeline(page).last).to_contain_text("Note")
    expect(timeline(page).last).to_contain_text(NOTE)
    problems += problems_on(page, "report-worked")

    staff_nav = page.get_by_role("navigation", name="Staff")
    with page.expect_navigation():
        staff_nav.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    expect(page.get_by_role("heading", level=1)).to_have_text(SIGN_IN)

    # The session is over on the server: neither Back nor the address brings a page back.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(SIGN_IN)
    expect(page.get_by_text(NOTE)).to_have_count(0)
    page.goto(live_server.url + "/triage/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SIGN_IN)
    assert page.url.endswith("/triage/login?next=/triage/")
    assert not problems, "\n".join(problems)


def test_the_admin_pages_are_accessible(live_server, page):
    email = "ada@staff.example"
    with live_server.app.app_context():
        make_user(email=email, role="admin", name="Ada Admin")
        make_user(email="olive@staff.example", regions=("east-midlands", "wales"))
    problems = []
    page.goto(live_server.url + "/triage/login")
    sign_in(page, email)
    staff_nav = page.get_by_role("navigation", name="Staff")
    for link, name, heading in [
        ("Users", "users", "Users"),
        ("Forces and regions", "force-regions", "Police forces and regions"),
        ("Audit log", "audit", "Audit log"),
    ]:
        with page.expect_navigation():
            staff_nav.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(staff_nav.get_by_role("link", name=link, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        problems += problems_on(page, name)
    expect(page.get_by_role("table")).to_contain_text(email)  # the audit log has the sign-in
    assert not problems, "\n".join(problems)
