"""Partner API keys on POST /api/v1/reports: the partner recorded, 401 for a wrong or revoked key,
no key as before, a rate limit per key (not per address), keys made and revoked from the admin
page and audited, and the OpenAPI document naming the optional scheme."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from reporter.extensions import db, limiter
from reporter.models import PartnerKey, Report
from reporter.services.partnerships import partner_keys
from tests.conftest import TEST_REDIS_URL, missing_service
from tests.factories import data_context, make_partner, make_user, report_payload
from tests.pages import assert_redirects, shown_once
from tests.triage.conftest import audit_rows, sign_in

API = report_payload(
    sector="delivery",
    signs=["guarded"],
    station=None,
    place="a flat above the shop on the corner",
    description=None,
    consent=None,
)


@pytest.fixture(autouse=True)
def _context(app):
    with data_context(app):
        yield


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def stored() -> list[Report]:
    db.session.expire_all()
    return list(db.session.scalars(select(Report)))


def test_a_report_with_a_key_records_the_partner_and_falls_back_to_its_region(client):
    partner = make_partner(name="Speedy Couriers", sector="delivery", region="north-west")
    _row, key = partner_keys.create_key(partner, "Rider app")
    response = client.post("/api/v1/reports", json=API, headers=bearer(key))
    assert response.status_code == 201, response.get_json()
    (report,) = stored()
    assert (report.partner_id, report.partner, report.site_id, report.source) == (
        partner.id,
        "Speedy Couriers",
        None,
        "api",
    )
    assert (report.region_source, report.region_id) == ("partner", "north-west")


def test_no_key_works_as_before(client):
    assert client.post("/api/v1/reports", json=API).status_code == 201
    assert stored()[0].partner_id is None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer lck_not-a-real-key",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "lck_without_a_scheme",
        "Bearer " + "x" * 500,
    ],
)
def test_a_wrong_key_gets_401_with_a_clear_message_and_nothing_is_stored(client, header):
    response = client.post("/api/v1/reports", json=API, headers={"Authorization": header})
    assert response.status_code == 401
    assert "not valid or has been revoked" in response.get_json()["errors"]["authorization"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored() == []


def test_a_revoked_key_and_a_retired_partners_key_get_401(client):
    from reporter.services.partnerships import partners

    first, second = make_partner(), make_partner()
    row, revoked = partner_keys.create_key(first, "Old app")
    _row, retired = partner_keys.create_key(second, "App")
    partner_keys.revoke_key(row)
    partners.set_partner_active(second, False)
    for key in (revoked, retired):
        assert client.post("/api/v1/reports", json=API, headers=bearer(key)).status_code == 401


def test_the_401_message_is_in_the_requested_language(client):
    response = client.post(
        "/api/v1/reports",
        json=API,
        headers={"Authorization": "Bearer lck_x", "Accept-Language": "cy"},
    )
    message = response.get_json()["errors"]["authorization"]
    assert response.status_code == 401 and "revoked" not in message


def test_a_key_is_stored_only_as_its_hash():
    row, key = partner_keys.create_key(make_partner(), "App")
    assert key not in (row.key_hash, row.prefix, row.name)
    assert key.startswith(row.prefix) and len(row.prefix) < len(key) // 3


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, make_app):
    """An app with rate limits on (in memory, and in Redis when TEST_REDIS_URL is set), made
    with the test's own settings on top of small limits."""
    if request.param == "redis":
        if not TEST_REDIS_URL:
            missing_service("TEST_REDIS_URL is not set: rate limits were NOT tested on Redis")
        storage = TEST_REDIS_URL
    else:
        storage = "memory://"
    made = []

    def make(**config):
        app = make_app(
            **{
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": storage,
                "REPORT_RATE_LIMIT": "1 per minute",
                "PARTNER_KEY_RATE_LIMIT": "3 per minute",
                **config,
            }
        )
        context = app.app_context()
        context.push()
        made.append(context)
        limiter.reset()
        return app

    yield make
    for context in reversed(made):
        limiter.reset()
        context.pop()


@pytest.fixture
def limited(limited_app):
    return limited_app()


def test_the_rate_limit_is_per_key_not_per_address(limited):
    client = limited.test_client()
    one, two = make_partner(), make_partner()
    key_one = partner_keys.create_key(one, "App")[1]
    key_two = partner_keys.create_key(two, "App")[1]
    for _ in range(3):  # all from the same address
        assert client.post("/api/v1/reports", json=API, headers=bearer(key_one)).status_code == 201
    limited_response = client.post("/api/v1/reports", json=API, headers=bearer(key_one))
    assert limited_response.status_code == 429 and "Retry-After" in limited_response.headers
    # Another partner's key from the same address has its own allowance ...
    assert client.post("/api/v1/reports", json=API, headers=bearer(key_two)).status_code == 201
    # ... and so has the address itself, without a key.
    assert client.post("/api/v1/reports", json=API).status_code == 201
    assert client.post("/api/v1/reports", json=API).status_code == 429


def test_wrong_keys_count_against_the_address(limited_app):
    """A wrong key stores nothing, so it uses no report allowance (only stored reports count);
    guessing keys is held back by the address's limit on every POST."""
    client = limited_app(POST_FLOOD_LIMIT="2 per minute").test_client()
    assert client.post("/api/v1/reports", json=API, headers=bearer("lck_x")).status_code == 401
    assert client.post("/api/v1/reports", json=API, headers=bearer("lck_y")).status_code == 401
    assert client.post("/api/v1/reports", json=API, headers=bearer("lck_z")).status_code == 429
    assert client.post("/api/v1/reports", json=API).status_code == 429


def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(client):
    partner = make_partner(name="Speedy Couriers")
    admin = make_user(role="admin")
    sign_in(client, admin)
    response = client.post(f"/triage/partners/{partner.id}/keys", data={"key_name": "Rider app"})
    assert response.status_code == 200
    row = db.session.scalar(select(PartnerKey))
    html = response.get_data(as_text=True)
    key = shown_once(html, "api-key")
    assert partner_keys.key_hash(key) == row.key_hash
    page = client.get(f"/triage/partners/{partner.id}").get_data(as_text=True)
    assert key not in page and row.prefix in page  # never shown again
    assert client.post("/api/v1/reports", json=API, headers=bearer(key)).status_code == 201

    response = client.post(f"/triage/partners/{partner.id}/keys/{row.id}/revoke")
    assert_redirects(response, f"/triage/partners/{partner.id}")
    assert client.post("/api/v1/reports", json=API, headers=bearer(key)).status_code == 401
    actions = [e.action for e in audit_rows() if e.action.startswith("partner_key")]
    assert actions == ["partner_key_created", "partner_key_revoked"]
    assert all(key not in str(e.detail) for e in audit_rows())


def test_a_key_of_another_partner_cannot_be_revoked_through_this_one(client):
    first, second = make_partner(), make_partner()
    row, _key = partner_keys.create_key(second, "App")
    sign_in(client, make_user(role="admin"))
    response = client.post(f"/triage/partners/{first.id}/keys/{row.id}/revoke")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(PartnerKey, row.id).revoked_at is None


def test_openapi_documents_the_key_as_an_optional_scheme(client):
    document = client.get("/api/v1/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["partnerKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    post = document["paths"]["/reports"]["post"]
    assert {} in post["security"] and {"partnerKey": []} in post["security"]
    assert "401" in post["responses"]
    Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
