"""Who needs a second factor, and setting up an account with a one-time link.

Admins and national staff (STAFF_SECOND_FACTOR_ROLES; officers too in production) and anyone an
admin marks must sign in with a code from an authenticator app. A new account, or one whose
second factor was reset, is set up with a link an admin hands over: the person opens it, chooses
their password and adds the authenticator app in one step. A password alone never sets up a
second factor, so a password read over someone's shoulder is not enough to take an account.

Only the SHA-256 of a link's token is stored. A link works once and expires after
STAFF_SETUP_LINK_HOURS; issuing a new one replaces the old.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import StaffUser, utcnow
from reporter.services.accounts import audit, sessions
from reporter.services.accounts.staff import (
    StaffError,
    check_password_rules,
    confirm_totp,
    hash_password,
    sign_in,
)


def second_factor_required(user: StaffUser) -> bool:
    """Whether this account must sign in with a second factor: by its role, or by an admin's
    choice for this one account."""
    return user.totp_required or user.role in current_app.config["STAFF_SECOND_FACTOR_ROLES"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["STAFF_SETUP_LINK_HOURS"])


def setup_url(token: str) -> str:
    base = current_app.config["REPORTER_BASE_URL"].rstrip("/")
    return f"{base}/triage/setup?t={token}"


def issue_setup_link(user: StaffUser, actor: StaffUser | None, *, reset_factor: bool) -> str:
    """A new one-time link for `user` (any earlier one stops working). With `reset_factor`,
    their second factor is forgotten (a lost phone) and their sessions end. Returns the token,
    to be shown once."""
    token = secrets.token_urlsafe(32)
    user.setup_token_hash = _hash(token)
    user.setup_expires_at = utcnow() + link_lifetime()
    if reset_factor:
        user.totp_enabled = False
        user.totp_secret_enc = None
        user.totp_last_step = None
        sessions.revoke_user_sessions(user.id)
    audit.record(
        "setup_link_issued",
        actor=actor,
        subject=user,
        detail={"second_factor_reset": reset_factor},
    )
    db.session.commit()
    return token


def user_for_link(token: str) -> StaffUser | None:
    """The account a link sets up, while the link is unused, unexpired and the account active."""
    if not token or len(token) > 128:
        return None
    user = db.session.scalar(select(StaffUser).where(StaffUser.setup_token_hash == _hash(token)))
    if user is None or not user.active or user.setup_expires_at is None:
        return None
    return user if utcnow() < user.setup_expires_at else None


def complete_setup(user: StaffUser, password: str, code: str | None) -> str:
    """Set the password and, where one is required, turn on the second factor with a code from
    the pending secret; use up the link; sign in. Returns the new session's token. Raises
    StaffError (nothing changed) when the password or the code is refused."""
    check_password_rules(password, user.email)
    needs_factor = second_factor_required(user)
    enrolling = needs_factor and not user.totp_enabled
    if enrolling and not (code and confirm_totp(user, code, commit=False)):
        db.session.rollback()
        raise StaffError(
            "That code is not right, or it has been used. Wait for a new code and try again.",
            "code",
        )
    user.password_hash = hash_password(password)
    user.setup_token_hash = None
    user.setup_expires_at = None
    sessions.revoke_user_sessions(user.id)
    audit.record("account_set_up", actor=user, subject=user)
    return sign_in(user, second_factor=needs_factor)
