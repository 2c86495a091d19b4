"""A developer can send a report from the OpenAPI document alone: every property is described,
every operation has examples, every example validates against its schema, and every request
example, sent to the real app with a real partner key, gets the documented status and the
documented answer (all but the reference and the follow-up code, new for each report)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from reporter.api import openapi_examples as ex
from reporter.extensions import limiter
from reporter.services.partnerships import partner_keys
from tests.factories import make_partner

NEW_EACH_TIME = ("reference", "follow_up_code")  # made for each report: not the example's
JSON = "application/json"


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def key(app) -> str:
    with app.app_context():
        return partner_keys.create_key(make_partner(sector="delivery"), "Rider app")[1]


def validator(document: dict, schema: dict) -> Draft202012Validator:
    """A validator for `schema` whose $refs resolve inside the document."""
    return Draft202012Validator({**schema, "components": document["components"]})


def problems(document: dict, schema: dict, value) -> list[str]:
    return [e.message for e in validator(document, schema).iter_errors(value)]


def operations(document: dict) -> Iterator[tuple[str, dict]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def declared_properties(node, where: str = "") -> Iterator[tuple[str, dict]]:
    """Every property an object schema declares, anywhere in `node`. The branches of anyOf
    and allOf that only restate a property's rule (no `type` of their own) declare nothing."""
    if isinstance(node, dict):
        types = node.get("type", [])
        if "properties" in node and "object" in ([types] if isinstance(types, str) else types):
            for name, schema in node["properties"].items():
                yield f"{where}.{name}", schema
        for name, value in node.items():
            yield from declared_properties(
                value, f"{where}.{name}" if name != "properties" else where
            )
    elif isinstance(node, list):
        for item in node:
            yield from declared_properties(item, where)


def examples_in(document: dict) -> Iterator[tuple[str, dict, object, bool]]:
    """(where, schema, example, valid) for every example: of operations' bodies and answers,
    of query parameters, and of single properties. A request example answered with 400 shows
    what is refused: its schema must refuse it too (`valid` False)."""
    for label, operation in operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get(JSON, {})
        for name, example in body.get("examples", {}).items():
            valid = documented(operation, name)[0] != 400
            yield f"{label} request {name}", body["schema"], example["value"], valid
        for status, response in operation["responses"].items():
            content = response.get("content", {}).get(JSON, {})
            for name, example in content.get("examples", {}).items():
                yield f"{label} {status} {name}", content["schema"], example["value"], True
        for parameter in operation.get("parameters", []):
            for name, example in parameter.get("examples", {}).items():
                valid = documented(operation, name)[0] != 400
                where = f"{label} {parameter['name']} {name}"
                yield where, parameter["schema"], example["value"], valid
    for where, schema in declared_properties(document["components"]["schemas"]):
        for value in schema.get("examples", []):
            yield where, schema, value, True


def test_the_document_is_valid_openapi_3_1_examples_and_all(document):
    assert [e.message for e in OpenAPIV31SpecValidator(document).iter_errors()] == []
    broken = copy.deepcopy(document)
    broken["paths"]["/guidance"]["get"]["parameters"][0]["examples"] = ["rail"]  # not a map
    assert list(OpenAPIV31SpecValidator(broken).iter_errors())


def test_every_property_of_every_schema_is_described(document):
    properties = list(declared_properties(document["components"]["schemas"]))
    assert len(properties) > 50  # the walk reaches the nested ones (contact, station, ...)
    assert [where for where, schema in properties if not schema.get("description")] == []
    for label, operation in operations(document):
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{label} {parameter['name']}"


def test_every_operation_has_examples_of_its_request_and_of_an_answer_and_an_error(document):
    for label, operation in operations(document):
        answered = {
            status
            for status, response in operation["responses"].items()
            if response.get("content", {}).get(JSON, {}).get("examples")
        }
        assert any(s.startswith("2") for s in answered), label
        assert any(s.startswith("4") for s in answered), label
        if "requestBody" in operation:
            assert operation["requestBody"]["content"][JSON].get("examples"), label
        else:
            assert any(p.get("examples") for p in operation["parameters"]), label
    reports = document["paths"]["/reports"]["post"]
    assert set(reports["requestBody"]["content"][JSON]["examples"]) >= {ex.RAIL, ex.DELIVERY}
    assert {"201", "400", "401", "429"} <= {
        status
        for status, response in reports["responses"].items()
        if response["content"][JSON].get("examples")
    }


def test_every_example_validates_against_its_schema(document):
    found = list(examples_in(document))
    assert len(found) > 30
    wrong = {
        where: found_problems or "valid, but documented as refused"
        for where, schema, value, valid in found
        if bool(found_problems := problems(document, schema, value)) == valid
    }
    assert wrong == {}
    assert [where for where, *_rest, valid in found if not valid] == [
        f"GET /guidance sector {ex.INVALID}",
        f"POST /reports request {ex.INVALID}",
    ]


def test_the_check_of_examples_can_fail(document):
    """The validator sees through $refs: an answer missing a field, or a report with a sign of
    another setting, is refused."""
    created = document["paths"]["/reports"]["post"]["responses"]["201"]["content"][JSON]
    answer = copy.deepcopy(ex.RAIL_CREATED)
    del answer["guidance"]["police_force"]
    assert problems(document, created["schema"], answer)
    report = document["paths"]["/reports"]["post"]["requestBody"]["content"][JSON]
    assert problems(document, report["schema"], {**ex.RAIL_REPORT, "signs": ["guarded"]})


def documented(operation: dict, name: str) -> tuple[int, dict]:
    """The status and the schema of the answer to the request example `name`: the response
    that lists an example of the same name."""
    for status, response in operation["responses"].items():
        content = response.get("content", {}).get(JSON, {})
        if name in content.get("examples", {}):
            return int(status), content
    raise AssertionError(f"no response example named {name}")


def assert_answers_as_documented(document: dict, operation: dict, name: str, response) -> None:
    status, content = documented(operation, name)
    body = response.get_json()
    assert response.status_code == status, body
    assert problems(document, content["schema"], body) == []
    expected = content["examples"][name]["value"]
    same = {k: v for k, v in body.items() if k not in NEW_EACH_TIME}
    assert same == {k: v for k, v in expected.items() if k not in NEW_EACH_TIME}


def test_each_report_example_sent_with_a_real_key_gets_its_documented_answer(client, document, key):
    operation = document["paths"]["/reports"]["post"]
    requests = operation["requestBody"]["content"][JSON]["examples"]
    assert set(requests) == {ex.RAIL, ex.DELIVERY, ex.INVALID}
    for name, example in requests.items():
        response = client.post(
            "/api/v1/reports",
            json=example["value"],
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": f"example-{name}"},
        )
        assert_answers_as_documented(document, operation, name, response)


def test_the_wrong_key_example_is_what_a_wrong_key_gets(client, document):
    operation = document["paths"]["/reports"]["post"]
    response = client.post(
        "/api/v1/reports", json=ex.RAIL_REPORT, headers={"Authorization": "Bearer lck_wrong"}
    )
    assert_answers_as_documented(document, operation, ex.WRONG_KEY, response)


def test_the_over_the_limit_example_is_what_a_key_over_its_limit_gets(make_app):
    app = make_app(RATELIMIT_ENABLED=True, PARTNER_KEY_RATE_LIMIT="1 per minute")
    with app.app_context():
        limiter.reset()
        key = partner_keys.create_key(make_partner(), "Rider app")[1]
        client = app.test_client()
        document = client.get("/api/v1/openapi.json").get_json()
        operation = document["paths"]["/reports"]["post"]
        headers = {"Authorization": f"Bearer {key}"}
        assert (
            client.post("/api/v1/reports", json=ex.DELIVERY_REPORT, headers=headers).status_code
            == 201
        )
        response = client.post("/api/v1/reports", json=ex.RAIL_REPORT, headers=headers)
        assert_answers_as_documented(document, operation, ex.OVER_LIMIT, response)
        limiter.reset()


def test_each_guidance_example_gets_its_documented_answer(client, document):
    operation = document["paths"]["/guidance"]["get"]
    queries: dict[str, dict] = {}
    for parameter in operation["parameters"]:
        for name, example in parameter.get("examples", {}).items():
            queries.setdefault(name, {})[parameter["name"]] = example["value"]
    assert set(queries) == {ex.RAIL, ex.DELIVERY, ex.INVALID}
    for name, query in queries.items():
        response = client.get(f"/api/v1/guidance?{urlencode(query)}")
        assert_answers_as_documented(document, operation, name, response)


def test_each_follow_up_example_gets_its_documented_answer(client, document, key):
    """The examples' reference and code stand for a real report's: the examples documented to
    succeed are sent with those of a report just made from the rail example."""
    made = client.post(
        "/api/v1/reports", json=ex.RAIL_REPORT, headers={"Authorization": f"Bearer {key}"}
    ).get_json()
    real = {"reference": made["reference"], "code": made["follow_up_code"]}
    for path in ("/follow-up", "/follow-up/sightings"):
        operation = document["paths"][path]["post"]
        for name, example in operation["requestBody"]["content"][JSON]["examples"].items():
            body = dict(example["value"])
            status, _content = documented(operation, name)
            if status < 400:
                assert (body["reference"], body["code"]) == (ex.REFERENCE, ex.CODE)
                body |= real
            response = client.post(f"/api/v1{path}", json=body)
            if status < 400:
                assert response.get_json()["reference"] == made["reference"]
            assert_answers_as_documented(document, operation, name, response)
