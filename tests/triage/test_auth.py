"""Signing in, the second factor, throttling, and sessions that really end."""

from datetime import timedelta

import pyotp
import pytest
from argon2 import PasswordHasher

from reporter.extensions import db
from reporter.models import StaffSession, StaffUser, utcnow
from reporter.services.accounts import enrolment, sessions, staff
from reporter.triage import auth
from tests.factories import PASSWORD, make_report, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, log_in, sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW = "a new long staff password"


def signed_in(client) -> bool:
    response = client.get("/triage/")
    return response.status_code == 200


def test_a_right_password_signs_in_and_is_audited(client):
    user = make_user(role="officer", email="Officer@Staff.example")
    response = log_in(client, "  officer@STAFF.example ")
    assert_redirects(response, "/triage/")
    assert signed_in(client)
    [row] = audit_rows("sign_in")
    assert (row.actor_id, row.actor_email, row.detail) == (
        user.id,
        "officer@staff.example",
        {"second_factor": False},
    )
    assert db.session.get(StaffUser, user.id).last_login_at is not None


def test_wrong_password_unknown_account_and_deactivated_account_get_the_same_answer(client):
    make_user(email="known@staff.example")
    make_user(email="gone@staff.example", active=False)
    answers = []
    for email, password in [
        ("known@staff.example", "not the password"),
        ("nobody@staff.example", PASSWORD),
        ("gone@staff.example", PASSWORD),
    ]:
        response = log_in(client, email, password)
        page = read(response)
        answers.append((response.status_code, page.error_summary_links(), page.title))
        assert "The email address or password is not right." in page.text
        assert not signed_in(client)
    assert answers[0] == answers[1] == answers[2]
    reasons = [row.detail["reason"] for row in audit_rows("sign_in_failed")]
    assert reasons == ["bad_password", "unknown_account", "inactive"]
    # An unknown address is not recorded as anyone.
    assert audit_rows("sign_in_failed")[1].actor_email is None


def test_an_unknown_account_costs_one_argon2_verification_like_a_known_one(client, monkeypatch):
    known = make_user(email="known@staff.example")
    verified = []
    verify = PasswordHasher.verify

    def counting(hasher, hashed, password):
        verified.append(hashed)
        return verify(hasher, hashed, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    log_in(client, "nobody@staff.example", "whatever it is")
    log_in(client, "known@staff.example", "whatever it is")
    assert len(verified) == 2
    assert verified[0] != known.password_hash and verified[0].startswith("$argon2id$")
    assert verified[1] == known.password_hash


def test_the_password_is_never_echoed_back(client):
    response = log_in(client, "", "my secret password")
    assert response.status_code == 200
    assert "my secret password" not in response.get_data(as_text=True)


def test_passwords_are_stored_as_argon2id():
    user = staff.create_user(
        staff.NewUser(email="new@staff.example", role="national", password="twelve chars ok")
    )
    assert user.password_hash.startswith("$argon2id$")
    assert "twelve" not in user.password_hash


def test_after_sign_in_you_go_where_you_were_going_but_never_off_site(client):
    report = make_report()
    make_user(email="a@staff.example")
    target = f"/triage/reports/{report.reference}"
    assert client.get(target).headers["Location"] == f"/triage/login?next={target}"
    response = log_in(client, "a@staff.example", query_string={"next": target})
    assert response.headers["Location"] == target
    for evil in ("https://evil.example/triage/", "//evil.example/triage/", "/\\evil.example"):
        client.post("/triage/logout")
        response = log_in(client, "a@staff.example", query_string={"next": evil})
        assert response.headers["Location"] == "/triage/", evil


def test_the_session_cookie_is_httponly_lax_and_secure_when_configured(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        make_user(email="a@staff.example")
        cookie = log_in(app.test_client(), "a@staff.example").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


# --- the second factor ----------------------------------------------------------------------


def test_with_totp_on_a_password_alone_does_not_sign_in(client):
    user = make_user(email="t@staff.example", totp_secret=SECRET)
    response = log_in(client, "t@staff.example")
    assert response.headers["Location"] == "/triage/login/code"
    assert not signed_in(client)
    # Only the code page is reachable in between.
    response = log_in(client, "t@staff.example")
    wrong = client.post("/triage/login/code", data={"code": "000000"})
    assert "That code is not right" in read(wrong).text
    right = client.post("/triage/login/code", data={"code": pyotp.TOTP(SECRET).now()})
    assert_redirects(right, "/triage/")
    assert signed_in(client)
    assert audit_rows("sign_in")[-1].detail == {"second_factor": True}
    assert [r.detail["reason"] for r in audit_rows("sign_in_failed")] == ["bad_code"]
    assert db.session.get(StaffUser, user.id).totp_last_step is not None


def test_a_code_works_only_once(client, app):
    make_user(email="t@staff.example", totp_secret=SECRET)
    code = pyotp.TOTP(SECRET).now()
    log_in(client, "t@staff.example")
    assert_redirects(client.post("/triage/login/code", data={"code": code}), "/triage/")
    other = app.test_client()
    log_in(other, "t@staff.example")
    replay = other.post("/triage/login/code", data={"code": code})
    assert replay.status_code == 200 and not signed_in(other)


def test_the_code_step_expires(client, monkeypatch):
    make_user(email="t@staff.example", totp_secret=SECRET)
    log_in(client, "t@staff.example")
    monkeypatch.setattr(auth, "PENDING_SECONDS", -1)
    response = client.post("/triage/login/code", data={"code": pyotp.TOTP(SECRET).now()})
    assert response.headers["Location"] == "/triage/login"
    assert not signed_in(client)


def test_when_totp_is_required_a_password_alone_never_sets_it_up(client):
    make_user(email="r@staff.example", totp_required=True)
    page = read(log_in(client, "r@staff.example"))
    assert auth.NOT_SET_UP in page.text
    assert page.error_summary_links() == ["#email"]
    assert not signed_in(client)
    assert_redirects(
        client.get("/triage/login/enrol"), "/triage/login?next=/triage/login/enrol"
    )  # no such page: sign in first
    assert audit_rows("sign_in_failed")[-1].detail == {"reason": "not_set_up"}


def test_a_user_can_turn_on_totp_from_their_account(client):
    user = make_user(email="s@staff.example")
    sign_in(client, user)
    page = read(client.get("/triage/account/totp"))
    secret = page.html.split('<code class="secret">')[1].split("<")[0]
    response = client.post("/triage/account/totp", data={"code": pyotp.TOTP(secret).now()})
    assert_redirects(response, "/triage/account")
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).totp_enabled
    client.post("/triage/logout")
    assert log_in(client, "s@staff.example").headers["Location"] == "/triage/login/code"


def test_a_wrong_code_gets_the_same_answer_on_both_enrolment_pages(client, app):
    """The set-up link and the account page both take a first code; neither is a sign-in."""
    user = make_user(email="r@staff.example", totp_required=True)
    token = enrolment.issue_setup_link(user, None, reset_factor=False)
    at_setup = read(
        client.post(f"/triage/setup?t={token}", data={"new_password": NEW, "code": "000000"}), 400
    )
    other = app.test_client()
    sign_in(other, make_user(email="s@staff.example"))
    from_account = read(other.post("/triage/account/totp", data={"code": "000000"}), 400)
    assert audit_rows("sign_in_failed") == []
    assert at_setup.error_summary_links() == from_account.error_summary_links() == ["#code"]
    assert auth.CODE_NOT_RIGHT in at_setup.text and auth.CODE_NOT_RIGHT in from_account.text


def test_a_wrong_code_is_cleared_so_the_next_one_pasted_is_not_joined_to_it(client):
    make_user(email="t@staff.example", totp_secret=SECRET)
    log_in(client, "t@staff.example")
    page = read(client.post("/triage/login/code", data={"code": "000000"}))
    assert auth.CODE_NOT_RIGHT in page.text
    assert [box["value"] for box in page.find_all("input", name="code")] == [""]


# --- sessions that end ----------------------------------------------------------------------


def test_signing_out_ends_the_session_even_for_a_copy_of_the_cookie(client):
    make_user(email="a@staff.example")
    log_in(client, "a@staff.example")
    copy = client.get_cookie("session").value
    assert client.post("/triage/logout").headers["Location"] == "/triage/login"
    client.set_cookie("session", copy)
    response = client.get("/triage/")
    assert_redirects(response, "/triage/login?next=/triage/")
    assert len(audit_rows("sign_out")) == 1


def test_deactivation_ends_the_session_on_the_next_request(app, client):
    officer = make_user(email="o@staff.example")
    sign_in(client, officer)
    assert signed_in(client)
    admin_client = app.test_client()
    sign_in(admin_client, make_user(role="admin"))
    admin_client.post(f"/triage/users/{officer.id}/active", data={"active": "no"})
    assert not signed_in(client)
    assert log_in(client, "o@staff.example").status_code == 200  # and cannot sign in again


@pytest.mark.parametrize(
    "change",
    [
        {"role": "national", "regions": []},
        {"role": "officer", "regions": ["london"]},
        {"role": "officer", "regions": ["east-midlands"], "totp_required": "y"},
    ],
)
def test_a_change_of_role_regions_or_second_factor_ends_the_session(app, client, change):
    officer = make_user(email="o@staff.example", regions=("east-midlands",))
    sign_in(client, officer)
    admin_client = app.test_client()
    sign_in(admin_client, make_user(role="admin"))
    response = admin_client.post(f"/triage/users/{officer.id}", data=change)
    assert_redirects(response, f"/triage/users/{officer.id}")
    assert not signed_in(client)


def test_a_session_ends_after_30_minutes_idle(client, monkeypatch):
    sign_in(client, make_user())
    start = utcnow()
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(minutes=29))
    assert signed_in(client)  # activity moves the idle limit on
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(minutes=58))
    assert signed_in(client)
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(minutes=89))
    assert not signed_in(client)
    assert db.session.scalar(db.select(StaffSession)).revoked_at is not None


def test_a_session_ends_after_12_hours_however_busy(client, monkeypatch):
    sign_in(client, make_user())
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):
        monkeypatch.setattr(sessions, "now", lambda m=minutes: start + timedelta(minutes=m))
        assert signed_in(client), minutes
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(hours=12, minutes=1))
    assert not signed_in(client)


def test_a_new_password_ends_other_sessions(app, client):
    user = make_user(email="p@staff.example")
    other = app.test_client()
    sign_in(other, user)
    sign_in(client, user)
    response = client.post(
        "/triage/account/password",
        data={"current_password": PASSWORD, "new_password": "an even longer password"},
    )
    assert_redirects(response, "/triage/login")
    assert not signed_in(other) and not signed_in(client)
    assert_redirects(log_in(client, "p@staff.example", "an even longer password"), "/triage/")


def test_staff_pages_are_english_whatever_the_browser_asks(client):
    sign_in(client, make_user())
    with client.session_transaction() as session:
        session["lang"] = "pl"
    page = read(client.get("/triage/?date_from=nonsense", headers={"Accept-Language": "pl"}))
    assert page.find_all("html")[0]["lang"] == "en"
    assert "There is a problem" in page.text
    assert {"name": "robots", "content": "noindex, nofollow"} in page.find_all("meta")
