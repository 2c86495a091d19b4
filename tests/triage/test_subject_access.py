"""Subject access: an admin finds every report holding a person's email or phone, though
contact details are encrypted, and exports them; audited without what was searched for."""

import csv
import io

import pytest
from sqlalchemy import select, text, update

from reporter.extensions import db
from reporter.models import Report
from reporter.services.casework import triage
from reporter.services.data_protection import retention, subject_access
from tests.factories import DELIVERY_ANSWERS, make_report, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, sign_in

SAM = {"name": "Sam", "phone": "+44 7700 900123", "email": "Sam.Reporter@Example.org"}


@pytest.fixture
def admin(client):
    person = make_user(role="admin")
    sign_in(client, person)
    return person


def found(client, **data) -> list[str]:
    page = read(client.post("/triage/subject-access", data=data))
    return [a["href"].rsplit("/", 1)[1] for a in page.find_all("a", class_="ref")]


@pytest.mark.parametrize(
    "asked",
    [
        {"email": "sam.reporter@example.org"},
        {"email": "  SAM.REPORTER@EXAMPLE.ORG "},
        {"phone": "07700 900123"},
        {"phone": "0044 7700-900-123"},
    ],
)
def test_every_report_holding_the_email_or_phone_is_found(client, admin, asked):
    first = make_report(consent="share", contact=SAM)
    second = make_report(consent="confidential", contact={"phone": "07700900123"})
    make_report(consent="share", contact={"email": "someone.else@example.org"})
    make_report()  # anonymous
    expected = [first.reference] if "email" in asked else [first.reference, second.reference]
    assert sorted(found(client, **asked)) == sorted(expected)


def test_the_database_holds_no_contact_detail_in_clear(app):
    make_report(consent="share", contact=SAM)
    with db.engine.connect() as conn:
        raw = " ".join(str(v) for row in conn.execute(text("SELECT * FROM reports")) for v in row)
    assert "example.org" not in raw.lower() and "900123" not in raw


def test_a_report_sent_through_the_form_is_found_by_its_email(client, admin):
    """The hashes are written with the report on the one submission path."""
    answers = {**DELIVERY_ANSWERS, "consent": "share", "email": "courier@example.org"}
    assert_redirects(client.post("/report", data=answers), "/report/done")
    [reference] = found(client, email="Courier@example.org")
    assert db.session.scalar(select(Report.reference)) == reference


def test_searches_are_audited_without_what_was_searched_for(client, admin):
    make_report(consent="share", contact=SAM)
    found(client, email="sam.reporter@example.org", phone="07700 900123")
    [row] = audit_rows("subject_access_searched")
    assert row.detail == {"by": ["email", "phone"], "found": 1}
    assert "sam" not in str(row.detail).lower() and "900123" not in str(row.detail)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter an email address or a phone number."),
        ({"email": "not an email"}, "Enter an email address like name@example.org."),
        ({"phone": "12"}, "Enter a phone number with at least 6 digits."),
    ],
)
def test_a_search_for_nothing_is_explained(client, admin, data, message):
    page = read(client.post("/triage/subject-access", data=data), 400)
    assert message in page.text and page.error_summary_links() == ["#email"]
    assert audit_rows("subject_access_searched") == []


def test_the_export_holds_the_reports_with_contact_details_and_is_audited(client, admin):
    report = make_report(consent="share", contact=SAM, description="Two boys at the barriers")
    make_report(consent="share", contact={"email": "other@example.org"})
    response = client.post(
        "/triage/subject-access/export.csv", data={"email": "sam.reporter@example.org"}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "subject-access" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["reference"] for r in rows] == [report.reference]
    assert rows[0]["contact_email"] == SAM["email"] and rows[0]["description"].startswith("Two")
    [row] = audit_rows("subject_access_exported")
    assert row.detail == {"by": ["email"], "rows": 1}


def test_subject_access_does_not_exist_for_anyone_but_admins(client):
    make_report(consent="share", contact=SAM)
    sign_in(client, make_user(role="national"))
    assert client.get("/triage/subject-access").status_code == 404
    response = client.post("/triage/subject-access", data={"email": SAM["email"]})
    assert response.status_code == 404
    assert audit_rows("subject_access_searched") == []


def test_a_purged_report_no_longer_holds_the_contact(client, admin):
    report = make_report(consent="share", contact=SAM)
    triage.close(report, admin, "Done")
    retention.purge_closed(0)
    assert found(client, email=SAM["email"]) == []


def test_reindexing_fills_the_hashes_of_reports_stored_before_them(client, admin, runner):
    report = make_report(consent="share", contact=SAM)
    db.session.execute(update(Report).values(contact_email_hash=None, contact_phone_hash=None))
    db.session.commit()
    assert found(client, phone="07700 900123") == []
    result = runner.invoke(args=["triage", "reindex-search"])
    assert result.exit_code == 0, result.output
    assert found(client, phone="07700 900123") == [report.reference]


def test_the_hashes_are_rebuilt_batch_by_batch_over_every_report(app, monkeypatch):
    monkeypatch.setattr(subject_access, "BATCH", 2)
    for _ in range(5):
        make_report(consent="share", contact=SAM)
    hashes = select(Report.contact_email_hash, Report.contact_phone_hash).order_by(Report.id)
    before = db.session.execute(hashes).all()
    db.session.execute(update(Report).values(contact_email_hash=None, contact_phone_hash=None))
    db.session.commit()
    assert subject_access.reindex_contacts() == 5
    assert db.session.execute(hashes).all() == before
    assert all(email and phone for email, phone in before)


def test_phone_numbers_are_normalised_as_staff_and_reporters_write_them():
    normal = subject_access.normalise_phone
    assert normal("+44 7700 900123") == normal("07700-900-123") == normal("0044 7700 900123")
    assert normal("+353 1 234 5678") == "35312345678"  # not UK: kept as its digits
    assert normal("123") is None


def test_the_export_holds_what_the_person_added_later_sightings_and_answers(client, admin):
    """Issue 20: a sighting and an answer to an officer's question are the person's words too,
    found with their report and exported with it."""
    from reporter.services.casework import questions
    from reporter.services.reporting import sightings

    report = make_report(consent="share", contact=SAM, follow_up_code="7KQD-M3XT-9PRA-CWHN")
    sightings.record(
        report, sightings.NewSighting(danger=False, postcode="LE1 6RN", details="Same red coat")
    )
    asked = questions.ask(report, admin, "Did anyone speak to them?")
    questions.answer(report, asked.id, "A man in a grey van")
    response = client.post(
        "/triage/subject-access/export.csv", data={"email": "sam.reporter@example.org"}
    )
    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert "Same red coat" in row["sightings"] and "LE1 6RN" in row["sightings"]
    assert row["answers"] == "A man in a grey van"
