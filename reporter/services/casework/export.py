"""Reports as CSV: the queue's filters and scope, streamed in batches, never whole in memory.

What can be exported is exactly what the queue shows the user (`queue_query`, which starts from
`report_scope`). Contact details are left out unless asked for, and only admins and national
staff may ask. Every cell is guarded against formula injection (OWASP "CSV injection"). The
export is audited, and the audit row committed, before the first byte is sent: an export nobody
can see in the log never happens.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from reporter.codes import Role
from reporter.crypto import DataKeyError
from reporter.extensions import db
from reporter.models import Report, StaffUser
from reporter.reference import Reference
from reporter.services.accounts import audit
from reporter.services.casework.queue import QueueFilter, queue_query
from reporter.services.reporting.reports import decrypt_field

log = logging.getLogger(__name__)

COLUMNS = (
    "reference", "created_at", "sector", "signs", "danger", "priority", "status", "region",
    "region_source", "station", "postcode_district", "seen_at", "assigned_to", "authorities",
    "description", "place",
)  # fmt: skip
CONTACT_COLUMNS = ("contact_name", "contact_phone", "contact_email", "consent")
# A subject access export also holds what the person added later (issue 20): each sighting and
# each answer to an officer's question, in order, one cell each kind.
FOLLOW_UP_COLUMNS = ("sightings", "answers")
# Officers work one region's cases through the app; bulk copies of who reported what are for
# the national team and admins only.
CONTACT_ROLES = frozenset({Role.ADMIN, Role.NATIONAL})
BATCH_SIZE = 500  # rows fetched, and sent, at a time
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV as the local code page unless it starts with a byte-order mark; reports
# come in 17 languages.
BYTE_ORDER_MARK = "\ufeff"
UNREADABLE = "(could not be decrypted)"


def may_export_contact(user: StaffUser) -> bool:
    return user.active and user.role in CONTACT_ROLES


def guard_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading quote before a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _moment(value: datetime | None) -> str:
    """Naive UTC from the database as ISO 8601 UTC, to the second: 2026-11-23T14:05:09Z."""
    return f"{value:%Y-%m-%dT%H:%M:%S}Z" if value else ""


def _decrypted(report: Report, name: str) -> str | None:
    """A field that cannot be read (a lost key) is marked, not fatal: the export goes on."""
    try:
        return decrypt_field(report, name)
    except (DataKeyError, InvalidTag):
        log.error("export: %s of %s could not be decrypted", name, report.reference)
        return UNREADABLE


def report_cells(report: Report, contact: bool) -> list[str]:
    """One report as CSV cells, guarded: codes and identifiers, and what the reporter wrote."""
    cells = [
        report.reference,
        _moment(report.created_at),
        report.sector,
        ";".join(sorted(report.sign_ids)),
        "yes" if report.danger else "no",
        report.priority,
        report.status,
        report.queue,  # the region, or "national": what decides who may see the report
        report.region_source,
        report.station_crs or "",
        report.postcode_district or "",
        _moment(report.seen_at),
        report.assigned_to.email if report.assigned_to else "",
        ";".join(report.authorities or ()),
        _decrypted(report, "description") or "",
        _decrypted(report, "place") or "",
    ]
    if contact:
        stored = _decrypted(report, "contact")
        details = json.loads(stored) if stored and stored != UNREADABLE else {}
        cells += [
            details.get("name") or "",
            details.get("phone") or "",
            details.get("email") or "",
            report.consent,
        ]
    return [guard_cell(cell) for cell in cells]


def follow_up_cells(report: Report) -> list[str]:
    """What the reporter added after the report: each sighting (when, where, what is
    different) and each answer, decrypted, in order; guarded."""
    from reporter.services.casework import questions
    from reporter.services.reporting import sightings  # they import the report services

    seen = [
        " / ".join(
            part
            for part in (
                _moment(s.seen_at),
                sightings.text_of(report, s, "postcode") or sightings.text_of(report, s, "place"),
                sightings.text_of(report, s, "details"),
            )
            if part
        )
        for s in sightings.of_report(report)
    ]
    answers = [
        text
        for q in questions.of_report(report)
        if (text := questions.text_of(report, q, "answer")) is not None
    ]
    return [guard_cell(" | ".join(seen)), guard_cell(" | ".join(answers))]


@dataclass(frozen=True)
class Export:
    """A prepared export: the query to stream, whether contact details are in it, and how many
    rows it had when it was audited."""

    query: Select
    contact: bool
    rows: int
    follow_up: bool = False  # subject access: sightings and answers too

    @property
    def header(self) -> tuple[str, ...]:
        columns = COLUMNS + CONTACT_COLUMNS if self.contact else COLUMNS
        return columns + FOLLOW_UP_COLUMNS if self.follow_up else columns

    def chunks(self) -> Iterator[str]:
        """The CSV text, a batch of rows at a time. Uses only the query, never an object from
        the request's session: under a server, the view's session is gone by the time this
        runs."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BYTE_ORDER_MARK)
        writer.writerow(self.header)
        yield buffer.getvalue()
        result = db.session.scalars(self.query.execution_options(yield_per=BATCH_SIZE))
        try:
            for batch in result.partitions():
                buffer.seek(0)
                buffer.truncate()
                writer.writerows(
                    report_cells(report, self.contact)
                    + (follow_up_cells(report) if self.follow_up else [])
                    for report in batch
                )
                yield buffer.getvalue()
        finally:
            result.close()  # a download cut short must not leave a server-side cursor open


def start_export(user: StaffUser, f: QueueFilter, ref: Reference, *, contact: bool) -> Export:
    """Build the export and record it: who, the filters, contact or not, and the row count.
    The audit row is committed here, before anything is sent."""
    if contact and not may_export_contact(user):
        raise PermissionError("contact details may not be exported by this user")
    query = queue_query(user, f, ref).options(selectinload(Report.assigned_to))
    rows = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    audit.record(
        "reports_exported",
        actor=user,
        detail={**f.describe(), "contact": contact, "rows": rows},
    )
    db.session.commit()
    return Export(query=query, contact=contact, rows=rows or 0)
