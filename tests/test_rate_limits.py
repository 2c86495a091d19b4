"""Rate limits per client address, on memory storage and on the shared Redis of production.

Only stored reports count towards the report limit; every POST counts towards a generous flood
limit. A reporter who is limited sees who to call and keeps every answer."""

import secrets

import pytest

from reporter.api.openapi import openapi_document
from reporter.extensions import limiter
from tests.conftest import TEST_REDIS_URL, missing_service
from tests.factories import report_answers, report_payload
from tests.pages import assert_redirects, read

FORM = report_answers(
    sector="taxi",
    signs=["many-calls"],
    station=None,
    postcode="LE1 6RN",
    description="A girl of about 14 in the back seat, told where to sit by the man with her",
)
API = report_payload(sector="taxi", signs=["many-calls"], station=None, postcode="LE1 6RN")


def sent_by_a_phone(answers: dict) -> dict:
    """The answers as a phone's script sends them: with a key of its own, so that each is a
    report (without a script the same answers within ten minutes are one report)."""
    return {**answers, "idempotency_key": secrets.token_urlsafe(18)}


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    if request.param == "redis":
        if not TEST_REDIS_URL:
            missing_service("TEST_REDIS_URL is not set: rate limits were NOT tested on Redis")
        return TEST_REDIS_URL
    return "memory://"


@pytest.fixture
def limited(make_app, storage):
    """limited(**settings): a client of an app with rate limits on (2 reports a minute)."""
    apps = []

    def make(**overrides):
        settings = {"REPORT_RATE_LIMIT": "2 per minute", **overrides}
        app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage, **settings)
        with app.app_context():
            limiter.reset()
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        with app.app_context():
            limiter.reset()


@pytest.fixture
def limited_client(limited):
    return limited()


def test_the_third_stored_report_in_a_minute_gets_429_with_retry_after_and_numbers(
    limited_client,
):
    for _ in range(2):
        assert_redirects(limited_client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    response = limited_client.post("/report", data=sent_by_a_phone(FORM))
    assert 0 < int(response.headers["Retry-After"]) <= 60
    page = read(response, 429)
    assert {"tel:999", "tel:101", "tel:0800555111"} <= set(page.links())
    assert "try again in 1 minute" in page.text


def test_the_429_page_keeps_every_answer_for_sending_later(limited_client):
    for _ in range(2):
        limited_client.post("/report", data=sent_by_a_phone(FORM))
    page = read(limited_client.post("/report", data=sent_by_a_phone(FORM)), 429)
    assert FORM["description"] in page.html
    assert page.find_all("input", name="postcode", value="LE1 6RN")
    assert page.find_all("input", name="signs", value="many-calls", checked="")
    assert page.find_all("input", name="danger", value="no", checked="")
    assert "Your answers are still below" in page.text


def test_a_limited_reporter_with_a_child_in_danger_sees_999_first(limited_client):
    for _ in range(2):
        limited_client.post("/report", data=sent_by_a_phone(FORM))
    page = read(
        limited_client.post("/report", data={**sent_by_a_phone(FORM), "danger": "yes"}), 429
    )
    first_link_in_main = page.html.split('id="main"')[1].split('href="')[1].split('"')[0]
    assert first_link_in_main == "tel:999"


def test_changing_language_and_fixing_mistakes_never_count(limited_client):
    for lang in ("pl", "ar", "cy", "en", "pl"):
        switched = limited_client.post(
            "/report", data={**sent_by_a_phone(FORM), "switch_lang": lang}
        )
        assert switched.status_code == 200
    for _ in range(5):
        mistaken = limited_client.post(
            "/report", data={**sent_by_a_phone(FORM), "postcode": "nowhere"}
        )
        assert mistaken.status_code == 200
    for _ in range(2):
        assert_redirects(limited_client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")


def test_the_form_and_the_api_share_one_limit_of_stored_reports(limited_client):
    assert_redirects(limited_client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    assert (
        limited_client.post("/api/v1/reports", json={**API, "sector": "nowhere"}).status_code == 400
    )
    assert limited_client.post("/api/v1/reports", json=API).status_code == 201
    response = limited_client.post("/api/v1/reports", json=API)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    body = response.get_json()
    assert set(body["errors"]) == {"rate_limit"}
    assert body["guidance"]["authorities"][0]["id"] == "police-101"


def test_a_reporter_whose_allowance_is_used_can_still_change_language_and_be_told(
    limited_client,
):
    """The report routes take a place before the view runs; a full allowance refuses only the
    storing of a report, never a change of language or a correction."""
    for _ in range(2):
        assert_redirects(limited_client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    switched = limited_client.post("/report", data={**sent_by_a_phone(FORM), "switch_lang": "pl"})
    assert switched.status_code == 200 and 'lang="pl"' in switched.get_data(as_text=True)
    mistaken = limited_client.post("/report", data={**sent_by_a_phone(FORM), "postcode": "no"})
    assert mistaken.status_code == 200
    assert limited_client.post("/report", data=sent_by_a_phone(FORM)).status_code == 429


def test_posts_to_the_report_routes_and_to_other_routes_share_one_flood_count(limited):
    """The report routes count their POSTs towards the flood limit themselves (with their
    report's place), under Flask-Limiter's keys: an address has one count whatever the routes."""
    client = limited(POST_FLOOD_LIMIT="5 per minute", REPORT_RATE_LIMIT="100 per minute")
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    assert client.post("/api/v1/reports", json=API).status_code == 201
    login = {"email": "nobody@example.org", "password": "not a password"}
    assert client.post("/triage/login", data=login).status_code == 200  # refused, and counted
    assert (
        client.post("/report", data={**sent_by_a_phone(FORM), "switch_lang": "cy"}).status_code
        == 200
    )
    assert client.post("/api/v1/reports", json={**API, "sector": "nowhere"}).status_code == 400
    assert client.post("/triage/login", data=login).status_code == 429
    refused = client.post("/report", data=sent_by_a_phone(FORM))
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert FORM["description"] in read(refused, 429).html
    api = client.post("/api/v1/reports", json=API)
    assert api.status_code == 429 and "emergency-999" in api.get_json()["authorities"]
    assert 0 < int(api.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("storage", ["redis"], indirect=True)
def test_on_redis_a_report_asks_the_store_once_for_its_place_and_the_flood_limit(
    limited, monkeypatch
):
    """The busiest write: its place in the allowance and its count towards the flood limit, in
    one round trip to Redis (Flask-Limiter would ask once per window, then the place again)."""
    from limits import parse_many
    from redis import Redis
    from redis.client import Pipeline

    from reporter.services.reporting import report_limits

    client = limited(REPORT_RATE_LIMIT="10 per minute;40 per day")
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    asked = []
    command, execute = Redis.execute_command, Pipeline.execute

    def asking(self, *args, **options):
        asked.append(args[0])
        return command(self, *args, **options)

    def executing(self, *args):
        asked.append("pipeline")
        return execute(self, *args)

    monkeypatch.setattr(Redis, "execute_command", asking)
    monkeypatch.setattr(Pipeline, "execute", executing)
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    assert client.post("/api/v1/reports", json=API).status_code == 201
    assert asked == ["pipeline", "pipeline"]
    asked.clear()
    switched = client.post("/report", data={**sent_by_a_phone(FORM), "switch_lang": "cy"})
    assert switched.status_code == 200
    assert asked == ["pipeline", "pipeline"], "a POST that stores nothing gives its place back"
    minute, _day = parse_many("10 per minute;40 per day")
    with client.application.app_context():
        window = limiter.limiter.get_window_stats(minute, "127.0.0.1", report_limits.SCOPE)
    assert window.remaining == 10 - 3


def test_the_api_429_is_documented_in_the_shape_of_other_errors(app):
    with app.test_request_context():
        document = openapi_document(app.extensions["reporter_reference"])
    too_many = document["paths"]["/reports"]["post"]["responses"]["429"]
    schema = too_many["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/Errors"} in schema["oneOf"]  # over the report limit
    assert {"$ref": "#/components/schemas/Problem"} in schema["oneOf"]  # over the flood limit
    assert "Retry-After" in too_many["headers"]


def test_the_limit_is_per_address(limited_client):
    for _ in range(2):
        limited_client.post("/report", data=sent_by_a_phone(FORM))
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert_redirects(limited_client.post("/report", data=FORM, environ_base=other), "/report/done")


def test_reading_the_form_is_never_limited(limited):
    client = limited(POST_FLOOD_LIMIT="2 per minute")
    for _ in range(5):
        assert client.get("/report?sector=taxi").status_code == 200


def test_no_rate_limit_headers_on_an_answer_that_was_let_through(limited_client):
    # Flask-Limiter's X-RateLimit-* headers cost a round trip to the store on every POST.
    response = limited_client.post("/report", data=sent_by_a_phone(FORM))
    assert_redirects(response, "/report/done")
    assert not [name for name, _value in response.headers if "ratelimit" in name.lower()]


def test_a_flood_of_posts_is_limited_and_the_form_keeps_its_answers(limited):
    client = limited(POST_FLOOD_LIMIT="3 per minute", REPORT_RATE_LIMIT="100 per minute")
    for _ in range(3):
        assert (
            client.post(
                "/report", data={**sent_by_a_phone(FORM), "postcode": "nowhere"}
            ).status_code
            == 200
        )
    response = client.post("/report", data=sent_by_a_phone(FORM))
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    page = read(response, 429)
    assert FORM["description"] in page.html
    assert "tel:999" in page.links()
    api = client.post("/api/v1/reports", json=API)
    assert api.status_code == 429
    assert "emergency-999" in api.get_json()["authorities"]


def test_the_report_limit_takes_and_gives_back_as_flask_limiters_storage_counts(limited, storage):
    """On Redis a report's place is taken in all its windows in one round trip, with the
    library's own scripts and keys: what it takes, the library reads, and the other way round.
    A place is kept when its report is stored and given back when it is not."""
    from limits import parse_many

    from reporter.services.reporting import report_limits

    app = limited(REPORT_RATE_LIMIT="3 per minute;5 per hour").application
    minute, hour = parse_many("3 per minute;5 per hour")
    address = "198.51.100.4"
    stats = limiter.limiter.get_window_stats
    with app.app_context():
        for _ in range(2):
            place = report_limits.take_place(address)
            assert place.retry_after is None
            report_limits.settle(place, stored=True)
        assert stats(minute, address, report_limits.SCOPE).remaining == 1
        assert stats(hour, address, report_limits.SCOPE).remaining == 3
        unstored = report_limits.take_place(address)
        report_limits.settle(unstored, stored=False)  # the database did not answer
        assert stats(minute, address, report_limits.SCOPE).remaining == 1
        assert stats(hour, address, report_limits.SCOPE).remaining == 3
        limiter.limiter.hit(minute, address, report_limits.SCOPE)  # the library counts one more
        refused = report_limits.take_place(address)
        assert 0 < refused.retry_after <= 60
        assert stats(hour, address, report_limits.SCOPE).remaining == 3, "the hour gave it back"
        if storage.startswith("redis"):
            limiter.limiter.storage.get_connection().script_flush()  # as after a Redis restart
        report_limits.settle(report_limits.take_place("another"), stored=True)  # scripts again
        assert stats(hour, "another", report_limits.SCOPE).remaining == 4


@pytest.mark.parametrize("storage", ["redis"], indirect=True)
def test_on_redis_two_reports_racing_for_the_last_place_do_not_both_have_it(limited):
    """Taking a place is one script per window on Redis, so of reports from one address taking
    the last place at once, one has it (in memory the windows are tested, then counted, and
    racing reports may all pass, which fails the right way for a safeguarding report)."""
    from concurrent.futures import ThreadPoolExecutor

    from reporter.services.reporting import report_limits

    app = limited(REPORT_RATE_LIMIT="1 per minute").application

    def take(_n):
        with app.app_context():
            return report_limits.take_place("198.51.100.9").retry_after is None

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(take, range(8))) == 1
