"""`make run`'s demo: staff first, so that no urgent demo report lacks someone to alert; reports
spread over recent weeks, so that trends show several bars; the address printed is the real one;
the demo accounts and entry links printed on every start, not only the first."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from reporter.cli import DEMO_PARTNERS
from reporter.extensions import db
from reporter.models import Report
from reporter.services.accounts import staff
from tests.factories import _hashed


def test_demo_staff_then_reports_alert_someone_and_spread_over_weeks(make_app, monkeypatch, caplog):
    monkeypatch.setattr(staff, "hash_password", _hashed)  # argon2 once per password
    app = make_app(ENV_NAME="development", REPORTER_BASE_URL="http://127.0.0.1:8765")
    runner = app.test_cli_runner()
    with caplog.at_level(logging.INFO):
        users = runner.invoke(args=["users", "demo"])
        reports = runner.invoke(args=["demo-data", "--count", "40"])
    assert users.exit_code == 0 and reports.exit_code == 0, users.output + reports.output
    assert "http://127.0.0.1:8765/triage/" in users.output and ":5000" not in users.output
    assert "Demo data: added 40 reports over the last 8 weeks." in reports.output
    assert "Every region has an active officer." in users.output
    assert not [r.getMessage() for r in caplog.records if "no active staff" in r.getMessage()]
    assert not [r.getMessage() for r in caplog.records if "nobody covers" in r.getMessage()]
    with app.app_context():
        made = db.session.scalars(select(Report.created_at)).all()
        weeks = {moment.isocalendar()[:2] for moment in made}
        assert len(made) == 40 and len(weeks) >= 6


def test_the_demo_refuses_outside_development(runner):
    assert runner.invoke(args=["users", "demo"]).exit_code != 0
    assert runner.invoke(args=["demo-data"]).exit_code != 0


@pytest.mark.parametrize("env", ["testing", "production"])
def test_demo_passwords_are_never_printed_outside_development(make_app, monkeypatch, env):
    monkeypatch.setattr(staff, "hash_password", _hashed)
    runner = make_app(ENV_NAME="development").test_cli_runner()
    assert runner.invoke(args=["users", "demo", "--quiet"]).exit_code == 0
    shown = make_app(ENV_NAME=env).test_cli_runner().invoke(args=["demo-data", "show"])
    assert shown.exit_code != 0 and "for development only" in shown.output
    assert "demo-password" not in shown.output


def make_run(runner) -> str:
    """What `make run`'s demo-data target prints (Makefile), every time it starts."""
    said = []
    for args in (["users", "demo", "--quiet"], ["demo-data", "--if-empty", "--count", "3"]):
        done = runner.invoke(args=args)
        assert done.exit_code == 0, done.output
        said.append(done.output)
    shown = runner.invoke(args=["demo-data", "show"])
    assert shown.exit_code == 0, shown.output
    return "".join(said) + shown.output


def test_every_start_prints_the_demo_accounts_and_entry_links_again(make_app, monkeypatch):
    monkeypatch.setattr(staff, "hash_password", _hashed)
    app = make_app(ENV_NAME="development", REPORTER_BASE_URL="http://127.0.0.1:8765")
    runner = app.test_cli_runner()
    first, second = make_run(runner), make_run(runner)
    assert "Demo data: added 3 reports" in first and "reports already present" in second
    for said in (first, second):
        assert "http://127.0.0.1:8765/triage/" in said
        assert re.search(r"admin@lookcloser\.example +admin-demo-password +admin", said)
        assert re.search(
            r"east-midlands@lookcloser\.example +officer-demo-password +officer east-midlands",
            said,
        )
        links = re.findall(r"Demo entry link \((.+?), .+?\): (\S+)", said)
        assert [name for name, _link in links] == [name for name, *_ in DEMO_PARTNERS]
        assert all(re.fullmatch(r"http://127\.0\.0\.1:8765/p/\w+", link) for _n, link in links)
    assert re.findall(r"/p/\w+", first) == re.findall(r"/p/\w+", second)  # the same links
    assert first.count("admin-demo-password") == 1  # once per start, not twice


def test_a_changed_demo_password_is_not_printed(make_app, monkeypatch):
    monkeypatch.setattr(staff, "hash_password", _hashed)
    app = make_app(ENV_NAME="development")
    runner = app.test_cli_runner()
    make_run(runner)
    with app.app_context():
        user = staff.find_user("admin@lookcloser.example")
        staff.change_password(user, "admin-demo-password", "a new password for the admin")
    said = runner.invoke(args=["demo-data", "show"]).output
    assert re.search(r"admin@lookcloser\.example +\(password changed\) +admin", said)
    assert "admin-demo-password" not in said and "a new password" not in said


def test_the_demo_says_which_regions_have_no_active_officer(make_app, monkeypatch):
    monkeypatch.setattr(staff, "hash_password", _hashed)
    app = make_app(ENV_NAME="development")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "demo"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "wales@lookcloser.example"]).exit_code == 0
    again = runner.invoke(args=["users", "demo"])
    assert again.output.splitlines()[-1] == "No active officer in: Wales."
