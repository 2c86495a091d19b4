"""Subject access: every report that holds a given email address or phone number.

Contact details are encrypted, so they cannot be searched. Beside them each report keeps a
keyed hash (HMAC-SHA256 under a key derived from the first REPORTER_DATA_KEY key, truncated to
128 bits) of the contact's normalised email and of its normalised phone number. A search hashes
what the admin typed the same way. Each search and each export is audited, without what was
searched for: the log says that someone searched by email and how many reports were found.

Normalising: an email is trimmed and case-folded; a phone number keeps its digits, and a UK
number given as +44 or 0044 is written from its 0 (+44 7700 900123 is 07700 900123).

After the first data key changes (`keys rotate`), or for reports stored before these hashes
existed, `flask --app wsgi triage reindex-search` recomputes them.
"""

from __future__ import annotations

import json
import re

from flask import Flask, current_app
from sqlalchemy import func, or_, select, update

from reporter.crypto import derived_key, keyed_token
from reporter.extensions import db
from reporter.models import Report, StaffUser
from reporter.services.accounts import audit
from reporter.services.transaction import every_report

MIN_PHONE_DIGITS = 6
BATCH = 500


def derive_contact_key(data_key_text: str) -> bytes:
    return derived_key(data_key_text, b"lookcloser contact index v1")


def init_app(app: Flask) -> None:
    app.extensions["reporter_contact_key"] = derive_contact_key(app.config["REPORTER_DATA_KEY"])


def normalise_email(email: str | None) -> str | None:
    text = (email or "").strip().casefold()
    return text if "@" in text else None


def normalise_phone(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("+44") or digits.startswith("0044"):
        digits = "0" + digits.removeprefix("00").removeprefix("44")
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def _hash(kind: str, value: str | None, key: bytes | None = None) -> str | None:
    if value is None:
        return None
    key = key or current_app.extensions["reporter_contact_key"]
    return keyed_token(key, kind, value)


def contact_hashes(contact: dict | None, key: bytes | None = None) -> dict[str, str | None]:
    """The hash columns of a report whose contact is `contact` (name, phone, email)."""
    contact = contact or {}
    return {
        "contact_email_hash": _hash("email", normalise_email(contact.get("email")), key),
        "contact_phone_hash": _hash("phone", normalise_phone(contact.get("phone")), key),
    }


def reindex_contacts() -> int:
    """Recompute every report's hashes from its (decrypted) contact; returns reports done."""
    from reporter.services.reporting.reports import decrypt_field

    key = current_app.extensions["reporter_contact_key"]
    done = 0
    for reports in every_report(BATCH):
        for report in reports:
            stored = decrypt_field(report, "contact")
            hashes = contact_hashes(json.loads(stored) if stored else None, key)
            db.session.execute(update(Report).where(Report.id == report.id).values(**hashes))
        done += len(reports)
        db.session.commit()
    return done


class SubjectAccessError(ValueError):
    """Nothing to search for; the message says what to enter."""


def _matching(email: str | None, phone: str | None):
    email_hash = _hash("email", normalise_email(email)) if email else None
    phone_hash = _hash("phone", normalise_phone(phone)) if phone else None
    if email and email_hash is None:
        raise SubjectAccessError("Enter an email address like name@example.org.")
    if phone and phone_hash is None:
        raise SubjectAccessError("Enter a phone number with at least 6 digits.")
    if email_hash is None and phone_hash is None:
        raise SubjectAccessError("Enter an email address or a phone number.")
    clauses = []
    if email_hash:
        clauses.append(Report.contact_email_hash == email_hash)
    if phone_hash:
        clauses.append(Report.contact_phone_hash == phone_hash)
    return select(Report).where(or_(*clauses)).order_by(Report.created_at, Report.id)


def _what(email: str | None, phone: str | None) -> list[str]:
    return [kind for kind, given in (("email", email), ("phone", phone)) if given]


def find(actor: StaffUser, email: str | None, phone: str | None) -> list[Report]:
    """Every report whose contact holds the email or the phone; audited (never the values)."""
    reports = list(db.session.scalars(_matching(email, phone)))
    audit.record(
        "subject_access_searched",
        actor=actor,
        detail={"by": _what(email, phone), "found": len(reports)},
    )
    db.session.commit()
    return reports


def start_export(actor: StaffUser, email: str | None, phone: str | None):
    """The matching reports as CSV, contact details included; audited before anything is sent."""
    from reporter.services.casework.export import (
        Export,  # export reads reports, which hash with this
    )

    query = _matching(email, phone)
    rows = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    audit.record(
        "subject_access_exported",
        actor=actor,
        detail={"by": _what(email, phone), "rows": rows},
    )
    db.session.commit()
    return Export(query=query, contact=True, rows=rows or 0, follow_up=True)
