"""Follow-up on the officer's side: asking the reporter a question (audited, encrypted), the
sightings and answers on the report's timeline, and the queue saying how often a report's young
people were seen again and when last."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from reporter.extensions import db
from reporter.services.casework import questions
from reporter.services.reporting import sightings
from tests.factories import make_report, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows
from tests.triage.test_workflow import Staff

CODE = "7KQD-M3XT-9PRA-CWHN"


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def officer(client):
    return Staff(client, make_user(name="Em Officer", regions=("east-midlands",)))


def test_an_officer_asks_the_reporter_a_question_audited_and_encrypted(officer):
    report = make_report(follow_up_code=CODE)
    asked = "Which platform were they on?"
    response = officer.act(report, "question", question=asked)
    assert_redirects(response, f"/triage/reports/{report.reference}")
    [row] = audit_rows("question_asked")
    assert (row.report_id, row.detail) == (report.id, None)
    assert "platform" not in str(db.session.execute(text("SELECT * FROM report_questions")).all())
    page = read(officer.client.get(f"/triage/reports/{report.reference}"))
    timeline = page.html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Asked the reporter" in timeline and "by Em Officer" in timeline
    assert asked in timeline
    assert questions.waiting(report) is not None


def test_a_report_whose_reporter_has_no_code_offers_no_question(officer):
    report = make_report()
    page = read(officer.client.get(f"/triage/reports/{report.reference}"))
    assert "Ask the reporter a question" not in page.text
    token = officer.token(report.reference)
    refused = officer.client.post(
        f"/triage/reports/{report.reference}/question",
        data={"csrf_token": token, "question": "Anything?"},
    )
    assert "This reporter has no follow-up code" in read(refused, 400).text
    assert audit_rows("question_asked") == []


def test_sightings_and_answers_are_on_the_timeline(officer):
    report = make_report(follow_up_code=CODE)
    sightings.record(
        report,
        sightings.NewSighting(danger=True, same_place=False, details="A third girl with them"),
    )
    question = questions.ask(report, officer.user, "Which platform?")
    questions.answer(report, question.id, "Platform 3")
    page = read(officer.client.get(f"/triage/reports/{report.reference}"))
    timeline = page.html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Seen again at not given: A CHILD IN DANGER NOW" in timeline
    assert "A third girl with them" in timeline
    assert timeline.index("Seen again") < timeline.index("Asked the reporter")
    assert timeline.index("Asked the reporter") < timeline.index("The reporter answered")
    assert "Platform 3" in timeline


def test_the_queue_shows_how_often_and_when_last_seen_again(officer):
    seen = make_report(follow_up_code=CODE)
    not_seen = make_report()
    for _ in range(2):
        sightings.record(seen, sightings.NewSighting(danger=False, details="again"))
    page = read(officer.client.get("/triage/"))
    rows = {ref: row for ref, row in _rows(page.html)}
    assert "Seen again 2×" in rows[seen.reference]
    assert "Seen again" not in rows[not_seen.reference]


def _rows(html: str):
    for row in html.split("<tr")[2:]:
        reference = row.split('class="ref">', 1)[1].split("<", 1)[0]
        yield reference, row
