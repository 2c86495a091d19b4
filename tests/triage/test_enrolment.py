"""A second factor for those who see every report, and accounts set up with a one-time link an
admin hands over, never with a password alone."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest

from reporter.config import Config, DevelopmentConfig, ProductionConfig, TestingConfig
from reporter.extensions import db
from reporter.models import StaffUser
from reporter.services.accounts import enrolment, staff
from reporter.triage import auth
from tests.factories import make_user
from tests.pages import assert_redirects, read, shown_once
from tests.triage.conftest import audit_rows, log_in, sign_in

NEW = "a brand new staff password"


def test_admins_and_national_staff_need_a_second_factor_and_production_adds_officers():
    assert Config.STAFF_SECOND_FACTOR_ROLES == ("admin", "national")
    assert ProductionConfig.STAFF_SECOND_FACTOR_ROLES == ("admin", "national", "officer")
    # The demo accounts and most tests sign in with a password alone; this file tests the rule.
    assert DevelopmentConfig.STAFF_SECOND_FACTOR_ROLES == TestingConfig.STAFF_SECOND_FACTOR_ROLES
    assert TestingConfig.STAFF_SECOND_FACTOR_ROLES == ()


@pytest.fixture(params=["base", "production"])
def rule_app(request, make_app):
    roles = {"base": Config, "production": ProductionConfig}[request.param]
    app = make_app(STAFF_SECOND_FACTOR_ROLES=roles.STAFF_SECOND_FACTOR_ROLES)
    with app.app_context():
        yield app


@pytest.mark.parametrize("role", ["admin", "national", "officer"])
def test_a_password_alone_does_not_let_in_a_role_that_needs_a_second_factor(rule_app, role):
    user = make_user(email="p@staff.example", role=role)
    client = rule_app.test_client()
    response = log_in(client, user.email)
    needed = role in rule_app.config["STAFF_SECOND_FACTOR_ROLES"]
    if needed:
        page = read(response)
        assert auth.NOT_SET_UP in page.text
        assert_redirects(client.get("/triage/"), "/triage/login?next=/triage/")
    else:  # an officer outside production, unless an admin asks for one
        assert_redirects(response, "/triage/")
        assert client.get("/triage/").status_code == 200


def set_up(client, token: str, password: str = NEW, code: str | None = None):
    data = {"new_password": password}
    if code is not None:
        data["code"] = code
    return client.post(f"/triage/setup?t={token}", data=data)


def secret_on(page) -> str:
    return page.html.split('<code class="secret">')[1].split("<")[0]


def test_a_new_admin_sets_up_password_and_second_factor_with_the_link(rule_app):
    client = rule_app.test_client()
    admin = make_user(role="admin", email="a@staff.example", totp_secret="JBSWY3DPEHPK3PXP")
    sign_in(client, admin)
    created = client.post("/triage/users/new", data={"email": "n@staff.example", "role": "admin"})
    link = shown_once(read(created).html, "setup-link")
    path = link.removeprefix("http://127.0.0.1:5000")
    newcomer = rule_app.test_client()
    page = read(newcomer.get(path))
    [qr] = page.find_all("img", class_="qr")
    assert qr["src"].startswith("data:image/svg+xml") and qr["alt"]
    secret = secret_on(page)
    # The code is required: a password alone does not set the account up.
    refused = read(set_up(newcomer, path.split("?t=", 1)[1]), 400)
    assert refused.error_summary_links() == ["#code"]
    token = path.split("?t=", 1)[1]
    done = set_up(newcomer, token, code=pyotp.TOTP(secret).now())
    assert_redirects(done, "/triage/")
    assert newcomer.get("/triage/").status_code == 200
    db.session.expire_all()
    user = staff.find_user("n@staff.example")
    assert user.totp_enabled and user.setup_token_hash is None
    assert staff.password_matches(user, NEW)
    assert [r.subject_user_id for r in audit_rows("account_set_up")] == [user.id]
    assert audit_rows("sign_in")[-1].detail == {"second_factor": True}
    # The link worked once.
    assert newcomer.get(path).status_code == 404
    # From now on: password, then code.
    later = rule_app.test_client()
    assert log_in(later, "n@staff.example", NEW).headers["Location"] == "/triage/login/code"


def test_a_set_up_link_expires_and_a_new_one_replaces_the_old(rule_app, monkeypatch):
    user = make_user(role="national", email="n@staff.example")
    first = enrolment.issue_setup_link(user, None, reset_factor=False)
    second = enrolment.issue_setup_link(user, None, reset_factor=False)
    client = rule_app.test_client()
    assert client.get(f"/triage/setup?t={first}").status_code == 404
    assert read(client.get(f"/triage/setup?t={second}")).title.startswith("Set up your account")
    db.session.get(StaffUser, user.id).setup_expires_at -= timedelta(hours=73)
    db.session.commit()
    assert client.get(f"/triage/setup?t={second}").status_code == 404
    assert client.get("/triage/setup?t=not-a-token").status_code == 404


def test_a_deactivated_account_cannot_be_set_up(rule_app):
    user = make_user(role="national", email="n@staff.example", active=False)
    token = enrolment.issue_setup_link(user, None, reset_factor=False)
    assert rule_app.test_client().get(f"/triage/setup?t={token}").status_code == 404


def test_a_short_password_is_refused_and_nothing_changes(rule_app):
    user = make_user(role="admin", email="n@staff.example")
    token = enrolment.issue_setup_link(user, None, reset_factor=False)
    client = rule_app.test_client()
    secret = secret_on(read(client.get(f"/triage/setup?t={token}")))
    page = read(set_up(client, token, "short", pyotp.TOTP(secret).now()), 400)
    assert page.error_summary_links() == ["#new_password"]
    db.session.expire_all()
    assert not db.session.get(StaffUser, user.id).totp_enabled
    assert audit_rows("account_set_up") == []


def test_the_command_line_prints_a_set_up_link_for_a_new_admin(rule_app):
    result = rule_app.test_cli_runner().invoke(
        args=["users", "create", "boss@staff.example", "--role", "admin", "--password-stdin"],
        input="a good long password\n",
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/triage/setup?t=")
    client = rule_app.test_client()
    assert read(client.get(link.removeprefix("http://127.0.0.1:5000"))).find_all("img", class_="qr")
    again = rule_app.test_cli_runner().invoke(args=["users", "setup-link", "boss@staff.example"])
    assert again.exit_code == 0 and again.output.strip().splitlines()[-1] != link
    assert client.get(link.removeprefix("http://127.0.0.1:5000")).status_code == 404


def test_the_users_page_says_who_still_has_to_set_up(rule_app):
    client = rule_app.test_client()
    admin = make_user(role="admin", email="a@staff.example", totp_secret="JBSWY3DPEHPK3PXP")
    make_user(role="national", email="n@staff.example")
    sign_in(client, admin)
    page = read(client.get("/triage/users"))
    [row] = [r for r in page.html.split("<tr") if "n@staff.example" in r]
    assert "Required, not set up" in row


def test_the_link_keeps_its_token_out_of_the_access_log(app):
    """gunicorn logs the path without the query string: the token rides in the query."""
    config = (Path(__file__).parents[2] / "gunicorn.conf.py").read_text()
    logged = re.search(r"access_log_format = '([^']+)'", config).group(1)
    assert "%(U)s" in logged and not {"%(r)s", "%(q)s"} & set(re.findall(r"%\(\w\)s", logged))
    token = enrolment.issue_setup_link(make_user(role="admin"), None, reset_factor=False)
    url = urlsplit(enrolment.setup_url(token))
    assert token not in url.path and url.query == f"t={token}"
