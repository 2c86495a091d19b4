"""Every staff page on a 360 px phone: nothing scrolls sideways, neither the page nor a box inside
it, and nothing sticks out past the screen's right edge.

The pages are the staff blueprint's own GET routes, read from the app's URL map, so a page added
later is checked with no change here: its address parameters are filled from the data made
below (an unknown one fails the test, naming it), and every page must be opened by one of the
visitors (signed out, half signed in, admin, national, officer) or be a file. The data is full
of long values: a long partner name and site labels, a 120-character email address, a
description of one unbroken word, an import whose errors quote a long station name. Wide tables
become cards, and stay tables for a screen reader."""

from __future__ import annotations

import itertools
import re

import pytest
from browser_support import PHONE
from flask import url_for
from playwright.sync_api import Page, expect
from test_browser_triage import sign_in

from reporter.services.accounts import enrolment
from reporter.services.partnerships import partner_keys
from tests.factories import make_partner, make_poster_zip, make_report, make_site, make_user

pytestmark = pytest.mark.browser

LONG_EMAIL = "a.reporter.with.a.very.long.address." + "x" * 69 + "@example.org.uk"
LONG_WORD = "Unbroken" * 40  # 320 letters and no space: a paste from a phone's notes
LONG_NAME = (
    "Northern and Western Regional Railway Operating Company Limited"  # 63 letters: at most 64
)
LONG_STATION = "Hogwarts Express Terminus Under The Castle On The Hill"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ANY = re.compile(r"<any\(([^)]*)\):(\w+)>")
# A poster or card is its paper's page (A4, A6) drawn at its size, to print at a desk or as a
# PDF: a print sheet, not a page to read on a phone.
PRINT_SHEETS = {"triage.site_sheet"}

# Read from the page: its width, every element or text whose box ends past the screen's right
# edge (unless an ancestor clips it on purpose inside the screen: a visually hidden label, the
# column headers a phone does not show), and every box that scrolls sideways (overflow auto or
# scroll, wider inside than out): what is past its edge is hidden with no cue.
OVERFLOW = """() => {
    const width = window.innerWidth;
    const clipped = el => {
        for (let up = el; up && up !== document.body; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (style.clipPath !== 'none') return true;
            if (up !== el && ['hidden', 'clip'].includes(style.overflowX)
                && up.getBoundingClientRect().right <= width + 0.5) return true;
        }
        return false;
    };
    const all = [...document.body.querySelectorAll('*')];
    const out = all.filter(el => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && box.right > width + 0.5 && !clipped(el);
    });
    // Text that runs out of its box (a long word in a heading) moves no box: read the text.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node; (node = walker.nextNode());) {
        if (!node.textContent.trim() || clipped(node.parentElement)) continue;
        range.selectNodeContents(node);
        const box = range.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 0.5) out.push(node.parentElement);
    }
    const scrolling = all.filter(el => {
        const x = getComputedStyle(el).overflowX;
        return ['auto', 'scroll'].includes(x) && el.scrollWidth > el.clientWidth + 1;
    });
    const show = el => el.outerHTML.slice(0, 140);
    return {
        width: width,
        scrollWidth: document.scrollingElement.scrollWidth,
        out: out.slice(0, 6).map(show),
        scrolling: scrolling.slice(0, 6).map(show),
    };
}"""


def overflow_on(page: Page, what: str) -> list[str]:
    found = page.evaluate(OVERFLOW)
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(f"{what}: the page is {found['scrollWidth']} px wide in {found['width']}")
    problems += [f"{what}: past the right edge: {html}" for html in found["out"]]
    problems += [f"{what}: scrolls sideways inside: {html}" for html in found["scrolling"]]
    return problems


def staff_get_rules(app) -> list:
    """Every address of the staff blueprint a browser can open with GET (but its files)."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("triage.")
        and rule.methods
        and "GET" in rule.methods
        and rule.endpoint != "triage.static"
    ]


def make_staff_data() -> dict:
    """Users of each role, a report, a partner with sites, a key and a zip, all with long values;
    returns the users and what fills the address parameters of the staff pages."""
    users = {
        "admin": make_user(email="ada@staff.example", role="admin"),
        "national": make_user(email="nat@staff.example", role="national"),
        "officer": make_user(
            email="olive.officer.of.the.east.midlands.region@police.example.org.uk",
            regions=("east-midlands", "wales", "yorkshire-humber"),
        ),
        "second factor": make_user(email="tom@staff.example", totp_secret=TOTP_SECRET),
    }
    report = make_report(
        station="LEI",
        consent="share",
        contact={"name": "Sam " + LONG_WORD[:60], "email": LONG_EMAIL, "phone": "07700 900123"},
        description=f"{LONG_WORD}\nThen a second line.",
        place="By the " + LONG_WORD,
    )
    for station in ("LEI", "LEI", "NOT"):
        make_report(station=station)
    partner = make_partner(name=LONG_NAME, region="east-midlands")
    site = make_site(
        partner, label="Leeds station, the staff room beside platform 17", station="LDS"
    )
    make_site(partner, label="Riders who work anywhere in the East Midlands and beyond")
    make_site(partner, label="Manchester Piccadilly hotel, back office", postcode="M1 1AE")
    key = partner_keys.create_key(partner, "Rider app, production, Android and iPhone")[0]
    return {
        "users": {role: user.email for role, user in users.items()},
        "values": {
            "reference": report.reference,
            "partner_id": partner.id,
            "site_id": site.id,
            "key_id": key.id,
            "bundle_id": make_poster_zip(partner).id,
            "user_id": users["officer"].id,
        },
        "query": {
            "triage.setup": {
                "t": enrolment.issue_setup_link(users["national"], None, reset_factor=False)
            }
        },
    }


def addresses(app, data: dict) -> list[tuple[str, str]]:
    """(endpoint, path) for every staff GET page, each choice of an `any(...)` parameter once
    (read from the rule as written: "<any(poster, card):kind>")."""
    found = []
    with app.test_request_context():
        for rule in staff_get_rules(app):
            if rule.endpoint == "triage.unknown":  # any other address: the staff 404 page
                continue
            choices = {name: items.split(",") for items, name in ANY.findall(rule.rule)}
            given = {**data["values"], **data["query"].get(rule.endpoint, {})}
            missing = set(rule.arguments) - set(given) - set(choices)
            assert not missing, f"{rule.rule}: give {missing} a value in make_staff_data"
            fixed = {name: given[name] for name in set(rule.arguments) - set(choices)}
            for chosen in itertools.product(*choices.values()):
                args = fixed | data["query"].get(rule.endpoint, {})
                args |= {name: value.strip() for name, value in zip(choices, chosen, strict=True)}
                found.append((rule.endpoint, url_for(rule.endpoint, **args)))
    return found


def visitor(new_page, server, who: str, email: str | None) -> Page:
    """A phone of someone signed out, half signed in (their code not given yet) or signed in."""
    page = new_page("en-GB", viewport=PHONE)
    page.set_default_timeout(20_000)
    page.goto(server.url + "/triage/login")
    if email:
        sign_in(page, email)
        heading = "Enter your code" if who == "second factor" else "Queue"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    return page


def test_no_staff_page_scrolls_sideways_on_a_phone(live_server, new_page):
    with live_server.app.app_context():
        data = make_staff_data()
        pages = addresses(live_server.app, data)
    problems: list[str] = []
    opened: set[str] = set()
    for who, email in [("signed out", None), *data["users"].items()]:
        page = visitor(new_page, live_server, who, email)
        for endpoint, path in pages:
            answer = page.request.get(live_server.url + path, max_redirects=0)
            if answer.status != 200:
                continue  # not for this visitor: a redirect to sign in, or the 404 page
            opened.add(endpoint)
            if endpoint in PRINT_SHEETS or not answer.headers["content-type"].startswith(
                "text/html"
            ):
                continue  # a print sheet, or a file (CSV, PNG, zip)
            page.goto(live_server.url + path)
            problems += overflow_on(page, f"{path} as {who}")
        if who == "admin":
            problems += pages_after_a_post(page, live_server, data)
            page.goto(live_server.url + "/triage/no/such/page/" + LONG_WORD)
            expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
            problems += overflow_on(page, "the staff 404 page")
        page.context.close()
    assert {endpoint for endpoint, _path in pages} <= opened, "no visitor could open these"
    assert not problems, "\n".join(problems)


def pages_after_a_post(page: Page, server, data: dict) -> list[str]:
    """The pages that answer a form: the import preview with its errors, a key shown once."""
    partner = f"{server.url}/triage/partners/{data['values']['partner_id']}"
    page.goto(f"{partner}/import")
    csv = f"label,station,postcode\nYork,YRK,\nPlatform 9 and three quarters,{LONG_STATION},\n"
    page.locator("#file").set_input_files(
        files=[{"name": "sites.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("The file has 1 problem")
    problems = overflow_on(page, "the import preview")
    cells = page.locator("tr.has-error td")
    expect(cells.nth(2)).to_contain_text(LONG_STATION)
    expect(cells.nth(5)).to_contain_text("Error:")
    for column in (2, 5):  # the station as typed, and the error: whole, within the screen
        box = cells.nth(column).bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > PHONE["width"]:
            problems.append(f"the import preview: its column {column} is off screen: {box}")
    page.goto(partner)
    page.get_by_role("textbox", name="Name of the app that will use the key").fill("Rider app")
    with page.expect_navigation():
        page.get_by_role("button", name="Make a key").click()
    return problems + overflow_on(page, "the key shown once")


def accessibility_tree(page: Page) -> list[dict]:
    """Chromium's own accessibility tree of the page: what a screen reader is given."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    return [
        {"role": node["role"]["value"], "name": node.get("name", {}).get("value", "")}
        for node in nodes
        if not node.get("ignored")
    ]


def test_on_a_phone_the_sites_are_cards_and_still_a_table_to_a_screen_reader(live_server, new_page):
    with live_server.app.app_context():
        data = make_staff_data()
    page = visitor(new_page, live_server, "admin", data["users"]["admin"])
    page.goto(f"{live_server.url}/triage/partners/{data['values']['partner_id']}")
    sites = page.get_by_role("table", name="3 sites", exact=False)
    first, second = sites.locator("tbody tr").all()[:2]
    assert first.bounding_box()["y"] + first.bounding_box()["height"] <= second.bounding_box()["y"]
    place = first.locator("td[data-label=Place]")
    label = place.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.startswith('"Place"'), label  # each value says what it is, on the screen
    for link in ("A4 poster", "A6 card", "QR code (PNG)"):  # on the screen, not off its edge
        box = first.get_by_role("link", name=f"{link} for Leeds station").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (link, box)
    retire = first.get_by_role("button", name="Retire Leeds station")
    colour = "el => getComputedStyle(el).color"
    assert retire.evaluate(colour) == first.get_by_role("link").first.evaluate(colour)  # not white

    tree = accessibility_tree(page)
    roles = [node["role"] for node in tree]
    assert roles.count("table") == 2  # the sites and the keys
    headers = [node["name"] for node in tree if node["role"] == "columnheader"]
    assert headers[:6] == ["Label", "Place", "Region", "Code and link", "Print", "Status"]
    assert "rowheader" in roles
    cells = [node["name"] for node in tree if node["role"] == "cell"]
    # Read once: the column header names a cell, its label on the screen is not read again.
    assert "Station: Leeds (LDS)" in cells, cells
    assert not [name for name in cells if name.startswith(("Place", "Region", "Print"))], cells


LINES = """el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map(box => Math.round(box.top))).size;
}"""


def test_long_values_on_a_report_wrap_on_a_phone(live_server, new_page):
    with live_server.app.app_context():
        data = make_staff_data()
    assert len(LONG_EMAIL) == 120
    page = visitor(new_page, live_server, "officer", data["users"]["officer"])
    page.goto(f"{live_server.url}/triage/reports/{data['values']['reference']}")
    email = page.locator("dt:text-is('Email') + dd")
    expect(email).to_have_text(LONG_EMAIL)  # whole, nothing cut off
    description = page.locator("p.free-text").first
    expect(description).to_contain_text(LONG_WORD)
    for value in (email, description, page.locator("dt:text-is('Place') + dd")):
        box = value.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], box
        assert value.evaluate(LINES) > 1  # wrapped onto lines, not run off the screen
    problems = overflow_on(page, "the report")
    assert not problems, "\n".join(problems)
