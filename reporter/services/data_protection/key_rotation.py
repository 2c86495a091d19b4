"""Key rotation: re-encrypt everything under the newest REPORTER_DATA_KEY key.

To rotate, put a new key first in REPORTER_DATA_KEY (`flask --app wsgi keys new` makes one),
keep the old ones after it, restart, then run `flask --app wsgi keys rotate`. It works in
batches, one transaction each, and says how far it has got. It is resumable: a ciphertext names
its key in bytes 1-4, so each run picks only what is not yet under the newest key, and a run
that stopped half way (a deploy, a lost connection) is simply run again. Once it reports nothing
left, the old keys can be removed from REPORTER_DATA_KEY.

A report's search tokens and contact hashes are keyed by the first key too: they are rebuilt
in the same transaction as the report's ciphertexts, so search and subject access keep working
while a rotation runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, Row, and_, delete, func, insert, or_, select, update

from reporter.crypto import runtime_cipher
from reporter.extensions import db
from reporter.models import ForceRegion, Report, ReportEvent, ReportSearchToken, StaffUser
from reporter.models_follow_up import OfficerQuestion, Sighting
from reporter.services.accounts import audit
from reporter.services.casework import search
from reporter.services.data_protection import subject_access
from reporter.services.reference_admin import reason_context

REPORT_FIELDS = ("postcode", "place", "description", "contact")
BATCH = 500

Progress = Callable[[str, int, int], None]  # (what, done so far, total at the start)
Context = Callable[[Row, str], str]  # (row, field) -> what the field's ciphertext is sealed to


def _not_newest(column, key_id: bytes):
    """SQL: a ciphertext is there and is not under the newest key."""
    return and_(column.is_not(None), func.substr(column, 2, 4) != key_id)


@dataclass(frozen=True)
class Step:
    what: str
    pending: ColumnElement[bool]
    run: Callable[[int, int], tuple[int, int]]  # (after id, batch) -> (rows done, last id)


def _reports_pending(key_id: bytes):
    return or_(*(_not_newest(getattr(Report, f"{f}_enc"), key_id) for f in REPORT_FIELDS))


def _rotate_reports(after: int, batch: int) -> tuple[int, int]:
    cipher = runtime_cipher()
    key_id = cipher.current_key_id
    search_key = current_app.extensions["reporter_search_key"]
    columns = [getattr(Report, f"{f}_enc") for f in REPORT_FIELDS]
    rows = db.session.execute(
        select(Report.id, Report.reference, *columns)
        .where(_reports_pending(key_id), Report.id > after)
        .order_by(Report.id)
        .limit(batch)
    ).all()
    if not rows:
        return 0, after
    changes, tokens = [], []
    for row in rows:
        texts = {
            f: cipher.decrypt(getattr(row, f"{f}_enc"), f"{row.reference}:{f}")
            for f in REPORT_FIELDS
        }
        values: dict = {"id": row.id}
        for f in REPORT_FIELDS:
            values[f"{f}_enc"] = cipher.reseal(getattr(row, f"{f}_enc"), f"{row.reference}:{f}")
        contact = json.loads(texts["contact"]) if texts["contact"] else None
        values.update(subject_access.contact_hashes(contact))
        changes.append(values)
        found = search.tokens_for(texts["place"], texts["postcode"], search_key)
        tokens += [{"token": t, "report_id": row.id} for t in sorted(found)]
    ids = [row.id for row in rows]
    db.session.execute(update(Report), changes)
    db.session.execute(delete(ReportSearchToken).where(ReportSearchToken.report_id.in_(ids)))
    if tokens:
        db.session.execute(insert(ReportSearchToken), tokens)
    return len(rows), rows[-1].id


def _rotate_events(after: int, batch: int) -> tuple[int, int]:
    def context(row: Row, _field: str) -> str:
        return f"{row.reference}:event:{row.id}"

    return _rotate_rows(ReportEvent, ("text",), context, after, batch)


def _rotate_staff(after: int, batch: int) -> tuple[int, int]:
    def context(row: Row, _field: str) -> str:
        return f"staff:{row.id}:totp"

    return _rotate_rows(StaffUser, ("totp_secret",), context, after, batch, of_report=False)


# The follow-up's sealed fields (services/reporting/sightings.py, services/casework/questions.py),
# each sealed to "<reference>:<kind>:<id>:<field>".
SIGHTING_FIELDS = ("postcode", "place", "details")
QUESTION_FIELDS = ("question", "answer")


def _any_not_newest(model, fields: tuple[str, ...], key_id: bytes) -> ColumnElement[bool]:
    return or_(*(_not_newest(getattr(model, f"{f}_enc"), key_id) for f in fields))


def _rotate_rows(
    model,
    fields: tuple[str, ...],
    context: Context,
    after: int,
    batch: int,
    *,
    of_report: bool = True,
) -> tuple[int, int]:
    """A batch of rows (timeline entries, sightings, questions: rows of a report, whose
    reference the row then carries; or staff) under the newest key, each field sealed to
    `context(row, field)`."""
    cipher = runtime_cipher()
    columns = [getattr(model, f"{f}_enc") for f in fields]
    query = select(model.id, *([Report.reference] if of_report else []), *columns)
    if of_report:
        query = query.join(Report, Report.id == model.report_id)
    rows = db.session.execute(
        query.where(_any_not_newest(model, fields, cipher.current_key_id), model.id > after)
        .order_by(model.id)
        .limit(batch)
    ).all()
    if not rows:
        return 0, after
    changes = [
        {"id": r.id}
        | {f"{f}_enc": cipher.reseal(getattr(r, f"{f}_enc"), context(r, f)) for f in fields}
        for r in rows
    ]
    db.session.execute(update(model), changes)
    return len(rows), rows[-1].id


def _follow_up_context(kind: str) -> Context:
    return lambda row, field: f"{row.reference}:{kind}:{row.id}:{field}"


def _rotate_sightings(after: int, batch: int) -> tuple[int, int]:
    context = _follow_up_context("sighting")
    return _rotate_rows(Sighting, SIGHTING_FIELDS, context, after, batch)


def _rotate_questions(after: int, batch: int) -> tuple[int, int]:
    context = _follow_up_context("question")
    return _rotate_rows(OfficerQuestion, QUESTION_FIELDS, context, after, batch)


def _rotate_force_reasons(_after: int, _batch: int) -> tuple[int, int]:
    """A few rows at most (one per moved police force): one batch."""
    cipher = runtime_cipher()
    rows = db.session.scalars(
        select(ForceRegion).where(_not_newest(ForceRegion.reason_enc, cipher.current_key_id))
    ).all()
    for row in rows:
        row.reason_enc = cipher.reseal(row.reason_enc, reason_context(row.force_id))
    return len(rows), 0


def steps() -> list[Step]:
    key_id = runtime_cipher().current_key_id
    return [
        Step("reports", _reports_pending(key_id), _rotate_reports),
        Step("timeline entries", _not_newest(ReportEvent.text_enc, key_id), _rotate_events),
        Step("second factors", _not_newest(StaffUser.totp_secret_enc, key_id), _rotate_staff),
        Step(
            "force moves",
            _not_newest(ForceRegion.reason_enc, key_id),
            _rotate_force_reasons,
        ),
        Step("sightings", _any_not_newest(Sighting, SIGHTING_FIELDS, key_id), _rotate_sightings),
        Step(
            "questions and answers",
            _any_not_newest(OfficerQuestion, QUESTION_FIELDS, key_id),
            _rotate_questions,
        ),
    ]


def _table(step: Step):
    return {
        "reports": Report,
        "timeline entries": ReportEvent,
        "second factors": StaffUser,
        "force moves": ForceRegion,
        "sightings": Sighting,
        "questions and answers": OfficerQuestion,
    }[step.what]


def pending() -> dict[str, int]:
    """How many rows of each kind still hold a ciphertext under an older key."""
    return {
        step.what: db.session.scalar(
            select(func.count()).select_from(_table(step)).where(step.pending)
        )
        or 0
        for step in steps()
    }


def rotate(batch: int = BATCH, progress: Progress | None = None) -> dict[str, int]:
    """Re-encrypt, a batch per transaction, whatever is not under the newest key. Returns how
    many rows of each kind were rotated; audited once at the end."""
    totals = pending()
    done: dict[str, int] = {}
    for step in steps():
        count, after = 0, 0
        while True:
            rows, after = step.run(after, batch)
            db.session.commit()
            if not rows:
                break
            count += rows
            if progress:
                progress(step.what, count, totals[step.what])
        done[step.what] = count
    audit.record("keys_rotated", detail={k.replace(" ", "_"): v for k, v in done.items()})
    db.session.commit()
    return done
