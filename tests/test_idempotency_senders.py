"""Issue 16: an idempotency key never hands out another report. A key belongs to whoever sent
it (a partner's API key, or the client address) and to the answers it was sent with: a key
that someone else used first is a different key, and the same key with other answers is
refused (API) or a report of its own (form), never answered with the first report."""

from __future__ import annotations

import re

from sqlalchemy import select

from reporter.extensions import db
from reporter.models import OutboxMessage, Report
from reporter.services.partnerships import partner_keys
from tests.factories import make_partner, make_user, report_answers, report_payload
from tests.pages import assert_redirects, read
from tests.test_idempotency import without_code

KEY = "order-20261206-0042"  # guessable, like an order number
COURIER = {"REMOTE_ADDR": "198.51.100.10"}
STRANGER = {"REMOTE_ADDR": "203.0.113.77"}
REFERENCE = re.compile(r"LC-[A-Z0-9]{4}-[A-Z0-9]{4}")
API = report_payload(
    sector="delivery",
    signs=["controlled"],
    station=None,
    description="A boy of about 12 opened the door; an older man answered for him.",
    postcode="LE1 6RN",
    consent=None,
)
FORM = report_answers(signs=["controlled"])


def send_api(client, body, environ, key=KEY, headers=None):
    return client.post(
        "/api/v1/reports",
        json=body,
        headers={"Idempotency-Key": key, **(headers or {})},
        environ_base=environ,
    )


def send_form(client, answers, environ, key=KEY):
    return client.post("/report", data={**answers, "idempotency_key": key}, environ_base=environ)


def stored_references(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Report.reference).order_by(Report.id)))


def test_a_danger_report_with_a_key_someone_else_used_first_is_stored_and_alerts(app):
    """The attack from the issue: a stranger uses a partner's next order number first. The
    partner's urgent report is stored as its own, with 999 first and an alert."""
    with app.app_context():
        make_user(regions=("east-midlands",))  # covers LE1: the alert has someone
        db.session.commit()
    client = app.test_client()
    first = send_api(client, API, STRANGER)
    urgent = send_api(client, {**API, "danger": True}, COURIER)
    assert first.status_code == urgent.status_code == 201
    answer = urgent.get_json()
    assert answer["reference"] != first.get_json()["reference"]
    assert answer["guidance"]["priority"] == "urgent"
    assert answer["guidance"]["authorities"][0]["id"] == "emergency-999"
    assert stored_references(app) == [first.get_json()["reference"], answer["reference"]]
    with app.app_context():
        alerts = db.session.scalars(select(OutboxMessage.key)).all()
    assert alerts == [f"alert:{answer['reference']}"]


def test_a_partners_api_key_owns_its_idempotency_keys(app):
    """The same Idempotency-Key from one address, with and without a partner's key, and from
    two partners: three senders, three reports."""
    with app.app_context():
        one = partner_keys.create_key(make_partner(name="Rider app"), "App")[1]
        two = partner_keys.create_key(make_partner(name="Taxi co"), "App")[1]
        db.session.commit()
    client = app.test_client()
    answers = [
        send_api(client, API, COURIER).get_json()["reference"],
        send_api(client, API, COURIER, headers={"Authorization": f"Bearer {one}"}),
        send_api(client, API, COURIER, headers={"Authorization": f"Bearer {two}"}),
    ]
    references = [answers[0], *(r.get_json()["reference"] for r in answers[1:])]
    assert len(set(references)) == 3
    assert stored_references(app) == references
    again = send_api(client, API, COURIER, headers={"Authorization": f"Bearer {one}"})
    assert again.get_json()["reference"] == references[1]  # a retry is still a retry


def test_the_same_key_with_other_answers_is_refused_with_422_and_guidance(app):
    client = app.test_client()
    first = send_api(client, API, COURIER)
    changed = send_api(client, {**API, "danger": True}, COURIER)
    assert changed.status_code == 422
    answer = changed.get_json()
    assert "Idempotency-Key" in answer["errors"]
    assert "reference" not in answer
    assert answer["guidance"]["authorities"][0]["id"] == "emergency-999"  # still who to call
    assert stored_references(app) == [first.get_json()["reference"]]
    retry = send_api(client, API, COURIER).get_json()
    assert without_code(retry) == without_code(first.get_json())  # the retry still is


def test_another_phone_posting_someones_key_never_sees_their_report(app):
    """On the form, a second client posting the first reporter's key gets its own report and
    its own reference, never the first reporter's reference, station or answers."""
    courier, stranger = app.test_client(), app.test_client()
    assert_redirects(send_form(courier, FORM, COURIER), "/report/done")
    mine = REFERENCE.search(read(courier.get("/report/done")).text).group(0)
    assert_redirects(send_form(stranger, {**FORM, "station": "Derby"}, STRANGER), "/report/done")
    page = read(stranger.get("/report/done"))
    theirs = REFERENCE.search(page.text).group(0)
    assert theirs != mine
    assert "Leicester" not in page.text
    assert stored_references(app) == [mine, theirs]


def test_on_the_form_the_same_key_with_changed_answers_is_a_report_of_its_own(app):
    """A reporter who went back and changed the answers means them: stored, never dropped,
    and never answered with the first report."""
    client = app.test_client()
    send_form(client, FORM, COURIER)
    first = REFERENCE.search(read(client.get("/report/done")).text).group(0)
    send_form(client, {**FORM, "danger": "yes"}, COURIER)
    page = read(client.get("/report/done"))
    second = REFERENCE.search(page.text).group(0)
    assert second != first
    assert "tel:999" in page.links()
    assert stored_references(app) == [first, second]


def test_a_key_from_the_form_and_the_api_are_two_keys_even_if_the_lookup_ignored_the_source(
    app,
):
    """The stored key is a keyed hash of source, sender and key, so the same raw key sent from
    one address by the form and by the API can never find the other's report."""
    client = app.test_client()
    send_form(client, FORM, COURIER)
    send_api(client, API, COURIER)
    with app.app_context():
        keys = db.session.scalars(select(Report.idempotency_key)).all()
    assert len(set(keys)) == 2
    assert KEY not in keys  # not stored as sent
