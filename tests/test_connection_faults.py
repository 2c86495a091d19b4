"""Issue 16: a lost database connection is never a bare 500. PostgreSQL drops the app's
connections (a restart, a failover, `pg_terminate_backend`) while urgent reports arrive at
gunicorn, as production runs it: every answer is our page or our JSON, every 201 and 303 is a
stored report whose reference its reporter sees, and a report answered 503 that the phone sends
again (with its key, as its script does) is stored once and its reference shown.

Runs against TEST_DATABASE_URL and TEST_REDIS_URL (a database of its own beside it); without
them it is NOT TESTED, loudly."""

from __future__ import annotations

import random
import re
import secrets
import threading
import time

import psycopg
import pytest

from bench import _servers
from bench._visitor import REFERENCE, Visitor
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, missing_service
from tests.factories import report_answers, report_payload
from tests.pages import assert_redirects
from tests.test_instances import _migrate

URGENT_FORM = report_answers(
    danger="yes",
    signs=["controlled"],
    station="Euston",
    description="Girl of about 13 led onto a train by two men.",
)
URGENT_API = report_payload(
    sector="delivery",
    danger="yes",
    signs=["controlled"],
    station=None,
    postcode="LE1 6RN",
    description=None,
    consent=None,
)
REPORTS = 60  # each of the form and the API
KILL_EVERY = 0.05  # seconds between rounds of pg_terminate_backend
GUNICORN_ERROR = re.compile(r"<h1><p>Internal Server Error</p></h1>|^Internal Server Error$")


@pytest.fixture(scope="module")
def server():
    if not (TEST_DATABASE_URL and TEST_REDIS_URL):
        missing_service(
            "TEST_DATABASE_URL and TEST_REDIS_URL are not both set: reports while PostgreSQL "
            "drops connections were NOT tested"
        )
    url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    database = _servers.fresh_database(f"{url}_dropped")
    _migrate(database)
    env = _servers.production_env(database, redis_url=TEST_REDIS_URL)
    with _servers.gunicorn("wsgi:app", env, workers=2) as running:
        yield running.url, database


def _terminate_backends_until(stop: threading.Event, database: str) -> int:
    name = database.rsplit("/", 1)[1]
    killed = 0
    with psycopg.connect(database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        while not stop.is_set():
            killed += len(
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                ).fetchall()
            )
            time.sleep(KILL_EVERY * random.uniform(0.5, 1.5))
    return killed


def _send_form(base: str, key: str) -> tuple[Visitor, object]:
    phone = Visitor(f"198.51.100.{random.randint(1, 254)}")
    form = phone.get(base, "/report?sector=rail")
    fields = {**URGENT_FORM, "idempotency_key": key, "csrf_token": form.token or ""}
    return phone, phone.post_form(base, "/report", fields)


def _stored_references(database: str) -> set[str]:
    with psycopg.connect(database, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT reference FROM reports")}


def test_urgent_reports_while_postgresql_drops_connections_never_get_a_bare_500(server):
    base, database = server
    stop = threading.Event()
    killed: list[int] = []
    killer = threading.Thread(
        target=lambda: killed.append(_terminate_backends_until(stop, database))
    )
    killer.start()
    answers = []
    try:
        for _ in range(REPORTS):
            key = secrets.token_urlsafe(18)
            phone, sent = _send_form(base, key)
            done = phone.get(base, "/report/done") if sent.status == 303 else None
            answers.append(("form", key, phone, sent, done))
            key = secrets.token_urlsafe(18)
            api = Visitor(f"203.0.113.{random.randint(1, 254)}")
            sent = api.request(
                base, "POST", "/api/v1/reports", body=_json(URGENT_API),
                headers={"Content-Type": "application/json", "Idempotency-Key": key},
            )  # fmt: skip
            answers.append(("api", key, api, sent, None))
    finally:
        stop.set()
        killer.join(10)

    statuses = [sent.status for _, _, _, sent, _ in answers]
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(f"backends terminated: {sum(killed)}; answers: {counts}")
    assert sum(killed) > 0, "the loop never dropped a connection: nothing was tested"
    for channel, _key, _who, sent, done in answers:
        assert not GUNICORN_ERROR.search(sent.body), (channel, sent.status, sent.body[:200])
        assert sent.status in (201, 303, 503), (channel, sent.status, sent.body[:200])
        if sent.status == 503:
            assert "tel:999" in sent.body or '"emergency-999"' in sent.body
        if done is not None:
            assert done.status == 200 and REFERENCE.search(done.body), done.body[:300]

    shown = {
        REFERENCE.search(done.body).group(0) if done else _reference(sent)
        for _, _, _, sent, done in answers
        if sent.status in (201, 303)
    }
    assert shown <= _stored_references(database)

    # The phone sends what was not stored again, with the same key: every report is stored
    # once, and its reporter is shown its reference.
    for channel, key, who, sent, _done in answers:
        if sent.status != 503:
            continue
        if channel == "form":
            phone, again = _send_form_as(who, base, key)
            assert_redirects(again, "/report/done")
            shown.add(REFERENCE.search(phone.get(base, "/report/done").body).group(0))
        else:
            again = who.request(
                base, "POST", "/api/v1/reports", body=_json(URGENT_API),
                headers={"Content-Type": "application/json", "Idempotency-Key": key},
            )  # fmt: skip
            assert again.status == 201
            shown.add(_reference(again))
    assert shown == _stored_references(database)
    assert len(shown) == 2 * REPORTS


def _send_form_as(phone: Visitor, base: str, key: str):
    form = phone.get(base, "/report?sector=rail")
    fields = {**URGENT_FORM, "idempotency_key": key, "csrf_token": form.token or ""}
    return phone, phone.post_form(base, "/report", fields)


def _reference(answer) -> str:
    return REFERENCE.search(answer.body).group(0)


def _json(data: dict) -> str:
    import json

    return json.dumps(data)
