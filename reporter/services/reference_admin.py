"""Which region each police force belongs to, as admins have set it.

reference/regions.toml says where each force sits; an admin may move a force to another region
from the staff side (a `ForceRegion` row per moved force). Routing reads the file with those
moves applied: `effective_reference()`, which reads the moves at most every few seconds per
process. When the database does not answer, routing goes on with the file alone, so a reporter
in danger is still told who to call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from reporter.campaign import campaign_data
from reporter.crypto import runtime_cipher
from reporter.extensions import db
from reporter.models import ForceRegion, StaffUser, utcnow
from reporter.reference import Force, Reference
from reporter.services.accounts import audit

log = logging.getLogger(__name__)

REASON_MAX_LENGTH = 1000
_MEMO = "reporter_reference_effective"

Overrides = tuple[tuple[str, str], ...]  # (force id, region id), sorted by force id


class ReferenceAdminError(ValueError):
    """A move refused; the message is for the admin who tried, `field` the input at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def with_force_regions(ref: Reference, overrides: Iterable[tuple[str, str]]) -> Reference:
    """`ref` with forces moved to other regions. Pure. A move naming a force or region the
    files no longer have is ignored: the files win."""
    forces = dict(ref.forces)
    for force_id, region_id in overrides:
        if force_id in forces and region_id in ref.regions:
            forces[force_id] = replace(forces[force_id], region=region_id)
    return replace(ref, forces=forces)


def _read_overrides() -> Overrides:
    query = select(ForceRegion.force_id, ForceRegion.region_id).order_by(ForceRegion.force_id)
    # Never flush a caller's half-built rows just to read these.
    with db.session.no_autoflush:
        return tuple((force_id, region_id) for force_id, region_id in db.session.execute(query))


@dataclass(frozen=True)
class _Memo:
    base: Reference
    overrides: Overrides
    built: Reference
    read_at: float


def effective_reference() -> Reference:
    """The reference data with admins' moves applied. The moves are read (one small SELECT) at
    most every FORCE_REGIONS_CACHE_SECONDS per process, and the Reference is rebuilt only when
    they change (memoised per process, per app). If the database fails, the file's reference,
    so guidance never depends on storage."""
    base = campaign_data()
    memo = current_app.extensions.get(_MEMO)
    now = time.monotonic()
    fresh_for = current_app.config["FORCE_REGIONS_CACHE_SECONDS"]
    if memo and memo.base is base and now - memo.read_at < fresh_for:
        return memo.built
    try:
        overrides = _read_overrides()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("force regions not read, using the files: %s", type(exc).__name__)
        return base
    if memo and memo.base is base and memo.overrides == overrides:
        built = memo.built
    else:
        built = with_force_regions(base, overrides) if overrides else base
    current_app.extensions[_MEMO] = _Memo(base, overrides, built, now)
    return built


@dataclass(frozen=True)
class ForceRow:
    """One line of the admin page: a force as the reference files give it, the region it is in
    now, and when and why an admin moved it there."""

    force: Force
    region_id: str
    changed_at: datetime | None = None
    reason: str | None = None

    @property
    def moved(self) -> bool:
        return self.region_id != self.force.region


def force_rows() -> list[ForceRow]:
    """Every force with its region now, and the file's region, in the order of the file.
    Reads the database: the admin page must not fall back silently."""
    ref = campaign_data()
    cipher = runtime_cipher()
    moved = {row.force_id: row for row in db.session.scalars(select(ForceRegion))}
    rows = []
    for force in ref.forces.values():
        row = moved.get(force.id)
        rows.append(
            ForceRow(
                force=force,
                region_id=row.region_id if row and row.region_id in ref.regions else force.region,
                changed_at=row.changed_at if row else None,
                reason=cipher.decrypt(row.reason_enc, reason_context(force.id)) if row else None,
            )
        )
    return rows


def reason_context(force_id: str) -> str:
    return f"force-region:{force_id}:reason"


def move_force(force_id: str, region_id: str, actor: StaffUser, reason: str | None) -> bool:
    """Put a police force in another region, for every report routed from now on. Reports
    already stored keep their queue. Moving a force back to the file's region removes the
    override. False when the force is already there. One transaction with its audit row."""
    ref = campaign_data()
    if force_id not in ref.forces:
        raise ReferenceAdminError("Choose a police force.", "force")
    if region_id not in ref.regions:
        raise ReferenceAdminError("Choose a region.", "region")
    reason = " ".join((reason or "").split()) or None
    if reason is None:
        raise ReferenceAdminError("Enter a reason for moving the force.", "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ReferenceAdminError(
            f"The reason must be {REASON_MAX_LENGTH} characters or fewer.", "reason"
        )

    current = with_force_regions(ref, _read_overrides())
    was = current.forces[force_id].region
    if region_id == was:
        return False
    left = [f for f in current.forces.values() if f.region == was and f.id != force_id]
    if not left:
        raise ReferenceAdminError(
            f"{ref.regions[was].name} would have no police force left. "
            "Move another force there first.",
            "region",
        )

    row = db.session.get(ForceRegion, force_id)
    if region_id == ref.forces[force_id].region:
        if row is not None:
            db.session.delete(row)
    else:
        if row is None:
            row = ForceRegion(force_id=force_id)
            db.session.add(row)
        row.region_id = region_id
        row.changed_at = utcnow()
        row.changed_by_id = actor.id
        cipher = runtime_cipher()
        row.reason_enc = cipher.encrypt(reason, reason_context(force_id))
    audit.record(
        "force_moved", actor=actor, detail={"force": force_id, "from": was, "to": region_id}
    )
    db.session.commit()
    current_app.extensions.pop(_MEMO, None)  # this process routes by the move at once
    return True
