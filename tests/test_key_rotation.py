"""Key rotation: `flask --app wsgi keys rotate` re-encrypts everything under the newest key,
in batches, with progress, and picks up where a stopped run left off."""

import json
import time
from dataclasses import replace

import pyotp
import pytest
from sqlalchemy import func, insert, select

from reporter.crypto import DataCipher, new_key, runtime_cipher
from reporter.extensions import db
from reporter.models import ForceRegion, Report, ReportEvent, ReportSearchToken, StaffUser
from reporter.services import reference_admin
from reporter.services.accounts import staff
from reporter.services.casework import triage
from reporter.services.casework.search import derive_index_key, tokens_for
from reporter.services.data_protection import key_rotation, subject_access
from reporter.services.reporting.reports import new_reference
from tests.conftest import TEST_DATABASE_URL, missing_service
from tests.factories import make_report, make_user

OLD = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # the testing key
NEW = new_key()
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CONTACT = {"name": "Sam", "phone": "07700 900123", "email": "sam@example.org"}


def key_id(key: str) -> bytes:
    return DataCipher(key).current_key_id


def stored_data(apps) -> None:
    """Reports, a timeline note, a second factor and a force move, all under OLD."""
    with apps.old.app_context():
        officer = make_user(role="national", totp_secret=SECRET)
        for n in range(5):
            report = make_report(
                place=f"Platform {n} by the lifts",
                postcode="LE1 6RN",
                consent="share",
                contact=CONTACT,
            )
            triage.add_note(report, officer, f"Note {n}")
        make_report(description=None)  # nothing encrypted: nothing to rotate
        reference_admin.move_force("kent", "south-east", actor=officer, reason="Trial move")


class Apps:
    def __init__(self, make_app):
        self.old = make_app()
        self.new = make_app(REPORTER_DATA_KEY=f"{NEW},{OLD}")
        self.new_only = make_app(REPORTER_DATA_KEY=NEW)


@pytest.fixture
def apps(make_app):
    return Apps(make_app)


def blobs() -> list[bytes]:
    db.session.expire_all()
    found = []
    for report in db.session.scalars(select(Report)):
        found += [getattr(report, f"{f}_enc") for f in key_rotation.REPORT_FIELDS]
    found += list(db.session.scalars(select(ReportEvent.text_enc)))
    found += list(db.session.scalars(select(StaffUser.totp_secret_enc)))
    found += list(db.session.scalars(select(ForceRegion.reason_enc)))
    return [b for b in found if b is not None]


def test_rotation_re_encrypts_everything_with_progress_and_keeps_search_working(apps):
    stored_data(apps)
    with apps.new.app_context():
        assert {b[1:5] for b in blobs()} == {key_id(OLD)}
        result = apps.new.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "2"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[:3] == ["reports: 2 of 5", "reports: 4 of 5", "reports: 5 of 5"]
        assert "timeline entries: 5 of 5" in lines and "second factors: 1 of 1" in lines
        assert "force moves: 1 of 1" in lines
        assert "the older keys can be removed" in lines[-1]
        assert {b[1:5] for b in blobs()} == {key_id(NEW)}
    # Everything reads with the new key alone: the old one can go.
    with apps.new_only.app_context():
        report = db.session.scalars(select(Report).where(Report.place_enc.is_not(None))).first()
        cipher = runtime_cipher()
        place = cipher.decrypt(report.place_enc, f"{report.reference}:place")
        assert place.startswith("Platform ")
        assert json.loads(cipher.decrypt(report.contact_enc, f"{report.reference}:contact")) == (
            CONTACT
        )
        user = db.session.scalar(select(StaffUser))
        assert pyotp.TOTP(staff.totp_secret(user)).now()
        assert reference_admin.force_rows()  # the move's reason decrypts
        tokens = set(
            db.session.scalars(
                select(ReportSearchToken.token).where(ReportSearchToken.report_id == report.id)
            )
        )
        assert tokens == tokens_for(place, "LE1 6RN", derive_index_key(NEW))
        admin = make_user(role="admin")
        assert len(subject_access.find(admin, "SAM@example.org", None)) == 5


def test_a_stopped_rotation_picks_up_where_it_left_off(apps, monkeypatch):
    stored_data(apps)
    real_steps = key_rotation.steps
    calls = []

    def fails_on_the_third_batch(run):
        def run_until_the_third(after, batch):
            calls.append(after)
            if len(calls) == 3:
                raise RuntimeError("the connection went away")
            return run(after, batch)

        return run_until_the_third

    def steps_that_stop():
        return [
            replace(step, run=fails_on_the_third_batch(step.run))
            if step.what == "reports"
            else step
            for step in real_steps()
        ]

    with apps.new.app_context():
        monkeypatch.setattr(key_rotation, "steps", steps_that_stop)
        runner = apps.new.test_cli_runner()
        stopped = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
        assert stopped.exit_code != 0 and "reports: 4 of 5" in stopped.output
        assert key_rotation.pending()["reports"] == 1
        first_four = {r.id: r.description_enc for r in db.session.scalars(select(Report))}
        monkeypatch.setattr(key_rotation, "steps", real_steps)
        again = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
        assert again.exit_code == 0, again.output
        assert "reports: 1 of 1" in again.output
        db.session.expire_all()
        after = {r.id: r.description_enc for r in db.session.scalars(select(Report))}
        rewritten = [i for i in after if after[i] != first_four[i]]
        assert len(rewritten) == 1  # the four done before were left alone
        assert set(key_rotation.pending().values()) == {0}
        third = runner.invoke(args=["keys", "rotate"])
        assert "reports: " not in third.output and "0 reports" in third.output


def test_keys_new_prints_a_key_the_app_accepts(apps):
    result = apps.old.test_cli_runner().invoke(args=["keys", "new"])
    assert DataCipher(result.output.strip()).current_key_id != key_id(OLD)


ROTATE_COUNT = 10_000


def test_ten_thousand_reports_rotate_on_postgresql(make_app, capsys):
    if not TEST_DATABASE_URL:
        missing_service("TEST_DATABASE_URL is not set: rotating 10,000 reports NOT tested")
    old = make_app()
    with old.app_context():
        cipher = runtime_cipher()
        rows = []
        for n in range(ROTATE_COUNT):
            reference = new_reference()
            rows.append(
                {
                    "reference": reference,
                    "source": "form",
                    "language": "en",
                    "sector": "rail",
                    "danger": False,
                    "priority": "normal",
                    "status": "new",
                    "region_id": "east-midlands",
                    "region_source": "postcode",
                    "queue": "east-midlands",
                    "consent": "share",
                    "reporter_young": False,
                    "authorities": ["police-101"],
                    "urgency": 0,
                    "place_enc": cipher.encrypt(f"Stand {n % 50 + 10}", f"{reference}:place"),
                    "description_enc": cipher.encrypt("Two boys", f"{reference}:description"),
                    "contact_enc": cipher.encrypt(
                        json.dumps({"phone": f"07700 9{n:05d}"}), f"{reference}:contact"
                    ),
                }
            )
        db.session.execute(insert(Report), rows)
        db.session.commit()
    new = make_app(REPORTER_DATA_KEY=f"{NEW},{OLD}")
    with new.app_context():
        started = time.perf_counter()
        result = new.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "1000"])
        seconds = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        assert f"reports: {ROTATE_COUNT} of {ROTATE_COUNT}" in result.output
        assert result.output.count("reports: ") == ROTATE_COUNT // 1000
        ids = db.session.execute(select(func.substr(Report.place_enc, 2, 4)).distinct()).all()
        assert [bytes(i) for (i,) in ids] == [key_id(NEW)]
        tokens = db.session.scalar(select(func.count()).select_from(ReportSearchToken))
        assert tokens == ROTATE_COUNT * 2  # "stand" and the number, per report
        hashed = db.session.scalar(
            select(func.count()).where(Report.contact_phone_hash.is_not(None))
        )
        assert hashed == ROTATE_COUNT
    with capsys.disabled():
        print(f"\nrotated {ROTATE_COUNT} reports in {seconds:.1f} s")


def test_rotation_re_encrypts_sightings_questions_and_answers_too(apps):
    """Issue 20's words (what was seen again, the officer's question, the reporter's answer)
    are sealed like a report's: rotation moves them to the newest key, and they still read."""
    from reporter.models_follow_up import OfficerQuestion, Sighting
    from reporter.services.casework import questions
    from reporter.services.reporting import sightings

    with apps.old.app_context():
        officer = make_user(role="national")
        report = make_report(follow_up_code="7KQD-M3XT-9PRA-CWHN")
        sightings.record(
            report,
            sightings.NewSighting(danger=False, postcode="LE1 6RN", details="Same two boys"),
        )
        asked = questions.ask(report, officer, "Which way did they go?")
        questions.answer(report, asked.id, "Towards the bus station")
        reference = report.reference

    def sealed() -> set[bytes]:
        db.session.expire_all()
        found = [s.postcode_enc for s in db.session.scalars(select(Sighting))]
        found += [s.details_enc for s in db.session.scalars(select(Sighting))]
        found += [q.question_enc for q in db.session.scalars(select(OfficerQuestion))]
        found += [q.answer_enc for q in db.session.scalars(select(OfficerQuestion))]
        return {b[1:5] for b in found if b is not None}

    with apps.new.app_context():
        assert sealed() == {key_id(OLD)}
        result = apps.new.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "sightings: 1 of 1" in result.output
        assert "questions and answers: 1 of 1" in result.output
    with apps.new_only.app_context():  # the old key is gone: everything reads under the new
        assert sealed() == {key_id(NEW)}
        report = db.session.scalar(select(Report).where(Report.reference == reference))
        (seen,) = sightings.of_report(report)
        assert sightings.text_of(report, seen, "details") == "Same two boys"
        (question,) = questions.of_report(report)
        assert questions.text_of(report, question, "answer") == "Towards the bus station"


def test_a_follow_up_code_outlives_rotation_while_its_key_is_kept_and_rotate_says_so(apps):
    """A code is never stored, so it cannot be keyed again: after rotation it still opens its
    report while the older key is listed, `keys rotate` says how many codes the older key
    holds, and once that key is removed the code no longer opens the report."""
    from reporter.services.reporting import follow_up

    code = "7KQD-M3XT-9PRA-CWHN"
    with apps.old.app_context():
        stored = make_report(follow_up_code=code).follow_up_hash
        purged = make_report(follow_up_code="2222-3333-4444-6666")
        purged.content_purged_at = purged.created_at  # past retention: its code counts no more
        db.session.commit()
    with apps.new.app_context():
        result = apps.new.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "But 1 report has a follow-up code made under an older key" in result.output
        assert follow_up.code_matches(stored, code)
        assert follow_up.hash_code(code) != stored  # new codes are keyed under the new key
        make_report(follow_up_code=code)
        assert follow_up.codes_under_older_keys() == 1
    with apps.new_only.app_context():
        assert not follow_up.code_matches(stored, code)
        result = apps.new_only.test_cli_runner().invoke(args=["keys", "rotate"])
        assert "follow-up code" not in result.output  # the older key is gone: nothing to keep
