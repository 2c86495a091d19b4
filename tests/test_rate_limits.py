"""Rate limits per client address, on memory storage and on the shared Redis of production."""

import pytest

from reporter.extensions import limiter
from tests.conftest import TEST_REDIS_URL, missing_service
from tests.pages import read

FORM = {
    "sector": "taxi",
    "danger": "no",
    "signs": ["many-calls"],
    "postcode": "LE1 6RN",
    "consent": "anonymous",
}
API = {"sector": "taxi", "danger": False, "signs": ["many-calls"], "postcode": "LE1 6RN"}


@pytest.fixture(params=["memory", "redis"])
def limited_client(request, make_app):
    if request.param == "redis":
        if not TEST_REDIS_URL:
            missing_service("TEST_REDIS_URL is not set: rate limits were NOT tested on Redis")
        storage = TEST_REDIS_URL
    else:
        storage = "memory://"
    app = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage, REPORT_RATE_LIMIT="2 per minute"
    )
    with app.app_context():
        limiter.reset()
    yield app.test_client()
    with app.app_context():
        limiter.reset()


def test_the_third_report_in_a_minute_gets_429_with_retry_after_and_numbers(limited_client):
    for _ in range(2):
        assert limited_client.post("/report", data=FORM).status_code == 303
    response = limited_client.post("/report", data=FORM)
    assert 0 < int(response.headers["Retry-After"]) <= 60
    page = read(response, 429)
    assert {"tel:999", "tel:101", "tel:0800555111"} <= set(page.links())
    assert "try again in 1 minute" in page.text


def test_the_form_and_the_api_share_one_limit(limited_client):
    assert limited_client.post("/report", data=FORM).status_code == 303
    assert limited_client.post("/api/v1/reports", json=API).status_code == 201
    response = limited_client.post("/api/v1/reports", json=API)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "emergency-999" in response.get_json()["authorities"]


def test_the_limit_is_per_address(limited_client):
    for _ in range(2):
        limited_client.post("/report", data=FORM)
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert limited_client.post("/report", data=FORM, environ_base=other).status_code == 303


def test_reading_the_form_is_never_limited(limited_client):
    for _ in range(5):
        assert limited_client.get("/report?sector=taxi").status_code == 200
