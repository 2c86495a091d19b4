"""Sign-in throttling that strangers cannot turn into a lockout: waits that grow per address and
per account, the owner told by email, and the owner's own device never refused."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import OutboxMessage, utcnow
from reporter.services.accounts import throttle
from tests.factories import PASSWORD, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, log_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OWNER = {"REMOTE_ADDR": "198.51.100.7"}  # the owner's own phone: it has not been failing


def at(address: str) -> dict:
    return {"REMOTE_ADDR": address}


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, which a test moves forward."""
    moment = [utcnow()]
    monkeypatch.setattr(throttle, "now", lambda: moment[0])

    def advance(seconds: float) -> None:
        moment[0] += timedelta(seconds=seconds)

    return advance


def guess(client, email: str, address: str, password: str = "not the password"):
    return log_in(client, email, password, environ_base=at(address))


def test_the_waits_double_from_the_sixth_failure_up_to_fifteen_minutes():
    waits = [throttle.wait_after(n, 5).total_seconds() for n in range(4, 14)]
    assert waits == [0, 15, 30, 60, 120, 240, 480, 900, 900, 900]


def test_an_address_that_keeps_failing_waits_longer_each_time(client, clock):
    make_user(email="a@staff.example")
    for n in range(5):
        assert guess(client, f"guess{n}@staff.example", "203.0.113.1").status_code == 200
    refused = guess(client, "a@staff.example", "203.0.113.1", PASSWORD)  # even the right one
    assert "Too many attempts" in read(refused, 429).text
    assert refused.headers["Retry-After"] == "15"
    assert audit_rows("sign_in_failed")[-1].detail == {"reason": "throttled"}
    clock(14)
    assert guess(client, "a@staff.example", "203.0.113.1").headers["Retry-After"] == "1"
    clock(2)  # refusals did not make the wait longer
    assert guess(client, "a@staff.example", "203.0.113.1").status_code == 200  # a 6th failure
    assert guess(client, "a@staff.example", "203.0.113.1").headers["Retry-After"] == "30"
    # An hour after its failures the address starts afresh.
    clock(3600)
    assert_redirects(guess(client, "a@staff.example", "203.0.113.1", PASSWORD), "/triage/")


def test_strangers_guessing_an_account_never_lock_its_owner_out(client, clock):
    """Twenty addresses guess the owner's password: each failing address must wait, but the
    owner, from an address that has not been failing, gets in with password and code."""
    owner = make_user(email="owner@staff.example", role="admin", totp_secret=SECRET)
    for n in range(20):
        address = f"203.0.113.{n + 1}"
        assert guess(client, owner.email, address).status_code == 200
    # A failing address now waits even with the right password.
    assert guess(client, owner.email, "203.0.113.1", PASSWORD).status_code == 429
    response = log_in(client, owner.email, environ_base=OWNER)
    assert response.headers["Location"] == "/triage/login/code"
    code = pyotp.TOTP(SECRET).now()
    response = client.post("/triage/login/code", data={"code": code}, environ_base=OWNER)
    assert_redirects(response, "/triage/")
    assert audit_rows("sign_in")[-1].actor_id == owner.id


def test_an_account_under_attack_makes_every_failing_address_wait(client, clock):
    make_user(email="owner@staff.example")
    for n in range(8):
        guess(client, "owner@staff.example", f"203.0.113.{n + 1}")
    # This address failed once, on another account: it is failing, so the account's wait holds.
    guess(client, "someone@staff.example", "192.0.2.50")
    refused = guess(client, "owner@staff.example", "192.0.2.50", PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 120  # the 8th failure: 2 minutes
    # The same address may still try an account that is not under attack.
    make_user(email="other@staff.example")
    assert_redirects(guess(client, "other@staff.example", "192.0.2.50", PASSWORD), "/triage/")


def test_wrong_codes_count_as_failures_too(client, clock):
    make_user(email="t@staff.example", totp_secret=SECRET)
    address = at("203.0.113.9")
    log_in(client, "t@staff.example", environ_base=address)
    for _ in range(5):
        wrong = client.post("/triage/login/code", data={"code": "000000"}, environ_base=address)
        assert wrong.status_code == 200
    right = client.post(
        "/triage/login/code", data={"code": pyotp.TOTP(SECRET).now()}, environ_base=address
    )
    assert right.status_code == 429 and right.headers["Retry-After"] == "15"


def test_sign_ins_that_work_never_count(client, clock):
    make_user(email="a@staff.example")
    for _ in range(8):
        assert_redirects(log_in(client, "a@staff.example", environ_base=OWNER), "/triage/")
        client.post("/triage/logout")


def owner_emails() -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == throttle.OWNER_EMAIL_KIND)
    return list(db.session.scalars(query))


def test_the_owner_is_told_by_email_once_an_hour_while_someone_guesses(client, clock):
    owner = make_user(email="owner@staff.example")
    for n in range(4):
        guess(client, owner.email, f"203.0.113.{n + 1}")
    assert owner_emails() == []
    for n in range(4, 12):
        guess(client, owner.email, f"203.0.113.{n + 1}")
    [email] = owner_emails()
    assert email.recipients == ["owner@staff.example"]
    assert "There have been 5 failed attempts to sign in to your account" in email.body
    assert "not the password" not in email.body
    # Unknown accounts have no owner to tell.
    for n in range(6):
        guess(client, "nobody@staff.example", f"192.0.2.{n + 1}")
    assert len(owner_emails()) == 1
