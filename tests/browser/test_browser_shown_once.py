"""A secret shown once to staff (a partner's API key, a reset password, a set-up link) in a real
browser: the copy button copies it whole and says "Copied" to screen readers; focusing the field
selects it whole; without JavaScript the button is hidden and the field is read-only and holds
the whole secret, with nothing sticking out sideways on a 360 px phone."""

from __future__ import annotations

import pytest
from browser_support import PHONE
from playwright.sync_api import Page, expect
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import PartnerKey
from reporter.services.accounts import staff
from reporter.services.partnerships import partner_keys
from tests.factories import PASSWORD, make_partner, make_user

pytestmark = pytest.mark.browser

SLOW_PAGES_MS = 20_000  # sign-in lands on the queue, slow on a busy machine


def sign_in(page: Page, server, email: str) -> None:
    page.set_default_timeout(SLOW_PAGES_MS)
    page.goto(server.url + "/triage/login")
    page.get_by_role("textbox", name="Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Sign in", exact=True).click()


def api_key_page(page: Page, server) -> tuple[str, str]:
    with server.app.app_context():
        partner_id = make_partner(name="Speedy Couriers", sector="delivery").id
    page.goto(f"{server.url}/triage/partners/{partner_id}")
    page.get_by_role("textbox", name="Name of the app that will use the key").fill("Rider app")
    with page.expect_navigation():
        page.get_by_role("button", name="Make a key").click()
    return "API key", "Copy the key"


def password_page(page: Page, server) -> tuple[str, str]:
    with server.app.app_context():
        user_id = make_user(email="officer@staff.example").id
    page.goto(f"{server.url}/triage/users/{user_id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Reset their password").click()
    return "New password", "Copy the password"


def setup_link_page(page: Page, server) -> tuple[str, str]:
    page.goto(f"{server.url}/triage/users/new")
    page.get_by_role("textbox", name="Email address").fill("newcomer@staff.example")
    page.get_by_label("National team").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add the user").click()
    return "Set-up link", "Copy the link"


def is_the_secret(server, label: str, value: str) -> bool:
    """The value works as what it claims to be: the key's hash is stored, the password is the
    officer's, the link is a set-up link of this app."""
    with server.app.app_context():
        if label == "API key":
            return db.session.scalar(select(PartnerKey.key_hash)) == partner_keys.key_hash(value)
        if label == "New password":
            return staff.password_matches(staff.find_user("officer@staff.example"), value)
        base = server.app.config["REPORTER_BASE_URL"]
        return value.startswith(f"{base}/triage/setup?t=") and len(value) > len(base) + 30


STICKS_OUT = """f => [f, ...f.closest('.shown-once').querySelectorAll('*')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && (box.right > document.documentElement.clientWidth + 1 || box.left < -1);
}).map(e => e.outerHTML.slice(0, 80))"""
PAGES = {"api-key": api_key_page, "password": password_page, "setup-link": setup_link_page}


@pytest.mark.parametrize("field_id", list(PAGES))
def test_the_copy_button_copies_the_whole_secret_and_says_so(new_page, live_server, field_id):
    with live_server.app.app_context():
        admin = make_user(role="admin").email
    page = new_page("en-GB", viewport=PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, live_server, admin)
    label, copy_label = PAGES[field_id](page, live_server)
    field = page.get_by_label(label, exact=True)
    value = field.input_value()
    assert value and value == value.strip()
    said = page.locator(f"[role=status][data-copy-said='{field_id}']")
    expect(said).to_have_text("")  # empty at load: only what happens later is read out
    page.get_by_role("button", name=copy_label, exact=True).click()
    expect(said).to_have_text("Copied")
    expect(page.locator(f"button[data-copy='{field_id}']")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == value
    # Focus selects the whole secret, for those who copy by hand.
    page.evaluate("document.activeElement.blur()")
    field.focus()
    selected = field.evaluate("f => f.value.slice(f.selectionStart, f.selectionEnd)")
    assert selected == value
    assert page.errors == []


@pytest.mark.parametrize("field_id", list(PAGES))
def test_without_javascript_the_secret_is_whole_in_a_read_only_field(
    new_page, live_server, field_id
):
    with live_server.app.app_context():
        admin = make_user(role="admin").email
    page = new_page("en-GB", viewport=PHONE, javascript=False)
    sign_in(page, live_server, admin)
    label, copy_label = PAGES[field_id](page, live_server)
    field = page.get_by_label(label, exact=True)
    expect(field).to_be_visible()
    expect(field).not_to_be_editable()
    assert field.evaluate("f => f.readOnly")
    assert is_the_secret(live_server, label, field.input_value())
    expect(page.get_by_role("button", name=copy_label)).to_have_count(0)  # hidden: no copy
    # All of it in view: the field is as tall as its text, and it sticks out of no side of a
    # 360 px phone (a long email address in the heading is the staff pages' own matter).
    assert field.evaluate("f => f.scrollHeight <= f.clientHeight + 1")
    assert field.evaluate("f => f.scrollWidth <= f.clientWidth")
    assert field.evaluate(STICKS_OUT) == []
