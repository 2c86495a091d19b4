"""The same report sent twice is stored once: a retry, a queued send from the phone, a double
click, or two copies arriving at the same moment on two workers."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from reporter.extensions import db
from reporter.models import OutboxMessage, Report
from reporter.services.reporting import reports
from tests.conftest import TEST_DATABASE_URL, missing_service
from tests.factories import make_user, report_answers, report_payload
from tests.pages import assert_redirects, read

REFERENCE = re.compile(r"LC-[A-Z0-9]{4}-[A-Z0-9]{4}")
KEY_FIELD = re.compile(r'name="idempotency_key" value="([^"]*)"')
KEY = "k7Rz0-phone-made-key_0001"
FORM = report_answers()
API = report_payload(
    sector="hotel",
    signs=["room-paid-cash"],
    station=None,
    description="Girl of about 13 checked in by a man paying cash.",
    postcode="m1 1ae",
    consent=None,
)


def count_reports(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


def send_form(client, key=KEY, **changes):
    return client.post("/report", data={**FORM, "idempotency_key": key, **changes})


def send_api(client, key=KEY, body=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/reports", json=body or API, headers=headers)


def without_code(answer: dict) -> dict:
    """An API answer but for its follow-up code, which is new in every answer."""
    return {name: value for name, value in answer.items() if name != "follow_up_code"}


def reference_shown(client) -> str:
    return REFERENCE.search(read(client.get("/report/done")).text).group(0)


def key_in(response) -> str:
    return KEY_FIELD.search(read(response).html).group(1)


def test_the_blank_form_carries_an_empty_key_for_the_phones_script_to_make(client):
    """Issue 18: the blank form is the same bytes for everyone, so the server makes no key."""
    first, second = (client.get("/report?sector=rail").data for _ in range(2))
    assert first == second
    (field,) = read(client.get("/report?sector=rail")).find_all("input", name="idempotency_key")
    assert field["value"] == ""


def test_without_a_script_a_double_tap_is_one_report_and_other_answers_are_another(app):
    """No key (no JavaScript): the same answers from one address within the window are one
    report, and the second tap shows the same reference; other answers are a report."""
    client = app.test_client()
    first = send_form(client, key="")
    assert_redirects(first, "/report/done")
    shown = reference_shown(client)
    assert_redirects(send_form(client, key=""), "/report/done")  # the double tap
    assert reference_shown(client) == shown
    assert count_reports(app) == 1
    send_form(client, key="", description="Seen again, an hour later.")
    assert count_reports(app) == 2


def test_the_window_without_a_script_is_ten_minutes_on_the_clock():
    from reporter.services.reporting.idempotency import (
        WITHOUT_SCRIPT_WINDOW_SECONDS,
        without_script,
    )

    assert WITHOUT_SCRIPT_WINDOW_SECONDS == 600
    assert without_script(1200.0) == without_script(1799.9) != without_script(1800.0)


def test_a_form_sent_twice_with_its_key_is_stored_once_and_shows_one_reference(app):
    first, second = app.test_client(), app.test_client()  # two sessions, as after a crash
    assert_redirects(send_form(first), "/report/done")
    assert_redirects(send_form(second), "/report/done")
    assert count_reports(app) == 1
    assert reference_shown(first) == reference_shown(second)


def test_an_error_page_keeps_the_key_so_the_corrected_report_is_the_same_one(client):
    assert key_in(send_form(client, danger="")) == KEY


def test_forms_with_different_keys_or_none_are_different_reports(app):
    client = app.test_client()
    send_form(client, key="another-key-from-a-phone")
    send_form(client)
    send_form(client, key="", description="Without a script.")
    send_form(client, key="bad key!!", description="A key we do not accept: as without one.")
    assert count_reports(app) == 4


def test_the_api_answers_a_repeated_key_with_the_same_reference_and_body(app):
    """The same answer, but for the follow-up code: the first answer never reached the
    sender, so the retry carries a new code (tests/test_follow_up.py)."""
    client = app.test_client()
    first, second = send_api(client).get_json(), send_api(client).get_json()
    codes = first.pop("follow_up_code"), second.pop("follow_up_code")
    assert first == second
    assert codes[0] != codes[1]
    assert count_reports(app) == 1


def test_a_key_is_per_source_so_a_form_and_an_api_report_never_collide(app):
    client = app.test_client()
    send_form(client)
    send_api(client)
    with app.app_context():
        assert sorted(db.session.scalars(select(Report.source))) == ["api", "form"]


def test_the_api_without_a_key_stores_each_request(app):
    client = app.test_client()
    send_api(client, key=None)
    send_api(client, key=None)
    assert count_reports(app) == 2


@pytest.mark.parametrize(
    "key", ["short", "x" * 65, "has spaces in it, sixteen+", "naïve-key-0123456789"]
)
def test_the_api_refuses_a_malformed_key_and_says_why(app, key):
    response = app.test_client().post(
        "/api/v1/reports", json=API, headers={"Idempotency-Key": key.encode().decode("latin-1")}
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert count_reports(app) == 0


def test_the_openapi_document_describes_the_header(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/reports"]["post"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header["schema"]["pattern"].startswith("^")


def test_staff_are_alerted_once_for_a_report_sent_twice(app):
    with app.app_context():
        make_user(regions=("north-west",))  # covers Manchester (M1): the alert has someone
        db.session.commit()
    client = app.test_client()
    urgent = {**API, "danger": True}
    first, second = send_api(client, body=urgent), send_api(client, body=urgent)
    assert first.get_json()["reference"] == second.get_json()["reference"]
    with app.app_context():
        alerts = db.session.scalars(select(OutboxMessage.key)).all()
    assert alerts == [f"alert:{first.get_json()['reference']}"]


def test_the_unique_key_answers_a_copy_with_the_report_stored_first(app):
    """A copy is not looked for before it is stored: the database's unique index refuses its
    insert, and the request answers with the report stored first."""
    client = app.test_client()
    first = send_api(client).get_json()
    second = send_api(client).get_json()
    assert without_code(second) == without_code(first)
    assert count_reports(app) == 1


THREADS = 12  # within the pool (5 + 10 overflow)


@pytest.mark.parametrize("source", ["api", "form"])
def test_many_copies_at_the_same_moment_on_postgresql_store_one_report(app, monkeypatch, source):
    """Many workers receive the same report at once. Each has looked for the key and found
    nothing before any of them stores it (a barrier holds them there), so the unique index on
    PostgreSQL decides: one report, one reference, and the same answer to every request."""
    if not TEST_DATABASE_URL:
        missing_service("TEST_DATABASE_URL is not set: concurrent idempotency NOT tested")
    barrier = threading.Barrier(THREADS, timeout=20)
    draw = reports.new_reference

    def draw_when_everyone_has_one():
        barrier.wait()  # every worker is about to insert: none has yet
        return draw()

    monkeypatch.setattr(reports, "new_reference", draw_when_everyone_has_one)

    def send(_):
        client = app.test_client()
        if source == "api":
            response = send_api(client)
            return response.status_code, without_code(response.get_json())
        response = send_form(client)
        return response.status_code, reference_shown(client)

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(send, range(THREADS)))
    assert {status for status, _ in answers} == {201 if source == "api" else 303}
    assert len({str(body) for _, body in answers}) == 1, answers
    assert count_reports(app) == 1
