"""The same security headers on every response the app makes, whatever kind it is, and HSTS
in production (and over HTTPS anywhere)."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import InternalServerError

from reporter import create_app
from reporter.security import HEADERS, STRICT_TRANSPORT_SECURITY
from tests.factories import report_answers
from tests.test_app import SAFE_PRODUCTION

# (method, path, what it is): every kind of response a client can meet without signing in.
KINDS = [
    ("GET", "/", "a page"),
    ("GET", "/report?sector=rail", "the form"),
    ("HEAD", "/report?sector=rail", "HEAD of a page"),
    ("OPTIONS", "/report", "OPTIONS"),
    ("GET", "/static/css/app.css", "a static file"),
    ("GET", "/triage/static/triage.css", "a staff static file"),
    ("GET", "/favicon.ico", "the icon"),
    ("GET", "/api/v1/openapi.json", "the API"),
    ("GET", "/api/v1/no-such-thing", "an API 404"),
    ("GET", "/no/such/page", "a 404 for an unknown address"),
    ("GET", "/triage/no/such/page", "a staff address, signed out"),
    ("GET", "/triage", "a redirect to add the slash"),
    ("GET", "/triage/", "a redirect to sign in"),
    ("GET", "/triage/login", "the sign-in page"),
    ("DELETE", "/report", "a 405"),
    ("GET", "/boom", "an unexpected error (500)"),
    ("GET", "/refused", "an error raised on purpose"),
]


def _with_failing_routes(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.get("/refused")
    def refused():
        raise InternalServerError()

    return app


def _responses(app, base_url="http://localhost"):
    client = _with_failing_routes(app).test_client()
    for method, path, kind in KINDS:
        yield kind, client.open(path, method=method, base_url=base_url)
    yield "a body too big (413)", client.post("/report", data={"description": "x" * 70_000})


def _missing(response) -> list[str]:
    return [name for name, value in HEADERS.items() if response.headers.get(name) != value]


def test_every_kind_of_response_carries_the_security_headers(make_app):
    statuses = set()
    for kind, response in _responses(make_app()):
        statuses.add(response.status_code)
        assert not _missing(response), (kind, response.status_code, _missing(response))
        assert "Strict-Transport-Security" not in response.headers, kind  # testing, over http
    assert {200, 303, 308, 404, 405, 413, 500} <= statuses


def test_production_sends_hsts_on_every_response():
    app = create_app("production", SAFE_PRODUCTION)
    for kind, response in _responses(app):
        assert response.headers.get("Strict-Transport-Security") == STRICT_TRANSPORT_SECURITY, kind
        assert not _missing(response), kind


def test_hsts_is_sent_over_https_in_any_environment_but_never_over_plain_http(make_app):
    client = make_app().test_client()
    secure = client.get("/report?sector=rail", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == STRICT_TRANSPORT_SECURITY
    assert "Strict-Transport-Security" not in client.get("/report?sector=rail").headers


def test_a_database_error_and_a_csrf_refusal_carry_the_headers_too(make_app, tmp_path):
    down = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/x.db"})
    sent = down.test_client().post(
        "/report",
        data=report_answers(danger="yes", description="Boy being pushed onto a train"),
    )
    assert sent.status_code == 503 and not _missing(sent)
    csrf = make_app(WTF_CSRF_ENABLED=True).test_client().post("/triage/login", data={})
    assert csrf.status_code == 400 and not _missing(csrf)


def test_a_rate_limited_response_carries_the_headers(make_app):
    client = make_app(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="1 per hour").test_client()
    answers = report_answers()
    client.post("/report", data=answers)
    limited = client.post("/report", data=answers)
    assert limited.status_code == 429 and not _missing(limited)


@pytest.mark.parametrize("path", ["/static/css/app.css", "/favicon.ico"])
def test_static_files_may_be_cached_and_pages_never(client, path):
    assert "no-store" not in client.get(path).headers.get("Cache-Control", "")
    answers = {"sector": "rail", "postcode": "nowhere"}  # a page with a reporter's answers
    assert client.post("/report", data=answers).headers["Cache-Control"] == "no-store"
    assert client.get("/no/such/page").headers["Cache-Control"] == "no-store"


def test_the_icon_every_browser_asks_for_is_there(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file: reserved 0, type 1 (icon)
    assert b"\x89PNG" in response.data
