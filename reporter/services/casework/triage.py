"""Working on a report: status, referral, assignment, notes, re-routing, and its timeline.

Each action is one transaction: the change, its timeline entry and its audit row commit together.
What staff write (notes, reasons, another agency's reference) is encrypted, bound to the report
and to its timeline entry. Status changes are compare-and-set, so two people acting at once
cannot both move a report from the same state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from reporter.codes import NATIONAL_QUEUE, NATIONAL_QUEUE_LABEL, RegionSource, Status
from reporter.crypto import runtime_cipher
from reporter.extensions import db, rows_changed
from reporter.models import Report, ReportEvent, StaffUser
from reporter.reference import Authority, Reference, Region, Sign, Station
from reporter.routing import Decision, Facts
from reporter.services.accounts import audit
from reporter.services.accounts.access import assignable_staff, can_act
from reporter.services.casework import follow_up_timeline
from reporter.services.reporting.guidance import guidance_for
from reporter.services.reporting.reports import decrypt_field
from reporter.services.transaction import rows_of_report

# The workflow, as data: from each status, where a report may go next. Referring again from
# "referred" records a further referral (police and children's services, say).
TRANSITIONS: dict[str, tuple[Status, ...]] = {
    Status.NEW: (Status.TRIAGED, Status.CLOSED),
    Status.TRIAGED: (Status.REFERRED, Status.CLOSED),
    Status.REFERRED: (Status.REFERRED, Status.CLOSED),
    Status.CLOSED: (),
}
# A closed report brought back (with a reason) is triaged: someone has read it before.
REOPENED_AS = Status.TRIAGED
AGENCIES = {
    "police": "Police (the local force)",
    "btp": "British Transport Police",
    "children-services": "Local council children's services",
    "nrm": "National Referral Mechanism (through a first responder)",
    "helpline": "Modern Slavery & Exploitation Helpline",
}
NOTE_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 1000
AGENCY_REFERENCE_MAX_LENGTH = 64


class WorkflowError(ValueError):
    """The action is not allowed now; the message says why, for the person who tried."""


def _text_context(report: Report, event_id: int) -> str:
    return f"{report.reference}:event:{event_id}"


def add_event(
    report: Report,
    actor: StaffUser,
    kind: str,
    *,
    from_value: str | None = None,
    to_value: str | None = None,
    text: str | None = None,
) -> ReportEvent:
    event = ReportEvent(
        report_id=report.id, actor_id=actor.id, kind=kind, from_value=from_value, to_value=to_value
    )
    db.session.add(event)
    if text is not None:
        db.session.flush()  # the id binds the ciphertext to this entry
        event.text_enc = runtime_cipher().encrypt(text, _text_context(report, event.id))
    return event


def _require_act(actor: StaffUser, report: Report) -> None:
    if not can_act(actor, report):
        raise WorkflowError("You cannot work on this report.")


def clean_text(text: str | None, limit: int, what: str, required: bool = True) -> str | None:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise WorkflowError(f"Enter {what}.")
        return None
    if len(text) > limit:
        raise WorkflowError(f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer.")
    return text


def _move(report: Report, to: Status, *, reopening: bool = False) -> str:
    """Compare-and-set the status; returns the status it had."""
    was = report.status
    allowed = (REOPENED_AS,) if reopening and was == Status.CLOSED else TRANSITIONS.get(was, ())
    if to not in allowed:
        raise WorkflowError(f"A report that is {was} cannot become {to}.")
    if to != was:
        done = rows_changed(
            update(Report)
            .where(Report.id == report.id, Report.status == was)
            .values(status=to)
            .execution_options(synchronize_session=False)
        )
        if done != 1:
            db.session.rollback()
            raise WorkflowError("Someone else changed this report just now. Check it again.")
        set_committed_value(report, "status", to)
    return was


def mark_triaged(report: Report, actor: StaffUser) -> None:
    _require_act(actor, report)
    was = _move(report, Status.TRIAGED)
    add_event(report, actor, "status", from_value=was, to_value=Status.TRIAGED)
    audit.record(
        "status_changed", actor=actor, report=report, detail={"from": was, "to": Status.TRIAGED}
    )
    db.session.commit()


def refer(report: Report, actor: StaffUser, agency: str, their_reference: str | None) -> None:
    _require_act(actor, report)
    if agency not in AGENCIES:
        raise WorkflowError("Choose who the report was referred to.")
    their_reference = clean_text(
        their_reference, AGENCY_REFERENCE_MAX_LENGTH, "their reference", required=False
    )
    was = _move(report, Status.REFERRED)
    add_event(report, actor, "referred", from_value=was, to_value=agency, text=their_reference)
    audit.record(
        "referred",
        actor=actor,
        report=report,
        detail={"from": was, "to": Status.REFERRED, "agency": agency},
    )
    db.session.commit()


def close(report: Report, actor: StaffUser, reason: str | None) -> None:
    _require_act(actor, report)
    reason = clean_text(reason, REASON_MAX_LENGTH, "a reason for closing")
    was = _move(report, Status.CLOSED)
    add_event(report, actor, "status", from_value=was, to_value=Status.CLOSED, text=reason)
    audit.record(
        "status_changed", actor=actor, report=report, detail={"from": was, "to": Status.CLOSED}
    )
    db.session.commit()


def reopen(report: Report, actor: StaffUser, reason: str | None) -> None:
    """Bring a closed report back into the queue, with a reason. A report whose content
    retention removed stays closed: there is nothing left to work on."""
    _require_act(actor, report)
    if report.status != Status.CLOSED:
        raise WorkflowError("Only a closed report can be reopened.")
    if report.content_purged_at is not None:
        raise WorkflowError("What this report said was removed under retention: it stays closed.")
    reason = clean_text(reason, REASON_MAX_LENGTH, "a reason for reopening")
    was = _move(report, REOPENED_AS, reopening=True)
    add_event(report, actor, "reopened", from_value=was, to_value=REOPENED_AS, text=reason)
    audit.record("reopened", actor=actor, report=report, detail={"from": was, "to": REOPENED_AS})
    db.session.commit()


def assign(report: Report, actor: StaffUser, assignee_id: int | None) -> None:
    """Assign to an active officer of the report's region (national staff for the national
    queue), or unassign with None."""
    _require_act(actor, report)
    if report.status == Status.CLOSED:
        raise WorkflowError("A closed report cannot be assigned.")
    if assignee_id is not None and assignee_id not in {u.id for u in assignable_staff(report)}:
        raise WorkflowError("Choose an officer of this report's region.")
    if assignee_id == report.assigned_to_id:
        return
    was = report.assigned_to_id
    report.assigned_to_id = assignee_id
    add_event(
        report,
        actor,
        "assigned",
        from_value=str(was) if was else None,
        to_value=str(assignee_id) if assignee_id else None,
    )
    audit.record("assigned", actor=actor, report=report, detail={"from": was, "to": assignee_id})
    db.session.commit()


def add_note(report: Report, actor: StaffUser, text: str | None) -> None:
    _require_act(actor, report)
    text = clean_text(text, NOTE_MAX_LENGTH, "a note")
    add_event(report, actor, "note", text=text)
    audit.record("note_added", actor=actor, report=report)
    db.session.commit()


def reroute_targets(report: Report, ref: Reference) -> list[tuple[str, str]]:
    """Where a report may be re-routed: every other region, and the national queue."""
    targets = [(r.id, r.name) for r in ref.regions.values()]
    targets.append((NATIONAL_QUEUE, NATIONAL_QUEUE_LABEL))
    return [(code, name) for code, name in targets if code != report.queue]


def reroute(report: Report, actor: StaffUser, queue: str, reason: str | None, ref: Reference):
    """Move a report to another region's queue (or the national one). The assignment is
    dropped: the assignee may not see the new region."""
    _require_act(actor, report)
    if queue not in {code for code, _name in reroute_targets(report, ref)}:
        raise WorkflowError("Choose another region.")
    reason = clean_text(reason, REASON_MAX_LENGTH, "a reason for re-routing")
    was = report.queue
    report.queue = queue
    report.region_id = None if queue == NATIONAL_QUEUE else queue
    report.region_source = RegionSource.STAFF
    report.assigned_to_id = None
    add_event(report, actor, "rerouted", from_value=was, to_value=queue, text=reason)
    audit.record("rerouted", actor=actor, report=report, detail={"from": was, "to": queue})
    db.session.commit()


# --- reading a report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDetail:
    """What the reporter gave, decrypted, and the routing recomputed from it."""

    report: Report
    description: str | None
    place: str | None
    postcode: str | None
    contact: dict | None
    station: Station | None
    signs: list[Sign]
    region: Region | None
    stored_authorities: list[Authority]
    decision: Decision


def report_detail(report: Report, ref: Reference) -> ReportDetail:
    postcode = decrypt_field(report, "postcode")
    place = decrypt_field(report, "place")
    contact_json = decrypt_field(report, "contact")
    facts = Facts(
        sector=report.sector,
        signs=frozenset(report.sign_ids),
        danger=report.danger,
        postcode=postcode,
        station=report.station_crs,
        place=place,
        young=report.reporter_young,
    )
    return ReportDetail(
        report=report,
        description=decrypt_field(report, "description"),
        place=place,
        postcode=postcode,
        contact=json.loads(contact_json) if contact_json else None,
        station=ref.stations.get(report.station_crs) if report.station_crs else None,
        signs=[ref.signs[s] for s in report.sign_ids if s in ref.signs],
        region=ref.regions.get(report.region_id) if report.region_id else None,
        stored_authorities=[ref.authorities[a] for a in report.authorities if a in ref.authorities],
        decision=guidance_for(facts),
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str | None
    summary: str
    text: str | None = None
    text_label: str | None = None


def _queue_name(code: str | None, ref: Reference) -> str:
    if code == NATIONAL_QUEUE:
        return "the national queue"
    return ref.regions[code].name if code in ref.regions else (code or "none")


def _summary(event: ReportEvent, users: dict[int, StaffUser], ref: Reference) -> tuple[str, str]:
    """A sentence for the entry, and what its text is (note, reason, reference)."""
    if event.kind == "status":
        label = "Reason for closing" if event.to_value == Status.CLOSED else ""
        return f"Status changed from {event.from_value} to {event.to_value}", label
    if event.kind == "held":
        return "Legal hold placed: kept past retention until lifted", "Reason"
    if event.kind == "unheld":
        return "Legal hold lifted", "Reason"
    if event.kind == "reopened":
        return "Reopened", "Reason for reopening"
    if event.kind == "referred":
        agency = event.to_value or ""
        return f"Referred to {AGENCIES.get(agency, agency)}", "Their reference"
    if event.kind == "assigned":
        if not event.to_value:
            return "Unassigned", ""
        user = users.get(int(event.to_value))
        return f"Assigned to {user.label if user else 'a former account'}", ""
    if event.kind == "rerouted":
        return (
            f"Re-routed from {_queue_name(event.from_value, ref)} "
            f"to {_queue_name(event.to_value, ref)}",
            "Reason",
        )
    if event.kind == "follow_up_locked":
        return "Follow-up locked for a while: too many wrong follow-up codes for this reference", ""
    return "Note", ""


def timeline(report: Report, ref: Reference) -> list[TimelineEntry]:
    """The report's history, oldest first, starting with its arrival."""
    events = rows_of_report(ReportEvent, report, ReportEvent.created_at)
    assignee_ids = {int(e.to_value) for e in events if e.kind == "assigned" and e.to_value}
    users = (
        {
            u.id: u
            for u in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(assignee_ids)))
        }
        if assignee_ids
        else {}
    )
    entries = [TimelineEntry(at=report.created_at, who=None, summary="Report received")]
    for event in events:
        summary, label = _summary(event, users, ref)
        text = runtime_cipher().decrypt(event.text_enc, _text_context(report, event.id))
        entries.append(
            TimelineEntry(
                at=event.created_at,
                who=event.actor.label if event.actor else None,
                summary=summary,
                text=text,
                text_label=label or None,
            )
        )
    entries += [TimelineEntry(*entry) for entry in follow_up_timeline.entries(report, ref)]
    return sorted(entries, key=lambda entry: entry.at)
