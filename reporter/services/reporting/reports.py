"""Storing a report. One transaction per report: the report, its signs and, when it is urgent,
the staff alert in the outbox; or nothing."""

from __future__ import annotations

import json
import logging
import secrets
import typing
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Protocol

from sqlalchemy import String, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from reporter.campaign import campaign_data
from reporter.codes import Consent, Priority, RegionSource, Status
from reporter.crypto import runtime_cipher
from reporter.extensions import db
from reporter.models import OutboxMessage, Report, ReportSearchToken, ReportSign, urgency_of, utcnow
from reporter.reference.stations import StationMatch
from reporter.routing import Decision, Facts
from reporter.services.casework import search
from reporter.services.data_protection import subject_access
from reporter.services.mail import notify, outbox

log = logging.getLogger(__name__)

# No 0/O, 1/I/L, 5/S or 8/B: a reference is read aloud over the phone and copied by hand.
REFERENCE_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
REFERENCE_ATTEMPTS = 5


class Sealed(Protocol):
    """Anything holding a report's reference and some of its encrypted fields (a queue row)."""

    @property
    def reference(self) -> str: ...


class StorageError(RuntimeError):
    """The report could not be stored. The reporter must still be told who to call."""


class KeyReused(ValueError):
    """The idempotency key is stored already, for a report with other answers: the report is
    not stored, and the one stored under the key is never given in its place."""


@dataclass(frozen=True)
class Stored:
    report: Report
    again: bool = False  # stored before, under the same idempotency key and answers


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
    idempotency_key: str | None = None  # scoped to its sender (idempotency.scoped)
    idempotency_fingerprint: str | None = None  # of the answers (idempotency.fingerprint)
    # The station as typed and what it settled on, with the stations to offer (not stored).
    station_match: StationMatch | None = field(default=None, compare=False)


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"LC-{chars[:4]}-{chars[4:]}"


def _build(
    new: NewReport, decision: Decision, reference: str, follow_up_hash: str | None = None
) -> Report:
    seal = runtime_cipher().encrypt
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
        **subject_access.contact_hashes(json.loads(contact) if contact else None),
        idempotency_key=new.idempotency_key,
        idempotency_fingerprint=new.idempotency_fingerprint,
        follow_up_hash=follow_up_hash,
        signs=[ReportSign(sign_id=s) for s in sorted(facts.signs)],
        # The column defaults, set here: the rows are written by hand (_insert).
        created_at=utcnow(),
        status=Status.NEW.value,
        urgency=urgency_of(decision.priority),
    )


def store(new: NewReport, decision: Decision, follow_up_hash: str | None = None) -> Stored:
    """Store a report with its signs, its search tokens and, when it is urgent, the staff alert
    in the outbox: all of them or nothing. The outbox worker sends the alert: mail that is down
    never makes a stored report look unsent, and the alert is sent when mail returns.

    A report whose idempotency key is stored already (for the same source; the key is scoped
    to its sender) is not stored again: with the same answers, the report stored first is
    returned (`again`) and its alert is not queued twice; with other answers, KeyReused.
    `follow_up_hash` is the hash of the follow-up code given to the sender
    (services/reporting/follow_up.py)."""
    for _ in range(REFERENCE_ATTEMPTS):
        report = _build(new, decision, new_reference(), follow_up_hash)
        try:
            rows = _Rows(
                report=_columns(report),
                signs=[sign.sign_id for sign in report.signs],
                tokens=search.tokens_of_new_report(new.place, new.facts.postcode),
                alert=notify.report_alert(report),  # reads who covers the report's region
            )
            report_id = _insert(rows)
        except SQLAlchemyError as exc:
            _rollback()
            log.error("report not stored: %s", type(exc).__name__)
            raise StorageError from exc
        if report_id is not None:
            report.id = report_id
            log.info("report stored", extra={"reference": report.reference})
            return Stored(report)
        # A unique index refused it: this key is stored already (a retry, or a copy that won
        # the race), or, very rarely, the reference is taken and another is drawn.
        earlier = _stored_under_key(new)
        if earlier is not None:
            if earlier.idempotency_fingerprint != new.idempotency_fingerprint:
                log.warning("idempotency key reused for other answers: not stored")
                raise KeyReused
            log.info("report sent again: stored once", extra={"reference": earlier.reference})
            return Stored(earlier, again=True)
    raise StorageError("no free reference")


def _rollback() -> None:
    """Roll back after a failed statement; a connection that is gone cannot even do that."""
    try:
        db.session.rollback()
    except SQLAlchemyError as exc:
        log.warning("rollback failed: %s", type(exc).__name__)


@dataclass(frozen=True)
class _Rows:
    report: dict
    signs: list[str]
    tokens: list[str]
    alert: dict | None


# Declarative models' tables, typed as what they are.
_REPORTS = typing.cast(Table, Report.__table__)
_SIGNS = typing.cast(Table, ReportSign.__table__)
_TOKENS = typing.cast(Table, ReportSearchToken.__table__)
_OUTBOX = typing.cast(Table, OutboxMessage.__table__)


_REPORT_COLUMNS = tuple(column.name for column in _REPORTS.c if column.name != "id")
_ALERT_COLUMNS = tuple(outbox.message_row("", "", [], "", ""))  # the columns an alert sets


def _columns(report: Report) -> dict:
    return {name: getattr(report, name) for name in _REPORT_COLUMNS}


def _insert(rows: _Rows) -> int | None:
    """Insert a report's rows; the report's id, or None when a unique index refused it (and so
    nothing was inserted)."""
    if db.engine.dialect.name == "postgresql":
        return _insert_in_one_statement(rows)
    return _insert_in_one_transaction(rows)


def _insert_in_one_statement(rows: _Rows) -> int | None:
    """PostgreSQL: every row in one statement (data-modifying CTEs), which is atomic on its own,
    on a connection in autocommit: one round trip where the ORM's flush took five (BEGIN, three
    INSERTs, COMMIT), on the busiest write of a campaign day."""
    params = {**rows.report, "signs": rows.signs, "tokens": rows.tokens}
    if rows.alert is not None:
        params.update({f"alert_{name}": value for name, value in rows.alert.items()})
    statement = _statement(with_alert=rows.alert is not None)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params).scalar()


@cache
def _statement(with_alert: bool):
    """The statement, built once per process with a parameter for each value, so SQLAlchemy
    compiles it once and finds it in its cache without walking it again."""
    report = (
        pg_insert(_REPORTS)
        .values({name: bindparam(name) for name in _REPORT_COLUMNS})
        .on_conflict_do_nothing()
        .returning(_REPORTS.c.id)
        .cte("new_report")
    )
    ctes = [
        insert(_SIGNS)
        .from_select(["report_id", "sign_id"], select(report.c.id, _each("signs")))
        .cte("new_signs"),
        insert(_TOKENS)
        .from_select(["report_id", "token"], select(report.c.id, _each("tokens")))
        .cte("new_tokens"),
    ]
    if with_alert:
        columns = [_OUTBOX.c[name] for name in _ALERT_COLUMNS]
        alert = select(*[bindparam(f"alert_{c.name}", type_=c.type) for c in columns], report.c.id)
        ctes.append(
            insert(_OUTBOX)
            .from_select([*[c.name for c in columns], "report_id"], alert)
            .cte("new_alert")
        )
    return select(report.c.id).add_cte(*ctes)


def _each(name: str):
    """One row per value of the list parameter `name`, sent as one array."""
    return func.unnest(bindparam(name, type_=ARRAY(String)), type_=String)


def _insert_in_one_transaction(rows: _Rows) -> int | None:
    """Other databases (SQLite, which has no INSERT in a WITH): the same rows, one INSERT after
    another, in one transaction. It runs on PostgreSQL too (bench/write_path.py measures both
    there: the statement above is worth about a third of a stored report's time)."""
    session = db.session
    dialect_insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    report_id = session.execute(
        dialect_insert(_REPORTS)
        .values(rows.report)
        .on_conflict_do_nothing()
        .returning(_REPORTS.c.id)
    ).scalar()
    if report_id is not None:
        if rows.signs:
            session.execute(
                insert(_SIGNS), [{"report_id": report_id, "sign_id": s} for s in rows.signs]
            )
        if rows.tokens:
            session.execute(
                insert(_TOKENS), [{"report_id": report_id, "token": t} for t in rows.tokens]
            )
        if rows.alert is not None:
            session.execute(insert(_OUTBOX), [{**rows.alert, "report_id": report_id}])
    session.commit()
    return report_id


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
        _rollback()
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


def find_report(reference: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.reference == reference))


def decrypt_field(report: Report | Sealed, name: str) -> str | None:
    """A report's encrypted field `name` (`<name>_enc`), sealed to its reference."""
    return runtime_cipher().decrypt(getattr(report, f"{name}_enc"), f"{report.reference}:{name}")
