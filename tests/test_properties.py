"""No input gives a 500 (or a 503 from a value the database cannot store): generated form bodies,
query strings and path segments thrown at the public form (`/`, `/report`, switching language)
and at the staff pages, signed in. Each answer is one of the statuses the page documents, and
an error is a page, never a stack trace. The JSON API has its own property test.

Hypothesis runs a bounded number of examples (a few seconds in all) with no example database,
so that the suite stays repeatable; on a failure it prints the smallest input that fails.
"""

from __future__ import annotations

from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import make_report, make_user
from tests.triage.conftest import sign_in

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")

RUNS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PUBLIC_FIELDS = [
    "sector", "danger", "signs", "postcode", "station", "place", "seen_at", "description",
    "young", "consent", "name", "phone", "email", "website", "switch_lang", "lang", "csrf_token",
]  # fmt: skip
STAFF_FIELDS = [
    "q", "status", "priority", "sector", "sign", "region", "date_from", "date_to", "mine",
    "after", "contact", "weeks", "action", "actor", "reference", "before", "note", "agency",
    "their_reference", "close_reason", "assignee", "queue", "reroute_reason", "email",
    "password", "code", "role", "regions", "name", "totp_required", "active",
]  # fmt: skip
SECTORS = ["rail", "delivery", "hotel", "bus-coach", "taxi", "food-service"]
LANGS = ["en", "cy", "pl", "ar", "ti", "xx", "", "en-GB", "../etc"]

# Values as a person, a broken phone or an attacker might send them: codes the app knows, and
# any text (control characters, NUL, right-to-left marks, astral planes, very long, huge numbers).
values = st.one_of(
    st.sampled_from([*SECTORS, *LANGS, "yes", "no", "y", "anonymous", "share", "LEI", "LE1 6RN"]),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=5),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["\x00", "\ud7ff\ue000", "9" * 400, "0001-01-01", "9999-12-31", "%00"]),
    st.text(max_size=8).map(lambda text: text + "\x00"),
)


def pairs(fields):
    return st.lists(st.tuples(st.one_of(st.sampled_from(fields), st.text(max_size=8)), values))


def every_field(fields):
    """Each field the page knows, each with a hostile value: every field is tried each time."""
    return st.fixed_dictionaries({name: values for name in fields}).map(lambda d: list(d.items()))


def query_string(fields):
    """An encoded query or form body, sometimes with bytes that are not UTF-8 at all."""
    return st.one_of(
        pairs(fields).map(urlencode),
        every_field(fields).map(urlencode),
        st.binary(max_size=40).map(lambda raw: "x=" + quote_from_bytes(raw)),
        st.builds(
            lambda good, raw: f"{good}&{quote_from_bytes(raw)}={quote_from_bytes(raw)}",
            pairs(fields).map(urlencode),
            st.binary(max_size=12),
        ),
    )


def segment():
    return st.one_of(
        st.text(max_size=30).map(lambda s: quote(s, safe="")),
        st.binary(max_size=12).map(quote_from_bytes),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.sampled_from(["LC-2222-3333", "..", ".", "%2e%2e", "%00", "a" * 3000]),
    )


def hostile(fields, value: str) -> str:
    """Every field holding the same hostile value: explicit examples, always run."""
    return urlencode({name: value for name in fields})


HOSTILE = ["a\x00b", "9" * 30, "0001-01-01", "\u202eLC-2222-3333"]


def with_hostile_examples(fields, **fixed):
    def decorate(test):
        for value in HOSTILE:
            both = {"query": hostile(fields, value), "body": hostile(fields, value)}
            test = example(**both, **fixed)(test)
        return test

    return decorate


def _check(response, allowed: set[int], what: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code in allowed, (what, response.status_code, body[:300])
    assert "Traceback" not in body, what
    if response.status_code >= 400:
        assert response.mimetype == "text/html", what


PUBLIC = {200, 303, 400, 413}


def test_the_public_form_answers_any_query_string_or_body(client):
    @RUNS
    @given(
        path=st.sampled_from(["/", "/report", "/report/done"]),
        query=query_string(PUBLIC_FIELDS),
        body=query_string(PUBLIC_FIELDS),
        method=st.sampled_from(["GET", "POST"]),
    )
    @with_hostile_examples(PUBLIC_FIELDS, path="/report", method="POST")
    def run(path, query, body, method):
        if method == "POST" and path != "/report":
            method = "GET"
        response = client.open(
            f"{path}?{query}",
            method=method,
            data=body.encode() if method == "POST" else None,
            content_type="application/x-www-form-urlencoded",
        )
        _check(response, PUBLIC | ({302} if path == "/report/done" else set()), f"{method} {path}")

    run()


def test_switching_language_with_any_value_keeps_the_form(client):
    @RUNS
    @given(lang=values, sector=st.sampled_from(SECTORS), extra=pairs(PUBLIC_FIELDS))
    def run(lang, sector, extra):
        got = client.get("/report?" + urlencode({"sector": sector, "lang": lang}))
        _check(got, {200}, "GET ?lang=")
        body = urlencode([("sector", sector), ("switch_lang", lang), *extra])
        posted = client.post(
            "/report", data=body.encode(), content_type="application/x-www-form-urlencoded"
        )
        _check(posted, PUBLIC, "POST switch_lang")

    run()


STAFF = {200, 303, 400, 404}
STAFF_PAGES = [
    ("GET", "/triage/"),
    ("POST", "/triage/"),
    ("GET", "/triage/trends"),
    ("GET", "/triage/audit"),
    ("GET", "/triage/export.csv"),
    ("POST", "/triage/export.csv"),
    ("GET", "/triage/users/new"),
    ("POST", "/triage/users/new"),
    ("GET", "/triage/reference"),
    ("POST", "/triage/reference"),
    ("GET", "/triage/account"),
    ("POST", "/triage/account/password"),
    ("POST", "/triage/account/totp"),
    ("GET", "/triage/reports/{reference}"),
    ("POST", "/triage/reports/{reference}/notes"),
    ("POST", "/triage/reports/{reference}/refer"),
    ("POST", "/triage/reports/{reference}/close"),
    ("POST", "/triage/reports/{reference}/assign"),
    ("POST", "/triage/reports/{reference}/reroute"),
    ("POST", "/triage/users/{user_id}"),
    ("POST", "/triage/users/{user_id}/active"),
]


def test_staff_pages_answer_any_query_string_or_body_signed_in(app, client):
    with app.app_context():
        officer_id = make_user(role="officer").id
        reference = make_report(station="LEI", place="Behind the kiosk").reference
        sign_in(client, make_user(role="admin"))

    @settings(RUNS, max_examples=4)
    @given(query=query_string(STAFF_FIELDS), body=query_string(STAFF_FIELDS))
    @with_hostile_examples(STAFF_FIELDS)
    def run(query, body):
        for method, path in STAFF_PAGES:  # every page meets every generated input
            path = path.format(reference=reference, user_id=officer_id)
            response = client.open(
                f"{path}?{query}",
                method=method,
                data=body.encode() if method == "POST" else None,
                content_type="application/x-www-form-urlencoded",
            )
            _check(response, STAFF, f"{method} {path}")

    run()


def test_staff_addresses_with_any_path_segment_are_a_404_never_an_error(app, client):
    with app.app_context():
        sign_in(client, make_user(role="admin"))

    @RUNS
    @given(
        prefix=st.sampled_from(
            ["/triage/reports/", "/triage/users/", "/triage/", "/triage/static/"]
        ),
        first=segment(),
        rest=st.one_of(st.just(""), segment().map(lambda s: "/" + s)),
        method=st.sampled_from(["GET", "POST"]),
    )
    def run(prefix, first, rest, method):
        response = client.open(prefix + first + rest, method=method)
        _check(response, {200, 308, 404, 400}, prefix + first + rest)

    run()


def test_a_sector_in_the_address_and_another_in_the_body_is_the_bodys(client):
    """Found by the test above: the view read the address's sector, the form the body's."""
    response = client.post("/report?sector=rail", data={"sector": "no-such-setting"})
    _check(response, {200}, "POST /report?sector=rail")
    response = client.post("/report?sector=no-such-setting", data={"sector": "rail"})
    _check(response, {200}, "POST /report?sector=no-such-setting")
