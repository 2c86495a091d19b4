"""Staff sessions that can really be ended.

The signed cookie holds only a random token; the database holds its SHA-256 in staff_sessions.
A session ends when it is revoked (sign-out, deactivation, a change of role, regions, password
or second factor), after STAFF_SESSION_IDLE_MINUTES without a request (30), or
STAFF_SESSION_MAX_HOURS after sign-in (12), whichever comes first. Every request checks, so an
ended session is refused on the very next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, update

from reporter.extensions import db
from reporter.models import StaffSession, utcnow

# Writing last_seen_at on every request would be a write per page; once a minute is enough.
TOUCH_EVERY = timedelta(seconds=60)


def now() -> datetime:
    """The clock of this module: tests move it forward."""
    return utcnow()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["STAFF_SESSION_IDLE_MINUTES"])


def absolute_limit() -> timedelta:
    return timedelta(hours=current_app.config["STAFF_SESSION_MAX_HOURS"])


def start_session(user_id: int) -> str:
    """A new session in the current transaction; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    moment = now()
    db.session.add(
        StaffSession(id_hash=_hash(token), user_id=user_id, created_at=moment, last_seen_at=moment)
    )
    _forget_old_sessions(user_id, moment)
    return token


def _forget_old_sessions(user_id: int, moment: datetime) -> None:
    """Rows of sessions that ended more than a day ago serve no one: delete them."""
    cutoff = moment - max(absolute_limit(), timedelta(days=1))
    db.session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user_id,
            or_(StaffSession.revoked_at < cutoff, StaffSession.created_at < cutoff),
        )
    )


def current_session(token: str | None) -> StaffSession | None:
    """The live session for a cookie token, or None when it is unknown, revoked, timed out, or
    its user is deactivated. A timed-out session is revoked on the way."""
    if not token:
        return None
    row = db.session.get(StaffSession, _hash(token))
    if row is None or row.revoked_at is not None:
        return None
    moment = now()
    expired = moment - row.last_seen_at > idle_limit() or moment - row.created_at > absolute_limit()
    if expired or not row.user.active:
        row.revoked_at = moment
        db.session.commit()
        return None
    if moment - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = moment
        db.session.commit()
    return row


def revoke_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(StaffSession)
            .where(StaffSession.id_hash == _hash(token), StaffSession.revoked_at.is_(None))
            .values(revoked_at=now())
        )


def revoke_user_sessions(user_id: int) -> None:
    """End every session of a user, in the caller's transaction."""
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )
