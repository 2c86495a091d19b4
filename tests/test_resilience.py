"""What the app does when a part fails, without starting any service (tests/test_faults.py does
the same against real ones): the settings that make it fail fast, and what /healthz says."""

import secrets
from datetime import timedelta

import pytest

from reporter.extensions import db, limiter
from reporter.models import utcnow
from reporter.reference import REGION_IDS
from reporter.resilience import rate_limiter_on_fallback, storage_options
from reporter.services.mail import outbox
from tests.factories import make_user, report_answers
from tests.fault_services import free_port, fresh_fallback
from tests.pages import assert_redirects

FORM = report_answers(
    sector="taxi", signs=["many-calls"], station=None, postcode="LE1 6RN", description=None
)


def sent_by_a_phone(answers: dict) -> dict:
    """The answers as a phone's script sends them: with a key of its own, so that each is a
    report (without a script the same answers within ten minutes are one report)."""
    return {**answers, "idempotency_key": secrets.token_urlsafe(18)}


def test_the_redis_client_fails_fast_and_leaves_retrying_to_the_fallback():
    options = storage_options(
        {"RATELIMIT_STORAGE_URI": "redis://10.0.0.1:6379/0", "RATELIMIT_STORE_TIMEOUT": 0.5}
    )
    assert options["socket_connect_timeout"] == options["socket_timeout"] == 0.5
    assert options["retry"].get_retries() == 0
    assert storage_options({"RATELIMIT_STORAGE_URI": "memory://"}) == {}


@pytest.fixture
def unreachable_store_app(make_app):
    fresh_fallback()
    yield make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        REPORT_RATE_LIMIT="2 per minute",
    )
    fresh_fallback()


def test_with_the_store_unreachable_reports_are_accepted_and_limited_per_process(
    unreachable_store_app,
):
    client = unreachable_store_app.test_client()
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    assert client.post("/report", data=sent_by_a_phone(FORM)).status_code == 429
    # Sign-in reads this flag (Flask-Limiter's own, private): this fails if a new version
    # renames it, instead of sign-in quietly counting per process.
    assert hasattr(limiter, "_storage_dead") and rate_limiter_on_fallback()
    assert client.get("/triage/login").status_code == 503
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"


def test_healthz_is_degraded_when_a_staff_email_waits_too_long(make_app):
    app = make_app(OUTBOX_STALE_SECONDS=300)
    with app.app_context():
        make_user(role="officer", regions=REGION_IDS)  # no region uncovered: only the outbox
        message = outbox.enqueue("test:1", "test", ["a@example.org"], "Subject", "Body")
        db.session.commit()
        assert app.test_client().get("/healthz").get_json()["status"] == "ok"
        message.created_at = utcnow() - timedelta(seconds=301)
        db.session.commit()
    body = app.test_client().get("/healthz").get_json()
    assert body["status"] == "degraded" and body["outbox"]["pending"] == 1
    assert body["reasons"][0].startswith("outbox: a staff email has waited 30")


def test_a_store_that_fails_mid_request_never_refuses_or_loses_a_report(make_app, monkeypatch):
    """Redis can fail after the flood limit passed: the report limit then lets the report
    through and the stored report is answered as stored."""
    from reporter.extensions import limiter
    from reporter.services.reporting import report_limits

    class Broken:
        def test(self, *args):
            raise ConnectionError("store down")

        hit = test

    app = make_app(RATELIMIT_ENABLED=True)
    with app.test_request_context("/report", method="POST"):
        monkeypatch.setattr(type(limiter), "limiter", property(lambda self: Broken()))
        place = report_limits.take_place("198.51.100.4")
        assert place.retry_after is None
        report_limits.settle(place, stored=True)  # no exception


def test_a_connection_lost_at_the_end_of_a_request_is_thrown_away_not_raised(
    app, client, monkeypatch
):
    """Issue 16: the session's rollback at the end of a request fails when the database has
    dropped the connection. That failure runs after every error handler, so it must never
    escape (gunicorn would answer with its bare 500): the report page is still ours."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from tests.factories import DELIVERY_ANSWERS

    failed = []
    close = Session.close

    def close_on_a_dropped_connection(self):
        if not failed:
            failed.append(True)
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))
        return close(self)

    monkeypatch.setattr(Session, "close", close_on_a_dropped_connection)
    response = client.post("/report", data=DELIVERY_ANSWERS)
    assert failed
    assert_redirects(response, "/report/done")
    assert client.get("/report/done").status_code == 200
