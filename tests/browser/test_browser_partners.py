"""Partners in a real browser: an entry link opens the form preset in the partner's language and
the report it sends carries partner and site; every poster and card prints on exactly one page
(A4, A6) in every language, as the browser's own PDF; the poster's QR code, photographed as a
phone would see it, gives the entry link; axe-core finds nothing on the poster and the admin
pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser_support import SCREENSHOTS, Reporter, axe_violations, describe_violations
from playwright.sync_api import Page, expect
from sqlalchemy import select

from reporter.extensions import db
from reporter.i18n import LOCALES
from reporter.models import Report
from tests.factories import make_partner, make_report, make_site, make_user

pytestmark = pytest.mark.browser

DESCRIPTION = "Two boys of about 14 sleeping in the staff room corridor, told to wait by a man."


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF from Chromium: its page objects (the page tree's /Pages is not one)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def paper_size(pdf: bytes) -> tuple[int, int]:
    """The first page's size in millimetres, from its MediaBox (in points of 1/72 inch)."""
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)", pdf)
    return tuple(round(float(n) * 25.4 / 72) for n in box.groups())


def sign_in(page: Page, server, email: str) -> None:
    from tests.factories import PASSWORD

    # Printing and screenshots of whole pages are slow on a busy machine: more room than the
    # suite's 5 s, for these staff pages only.
    page.set_default_timeout(20_000)

    page.goto(server.url + "/triage/login")
    page.get_by_role("textbox", name="Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    # The queue it lands on may take a while to load on a busy machine: the sign-in itself is
    # not what these tests are about.
    with page.expect_navigation(wait_until="domcontentloaded", timeout=20_000):
        page.get_by_role("button", name="Sign in", exact=True).click()


def axe_problems(page: Page, name: str) -> list[str]:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"partners-{name}.png", full_page=True)
    problems = []
    if violations := axe_violations(page):
        problems.append(f"{name} ({page.url}): axe-core found {len(violations)} violation(s):")
        problems.append(describe_violations(violations))
    if page.errors:
        problems.append(f"{name} ({page.url}): JavaScript errors: {page.errors}")
    return problems


def test_an_entry_link_opens_the_form_preset_and_its_report_carries_partner_and_site(
    new_page, live_server
):
    with live_server.app.app_context():
        partner = make_partner(name="Northern Trains", sector="rail", language="pl")
        site = make_site(partner, label="Leeds, staff room", station="LDS")
        ids, code = (partner.id, site.id), site.code
    person = Reporter(new_page("en-GB"), live_server, "pl")  # an English phone, a Polish team
    page = person.page
    page.goto(f"{live_server.url}/p/{code.lower()}")
    assert person.html_lang()[0] == "pl"
    expect(person.textbox("Station name or code")).to_have_value("Leeds")
    person.answer_danger("No")
    person.sign_box(person.signs("rail", 1)[0]).check()
    person.textbox("What did you see?").fill(DESCRIPTION)
    person.stay_anonymous()
    assert person.send().status == 200
    reference = person.reference_shown()
    with live_server.app.app_context():
        report = db.session.scalar(select(Report).where(Report.reference == reference))
        assert (report.partner_id, report.site_id) == ids
        assert (report.language, report.region_source) == ("pl", "station")


def test_the_reporter_can_switch_language_and_still_send_through_the_site(new_page, live_server):
    with live_server.app.app_context():
        site = make_site(make_partner(sector="delivery", language="ro", region="north-west"))
        site_id, code = site.id, site.code
    person = Reporter(new_page("en-GB"), live_server, "ro")
    person.page.goto(f"{live_server.url}/p/{code}")
    assert person.html_lang()[0] == "ro"
    person.switch_language("en")
    person = person.in_language("en")
    assert person.html_lang()[0] == "en"
    person.answer_danger("No")
    person.sign_box(person.signs("delivery", 1)[0]).check()
    person.textbox("Or describe the place").fill("a flat above a shop")
    person.stay_anonymous()
    assert person.send().status == 200
    with live_server.app.app_context():
        report = db.session.scalar(
            select(Report).where(Report.reference == person.reference_shown())
        )
        assert (report.site_id, report.region_source, report.region_id) == (
            site_id,
            "partner",
            "north-west",
        )


def test_every_poster_and_card_prints_on_exactly_one_page_in_every_language(new_page, live_server):
    with live_server.app.app_context():
        admin = make_user(role="admin").email
        sheets = []
        for lang in LOCALES:
            site = make_site(
                make_partner(language=lang),
                # The longest label a site may have, to be sure it never pushes a second page.
                label=f"{lang} " + "Motorway services, lorry park and staff canteen " * 2,
                station="LDS",
            )
            sheets.append((lang, site.partner_id, site.id))
    page = new_page("en-GB")
    sign_in(page, live_server, admin)
    pages, sizes = {}, set()
    for lang, partner_id, site_id in sheets:
        for kind in ("poster", "card"):
            page.goto(f"{live_server.url}/triage/partners/{partner_id}/sites/{site_id}/{kind}")
            if kind == "poster":  # A4 chosen, as a person printing it would
                pdf = page.pdf(format="A4", print_background=True)
            else:  # the card's own page size, A6, from its stylesheet
                pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            pages[f"{lang} {kind}"] = pdf_pages(pdf)
            sizes.add((kind, paper_size(pdf)))
    assert {name: n for name, n in pages.items() if n != 1} == {}
    assert len(pages) == len(LOCALES) * 2
    assert sizes == {("poster", (210, 297)), ("card", (105, 148))}


def test_the_printed_poster_scans_to_the_entry_link(new_page, live_server):
    """A photograph of the poster as printed (a screenshot of its sheet), read by zbarimg."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is missing: `make qr-deps` installs Debian's zbar-tools.")
    with live_server.app.app_context():
        admin = make_user(role="admin").email
        site = make_site(make_partner(language="ar"), station="LDS")
        url = f"{live_server.url}/triage/partners/{site.partner_id}/sites/{site.id}/poster"
        expected = f"{live_server.app.config['REPORTER_BASE_URL']}/p/{site.code}"
    page = new_page("en-GB", viewport={"width": 1000, "height": 1200})
    sign_in(page, live_server, admin)
    page.goto(url)
    photo = page.locator("main.sheet").screenshot()
    done = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-"], input=photo, capture_output=True, timeout=30
    )
    assert done.stdout.decode().strip() == expected
    # The code printed under it, for people who type it.
    expect(page.locator("figcaption.code")).to_have_text(expected.rsplit("/", 1)[1])


def test_axe_finds_nothing_on_the_admin_pages_and_the_poster(new_page, live_server):
    with live_server.app.app_context():
        admin = make_user(role="admin").email
        partner = make_partner(name="Northern Trains", language="ar")
        site = make_site(partner, label="Leeds, staff room", station="LDS")
        make_site(partner, label="Riders anywhere", active=False)
        report = make_report(region="yorkshire-humber")
        report.site_id, report.partner_id = site.id, partner.id
        db.session.commit()
        partner_id, site_id = partner.id, site.id
    page = new_page("en-GB")
    sign_in(page, live_server, admin)
    base = f"{live_server.url}/triage/partners"
    problems = []
    for name, url in (
        ("list", base),
        ("new", f"{base}/new"),
        ("partner", f"{base}/{partner_id}"),
        ("import", f"{base}/{partner_id}/import"),
        ("results", f"{base}/results"),
        ("poster", f"{base}/{partner_id}/sites/{site_id}/poster"),
        ("card", f"{base}/{partner_id}/sites/{site_id}/card"),
    ):
        page.goto(url)
        problems += axe_problems(page, name)

    # The import preview, with errors in it.
    page.goto(f"{base}/{partner_id}/import")
    page.locator("#file").set_input_files(
        files=[
            {
                "name": "sites.csv",
                "mimeType": "text/csv",
                "buffer": b"label,station,postcode\nYork,YRK,\nPlatform 9,XXQ,\n",
            }
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("The file has 1 problem")
    problems += axe_problems(page, "import-preview")

    # A page with errors in a form, and the key shown once.
    page.goto(f"{base}/{partner_id}")
    page.get_by_role("textbox", name="Label").fill("Platform 9")
    page.get_by_role("textbox", name="Station (name or 3-letter code)").fill("Hogwarts")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the site").click()
    expect(page.locator("#error-summary")).to_contain_text("Unknown station")
    problems += axe_problems(page, "partner-error")
    page.get_by_role("textbox", name="Name of the app that will use the key").fill("Rider app")
    with page.expect_navigation():
        page.get_by_role("button", name="Make a key").click()
    expect(page.get_by_label("API key", exact=True)).to_have_value(re.compile("^lck_"))
    problems += axe_problems(page, "key-shown")
    assert not problems, "\n".join(problems)


def test_the_zip_is_made_by_the_worker_and_the_page_offers_it_by_itself(new_page, live_server):
    """The page of a zip being made refreshes itself (no script needed) until the worker has made
    it; then the zip downloads."""
    import zipfile

    from reporter.services.partnerships import poster_bundles
    from reporter.triage.poster_pages import PosterZip

    with live_server.app.app_context():
        admin = make_user(role="admin").email
        partner = make_partner()
        make_site(partner, station="LDS")
        partner_id = partner.id
    page = new_page("en-GB")
    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/triage/partners/{partner_id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Every poster and card as PDF (zip)").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Make the zip").click()
    expect(page.locator("#zip-state")).to_contain_text("Waiting to be made")
    with live_server.app.app_context():
        # the outbox worker's turn
        assert poster_bundles.build_due("browser-test-worker", PosterZip) == 1
    download_link = page.get_by_role("link", name="Download the zip")
    expect(download_link).to_be_visible(timeout=10_000)  # after the page's own refresh
    with page.expect_download() as download:
        download_link.click()
    data = Path(download.value.path()).read_bytes()
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 4
