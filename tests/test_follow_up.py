"""Follow-up: a code given once with the reference, stored only as a keyed hash; with both,
the reporter sees where the report is in plain words. A wrong code and an unknown reference
get the same answer after the same work; wrong attempts are limited per address and per
reference, and a reference locked for too many is on its timeline and told to the officer."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from reporter.crypto import new_key
from reporter.extensions import db, limiter
from reporter.models import AuditEvent, OutboxMessage, Report, ReportEvent
from reporter.services.reporting import follow_up
from reporter.services.reporting.follow_up import LOCKED_ALERT, LOCKED_EVENT
from tests.conftest import TEST_REDIS_URL, missing_service
from tests.factories import DELIVERY_ANSWERS, data_context, make_report, make_user, report_payload
from tests.pages import assert_redirects, read

CODE = re.compile(follow_up.CODE_PATTERN.strip("^$"))
KNOWN_CODE = "7KQD-M3XT-9PRA-CWHN"


def send_form(client) -> str:
    """Send a report with the form; the text of the outcome page."""
    response = client.post("/report", data=DELIVERY_ANSWERS)
    assert_redirects(response, "/report/done")
    return read(client.get("/report/done")).text


def ask(client, reference: str, code: str, status: int = 200, lang: str = "en"):
    """The follow-up form sent from its page, whose address says the page's language."""
    data = {"reference": reference, "code": code}
    return read(client.post(f"/follow-up?lang={lang}", data=data), status)


def test_the_outcome_page_gives_a_code_in_groups_once_and_only_its_hash_is_kept(app):
    client = app.test_client()
    text = send_form(client)
    code = CODE.search(text).group(0)
    assert [len(group) for group in code.split("-")] == [4, 4, 4, 4]
    again = read(client.get("/report/done")).text
    assert "LC-" in again and not CODE.search(again), "the code is shown once"
    with data_context(app):
        stored = db.session.scalars(select(Report)).one()
        assert code not in stored.follow_up_hash
        assert stored.follow_up_hash.startswith(follow_up.KEYED)


def test_the_outcome_page_offers_copy_with_script_and_a_way_to_follow_up(client):
    client.post("/report", data=DELIVERY_ANSWERS)
    page = read(client.get("/report/done"))
    [button] = page.find_all("button", **{"data-copy": "follow-up-code"})
    assert "hidden" in button, "without script there is nothing to press: the code is selectable"
    assert page.find_all("p", id="follow-up-code")
    assert "/follow-up?lang=en" in page.links()


def test_the_reference_and_code_as_typed_show_the_status_in_plain_words(app):
    client = app.test_client()
    text = send_form(client)
    reference = re.search(r"LC-\w{4}-\w{4}", text).group(0)
    code = CODE.search(text).group(0)
    typed_reference = reference.lower().replace("-", " ")
    page = ask(client, typed_reference, code.lower().replace("-", ""))
    assert reference in page.text
    assert "Received. The LookCloser team for the area has your report." in page.text


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("triaged", "Being looked at."),
        ("referred", "Passed to the police or the council"),
        ("closed", "Closed."),
    ],
)
def test_each_status_has_its_own_words_and_never_the_officers(app, status, words):
    with data_context(app):
        officer = make_user(name="Officer Dibble")
        report = make_report(status=status, follow_up_code=KNOWN_CODE, assigned_to=officer)
        reference = report.reference
    page = ask(app.test_client(), reference, KNOWN_CODE)
    assert words in page.text
    assert "Dibble" not in page.text and "Two boys" not in page.text


def test_the_status_is_said_in_the_readers_language(app):
    with data_context(app):
        reference = make_report(follow_up_code=KNOWN_CODE).reference
    client = app.test_client()
    english = ask(client, reference, KNOWN_CODE).find_all("p", class_="status-words")
    welsh = ask(client, reference, KNOWN_CODE, lang="cy")
    assert welsh.find_all("html")[0]["lang"] == "cy"
    assert "Received." not in welsh.text and english


def test_a_wrong_code_and_an_unknown_reference_get_the_same_page_after_the_same_work(
    app, monkeypatch
):
    """Each look-up does one argon2 verification (against a dummy, unless the report's code was
    stored that way before December 2026) and one keyed hash, whether the reference exists or
    not."""
    with data_context(app):
        reference = make_report(follow_up_code=KNOWN_CODE).reference
    work: list[str] = []
    verify, keyed = PasswordHasher.verify, follow_up.keyed_hash

    def counting_verify(hasher, stored_hash, code):
        work.append("argon2")
        return verify(hasher, stored_hash, code)

    def counting_keyed(*args):
        work.append("keyed")
        return keyed(*args)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    monkeypatch.setattr(follow_up, "keyed_hash", counting_keyed)
    client = app.test_client()
    wrong_code = ask(client, reference, "2222-3333-4444-6666")
    after_one = list(work)
    unknown_reference = ask(client, "LC-2222-3333", KNOWN_CODE)
    assert wrong_code.text == unknown_reference.text
    assert "We could not find a report with that reference and follow-up code." in wrong_code.text
    assert after_one == ["argon2", "keyed"] and work == after_one * 2


def test_a_code_stored_as_argon2_before_keyed_hashes_still_opens_its_report(app):
    with data_context(app):
        report = make_report()
        report.follow_up_hash = PasswordHasher(time_cost=1, memory_cost=2048).hash(
            follow_up.normalise_code(KNOWN_CODE)
        )
        db.session.commit()
        reference = report.reference
    client = app.test_client()
    assert "Received." in ask(client, reference, KNOWN_CODE).text
    assert "Received." not in ask(client, reference, "2222-3333-4444-6666").text


def test_the_stored_hash_needs_the_key_the_table_alone_cannot_check_a_code(app, make_app):
    """The hash is keyed by REPORTER_DATA_KEY, which is not in the database: the same code under
    another key gives another hash, and a report's code opens it only with its own key."""
    with data_context(app):
        reference = make_report(follow_up_code=KNOWN_CODE).reference
        stored = db.session.scalars(select(Report)).one().follow_up_hash
    other = make_app(REPORTER_DATA_KEY=new_key())
    with other.app_context():
        assert follow_up.hash_code(KNOWN_CODE) != stored
        assert not follow_up.code_matches(stored, KNOWN_CODE)
    with app.app_context():
        assert follow_up.code_matches(stored, KNOWN_CODE)
        assert follow_up.code_matches(stored, KNOWN_CODE.lower().replace("-", " "))
    assert "Received." in ask(app.test_client(), reference, KNOWN_CODE).text


def test_the_code_is_never_written_to_the_log(app, caplog):
    caplog.set_level("DEBUG")
    client = app.test_client()
    code = CODE.search(send_form(client)).group(0)
    ask(client, "LC-2222-3333", code)
    assert caplog.records, "the journey logs something: the check below is not empty"
    assert code not in caplog.text and code.replace("-", "") not in caplog.text


@pytest.fixture(params=["memory", "redis"])
def limited(request, make_app):
    storage = "memory://"
    if request.param == "redis":
        if not TEST_REDIS_URL:
            missing_service("TEST_REDIS_URL is not set: follow-up limits NOT tested on Redis")
        storage = TEST_REDIS_URL
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=storage,
        FOLLOW_UP_REFERENCE_LIMIT="3 per hour",
        FOLLOW_UP_ADDRESS_LIMIT="5 per hour",
    )
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        limiter.reset()


def test_too_many_wrong_codes_lock_the_reference_and_the_officer_is_told(limited):
    with data_context(limited):
        officer = make_user(email="officer@staff.example")
        reference = make_report(follow_up_code=KNOWN_CODE, assigned_to=officer).reference
    client = limited.test_client()
    for _ in range(3):
        ask(client, reference, "2222-3333-4444-6666")
    locked = client.post("/follow-up", data={"reference": reference, "code": KNOWN_CODE})
    page = read(locked, 429)
    assert int(locked.headers["Retry-After"]) > 0
    assert "Follow-up is paused for this reference" in page.text
    with data_context(limited):
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.kind == LOCKED_ALERT and message.recipients == ["officer@staff.example"]
        assert KNOWN_CODE not in message.body and "2222" not in message.body
        kinds = db.session.scalars(select(ReportEvent.kind)).all()
        assert kinds == [LOCKED_EVENT]
        [locked] = db.session.scalars(select(AuditEvent)).all()
        assert (locked.action, locked.report_reference) == ("follow_up_locked", reference)


def test_an_unknown_reference_is_locked_the_same_way(limited):
    client = limited.test_client()
    for _ in range(3):
        ask(client, "LC-2222-3333", KNOWN_CODE)
    assert "Follow-up is paused" in ask(client, "LC-2222-3333", KNOWN_CODE, 429).text
    with data_context(limited):
        assert db.session.scalars(select(OutboxMessage)).all() == []
        [locked] = db.session.scalars(select(AuditEvent)).all()
        assert (locked.action, locked.report_reference) == ("follow_up_locked", None)


def test_an_address_trying_many_references_is_stopped(limited):
    with data_context(limited):
        reference = make_report(follow_up_code=KNOWN_CODE).reference
    client = limited.test_client()
    for n in range(5):
        ask(client, f"LC-2222-{n + 2}333", KNOWN_CODE)
    ask(client, reference, KNOWN_CODE, 429)
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert reference in ask(other, reference, KNOWN_CODE).text


def test_the_api_gives_the_code_and_answers_follow_up_in_json(app):
    client = app.test_client()
    created = client.post("/api/v1/reports", json=report_payload())
    assert created.status_code == 201
    answer = created.get_json()
    assert re.fullmatch(follow_up.CODE_PATTERN, answer["follow_up_code"])
    found = client.post(
        "/api/v1/follow-up",
        json={"reference": answer["reference"], "code": answer["follow_up_code"]},
    )
    assert found.status_code == 200
    assert found.get_json()["status"] == "new"
    wrong = client.post(
        "/api/v1/follow-up", json={"reference": answer["reference"], "code": "2222"}
    )
    unknown = client.post(
        "/api/v1/follow-up", json={"reference": "LC-2222-3333", "code": answer["follow_up_code"]}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()


def test_a_report_sent_again_gets_a_new_code_and_only_the_newest_works(app):
    client = app.test_client()
    body = report_payload()
    headers = {"Idempotency-Key": "a-key-from-a-partner-app-0001"}
    first = client.post("/api/v1/reports", json=body, headers=headers).get_json()
    second = client.post("/api/v1/reports", json=body, headers=headers).get_json()
    assert first["reference"] == second["reference"]

    def status(code):
        sent = {"reference": first["reference"], "code": code}
        return client.post("/api/v1/follow-up", json=sent).status_code

    assert (status(first["follow_up_code"]), status(second["follow_up_code"])) == (404, 200)
