"""Access is the product's most serious risk. A report outside an officer's regions does not
exist for them: the same 404 as a reference never issued, on every route and method, and it is
never listed, counted or linked."""

import pytest
from flask import url_for
from sqlalchemy import func, select

from reporter.extensions import db
from reporter.models import AuditEvent, Report, ReportEvent
from tests.factories import make_report, make_user
from tests.pages import assert_redirects
from tests.triage.conftest import same_page, sign_in

# Everything any action form could want, so that an action would succeed if it were allowed.
ANY_ACTION = {
    "agency": "police",
    "their_reference": "CR/123",
    "close_reason": "Done",
    "note": "A note",
    "assignee": "",
    "queue": "east-midlands",
    "reroute_reason": "Wrong region",
}
# The partners pages (tests/triage/test_partners.py checks them further).
PARTNER_ADMIN = {
    "triage.partners", "triage.new_partner", "triage.partner", "triage.set_partner_active",
    "triage.add_site", "triage.set_site_active", "triage.import_sites", "triage.site_sheet",
    "triage.site_sheet_pdf",
    "triage.site_qr", "triage.partner_posters", "triage.request_posters",
    "triage.download_posters", "triage.create_key", "triage.revoke_key",
}  # fmt: skip
# Triage routes that take no report: each is checked below in its own way. A new route must be
# added here (or take a <reference>) before this file passes, so nobody forgets access rules.
WITHOUT_A_REPORT = {
    "triage.static", "triage.login", "triage.login_code", "triage.setup", "triage.logout",
    "triage.queue", "triage.account", "triage.change_password", "triage.enrol_totp",
    "triage.users", "triage.new_user", "triage.edit_user", "triage.set_active",
    "triage.reset_password", "triage.reset_totp", "triage.setup_link", "triage.audit_log",
    "triage.retention_page", "triage.subject_access_search", "triage.subject_access_export",
    "triage.export_csv", "triage.trends", "triage.force_regions", "triage.unknown",
    *PARTNER_ADMIN, "triage.entry_results", "triage.hotspots", "triage.hotspots_csv",
}  # fmt: skip
ADMIN_ONLY = {
    "triage.users", "triage.new_user", "triage.edit_user", "triage.set_active",
    "triage.reset_password", "triage.reset_totp", "triage.setup_link", "triage.audit_log",
    "triage.force_regions", "triage.retention_page", "triage.subject_access_search",
    "triage.subject_access_export", *PARTNER_ADMIN,
}  # fmt: skip
NEVER_ISSUED = "LC-2222-3333"
ANY_METHODS = {"GET", "POST", "PUT", "OPTIONS", "PROPFIND", "BREW"}


def triage_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("triage.")]


def report_routes(app):
    return [
        (rule.endpoint, method)
        for rule in triage_rules(app)
        if "reference" in rule.arguments
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def partner_values(rule) -> dict:
    """Real ids for a partners route, so that it would succeed if it were allowed."""
    from reporter.services.partnerships import partner_keys
    from tests.factories import make_partner, make_poster_zip, make_site

    if "partner_id" not in rule.arguments:
        return {}
    partner = make_partner()
    values = {"partner_id": partner.id}
    if "site_id" in rule.arguments:
        values["site_id"] = make_site(partner).id
    if "kind" in rule.arguments:
        values["kind"] = "poster"
    if "key_id" in rule.arguments:
        values["key_id"] = partner_keys.create_key(partner, "App")[0].id
    if "bundle_id" in rule.arguments:
        values["bundle_id"] = make_poster_zip(partner).id
    return values


def url(app, endpoint, **values):
    with app.test_request_context():
        return url_for(endpoint, **values)


def test_every_triage_route_is_accounted_for(app):
    for rule in triage_rules(app):
        assert "reference" in rule.arguments or rule.endpoint in WITHOUT_A_REPORT, rule.endpoint
    assert len(report_routes(app)) >= 7


def test_another_regions_report_gets_the_same_404_as_no_report_on_every_route(app, client):
    officer = make_user(role="officer", regions=("east-midlands",))
    theirs = make_report(region="london", station="EUS", place="Near the ticket office")
    sign_in(client, officer)
    client.get("/triage/")  # the session gets its CSRF token now, not in the first 404 below
    audit_before = db.session.scalar(select(func.max(AuditEvent.id)))
    walked = []
    for endpoint, method in report_routes(app):
        foreign = client.open(
            url(app, endpoint, reference=theirs.reference), method=method, data=ANY_ACTION
        )
        missing = client.open(
            url(app, endpoint, reference=NEVER_ISSUED), method=method, data=ANY_ACTION
        )
        lower = client.open(
            url(app, endpoint, reference=theirs.reference.lower()), method=method, data=ANY_ACTION
        )
        for response in (foreign, lower):
            assert response.status_code == missing.status_code == 404, (endpoint, method)
            assert same_page(response) == same_page(missing), (endpoint, method)
            assert sorted(response.headers.items()) == sorted(missing.headers.items())
        walked.append((endpoint, method))
    assert ("triage.report", "GET") in walked and ("triage.reroute", "POST") in walked
    db.session.expire_all()
    still = db.session.get(Report, theirs.id)
    assert (still.status, still.queue, still.assigned_to_id) == ("new", "london", None)
    assert db.session.scalar(select(func.count(ReportEvent.id))) == 0
    audit_after = db.session.scalars(select(AuditEvent).where(AuditEvent.id > audit_before))
    assert all(row.report_id != theirs.id for row in audit_after)


def test_another_regions_report_is_never_listed_found_or_related(app, client):
    officer = make_user(role="officer", regions=("east-midlands",))
    mine = make_report(region="east-midlands", station="LEI", postcode="LE1 6RN")
    theirs = make_report(
        region="london", station="LEI", postcode="LE1 6RN", place="Chip shop on the corner"
    )
    sign_in(client, officer)
    pages = [
        ("GET", "/triage/", None),
        ("GET", "/triage/?status=any", None),
        ("POST", "/triage/", {"q": theirs.reference}),
        ("POST", "/triage/", {"q": "LEI"}),
        ("POST", "/triage/", {"q": "Leicester"}),
        ("POST", "/triage/", {"q": "LE1"}),
        ("POST", "/triage/", {"q": "LE1 6RN"}),
        ("POST", "/triage/", {"q": "chip shop"}),
        ("POST", "/triage/", {"region": "london", "q": theirs.reference}),
        ("GET", url(app, "triage.report", reference=mine.reference), None),
        ("GET", "/triage/account", None),
        ("GET", "/triage/export.csv?status=any", None),
        ("POST", "/triage/export.csv", {"q": theirs.reference}),
        ("POST", "/triage/export.csv", {"q": "LEI"}),
        ("GET", "/triage/trends", None),
        ("GET", "/triage/hotspots", None),
        ("GET", "/triage/hotspots.csv", None),
    ]
    for method, page, data in pages:
        response = client.open(page, method=method, data=data)
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        # The search box shows what was typed, and the forms to the next page and the export
        # carry it back to the server; nothing else may name the report.
        typed = (f'value="{theirs.reference}"',)
        for echo in typed:
            body = body.replace(echo, "")
        assert body.count(theirs.reference) == 0, page
    listed = client.get("/triage/?status=any").get_data(as_text=True)
    assert listed.count('class="ref"') == 1 and mine.reference in listed


@pytest.mark.parametrize("endpoint", sorted(ADMIN_ONLY))
def test_admin_pages_do_not_exist_for_officers_or_national_staff(app, client, endpoint):
    someone = make_user(role="officer")
    sign_in(client, make_user(role="national"))
    rule = next(r for r in triage_rules(app) if r.endpoint == endpoint)
    values = {"user_id": someone.id} if "user_id" in rule.arguments else partner_values(rule)
    target = url(app, endpoint, **values)
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        response = client.open(target, method=method, data={"active": "no", "role": "admin"})
        assert response.status_code == 404, (endpoint, method)
    db.session.expire_all()
    assert db.session.get(type(someone), someone.id).active


def test_national_staff_and_admins_see_every_region_and_the_national_queue(client):
    regional = make_report(region="wales")
    national = make_report(region=None, station=None)
    for role in ("national", "admin"):
        sign_in(client, make_user(role=role))
        listed = client.get("/triage/").get_data(as_text=True)
        assert regional.reference in listed and national.reference in listed
        assert client.get(f"/triage/reports/{national.reference}").status_code == 200


def test_officers_do_not_see_the_national_queue(client):
    national = make_report(region=None)
    sign_in(client, make_user(role="officer", regions=("london",)))
    assert national.reference not in client.get("/triage/").get_data(as_text=True)
    assert client.get(f"/triage/reports/{national.reference}").status_code == 404


def test_an_officer_of_two_regions_sees_both_and_can_narrow_to_one(client):
    east = make_report(region="east-midlands")
    london = make_report(region="london")
    elsewhere = make_report(region="wales")
    sign_in(client, make_user(role="officer", regions=("east-midlands", "london")))
    listed = client.get("/triage/").get_data(as_text=True)
    assert east.reference in listed and london.reference in listed
    assert elsewhere.reference not in listed
    narrowed = client.get("/triage/?region=london").get_data(as_text=True)
    assert london.reference in narrowed and east.reference not in narrowed
    # Asking for a region outside their own gives nothing of it.
    refused = client.get("/triage/?region=wales").get_data(as_text=True)
    assert elsewhere.reference not in refused


def test_without_a_session_every_staff_page_sends_you_to_sign_in(app, client):
    report = make_report()
    for rule in triage_rules(app):
        if rule.endpoint in (
            "triage.static",
            "triage.login",
            "triage.login_code",
            "triage.setup",  # the link is the credential: tests/triage/test_enrolment.py
        ):
            continue
        values = {"reference": report.reference} if "reference" in rule.arguments else {}
        if "user_id" in rule.arguments:
            values = {"user_id": 1}
        values.update(partner_values(rule))
        if "unknown" in rule.arguments:
            values = {"unknown": "no/such/page"}
        # A rule that names no methods (the unknown address) takes every one: try a few.
        methods = rule.methods - {"HEAD", "OPTIONS"} if rule.methods else ANY_METHODS
        for method in sorted(methods):
            address = url(app, rule.endpoint, **values)
            response = client.open(address, method=method, data=ANY_ACTION)
            # A page asked for comes back after signing in; an action is not done again.
            signed_out = "/triage/login" + (f"?next={address}" if method == "GET" else "")
            assert_redirects(response, signed_out)
