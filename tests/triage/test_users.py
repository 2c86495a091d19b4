"""Staff accounts: the admin pages and the `flask users` commands."""

import re

import pytest
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import StaffUser
from reporter.reference import REGION_IDS
from reporter.services.accounts.staff import find_user
from tests.factories import make_user
from tests.pages import assert_redirects, read, shown_once
from tests.triage.conftest import audit_rows, log_in, sign_in


def user(email: str) -> StaffUser | None:
    db.session.expire_all()
    return find_user(email)


# --- the command line -----------------------------------------------------------------------


def test_create_an_officer_with_a_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Pat@Staff.example", "--role", "officer",
              "--region", "east-midlands", "--region", "london", "--password-stdin"],
        input="a good long password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    created = user("pat@staff.example")
    assert (created.role, created.region_ids) == ("officer", ["east-midlands", "london"])
    assert_redirects(
        log_in(app.test_client(), "pat@staff.example", "a good long password"), "/triage/"
    )
    [row] = audit_rows("user_created")
    assert (row.actor_id, row.subject_user_id) == (None, created.id)


def test_create_asks_for_the_password_twice(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "n@staff.example", "--role", "national"],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a good long password" not in result.output
    assert user("n@staff.example").role == "national"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "officer"], "needs at least one region"),
        (["--role", "admin", "--region", "london"], "Only officers have regions"),
        (["--role", "chief"], "Invalid value for '--role'"),
        (["--role", "officer", "--region", "scotland"], "Invalid value for '--region'"),
    ],
)
def test_create_refuses_wrong_roles_and_regions(app, args, message):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "x@staff.example", *args, "--password-stdin"],
        input="a good long password\n",
    )
    assert result.exit_code != 0 and message in result.output
    assert user("x@staff.example") is None


def test_create_refuses_a_short_password_and_a_second_account(app):
    runner = app.test_cli_runner()
    args = ["users", "create", "x@staff.example", "--role", "national", "--password-stdin"]
    short = runner.invoke(args=args, input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    make_user(email="x@staff.example")
    again = runner.invoke(args=args, input="a good long password\n")
    assert again.exit_code != 0 and "already an account" in again.output


def test_deactivate_and_list(app, client):
    officer = make_user(email="o@staff.example", regions=("wales",))
    sign_in(client, officer)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "deactivate", "o@staff.example"])
    assert result.exit_code == 0 and not user("o@staff.example").active
    assert_redirects(
        client.get("/triage/"), "/triage/login?next=/triage/"
    )  # the open session ended at once
    listing = runner.invoke(args=["users", "list"]).output
    assert re.search(r"o@staff.example\s+officer, wales\s+deactivated", listing)
    missing = runner.invoke(args=["users", "deactivate", "nobody@staff.example"])
    assert missing.exit_code != 0


def test_demo_accounts_only_in_development_and_only_once(make_app):
    refused = make_app().test_cli_runner().invoke(args=["users", "demo"])
    assert refused.exit_code != 0 and "development only" in refused.output
    app = make_app(ENV_NAME="development")
    runner = app.test_cli_runner()
    with app.app_context():  # not the testing app's context, which every test here holds
        first = runner.invoke(args=["users", "demo"])
        second = runner.invoke(args=["users", "demo"])
        assert first.exit_code == second.exit_code == 0, first.output
        assert first.output == second.output
        accounts = db.session.scalars(select(StaffUser)).all()
        roles = sorted((u.role, tuple(u.region_ids)) for u in accounts)
        # An officer for each region, so that every urgent demo report alerts its own region.
        officers = sorted(("officer", (region,)) for region in REGION_IDS)
        assert roles == [("admin", ()), ("national", ()), *officers]
        assert first.output.splitlines()[-1] == "Every region has an active officer."
        for line in first.output.splitlines()[1:-1]:
            email, password = line.split()[:2]
            assert_redirects(log_in(app.test_client(), email, password), "/triage/")


# --- the admin pages ------------------------------------------------------------------------


@pytest.fixture
def admin(client):
    person = make_user(role="admin", email="admin@staff.example")
    sign_in(client, person)
    return person


def test_an_admin_adds_a_user_and_hands_over_a_one_time_set_up_link(client, admin):
    assert read(client.get("/triage/users/new")).title.startswith("Add a user")
    response = client.post(
        "/triage/users/new",
        data={"email": "new@staff.example", "role": "officer", "regions": ["london"],
              "totp_required": "y", "name": "New Person"},
    )  # fmt: skip
    page = read(response)
    assert "It works once, for 72 hours" in page.text
    link = shown_once(page.html, "setup-link")
    assert link.startswith("http://127.0.0.1:5000/triage/setup?t=")
    created = user("new@staff.example")
    assert (created.role, created.region_ids, created.totp_required) == (
        "officer",
        ["london"],
        True,
    )
    assert link not in client.get("/triage/users").get_data(as_text=True)
    [row] = audit_rows("setup_link_issued")
    assert (row.actor_id, row.subject_user_id) == (admin.id, created.id)
    # The link is the way in: it sets up the account (tests/triage/test_enrolment.py).
    other = client.application.test_client()
    path = link.removeprefix("http://127.0.0.1:5000")
    assert read(other.get(path)).title.startswith("Set up your account")


@pytest.mark.parametrize(
    ("data", "link"),
    [
        ({"email": "", "role": "national"}, "#email"),
        ({"email": "x@staff.example", "role": "officer"}, "#regions-0"),
        ({"email": "x@staff.example", "role": "national", "regions": ["wales"]}, "#regions-0"),
        ({"email": "admin@staff.example", "role": "national"}, "#email"),
        ({"email": "x@staff.example"}, "#role-0"),
    ],
)
def test_adding_a_user_explains_what_is_wrong(client, admin, data, link):
    page = read(client.post("/triage/users/new", data=data), 400)
    assert page.error_summary_links() == [link]
    assert page.title.startswith("Error:")


def test_an_admin_changes_a_role_and_regions(client, admin):
    officer = make_user(email="o@staff.example", regions=("london",))
    page = read(client.get(f"/triage/users/{officer.id}"))
    assert {
        "type": "checkbox",
        "id": "regions-6",
        "name": "regions",
        "value": "london",
        "checked": "",
    } in page.find_all("input")
    response = client.post(
        f"/triage/users/{officer.id}", data={"role": "officer", "regions": ["wales", "london"]}
    )
    assert_redirects(response, f"/triage/users/{officer.id}")
    assert user("o@staff.example").region_ids == ["london", "wales"]
    [row] = audit_rows("user_changed")
    assert row.detail["regions"] == [["london"], ["london", "wales"]]
    assert row.subject_user_id == officer.id and row.actor_id == admin.id


def test_an_admin_resets_a_lost_second_factor_with_a_new_set_up_link(client, admin):
    officer = make_user(email="o@staff.example", totp_secret="JBSWY3DPEHPK3PXP")
    page = read(client.post(f"/triage/users/{officer.id}/totp"))
    assert "/triage/setup?t=" in page.text
    changed = user("o@staff.example")
    assert not changed.totp_enabled and changed.totp_secret_enc is None
    client.post(
        f"/triage/users/{officer.id}",
        data={"role": "officer", "regions": ["east-midlands"], "totp_required": "y"},
    )
    other = client.application.test_client()
    refused = read(log_in(other, "o@staff.example"))
    assert "Ask an admin for a set-up link" in refused.text
    assert audit_rows("sign_in_failed")[-1].detail == {"reason": "not_set_up"}
    assert [r.detail for r in audit_rows("setup_link_issued")] == [{"second_factor_reset": True}]


def test_an_admin_deactivates_and_reactivates_but_not_themselves(client, admin):
    officer = make_user(email="o@staff.example")
    client.post(f"/triage/users/{officer.id}/active", data={"active": "no"})
    assert not user("o@staff.example").active
    client.post(f"/triage/users/{officer.id}/active", data={"active": "yes"})
    assert user("o@staff.example").active
    client.post(f"/triage/users/{admin.id}/active", data={"active": "no"})
    assert user("admin@staff.example").active
    response = client.post(f"/triage/users/{admin.id}", data={"role": "national"})
    assert "You cannot take away your own admin role." in read(response, 400).text
    assert [r.action for r in audit_rows() if r.action.startswith("user_")] == [
        "user_deactivated",
        "user_reactivated",
    ]


def test_an_admin_resets_a_password(client, admin):
    officer = make_user(email="o@staff.example")
    response = client.post(f"/triage/users/{officer.id}/password")
    password = shown_once(read(response).html, "password")
    other = client.application.test_client()
    assert log_in(other, "o@staff.example").status_code == 200
    assert_redirects(log_in(other, "o@staff.example", password), "/triage/")


def test_the_users_page_lists_everyone(client, admin):
    make_user(email="o@staff.example", regions=("wales",), active=False)
    page = read(client.get("/triage/users"))
    assert "o@staff.example" in page.text and "Wales" in page.text and "Deactivated" in page.text
    assert client.get("/triage/users/99999").status_code == 404


def test_the_users_page_names_each_region_no_active_officer_covers(client):
    sign_in(client, make_user(role="admin"))
    make_user(role="officer", regions=tuple(r for r in REGION_IDS if r != "north-east"))
    make_user(role="officer", regions=("north-east",), active=False)
    page = read(client.get("/triage/users"))
    assert page.find_all("div", id="uncovered-regions")
    assert "No active prevention officer covers this region: North East." in page.text
    assert "Urgent reports there alert the national team instead" in page.text


def test_the_users_page_warns_of_nothing_when_every_region_is_covered(client):
    sign_in(client, make_user(role="admin"))
    make_user(role="officer", regions=REGION_IDS)
    page = read(client.get("/triage/users"))
    assert not page.find_all("div", id="uncovered-regions")
    assert "No active prevention officer" not in page.text
