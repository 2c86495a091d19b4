"""The partners admin pages: access, audit, sites one by one and by CSV import, posters, cards
and their QR codes (decoded as a phone would, with zbarimg), the zip, scans and reports."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from reporter.extensions import db
from reporter.models import Partner, ReportEvent, Site
from reporter.services.partnerships import entries, posters
from tests.factories import make_partner, make_report, make_site, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, sign_in
from tests.triage.test_pages import check_page

SVG = "{http://www.w3.org/2000/svg}svg"  # how an HTML5 parser names <svg> in a page
GOOD = "label,station,postcode\nLeeds station staff room,LDS,\nLeicester depot,,LE1 6RN\n"
ZBARIMG = shutil.which("zbarimg")


def decode_qr(png: bytes) -> str:
    """What a phone reads from the image: zbarimg (Debian's zbar-tools, `make qr-deps`)."""
    if ZBARIMG is None:
        pytest.fail(
            "zbarimg is missing: install Debian's zbar-tools with `make qr-deps`.", pytrace=False
        )
    done = subprocess.run(
        [ZBARIMG, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-"],
        input=png,
        capture_output=True,
        check=True,
        timeout=30,
    )
    return done.stdout.decode().strip()


@pytest.fixture
def admin(client):
    user = make_user(role="admin")
    sign_in(client, user)
    return user


def site_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Site))


@pytest.mark.parametrize(
    "path",
    [
        "/triage/partners",
        "/triage/partners/new",
        "/triage/partners/{partner}",
        "/triage/partners/{partner}/import",
        "/triage/partners/{partner}/posters",
        "/triage/partners/results",
    ],
)
def test_every_partner_page_is_well_formed_and_labelled(client, admin, path):
    partner = make_partner()
    make_site(partner, station="LDS")
    response = client.get(path.format(partner=partner.id))
    assert response.status_code == 200
    check_page(response)


@pytest.mark.parametrize("role", ["officer", "national"])
def test_partner_pages_do_not_exist_for_anyone_but_an_admin(client, role):
    partner = make_partner()
    site = make_site(partner)
    sign_in(client, make_user(role=role))
    for path in (
        "/triage/partners",
        f"/triage/partners/{partner.id}",
        f"/triage/partners/{partner.id}/sites/{site.id}/poster",
        f"/triage/partners/{partner.id}/posters",
        f"/triage/partners/{partner.id}/posters/1.zip",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/triage/partners/new", data={"name": "X"}).status_code == 404
    assert client.post(f"/triage/partners/{partner.id}/posters").status_code == 404


def test_results_are_for_admins_and_national_staff_not_officers(client):
    sign_in(client, make_user(role="officer"))
    assert client.get("/triage/partners/results").status_code == 404
    sign_in(client, make_user(role="national"))
    assert client.get("/triage/partners/results").status_code == 200
    assert "/triage/partners/results" in read(client.get("/triage/trends")).links()


def test_an_admin_adds_a_partner_and_a_site_and_both_are_audited(client, admin):
    response = client.post(
        "/triage/partners/new",
        data={"name": "Northern Trains", "sector": "rail", "language": "pl", "region_id": ""},
    )
    partner = db.session.scalar(select(Partner))
    assert_redirects(response, f"/triage/partners/{partner.id}")
    response = client.post(
        f"/triage/partners/{partner.id}/sites",
        data={"label": "Leeds station, staff room", "station": "leeds", "site_sector": ""},
    )
    assert_redirects(response, f"/triage/partners/{partner.id}")
    site = db.session.scalar(select(Site))
    assert (site.station_crs, site.partner_id) == ("LDS", partner.id)
    page = read(client.get(f"/triage/partners/{partner.id}"))
    assert site.code in page.text and "Yorkshire and the Humber" in page.text
    assert [e.action for e in audit_rows() if e.action != "partners_viewed"] == [
        "partner_created",
        "site_created",
    ]
    assert all(e.actor_id == admin.id for e in audit_rows())


def test_a_bad_site_is_refused_with_the_reason_and_what_was_typed(client, admin):
    partner = make_partner()
    response = client.post(
        f"/triage/partners/{partner.id}/sites",
        data={"label": "Platform 9", "station": "Hogwarts", "site_sector": ""},
    )
    assert response.status_code == 400
    page = read(response, 400)
    assert "Unknown station “Hogwarts”" in page.text
    assert page.find_all("input", name="station")[0]["value"] == "Hogwarts"
    assert site_count() == 0


def test_the_import_previews_every_row_then_imports_on_confirmation(client, admin):
    partner = make_partner(sector="rail")
    url = f"/triage/partners/{partner.id}/import"
    response = client.post(url, data={"file": (io.BytesIO(GOOD.encode()), "sites.csv")})
    assert response.status_code == 200
    page = read(response)
    assert page.text.count("Will be created") == 2 and "Ready to import 2 sites" in page.text
    assert site_count() == 0  # nothing until confirmed
    (content,) = page.find_all("input", name="content")
    response = client.post(url, data={"content": content["value"], "confirm": "yes"})
    assert_redirects(response, f"/triage/partners/{partner.id}")
    assert site_count() == 2
    assert [e.action for e in audit_rows("sites_imported")] == ["sites_imported"]


def test_a_large_partners_file_imports_through_the_page(client, admin):
    partner = make_partner(sector="delivery")
    rows = "".join(f'"Depot number {n} (north yard, gate B)",,LE1 6RN\n' for n in range(3000))
    data = f"label,station,postcode\n{rows}".encode()
    assert len(data) > 100_000  # far above the limit of any other request
    url = f"/triage/partners/{partner.id}/import"
    page = read(client.post(url, data={"file": (io.BytesIO(data), "sites.csv")}))
    assert "Ready to import 3000 sites" in page.text
    (content,) = page.find_all("input", name="content")
    assert_redirects(
        client.post(url, data={"content": content["value"], "confirm": "yes"}),
        f"/triage/partners/{partner.id}",
    )
    assert site_count() == 3000


def test_an_import_with_errors_shows_each_and_offers_no_import(client, admin):
    partner = make_partner(sector="rail")
    data = GOOD + "Platform 1,XXQ,\nLeicester depot,,LE1 6RN\n"
    response = client.post(
        f"/triage/partners/{partner.id}/import",
        data={"file": (io.BytesIO(data.encode()), "sites.csv")},
    )
    assert response.status_code == 400
    page = read(response, 400)
    assert "The file has 2 problems. Nothing was imported" in page.text
    assert "Unknown station “XXQ”" in page.text and "is used twice" in page.text
    assert not page.find_all("input", name="confirm")
    assert site_count() == 0


def test_a_confirmation_is_checked_again_and_refused_if_no_longer_valid(client, admin):
    partner = make_partner(sector="rail")
    make_site(partner, label="Leicester depot", postcode="LE1 6RN")  # added meanwhile
    response = client.post(
        f"/triage/partners/{partner.id}/import", data={"content": GOOD, "confirm": "yes"}
    )
    assert "is used twice" in read(response, 400).text
    assert site_count() == 1


def test_the_poster_and_card_carry_the_code_the_danger_line_in_both_languages(client, admin):
    site = make_site(make_partner(language="pl", name="PKP Intercity"), station="LDS")
    for kind in ("poster", "card"):
        response = client.get(f"/triage/partners/{site.partner_id}/sites/{site.id}/{kind}")
        assert response.status_code == 200
        page = read(response)
        assert page.find_all("html")[0]["lang"] == "pl"
        assert site.code in page.text
        assert "If a child is in immediate danger, call 999" in page.text
        assert "Jeśli dziecko jest teraz w niebezpieczeństwie, zadzwoń pod numer 999" in page.text
        assert page.find_all(SVG, role="img")  # the QR code, in the page itself
        assert "<style" not in page.html  # the page's own stylesheet, allowed by the CSP


def test_the_poster_qr_code_decodes_to_the_sites_entry_link(client, admin, app):
    site = make_site(make_partner(), station="LDS")
    response = client.get(f"/triage/partners/{site.partner_id}/sites/{site.id}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    link = decode_qr(response.data)
    assert link == f"{app.config['REPORTER_BASE_URL']}/p/{site.code}"
    assert_redirects(
        client.get(link.removeprefix(app.config["REPORTER_BASE_URL"])),
        f"/report?sector=rail&entry={site.code}&lang=pl",
    )


def test_the_qr_code_keeps_a_quiet_zone_and_high_error_correction(app):
    site = make_site(make_partner())
    with app.test_request_context():
        code = posters.qr_code(site)
        assert code.error == "H"
        matrix = code.matrix
        png = posters.qr_png(site, scale=1)
    import struct

    width = struct.unpack(">I", png[16:20])[0]  # the PNG header's width
    assert width == len(matrix) + 2 * 4  # four light modules on every side


def test_retiring_a_site_from_its_page_is_audited_and_the_link_then_opens_the_plain_form(
    client, admin
):
    site = make_site(make_partner())
    response = client.post(
        f"/triage/partners/{site.partner_id}/sites/{site.id}/active", data={"active": "no"}
    )
    assert_redirects(response, f"/triage/partners/{site.partner_id}")
    assert [e.detail["code"] for e in audit_rows("site_retired")] == [site.code]
    assert client.get(f"/p/{site.code}").status_code == 200


def test_results_show_scans_reports_and_share_per_site(client):
    partner = make_partner(name="Northern Trains")
    leeds = make_site(partner, label="Leeds", station="LDS")
    make_site(partner, label="York", station="YRK")
    for _ in range(4):
        entries.record_scan(leeds)
    report = make_report(region="yorkshire-humber")
    report.site_id, report.partner_id = leeds.id, partner.id
    api = make_report(region="yorkshire-humber")
    api.partner_id = partner.id
    db.session.commit()
    sign_in(client, make_user(role="national"))
    result = entries.results(4)
    (northern,) = result.partners
    by_label = {s.site.label: s.counts for s in northern.sites}
    assert by_label["Leeds"] == entries.Counts(scans=4, reports=1)
    assert by_label["Leeds"].share == 0.25
    assert by_label["York"].share is None
    assert (northern.counts, northern.api_reports) == (entries.Counts(4, 2), 1)
    page = read(client.get("/triage/partners/results?weeks=4"))
    # Names are isolated (<bdi>: tests/triage/test_bidi_names.py).
    assert (
        "<bdi>Northern Trains</bdi>: 4 scans, 2 reports (50%), of which 1 through its API keys"
        in page.html
    )
    assert audit_rows("entry_results_viewed")[0].detail == {"weeks": 4}


def test_the_report_page_says_which_partner_and_site_a_report_came_through(client):
    site = make_site(make_partner(name="Northern Trains"), label="Leeds, staff room")
    report = make_report(region="east-midlands")
    report.partner, report.partner_id, report.site_id = "Northern Trains", site.partner_id, site.id
    db.session.commit()
    sign_in(client, make_user(role="officer"))
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert (
        "partner <bdi>Northern Trains</bdi>, through the entry link of its site "
        f"“<bdi>Leeds, staff room</bdi>” ({site.code})" in page.html
    )


def test_a_large_file_is_allowed_before_csrf_reads_the_body(make_app):
    """With CSRF on, as in production, the import's larger allowance applies before the CSRF
    check reads the body: a large upload without a token is refused as a bad request, not as
    too large."""
    app = make_app(WTF_CSRF_ENABLED=True)
    rows = "".join(f"Depot {n},,LE1 6RN\n" for n in range(5000))
    data = {"file": (io.BytesIO(f"label,station,postcode\n{rows}".encode()), "sites.csv")}
    assert len(rows) > app.config["MAX_CONTENT_LENGTH"]
    response = app.test_client().post("/triage/partners/1/import", data=data)
    assert response.status_code == 400
    too_large = app.test_client().post("/report", data={"description": "x" * 70_000})
    assert too_large.status_code == 413


def test_results_show_per_site_how_many_reports_led_to_a_referral_never_under_five(client):
    partner = make_partner(name="Northern Trains")
    leeds = make_site(partner, label="Leeds", station="LDS")
    york = make_site(partner, label="York", station="YRK")
    for site, referred in ((leeds, 6), (york, 2)):
        for n in range(referred + 1):  # one more report, not referred
            report = make_report(region="yorkshire-humber")
            report.site_id, report.partner_id = site.id, partner.id
            if n < referred:
                db.session.add(ReportEvent(report_id=report.id, kind="referred", to_value="police"))
    db.session.commit()
    sign_in(client, make_user(role="national"))
    page = read(client.get("/triage/partners/results?weeks=4"))
    cells = re.findall(r'class="referrals"><span class="cell">([^<]*)</span>', page.html)
    assert cells[0] == "6" and cells[1].startswith("not shown")
    # 8 in all, less Leeds's 6, would give York's 2 away: the total is not shown either.
    assert "led to a referral: not shown" in page.text
