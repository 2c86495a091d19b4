"""Issue 19's staff safeguards in a real browser, on a phone: an admin signs in with a code and
hands over a set-up link; the newcomer sets up password and authenticator on their phone; the
retention and subject access pages pass axe-core and never scroll sideways."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from browser_support import PHONE
from playwright.sync_api import expect
from sqlalchemy import update
from test_browser_triage import problems_on, sign_in

from reporter.config import ProductionConfig
from reporter.extensions import db
from reporter.models import ReportEvent, utcnow
from reporter.services.casework import triage
from tests.factories import make_report, make_user

pytestmark = pytest.mark.browser

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_PASSWORD = "a brand new staff password"


def test_a_new_national_officer_sets_up_their_account_on_a_phone(serve, new_page):
    server = serve(STAFF_SECOND_FACTOR_ROLES=ProductionConfig.STAFF_SECOND_FACTOR_ROLES)
    with server.app.app_context():
        make_user(email="ada@staff.example", role="admin", totp_secret=SECRET)
    admin = new_page("en-GB")
    admin.goto(server.url + "/triage/login")
    sign_in(admin, "ada@staff.example")
    admin.get_by_label("6-digit code").fill(pyotp.TOTP(SECRET).now())
    with admin.expect_navigation():
        admin.get_by_role("button", name="Continue").click()
    admin.goto(server.url + "/triage/users/new")
    admin.get_by_role("textbox", name="Email address").fill("nia@staff.example")
    admin.get_by_label("National team").check()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Add the user").click()
    problems = problems_on(admin, "setup-link-shown")
    link = urlsplit(admin.get_by_label("Set-up link", exact=True).input_value())

    phone = new_page("en-GB", viewport=PHONE)
    phone.goto(f"{server.url}{link.path}?{link.query}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Set up your account")
    expect(phone.get_by_role("img", name="QR code that adds LookCloser triage")).to_be_visible()
    problems += problems_on(phone, "setup-phone")
    secret = phone.locator("code.secret").first.inner_text()
    phone.get_by_label("Choose a password").fill(NEW_PASSWORD)
    phone.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    with phone.expect_navigation():
        phone.get_by_role("button", name="Set up my account").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Queue")
    # The link worked once.
    phone.goto(f"{server.url}{link.path}?{link.query}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert not problems, "\n".join(problems)


def test_retention_holds_and_subject_access_on_a_phone(live_server, new_page):
    with live_server.app.app_context():
        admin = make_user(email="ada@staff.example", role="admin")
        report = make_report(consent="share", contact={"email": "sam@example.org"})
        triage.close(report, admin, "Nothing more for us")
        closed = utcnow() - timedelta(days=live_server.app.config["REPORT_RETENTION_DAYS"] - 3)
        db.session.execute(update(ReportEvent).values(created_at=closed))
        db.session.commit()
        reference = report.reference
    page = new_page("en-GB", viewport=PHONE)
    page.goto(live_server.url + "/triage/login")
    sign_in(page, "ada@staff.example")
    page.goto(live_server.url + "/triage/retention")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    problems = problems_on(page, "retention-phone")
    # A table's caption spans its cards, not a narrow column beside nothing.
    caption = page.locator("#due-caption").bounding_box()
    cards = page.locator("table.stack tbody tr").first.bounding_box()
    assert caption["width"] >= cards["width"] * 0.9, (caption, cards)
    with page.expect_navigation():
        page.get_by_role("link", name=reference).click()
    page.get_by_label("Reason for the legal hold").fill("Evidence in a prosecution")
    with page.expect_navigation():
        page.get_by_role("button", name="Place a legal hold").click()
    expect(page.get_by_text("On legal hold since")).to_be_visible()
    problems += problems_on(page, "report-held-phone")
    page.goto(live_server.url + "/triage/subject-access")
    page.get_by_label("Email address").fill("SAM@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Find their reports").click()
    expect(page.get_by_role("heading", name="1 report found")).to_be_visible()
    problems += problems_on(page, "subject-access-phone")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export them (CSV, with contact details)").click()
    assert reference in download.value.path().read_text(encoding="utf-8-sig")
    assert not problems, "\n".join(problems)
