"""Fixtures. Every test runs on SQLite; with TEST_DATABASE_URL set, `make test` runs the suite
again on PostgreSQL. The schema is built by the Alembic migrations, as in production."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reporter import create_app
from reporter.config import database_url
from reporter.extensions import db
from reporter.public.static_pages import forget_pages

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
_missing_services: list[str] = []


def missing_service(message: str) -> None:
    """Skip a test because a real service is not configured, and say so in the summary."""
    _missing_services.append(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter):
    if _missing_services:
        terminalreporter.section("SERVICES NOT TESTED", sep="!", red=True, bold=True)
        for message in sorted(set(_missing_services)):
            terminalreporter.write_line(f"NOT TESTED: {message}", red=True, bold=True)


def _ensure_postgres_database(url: str) -> None:
    """Create the test database when it is missing (CI machines start with none)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Compile .po catalogues whose .mo is missing or stale (`make compile` does the same)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).parent.parent.glob("translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source:
                catalog = read_po(source)
            with open(mo, "wb") as target:
                write_mo(target, catalog)


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        uri = database_url(TEST_DATABASE_URL)
        _ensure_postgres_database(uri)
        return uri
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _schema(database_uri):
    """Build the schema once, from the migrations."""
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return database_uri


def _empty_tables() -> None:
    """Empty every table. The audit log's triggers refuse DELETE, so they are lifted for this
    transaction only: on PostgreSQL by the superuser's replica mode, on SQLite by dropping and
    re-creating them from their own stored SQL."""
    with db.engine.begin() as conn:
        sqlite_triggers = []
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            sqlite_triggers = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            for name, _sql in sqlite_triggers:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for _name, sql in sqlite_triggers:
            conn.execute(text(sql))


def _clean_up(app, dispose: bool) -> None:
    with app.app_context():
        db.session.remove()
        _empty_tables()
        forget_pages()  # the pages kept were made from this test's data
        if dispose:
            db.engine.dispose()


@pytest.fixture
def make_app(_schema):
    """An app factory for tests that need their own settings (CSRF or rate limits on)."""
    apps = []

    def make(**overrides):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _schema, **overrides})
        apps.append(app)
        return app

    yield make
    for app in apps:
        _clean_up(app, dispose=True)


@pytest.fixture(scope="session")
def _session_app(_schema):
    """The testing app, created once per session: creating one reads and checks every reference
    file and the postcode index. A test must not change its settings (use `make_app` for that)."""
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": _schema})


@pytest.fixture
def app(_session_app):
    """The shared testing app, with every table emptied after each test."""
    config = dict(_session_app.config)
    yield _session_app
    assert dict(_session_app.config) == config, "a test changed the shared app's settings"
    _clean_up(_session_app, dispose=False)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
