"""The JSON API: guidance, reports, and a clear 400 for every kind of bad input (never a 500)."""

import json
import re
from datetime import datetime, timedelta

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import Report
from reporter.uktime import UK_TIME
from tests.factories import report_payload

VALID = report_payload(
    sector="hotel",
    signs=["room-paid-cash", "older-companion"],
    station=None,
    description="Girl of about 13 checked in by a man in his 40s paying cash.",
    postcode="m1 1ae",
    consent="confidential",
    phone="07700 900123",
)


@pytest.fixture
def validate(client):
    """Check a response body against the API's own OpenAPI document."""
    document = client.get("/api/v1/openapi.json").get_json()

    def check(body, schema_name):
        schema = {"$ref": f"#/components/schemas/{schema_name}", **document}
        errors = list(Draft202012Validator(schema).iter_errors(body))
        assert not errors, [e.message for e in errors]

    return check


def test_the_openapi_document_describes_both_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert {"/guidance", "/reports"} <= set(document["paths"])
    Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})


def test_guidance_for_a_rail_worry_in_leicester(client, validate):
    response = client.get("/api/v1/guidance?sector=rail&station=LEI&signs=hiding,no-ticket")
    body = response.get_json()
    validate(body, "Guidance")
    assert body["region"] == {"id": "east-midlands", "name": "East Midlands"}
    assert body["priority"] == "normal"
    first = body["authorities"][0]
    assert (first["id"], first["sms"], first["link"]) == ("btp-text-61016", "61016", "sms:61016")


def test_guidance_in_danger_puts_999_first(client, validate):
    body = client.get("/api/v1/guidance?sector=taxi&danger=true&postcode=CH5%201NS").get_json()
    validate(body, "Guidance")
    assert body["authorities"][0]["link"] == "tel:999"
    assert body["region"]["id"] == "wales"
    assert body["priority"] == "urgent"


def test_guidance_for_scotland_has_no_region_but_full_guidance(client, validate):
    body = client.get("/api/v1/guidance?sector=delivery&postcode=EH1%201YZ").get_json()
    validate(body, "Guidance")
    assert body["region"] is None
    assert "crimestoppers" in [a["id"] for a in body["authorities"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sector=boats", "sector"),
        ("sector=rail&signs=made-up", "signs"),
        ("sector=rail&danger=maybe", "danger"),
        ("sector=rail&postcode=12345", "postcode"),
    ],
)
def test_bad_guidance_queries_get_400_naming_the_field(client, validate, query, field):
    response = client.get(f"/api/v1/guidance?{query}")
    assert response.status_code == 400
    validate(response.get_json(), "Errors")
    assert field in response.get_json()["errors"]


def test_a_report_is_stored_and_answered_with_reference_and_guidance(app, client, validate):
    response = client.post("/api/v1/reports", json=VALID)
    assert response.status_code == 201
    body = response.get_json()
    validate(body, "Created")
    assert body["guidance"]["region"]["id"] == "north-west"
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert (report.reference, report.source, report.consent) == (
            body["reference"], "api", "confidential",
        )  # fmt: skip
        assert report.postcode_district == "M1"


def test_the_same_report_shape_goes_through_the_form_rules(client):
    response = client.post("/api/v1/reports", json={**VALID, "contact": {"consent": "share"}})
    assert response.status_code == 400
    assert "contact" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sector": "boats"}, "sector"),
        ({"sector": 7}, "sector"),
        ({"signs": ["no-ticket"]}, "signs"),  # a railway sign in a hotel
        ({"signs": "room-paid-cash"}, "signs"),
        ({"signs": [1, 2]}, "signs"),
        ({"danger": "yes"}, "danger"),
        ({"danger": None}, "danger"),
        ({"description": 42}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"place": "y" * 201}, "place"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
        ({"seen_at": "last tuesday"}, "seen_at"),
        ({"young": "no"}, "young"),
        ({"contact": "call me"}, "contact"),
        ({"contact": {"consent": "whatever"}}, "contact.consent"),
        ({"contact": {"consent": "share", "email": "nope"}}, "contact.email"),
        ({"colour": "blue"}, "colour"),
        ({"postcode": None, "station": None, "place": None}, "place"),
        ({"signs": [], "description": None}, "description"),
    ],
)
def test_bad_reports_get_400_with_a_message_per_field(client, validate, change, field):
    body = {k: v for k, v in {**VALID, **change}.items() if v is not None or k == "danger"}
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 400, response.get_json()
    validate(response.get_json(), "Errors")
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'"text"', b"", b"null"],
)
def test_malformed_bodies_get_400_never_500(client, raw):
    response = client.post("/api/v1/reports", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "body" in response.get_json()["errors"]


def test_errors_come_in_the_reporters_language_when_asked(client):
    response = client.post(
        "/api/v1/reports", json={**VALID, "sector": "boats"}, headers={"Accept-Language": "en"}
    )
    assert response.get_json()["errors"]["sector"] == "Choose a setting from the list."


def test_a_body_over_the_size_limit_is_refused_with_json(client):
    response = client.post(
        "/api/v1/reports", data=json.dumps({"description": "x" * 70_000}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 413
    assert "authorities" in response.get_json()


def test_the_api_needs_no_csrf_token(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert client.post("/api/v1/reports", json=VALID).status_code == 201


def post_raw(client, raw: bytes | str, content_type="application/json"):
    return client.post("/api/v1/reports", data=raw, content_type=content_type)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_that_is_not_json_gets_415_with_a_message(client, validate, content_type):
    response = post_raw(client, json.dumps(VALID), content_type)
    assert response.status_code == 415
    validate(response.get_json(), "Errors")
    assert "application/json" in response.get_json()["errors"]["body"]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ('{"sector": "hotel", "sector": "rail"}', "only once"),
        ('{"contact": {"name": "a", "name": "b"}}', "only once"),
        ('{"description": "\\ud800"}', "UTF-8"),  # a lone surrogate: not text
        ('{"\\udfff": 1}', "UTF-8"),
        ('["\\ud83d"]', "UTF-8"),
        ("[" * 100_00 + "]" * 100_00, "nested too deeply"),
        ('{"danger": ' + "9" * 5000 + "}", "too large"),
        ('{"danger": NaN}', "valid JSON"),
        ('{"danger": Infinity}', "valid JSON"),
    ],
)
def test_json_that_text_or_python_cannot_hold_gets_a_clear_400(client, validate, raw, says):
    response = post_raw(client, raw)
    assert response.status_code == 400, response.get_data(as_text=True)
    validate(response.get_json(), "Errors")
    assert says in response.get_json()["errors"]["body"]


def test_nul_and_control_characters_are_removed_from_text_before_storing(app, client):
    body = {**VALID, "description": "Girl\x00 of about 13\x07,\r\nwith a man.\x1b"}
    assert client.post("/api/v1/reports", json=body).status_code == 201
    with app.app_context():
        from reporter.services.reporting.reports import decrypt_field

        report = db.session.scalars(select(Report)).one()
        assert decrypt_field(report, "description") == "Girl of about 13,\nwith a man."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"young": None}, None),  # null is "not given"
        ({"young": 1}, "young"),
        ({"contact": []}, "contact"),
        ({"contact": ""}, "contact"),
        ({"contact": {"consent": "anonymous", "fax": "1"}}, "contact.fax"),
        ({"language": 5}, "language"),
        ({"language": ["cy"]}, "language"),
        ({"seen_at": 20261123}, "seen_at"),
        ({"place": {"x": 1}}, "place"),
        ({"signs": [["controlled"]]}, "signs"),
        ({"danger": 0}, "danger"),
    ],
)
def test_wrongly_typed_optional_fields_are_refused_not_ignored(client, change, field):
    response = client.post("/api/v1/reports", json={**VALID, **change})
    if field is None:
        assert response.status_code == 201
    else:
        assert response.status_code == 400, response.get_json()
        assert field in response.get_json()["errors"]


def test_errors_follow_the_language_field(client):
    body = {**VALID, "sector": "boats", "language": "cy"}
    response = client.post("/api/v1/reports", json=body, headers={"Accept-Language": "en"})
    message = response.get_json()["errors"]["sector"]
    assert message and message != "Choose a setting from the list."


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/v1/reports", "POST"),
        ("delete", "/api/v1/guidance", "GET"),
        ("patch", "/report", "POST"),
    ],
)
def test_a_wrong_method_gets_405_with_allow_and_says_so(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert allowed in response.headers["Allow"]
    if path.startswith("/api/"):
        assert response.get_json()["error"] == "That kind of request is not allowed here"
    else:
        assert "That kind of request is not allowed here" in response.get_data(as_text=True)
        assert "tel:999" in response.get_data(as_text=True)


# ---- the document and the behaviour agree (issue 16, found by schemathesis) ---------------


def test_null_for_an_optional_flag_is_not_given_as_the_document_says(client):
    document = client.get("/api/v1/openapi.json").get_json()
    young = document["components"]["schemas"]["NewReport"]["properties"]["young"]
    assert young["type"] == ["boolean", "null"]
    assert client.post("/api/v1/reports", json=report_payload(young=None)).status_code == 201


def test_seen_at_states_the_shapes_it_reads_as_a_pattern(client):
    document = client.get("/api/v1/openapi.json").get_json()
    pattern = re.compile(
        document["components"]["schemas"]["NewReport"]["properties"]["seen_at"]["pattern"]
    )
    yesterday = datetime.now(UK_TIME) - timedelta(days=1)
    for shape in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d"):
        written = yesterday.strftime(shape)
        assert pattern.match(written), written
        assert (
            client.post("/api/v1/reports", json=report_payload(seen_at=written)).status_code == 201
        )
    for wrong in ("last tuesday", "2026-13-01", "32/01/2026", "2026-11-23T25:00"):
        assert not pattern.match(wrong), wrong


def test_guidance_refuses_a_parameter_it_does_not_know(client):
    response = client.get("/api/v1/guidance?sector=rail&stattion=Euston")
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["stattion"]


def test_a_long_guidance_query_is_answered_in_json(client):
    signs = ",".join(["controlled"] * 400)  # 4.4 KB, over gunicorn's default request line
    response = client.get(f"/api/v1/guidance?sector=rail&signs={signs}")
    assert len(response.request.query_string) > 4096
    assert response.status_code == 200
    assert response.get_json()["authorities"]


def test_guidance_takes_the_language_in_the_address_as_every_page_does(client):
    answer = client.get("/api/v1/guidance?sector=rail&lang=cy")
    assert answer.status_code == 200
    english = client.get("/api/v1/guidance?sector=rail&lang=en").get_json()
    assert answer.get_json()["authorities"][0]["name"] != english["authorities"][0]["name"]
