"""Fixtures for the staff side: an app context for every test, and signing in without the
argon2 cost when sign-in itself is not what a test is about."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import AuditEvent
from reporter.services.accounts.sessions import start_session
from reporter.triage.auth import SESSION_KEY
from tests.factories import PASSWORD, data_context


@pytest.fixture(autouse=True)
def _context(app):
    with data_context(app):
        yield


def sign_in(client, user) -> None:
    """Give the client a live session for `user`, as a real sign-in would."""
    token = start_session(user.id)
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = token


def log_in(client, email: str, password: str = PASSWORD, **kwargs):
    """Sign in through the form."""
    return client.post("/triage/login", data={"email": email, "password": password}, **kwargs)


def audit_rows(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def same_page(response) -> str:
    """A page with its CSRF tokens masked: a token is signed with the time, so two identical
    pages served either side of a second boundary differ in it and in nothing else."""
    import re

    return re.sub(r'(name="csrf_token" value=")[^"]+', r"\1…", response.get_data(as_text=True))
