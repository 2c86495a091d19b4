"""'I saw them again' and answering the officer's question, on the reporter's side: each send
proves the reference and code again; a sighting is stored once per key, encrypted; with a child
in danger now it shows 999 first and alerts staff at once, as an urgent report does; the answer
reaches the assigned officer. What the reporter wrote is purged with the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from reporter.extensions import db
from reporter.models import OfficerQuestion, OutboxMessage, Report, ReportEvent, Sighting, utcnow
from reporter.services.casework import questions
from reporter.services.data_protection import retention
from reporter.services.reporting import sightings
from tests.factories import data_context, make_report, make_user
from tests.pages import assert_redirects, read

CODE = "7KQD-M3XT-9PRA-CWHN"
KEY = "a-sighting-key-from-a-phone-01"


def sighting(reference: str, code: str = CODE, **answers) -> dict:
    sent = {
        "reference": reference,
        "code": code,
        "danger": "no",
        "station": "LEI",
        "details": "The older man was with them again, and a third girl.",
        "idempotency_key": KEY,
    }
    return {**sent, **answers}


def send(client, path: str, data: dict, status: int = 200):
    return read(client.post(path, data=data), status)


def send_sighting(client, data: dict):
    """A sighting that is stored: 303 to the thanks page, which is read."""
    response = client.post("/follow-up/seen-again", data=data)
    assert_redirects(response, "/follow-up/thanks?lang=en")
    return read(client.get("/follow-up/thanks"))


def test_the_status_page_offers_a_sighting_form_carrying_reference_and_code(app):
    with data_context(app):
        reference = make_report(follow_up_code=CODE).reference
    page = send(app.test_client(), "/follow-up", {"reference": reference, "code": CODE})
    hidden = {a["name"]: a.get("value") for a in page.find_all("input", type="hidden")}
    assert hidden["reference"] == reference and hidden["code"] == CODE
    assert len(hidden["idempotency_key"]) >= 16
    assert "I saw them again" in page.text


def test_a_sighting_is_stored_once_encrypted_and_on_the_station(app):
    with data_context(app):
        reference = make_report(follow_up_code=CODE).reference
    client = app.test_client()
    page = send_sighting(client, sighting(reference))
    assert "Thank you. We have added this to your report." in page.text
    send_sighting(client, sighting(reference))  # the phone sends it again
    with data_context(app):
        [stored] = db.session.scalars(select(Sighting)).all()
        report = db.session.scalars(select(Report)).one()
        assert stored.station_crs == "LEI" and not stored.danger
        assert b"older man" not in stored.details_enc
        assert "older man" in sightings.text_of(report, stored, "details")
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_with_danger_999_comes_first_the_report_is_urgent_and_staff_are_alerted(app):
    with data_context(app):
        make_user(email="officer@staff.example")
        reference = make_report(follow_up_code=CODE, priority="normal").reference
    page = send_sighting(app.test_client(), sighting(reference, danger="yes"))
    main = page.html.split('id="main"', 1)[1]
    assert main.index('href="tel:999"') < main.index("Thank you")
    with data_context(app):
        report = db.session.scalars(select(Report)).one()
        assert report.priority == "urgent" and report.urgency == 2
        [alert] = db.session.scalars(select(OutboxMessage)).all()
        assert alert.recipients == ["officer@staff.example"] and "URGENT" in alert.subject
        assert "older man" not in alert.body


def test_a_sighting_needs_the_right_code_and_says_nothing_of_the_report_otherwise(app):
    with data_context(app):
        reference = make_report(follow_up_code=CODE).reference
    page = send(app.test_client(), "/follow-up/seen-again", sighting(reference, code="2222"))
    assert "We could not find a report with that reference and follow-up code." in page.text
    with data_context(app):
        assert db.session.scalars(select(Sighting)).all() == []


def test_a_sighting_says_where_and_keeps_what_was_typed_when_it_does_not(app):
    with data_context(app):
        reference = make_report(follow_up_code=CODE).reference
    answers = sighting(reference, station="", postcode="", danger="", details="Again by gate 4")
    page = send(app.test_client(), "/follow-up/seen-again", answers)
    assert "Say if a child is in danger right now." in page.text
    assert "Tell us where: a station, a postcode, or the same place as before." in page.text
    assert page.find_all("textarea", name="details")
    assert "Again by gate 4" in page.html
    with data_context(app):
        assert db.session.scalars(select(Sighting)).all() == []


def test_the_same_place_takes_the_reports_own_place(app):
    with data_context(app):
        reference = make_report(follow_up_code=CODE, postcode="LE1 6RN").reference
    answers = sighting(reference, station="", same_place="y")
    send_sighting(app.test_client(), answers)
    with data_context(app):
        stored = db.session.scalars(select(Sighting)).one()
        assert stored.same_place and stored.postcode_district == "LE1"


def test_the_reporter_sees_the_question_and_the_answer_reaches_the_assigned_officer(app):
    with data_context(app):
        officer = make_user(email="assigned@staff.example")
        make_user(email="colleague@staff.example")
        report = make_report(follow_up_code=CODE, assigned_to=officer)
        question = questions.ask(report, officer, "Which platform were they on?")
        reference, question_id = report.reference, question.id
    client = app.test_client()
    page = send(client, "/follow-up", {"reference": reference, "code": CODE})
    assert "Which platform were they on?" in page.text
    answer = {"reference": reference, "code": CODE, "question_id": str(question_id)}
    done = send(client, "/follow-up/answer", {**answer, "answer": "Platform 3, near the lift"})
    assert "Thank you. Your answer is sent to the team." in done.text
    with data_context(app):
        stored = db.session.get(OfficerQuestion, question_id)
        report = db.session.get(Report, stored.report_id)
        assert questions.text_of(report, stored, "answer") == "Platform 3, near the lift"
        assert b"Platform 3" not in stored.answer_enc
        [alert] = db.session.scalars(select(OutboxMessage)).all()
        assert alert.recipients == ["assigned@staff.example"]
        assert "Platform" not in alert.body
    again = send(client, "/follow-up", {"reference": reference, "code": CODE})
    assert "Which platform were they on?" not in again.text, "answered: no longer asked"


def test_sightings_and_answers_are_purged_with_the_report(app):
    with data_context(app):
        officer = make_user()
        report = make_report(follow_up_code=CODE, status="closed")
        question = questions.ask(report, officer, "Which platform?")
        questions.answer(report, question.id, "Platform 3")
        sightings.record(report, sightings.NewSighting(danger=False, details="Again, 9pm"))
        long_ago = utcnow() - timedelta(days=800)
        db.session.add(ReportEvent(report_id=report.id, kind="status", to_value="closed"))
        db.session.commit()
        db.session.execute(update(ReportEvent).values(created_at=long_ago))
        db.session.commit()
        assert retention.purge_closed(730) == 1
        stored = db.session.scalars(select(Sighting)).one()
        asked = db.session.scalars(select(OfficerQuestion)).one()
        assert stored.details_enc is None and stored.place_enc is None
        assert asked.question_enc is None and asked.answer_enc is None


def test_the_api_takes_a_sighting_once_and_puts_999_first_with_danger(app):
    with data_context(app):
        make_user(email="officer@staff.example")
        reference = make_report(follow_up_code=CODE, sector="rail").reference
    client = app.test_client()
    body = {"reference": reference, "code": CODE, "danger": True, "station": "Leicester"}
    headers = {"Idempotency-Key": "a-partner-apps-sighting-key-1"}
    first = client.post("/api/v1/follow-up/sightings", json=body, headers=headers)
    again = client.post("/api/v1/follow-up/sightings", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["again"] is True
    guidance = first.get_json()["guidance"]
    assert guidance["authorities"][0]["id"] == "emergency-999"
    with data_context(app):
        [stored] = db.session.scalars(select(Sighting)).all()
        assert stored.station_crs == "LEI" and stored.danger
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


@pytest.mark.parametrize(
    "place",
    [{"postcode": "LE1 6RN"}, {"station": "LEI"}, {"region": "east-midlands", "place": "Market"}],
)
def test_the_api_guides_a_sighting_at_the_same_place_by_the_reports_place(app, place):
    with data_context(app):
        reference = make_report(follow_up_code=CODE, sector="rail", **place).reference
    body = {"reference": reference, "code": CODE, "danger": False, "same_place": True}
    answer = app.test_client().post("/api/v1/follow-up/sightings", json=body)
    assert answer.status_code == 201
    guidance = answer.get_json()["guidance"]
    assert guidance["region"]["id"] == "east-midlands"
    if "postcode" in place:
        assert guidance["police_force"]["name"] == "Leicestershire Police"
        assert guidance["council"]["name"] == "Leicester"


def test_the_api_refuses_a_sighting_that_says_nowhere_and_one_with_a_wrong_code(app):
    with data_context(app):
        reference = make_report(follow_up_code=CODE).reference
    client = app.test_client()
    nowhere = {"reference": reference, "code": CODE, "danger": False}
    refused = client.post("/api/v1/follow-up/sightings", json=nowhere)
    assert refused.status_code == 400 and "station" in refused.get_json()["errors"]
    wrong = client.post(
        "/api/v1/follow-up/sightings", json={**nowhere, "code": "2222", "same_place": True}
    )
    assert wrong.status_code == 404
    with data_context(app):
        assert db.session.scalars(select(Sighting)).all() == []


def test_the_thanks_page_without_a_sighting_sent_goes_to_follow_up(client):
    response = client.get("/follow-up/thanks")
    assert_redirects(response, "/follow-up?lang=en", 302)


def test_what_a_sighting_or_an_answer_says_never_reaches_the_log(app, caplog):
    caplog.set_level("DEBUG")
    with data_context(app):
        officer = make_user()
        report = make_report(follow_up_code=CODE)
        question = questions.ask(report, officer, "Which platform?")
        reference, question_id = report.reference, question.id
    client = app.test_client()
    send_sighting(client, sighting(reference, details="Quokkaplinth sentinel", danger="yes"))
    answer = {"reference": reference, "code": CODE, "question_id": str(question_id)}
    send(client, "/follow-up/answer", {**answer, "answer": "Wombatferrule sentinel"})
    assert caplog.records, "the journey logs something: the check below is not empty"
    assert "Quokkaplinth" not in caplog.text and "Wombatferrule" not in caplog.text
    assert CODE not in caplog.text


def test_the_follow_up_forms_carry_no_token_and_a_cross_site_post_is_refused(make_app):
    """As the report form: with CSRF protection on, as in production, a sighting kept on the
    phone is sent later with no session and no token and is stored; a post that a browser says
    came from another site's page is refused by its headers, with who to call."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with data_context(app):
        reference = make_report(follow_up_code=CODE).reference
    page = send(app.test_client(), "/follow-up", {"reference": reference, "code": CODE})
    assert not page.find_all("input", name="csrf_token")
    cross_site = {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"}
    refused = app.test_client().post(
        "/follow-up/seen-again", data=sighting(reference), headers=cross_site
    )
    assert refused.status_code == 403 and "tel:999" in refused.get_data(as_text=True)
    own = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    sent = app.test_client().post("/follow-up/seen-again", data=sighting(reference), headers=own)
    assert_redirects(sent, "/follow-up/thanks?lang=en")
    with data_context(app):
        assert len(db.session.scalars(select(Sighting)).all()) == 1
