"""Storing a report. One transaction per report: the report, its signs and, when it is urgent,
the staff alert in the outbox; or nothing."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from reporter.campaign import campaign_data
from reporter.codes import Consent, Priority, RegionSource
from reporter.crypto import DataCipher
from reporter.extensions import db
from reporter.models import Report, ReportSign
from reporter.routing import Decision, Facts
from reporter.services import notify

log = logging.getLogger(__name__)

# No 0/O, 1/I/L, 5/S or 8/B: a reference is read aloud over the phone and copied by hand.
REFERENCE_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
REFERENCE_ATTEMPTS = 5


class StorageError(RuntimeError):
    """The report could not be stored. The reporter must still be told who to call."""


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class NewReport:
    facts: Facts
    consent: str = Consent.ANONYMOUS
    description: str | None = None
    place: str | None = None
    seen_at: datetime | None = None
    contact: Contact = field(default_factory=Contact)
    language: str = "en"
    partner: str | None = None
    partner_id: int | None = None
    site_id: int | None = None
    source: str = "form"
    idempotency_key: str | None = None


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"LC-{chars[:4]}-{chars[4:]}"


def cipher() -> DataCipher:
    return current_app.extensions["reporter_cipher"]


def _build(new: NewReport, decision: Decision, reference: str) -> Report:
    seal = cipher().encrypt
    contact = None
    if new.consent != Consent.ANONYMOUS:
        contact = json.dumps(new.contact.__dict__, ensure_ascii=False)
    facts = new.facts
    return Report(
        reference=reference,
        source=new.source,
        language=new.language,
        partner=new.partner,
        partner_id=new.partner_id,
        site_id=new.site_id,
        sector=facts.sector,
        danger=facts.danger,
        priority=decision.priority,
        region_id=decision.region.id if decision.region else None,
        region_source=decision.region_source,
        queue=decision.queue,
        postcode_district=facts.postcode.split(" ")[0] if facts.postcode else None,
        station_crs=facts.station,
        seen_at=new.seen_at,
        consent=new.consent,
        reporter_young=facts.young,
        authorities=decision.authority_ids,
        postcode_enc=seal(facts.postcode, f"{reference}:postcode"),
        place_enc=seal(new.place, f"{reference}:place"),
        description_enc=seal(new.description, f"{reference}:description"),
        contact_enc=seal(contact, f"{reference}:contact"),
        idempotency_key=new.idempotency_key,
        signs=[ReportSign(sign_id=s) for s in sorted(facts.signs)],
    )


def submit_report(new: NewReport, decision: Decision) -> Report:
    """Store a report with its signs and its alert in one transaction and return it. The
    outbox worker sends the alert: mail that is down never makes a stored report look unsent,
    and the alert is sent when mail returns.

    A report whose idempotency key is already stored (for the same source) is not stored
    again: the report stored first is returned, and its alert is not queued twice."""
    earlier = _stored_under_key(new)
    if earlier is not None:
        return earlier
    for _ in range(REFERENCE_ATTEMPTS):
        report = _build(new, decision, new_reference())
        try:
            db.session.add(report)
            notify.queue_report_alert(report)
            _commit_without_reading_back()
        except IntegrityError as exc:
            db.session.rollback()
            # Another request with the same key won the race: the unique index on
            # (source, idempotency_key) refused this one, so answer with the first.
            earlier = _stored_under_key(new)
            if earlier is not None:
                log.info("report sent again: stored once", extra={"reference": earlier.reference})
                return earlier
            if find_report(report.reference) is None:  # not a reference collision
                log.error("report not stored: %s", type(exc).__name__)
                raise StorageError from exc
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.error("report not stored: %s", type(exc).__name__)
            raise StorageError from exc
        else:
            log.info("report stored", extra={"reference": report.reference})
            return report
    raise StorageError("no free reference")


def _stored_under_key(new: NewReport) -> Report | None:
    if not new.idempotency_key:
        return None
    try:
        return db.session.scalar(
            select(Report).where(
                Report.source == new.source, Report.idempotency_key == new.idempotency_key
            )
        )
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("report not stored: %s", type(exc).__name__)
        raise StorageError from exc


def decision_of(report: Report) -> Decision:
    """The guidance a stored report was given, so a report sent again gets the same answer."""
    ref = campaign_data()
    return Decision(
        region=ref.regions.get(report.region_id) if report.region_id else None,
        region_source=RegionSource(report.region_source),
        queue=report.queue,
        priority=Priority(report.priority),
        authorities=tuple(ref.authorities[a] for a in report.authorities),
        reasons=(),
    )


def _commit_without_reading_back() -> None:
    """Commit, keeping the new report's attributes: they were written from these very values a
    moment ago, and reading them back is two more round trips on the busiest path."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        db.session.commit()
    finally:
        session.expire_on_commit = expire


def find_report(reference: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.reference == reference))


def decrypt_field(report: Report, name: str) -> str | None:
    return cipher().decrypt(getattr(report, f"{name}_enc"), f"{report.reference}:{name}")
