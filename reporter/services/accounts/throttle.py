"""Sign-in throttling that strangers cannot turn into a lockout (OWASP ASVS 5, V6).

Failed sign-ins are already in the audit log, with the address they came from and the account
they named; this module counts them. Past STAFF_SIGN_IN_FREE_FAILURES failures in the last
hour, each further failure doubles the wait before the next attempt (15 seconds, 30, 60, ... up
to 15 minutes), counted two ways:

- per address: an address that keeps failing waits, whatever account it names;
- per account: an account under attack makes *failing* addresses wait, whichever they are.

An address with no failure in the last hour is never made to wait, so the right password and a
valid second factor from the owner's own device always get in, however many strangers are
guessing. When an account's failures pass the free ones, its owner is told by email (through
the outbox), once an hour at most.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import AuditEvent, StaffUser, utcnow
from reporter.services.accounts import audit
from reporter.services.mail import outbox

WINDOW = timedelta(hours=1)
FIRST_WAIT = timedelta(seconds=15)
LONGEST_WAIT = timedelta(minutes=15)
# Failures that count: a wrong answer. A refusal for waiting, or a right password on an account
# not set up yet, is audited but never makes anyone wait longer.
COUNTED = frozenset({"bad_password", "unknown_account", "inactive", "bad_code"})
# More failures than this in the window change nothing: the wait is already the longest.
ENOUGH_ROWS = 64
OWNER_EMAIL_KIND = "sign-in-failures"


def now() -> datetime:
    """The clock of this module: tests move it forward."""
    return utcnow()


def free_failures() -> int:
    return current_app.config["STAFF_SIGN_IN_FREE_FAILURES"]


def wait_after(failures: int, free: int) -> timedelta:
    """How long to wait after the last of `failures` failures: none while they are free."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - free), LONGEST_WAIT)


@dataclass(frozen=True)
class Failures:
    count: int
    last: datetime | None

    def seconds_to_wait(self, moment: datetime, free: int) -> int:
        if self.last is None:
            return 0
        left = (self.last + wait_after(self.count, free) - moment).total_seconds()
        return max(0, math.ceil(left))


def _failures(moment: datetime, condition) -> Failures:
    rows = db.session.execute(
        select(AuditEvent.created_at, AuditEvent.detail)
        .where(
            AuditEvent.action == "sign_in_failed",
            condition,
            AuditEvent.created_at >= moment - WINDOW,
        )
        .order_by(AuditEvent.created_at.desc())
        .limit(ENOUGH_ROWS)
    ).all()
    counted = [at for at, detail in rows if (detail or {}).get("reason") in COUNTED]
    return Failures(len(counted), max(counted, default=None))


def seconds_to_wait(address: str | None, user: StaffUser | None) -> int:
    """How long this address must wait before trying `user`'s account (or an unknown one)
    again; 0 to go ahead."""
    moment, free = now(), free_failures()
    from_address = _failures(moment, AuditEvent.address == address)
    if from_address.count == 0:
        return 0
    wait = from_address.seconds_to_wait(moment, free)
    if user is not None:
        wait = max(
            wait, _failures(moment, AuditEvent.actor_id == user.id).seconds_to_wait(moment, free)
        )
    return wait


def record_failure(address: str | None, user: StaffUser | None, reason: str) -> None:
    """Audit a failed sign-in from `address` (what seconds_to_wait counts); tell the owner when
    their account's failures pass the free ones."""
    event = audit.record("sign_in_failed", actor=user, detail={"reason": reason}, address=address)
    event.created_at = now()
    if user is not None and reason in COUNTED:
        db.session.flush()
        failures = _failures(event.created_at, AuditEvent.actor_id == user.id)
        if failures.count >= free_failures():
            _tell_owner(user, failures.count, event.created_at)
    db.session.commit()


def _tell_owner(user: StaffUser, count: int, moment: datetime) -> None:
    key = f"{OWNER_EMAIL_KIND}:{user.id}:{moment:%Y%m%d%H}"
    if outbox.exists(key):
        return
    base = current_app.config["REPORTER_BASE_URL"].rstrip("/")
    outbox.enqueue(
        key,
        OWNER_EMAIL_KIND,
        [user.email],
        "Failed sign-ins to your LookCloser triage account",
        f"There {'has' if count == 1 else 'have'} been {count} failed "
        f"{'attempt' if count == 1 else 'attempts'} to sign in to your account "
        f"({user.email}) in the last hour.\n\n"
        "If that was you, there is nothing to do. If not, someone may be guessing your "
        "password. They are being slowed down, and you can still sign in as usual from your "
        "own device.\n\n"
        f"To be safe, change your password on your account page: {base}/triage/account\n"
        "and tell an admin.\n",
    )
