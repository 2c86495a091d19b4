"""`make run`'s demo: staff first, so that no urgent demo report lacks someone to alert; reports
spread over recent weeks, so that trends show several bars; the address printed is the real one."""

from __future__ import annotations

import logging

from sqlalchemy import select

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


def test_the_demo_says_which_regions_have_no_active_officer(make_app, monkeypatch):
    monkeypatch.setattr(staff, "hash_password", _hashed)
    app = make_app(ENV_NAME="development")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "demo"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "wales@lookcloser.example"]).exit_code == 0
    again = runner.invoke(args=["users", "demo"])
    assert again.output.splitlines()[-1] == "No active officer in: Wales."
