""" "I saw them again": a reporter's later sighting of the young people of a report.

A sighting is stored once per idempotency key (the phone's retry or its outbox sends it again).
Its place is kept as codes for hotspots and in full, encrypted, for the officer. A sighting with
a child in danger now is urgent, as a new urgent report is: the report becomes urgent and the
staff who would be alerted about it are alerted in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from reporter.codes import Priority
from reporter.crypto import runtime_cipher
from reporter.extensions import db
from reporter.models import Report, Sighting, utcnow
from reporter.reference import Reference
from reporter.reference.stations import StationMatch
from reporter.routing import Facts
from reporter.services.mail import notify, outbox
from reporter.services.reporting import idempotency
from reporter.services.reporting.reports import decrypt_field
from reporter.services.transaction import rows_of_report

log = logging.getLogger(__name__)
SEEN_AGAIN_ALERT = "seen-again"
FIELDS = ("postcode", "place", "details")


@dataclass(frozen=True)
class NewSighting:
    danger: bool
    seen_at: datetime | None = None
    same_place: bool = False
    postcode: str | None = None  # normalised (intake.check_postcode)
    station: StationMatch | None = None
    details: str | None = None
    idempotency_key: str | None = None

    @property
    def place(self) -> str | None:
        """A station name that settled on no station is kept as the place, as in a report."""
        if self.station is not None and self.station.station is None:
            return self.station.typed
        return None


def _context(report: Report, sighting: Sighting, name: str) -> str:
    return f"{report.reference}:sighting:{sighting.id}:{name}"


def text_of(report: Report, sighting: Sighting, name: str) -> str | None:
    return runtime_cipher().decrypt(
        getattr(sighting, f"{name}_enc"), _context(report, sighting, name)
    )


def _stored_under(key: str | None) -> Sighting | None:
    if not key:
        return None
    return db.session.scalar(select(Sighting).where(Sighting.idempotency_key == key))


def record(report: Report, new: NewSighting) -> tuple[Sighting, bool]:
    """Store the sighting (or find it, sent before under the same key): (sighting, again).
    The phone's key is bound to the report, so a key used for another report is another."""
    if new.idempotency_key:
        new = replace(
            new, idempotency_key=idempotency.scoped(new.idempotency_key, report.reference, "seen")
        )
    if (earlier := _stored_under(new.idempotency_key)) is not None:
        return earlier, True
    crs = new.station.station.crs if new.station and new.station.station else None
    sighting = Sighting(
        report_id=report.id,
        created_at=utcnow(),
        seen_at=new.seen_at,
        danger=new.danger,
        same_place=new.same_place,
        station_crs=crs or (report.station_crs if new.same_place else None),
        postcode_district=(
            new.postcode.split(" ")[0]
            if new.postcode
            else (report.postcode_district if new.same_place else None)
        ),
        idempotency_key=new.idempotency_key,
    )
    db.session.add(sighting)
    try:
        db.session.flush()  # the id binds the ciphertexts to this sighting
    except IntegrityError:
        db.session.rollback()  # the same key won a race: that copy is the sighting
        earlier = _stored_under(new.idempotency_key)
        if earlier is None:
            raise
        return earlier, True
    values = {"postcode": new.postcode, "place": new.place, "details": new.details}
    for name, value in values.items():
        setattr(
            sighting,
            f"{name}_enc",
            runtime_cipher().encrypt(value, _context(report, sighting, name)),
        )
    if new.danger:
        _urgent(report, sighting)
    db.session.commit()
    log.info("sighting stored", extra={"reference": report.reference})
    return sighting, False


def facts(report: Report, sighting: Sighting, new: NewSighting) -> Facts:
    """What the guidance for a sighting is worked out from: where it was seen, and "the same
    place" is the report's own (its station, its postcode, and the region it was routed to)."""
    postcode = new.postcode
    if sighting.same_place and not postcode:
        postcode = decrypt_field(report, "postcode")
    return Facts(
        sector=report.sector,
        danger=sighting.danger,
        postcode=postcode,
        station=sighting.station_crs,
        site_region=report.region_id if sighting.same_place else None,
    )


def _urgent(report: Report, sighting: Sighting) -> None:
    """A child in danger now: the report goes to the top of the queue and staff are alerted,
    with no content, as for a new urgent report."""
    report.priority = Priority.URGENT
    to = set(notify.recipients_for(report))
    if report.assigned_to is not None and report.assigned_to.active:
        to.add(report.assigned_to.email)
    if not to:
        log.warning("urgent sighting on %s: no active staff to alert", report.reference)
        return
    outbox.enqueue(
        f"{SEEN_AGAIN_ALERT}:{report.reference}:{sighting.id}",
        notify.URGENT_ALERT,
        sorted(to),
        f"URGENT: report {report.reference} seen again, child in danger now",
        "The reporter saw the young people of this report again and said a child is in "
        "danger right now.\n\n"
        f"Read it after signing in: {notify.report_link(report.reference)}\n\n"
        "This message holds no report content. Do not forward it.",
        report=report,
    )


def of_report(report: Report) -> list[Sighting]:
    return rows_of_report(Sighting, report, Sighting.created_at)


def where(report: Report, sighting: Sighting, ref: Reference) -> str:
    """Where it was, in a few words for staff."""
    parts = []
    if sighting.same_place:
        parts.append("the same place as the report")
    if sighting.station_crs and not sighting.same_place:
        station = ref.stations.get(sighting.station_crs)
        parts.append(
            f"{station.name} ({sighting.station_crs})" if station else sighting.station_crs
        )
    postcode = text_of(report, sighting, "postcode")
    if postcode:
        parts.append(postcode)
    place = text_of(report, sighting, "place")
    if place:
        parts.append(place)
    return ", ".join(parts) or "not given"


def counts(report_ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """For a page of the queue: each report's sightings, how many and the latest."""
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(Sighting.report_id, func.count(), func.max(Sighting.created_at))
        .where(Sighting.report_id.in_(report_ids))
        .group_by(Sighting.report_id)
    )
    return {report_id: (n, latest) for report_id, n, latest in rows}
