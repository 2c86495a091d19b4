"""The reporter's way back to a report: a follow-up code given once, and looking a report up
with its reference and that code.

The code is 16 characters of the reference's alphabet (about 76 bits), shown in four groups of
four. Only its keyed hash is stored (HMAC-SHA256 under a key derived from REPORTER_DATA_KEY; see
hash_code for why not argon2). Looking up does the same work whether the reference exists or
not: a wrong code and an unknown reference get the same answer in the same time. Failed
attempts count against the address and against the reference (follow_up_limits.py); a
reference that fills its allowance is locked for follow-up for a while, whether it exists or
not, and when it exists the staff covering it are told. Neither the code nor the reference
tried is ever logged.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from reporter.codes import Status
from reporter.crypto import derived_keys
from reporter.extensions import db
from reporter.models import Report, ReportEvent
from reporter.services.accounts import audit
from reporter.services.mail import notify, outbox
from reporter.services.reporting import follow_up_limits as limits
from reporter.services.reporting.reports import REFERENCE_ALPHABET, find_report

log = logging.getLogger(__name__)

CODE_LENGTH = 16
CODE_GROUP = 4
LOCKED_EVENT = "follow_up_locked"
LOCKED_ALERT = "follow-up-locked"
KEYED = "hmac-sha256$"  # a stored hash: KEYED, the data key's id, "$", the HMAC in hex
KEY_PURPOSE = b"lookcloser follow-up code v1"
# Codes given before December 2026 were stored as light argon2id hashes (one pass over 2 MiB);
# they are still checked, with this hasher, until their reports are purged.
_legacy = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1)
# The code as given, for the API's document: four groups of four, joined by dashes.
CODE_PATTERN = (
    "^" + "-".join([f"[{REFERENCE_ALPHABET}]{{{CODE_GROUP}}}"] * (CODE_LENGTH // CODE_GROUP)) + "$"
)
_NOT_CODE = re.compile(f"[^{REFERENCE_ALPHABET}]")


def new_code() -> str:
    """A new follow-up code, grouped as it is shown: `7KQD-M3XT-9PRA-CWHN`."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(chars[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(typed: str) -> str:
    """The code as typed, without spaces, dashes or case: `7kqd m3xt...` is `7KQDM3XT...`."""
    return _NOT_CODE.sub("", typed.upper())[: CODE_LENGTH * 2]


def normalise_reference(typed: str) -> str:
    """A reference as typed (`lc 7kqd 9pra`, `7KQD9PRA`) in its stored form `LC-7KQD-9PRA`."""
    chars = re.sub(r"[^0-9A-Z]", "", typed.upper())
    if chars.startswith("LC"):
        chars = chars[2:]
    return f"LC-{chars[:4]}-{chars[4:]}" if len(chars) == 8 else ""


@cache
def _keys(data_key_text: str) -> dict[str, bytes]:
    return dict(derived_keys(data_key_text, KEY_PURPOSE))


def _code_keys() -> dict[str, bytes]:
    """Key id -> the code key derived from that REPORTER_DATA_KEY key, the newest first."""
    return _keys(current_app.config["REPORTER_DATA_KEY"])


def keyed_hash(key_id: str, key: bytes, code: str) -> str:
    digest = hmac.new(key, normalise_code(code).encode(), "sha256").hexdigest()
    return f"{KEYED}{key_id}${digest}"


def hash_code(code: str) -> str:
    """What is stored of a code: its HMAC-SHA256 under the newest key.

    Not argon2, as passwords are: a slow hash is there to make guessing a weak secret from a
    stolen table expensive. This code is 76 random bits, and the key is not in the database:
    the table alone cannot be tested against at all, and whoever also holds REPORTER_DATA_KEY
    can already read every report the codes lead to. argon2 was the busiest write's largest
    cost: it halved the reports a second the API stores (bench/production.py)."""
    key_id, key = next(iter(_code_keys().items()))
    return keyed_hash(key_id, key, code)


@cache
def _dummy_hash() -> str:
    """Checked against when no report has the reference (or its hash is keyed, not argon2), so
    every look-up does one argon2 verification and costs what any other does."""
    return _legacy.hash(new_code())


def code_matches(stored_hash: str | None, code: str) -> bool:
    stored = stored_hash or ""
    legacy = stored.startswith("$argon2")
    right: bool
    try:
        right = _legacy.verify(stored if legacy else _dummy_hash(), normalise_code(code))
    except (VerificationError, InvalidHashError):
        right = False
    if legacy:
        return right
    key_id = stored[len(KEYED) :].split("$", 1)[0]
    key = _code_keys().get(key_id, b"")  # an unknown key (or none) is checked all the same
    return hmac.compare_digest(stored, keyed_hash(key_id, key, code)) and bool(key)


def codes_under_older_keys() -> int:
    """How many live reports hold a follow-up code keyed under one of the older data keys still
    listed: a code is never stored, so it cannot be keyed again, and removing its key ends it."""
    older = list(_code_keys())[1:]
    if not older:
        return 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Report)
            .where(
                or_(*[Report.follow_up_hash.startswith(f"{KEYED}{key_id}$") for key_id in older]),
                Report.content_purged_at.is_(None),
            )
        )
        or 0
    )


def reissue(report: Report) -> str | None:
    """A new code for a report sent again under the same idempotency key: the first answer,
    with the first code, never reached the sender, so the code given last is the one that
    works. None when the database did not answer (the report is stored all the same)."""
    code = new_code()
    try:
        db.session.execute(
            update(Report).where(Report.id == report.id).values(follow_up_hash=hash_code(code))
        )
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("follow-up code not reissued: %s", type(exc).__name__)
        return None
    return code


# Where a report is, in the reporter's words: never who is working on it or what they wrote.
STATUS_WORDS = {
    Status.NEW: _l("Received. The LookCloser team for the area has your report."),
    Status.TRIAGED: _l("Being looked at. A member of the team is working on your report."),
    Status.REFERRED: _l("Passed to the police or the council, who can act on it."),
    Status.CLOSED: _l("Closed. The team has finished its work on your report."),
}


def status_words(report: Report) -> str:
    return str(STATUS_WORDS.get(Status(report.status), STATUS_WORDS[Status.NEW]))


@dataclass(frozen=True)
class LookUp:
    """What a follow-up attempt found: the report, or why not. `retry_after` (seconds) is set
    when the address or the reference has used its allowance of wrong attempts."""

    report: Report | None = None
    retry_after: int | None = None


def look_up(reference: str, code: str, address: str) -> LookUp:
    """The report with this reference, when `code` is its follow-up code; the same answer for
    a wrong code and a reference that does not exist."""
    if wait := limits.address_wait(address):
        return LookUp(retry_after=wait)
    stored = normalise_reference(reference)
    report = find_report(stored) if stored else None
    right = code_matches(report.follow_up_hash if report else None, code)
    key = stored or "malformed"
    if wait := limits.reference_wait(key):
        return LookUp(retry_after=wait)
    if right and report is not None:
        return LookUp(report=report)
    limits.count_failure(address, key)
    if limits.reference_wait(key):
        _locked(report)
    return LookUp()


def _locked(report: Report | None) -> None:
    """A reference has just been locked: the audit log says so, whether a report has it or not
    (one transaction either way, so the time taken does not tell them apart); for a report,
    a line on its timeline, and the staff who would be alerted about it are told, with no
    content and nothing of what was tried."""
    audit.record("follow_up_locked", report=report)
    if report is None:
        db.session.commit()
        return
    event = ReportEvent(report_id=report.id, kind=LOCKED_EVENT)
    db.session.add(event)
    db.session.flush()
    to = [report.assigned_to.email] if report.assigned_to else notify.recipients_for(report)
    if to:
        outbox.enqueue(
            f"{LOCKED_ALERT}:{report.reference}:{event.id}",
            LOCKED_ALERT,
            to,
            f"Follow-up locked for report {report.reference}",
            "Someone gave the wrong follow-up code for this report too many times, so "
            "follow-up is locked for it for a while. It may be the reporter mistyping, or "
            "someone guessing.\n\n"
            f"The report: {notify.report_link(report.reference)}\n\n"
            "This message holds no report content. Do not forward it.",
            report=report,
        )
    db.session.commit()
