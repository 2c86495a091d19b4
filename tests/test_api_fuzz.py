"""Whatever is thrown at the API, it answers with a status its document names and a body of
the documented shape: never a 500. Hypothesis generates the bodies and query strings; the run
is bounded and deterministic, a few seconds."""

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from reporter.services.reporting import intake
from tests.factories import report_payload

EXAMPLES = 60
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FIELD_NAMES = [f.key.split(".")[-1] for f in intake.FIELDS] + ["contact", "language"]
VALID = report_payload(
    sector="hotel", signs=["room-paid-cash"], station=None, postcode="M1 1AE", description=None
)

# Text as JSON can carry it, lone surrogates and control characters included.
texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=40) | st.sampled_from(
    ["", " ", "\x00", "\ud800", "rail", "LEI", "LE1 6RN", "true", "yes", "x" * 3000]
)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | texts, inner, max_size=5)
    ),
    max_leaves=12,
)
TEXT_FIELDS = [f.key for f in intake.FIELDS if f.kind == "text" and "." not in f.key]
bodies = st.one_of(
    st.tuples(st.sampled_from(TEXT_FIELDS), texts).map(
        lambda pair: json.dumps({**VALID, pair[0]: pair[1]})
    ),
    json_values.map(lambda v: json.dumps(v)),  # escapes such as "\ud800" stay in the text
    st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6).map(
        lambda changes: json.dumps({**VALID, **changes})
    ),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(['{"a": 1, "a": 2}', "[" * 5000, "1e999999", '{"danger": -0}', "NaN"]),
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", "", "application/xml"]
)
queries = st.dictionaries(
    st.sampled_from(["sector", "signs", "danger", "young", "postcode", "station"]) | texts,
    texts,
    max_size=6,
)


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def check_documented(document, path, method, response):
    """The status is one the document lists for the operation, and the body its schema."""
    documented = document["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, (response.status_code, response.data[:300])
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    errors = list(Draft202012Validator({**schema, **document}).iter_errors(response.get_json()))
    assert not errors, [e.message for e in errors]


def test_any_body_gets_a_documented_answer(client, document):
    @SETTINGS
    @given(body=bodies, content_type=content_types)
    @example(body=json.dumps({**VALID, "description": "\ud800"}), content_type="application/json")
    @example(body=json.dumps({**VALID, "place": "\x00"}), content_type="application/json")
    @example(body=json.dumps({**VALID, "young": 10**400}), content_type="application/json")
    def answers(body, content_type):
        raw = body.encode("utf-8", "surrogatepass")
        response = client.post("/api/v1/reports", data=raw, content_type=content_type)
        check_documented(document, "/reports", "post", response)

    answers()


def test_any_query_string_gets_a_documented_answer(client, document):
    @SETTINGS
    @given(query=queries)
    def answers(query):
        raw = {k.encode("utf-8", "surrogatepass"): v.encode("utf-8", "surrogatepass")
               for k, v in query.items()}  # fmt: skip
        encoded = urlencode(raw)
        response = client.get(f"/api/v1/guidance?{encoded}")
        check_documented(document, "/guidance", "get", response)

    answers()
