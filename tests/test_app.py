"""The app's foundation: configuration, health, migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from reporter import create_app
from reporter.config import EXAMPLE_PRIVACY_CONTACTS, ConfigError, database_url
from reporter.extensions import db
from tests.factories import report_answers

SAFE_PRODUCTION = {
    "SECRET_KEY": "s" * 40,
    "DEBUG": False,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "REPORTER_DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "SESSION_COOKIE_SECURE": True,
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "MAIL_SERVER": "smtp.example.org",
    "REPORTER_BASE_URL": "https://lookcloser.example.org",
    "DATA_CONTROLLER_NAME": "The Prevention Programme",
    "DATA_CONTROLLER_CONTACT": "privacy@lookcloser.example.org",
    "DPO_CONTACT": "dpo@lookcloser.example.org",
}


def test_production_starts_with_safe_settings():
    assert create_app("production", SAFE_PRODUCTION).config["ENV_NAME"] == "production"


@pytest.mark.parametrize(
    "unsafe",
    [
        {"SECRET_KEY": "development-only-secret-key"},
        {"SECRET_KEY": "short"},
        {"DEBUG": True},
        {"RATELIMIT_STORAGE_URI": "memory://"},
        {"REPORTER_DATA_KEY": None},
        {"SESSION_COOKIE_SECURE": False},
        {"MAIL_SERVER": ""},
        {"REPORTER_BASE_URL": "http://lookcloser.example.org"},
        {"DATA_CONTROLLER_NAME": ""},
        {"DATA_CONTROLLER_CONTACT": "  "},
        {"DPO_CONTACT": None},
        {"DPO_CONTACT": EXAMPLE_PRIVACY_CONTACTS["DPO_CONTACT"]},
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(unsafe):
    with pytest.raises(ConfigError):
        create_app("production", {**SAFE_PRODUCTION, **unsafe})


def test_postgresql_urls_use_the_installed_driver():
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url("sqlite:///x") == "sqlite:///x"


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()["database"]) == (200, "ok")


def test_healthz_is_503_when_the_database_does_not(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/x.db"})
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()["database"]) == (503, "down")


def test_when_the_database_is_down_the_form_still_opens_and_sending_gives_503(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/x.db"})
    client = app.test_client()
    assert client.get("/report?sector=rail").status_code == 200
    response = client.post(
        "/report",
        data=report_answers(danger="yes", description="Boy being pushed onto a train"),
    )
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert 'href="tel:999"' in body and "Boy being pushed onto a train" in body


def test_the_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_postgresql_connections_fail_fast_so_guidance_never_hangs():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1/x"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 3


def test_a_coroutine_view_is_still_refused_without_flask_async(app):
    async def view():
        return "never"

    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(view)
