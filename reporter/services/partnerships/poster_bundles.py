"""The zip of a partner's posters, built by the outbox worker, never in a web request.

A site costs 12 to 18 ms (posters.py; `make bench` measures it), so 5,000 sites (the
import maximum) take one to two minutes: built in the request, that held a sync web worker past
gunicorn's 30 s timeout, and two clicks held both workers while a report waited. Now an admin's
click only stores a request (`request_bundle`, one INSERT) and the page refreshes until the zip
is ready; the download then sends stored bytes.

The worker (`flask --app wsgi outbox work`) builds one bundle at a time, a slice of
POSTER_BUNDLE_SLICE_SECONDS between sends (`Builder.step`), so an urgent alert never waits
behind a big partner. Claiming is the outbox's: a conditional UPDATE takes a lease that only one
worker can win, renewed after each slice; a worker that dies mid-build leaves its lease to run
out, and another worker starts that bundle again. Two clicks while a bundle is waiting or being
built get the same bundle: it is built once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from reporter.extensions import db, rows_changed
from reporter.models import BundleStatus, Partner, PosterBundle, Site, StaffUser, utcnow
from reporter.services.accounts import audit

log = logging.getLogger(__name__)


class Archive(Protocol):
    """What a zip is written with, a site at a time: drawing the sheets is the staff side's
    (triage/poster_pages.PosterZip), handed in by whoever runs the worker."""

    def add(self, site: Site) -> None: ...

    def finish(self) -> bytes: ...


MakeArchive = Callable[[], Archive]


# --- what the web side does: one short statement each ---------------------------------------


def request_bundle(partner: Partner, actor: StaffUser) -> PosterBundle:
    """A bundle of the partner's posters for the worker to build, and its audit row: the one
    already waiting or being built, if there is one, so that clicking twice builds it once."""
    waiting = db.session.scalar(
        select(PosterBundle)
        .where(PosterBundle.partner_id == partner.id, PosterBundle.status == BundleStatus.PENDING)
        .order_by(PosterBundle.id)
        .limit(1)
    )
    bundle = waiting or PosterBundle(partner_id=partner.id, requested_by_id=actor.id)
    if waiting is None:
        db.session.add(bundle)
    audit.record("posters_requested", actor=actor, detail={"partner_id": partner.id})
    db.session.commit()
    return bundle


def latest_bundle(partner: Partner) -> PosterBundle | None:
    """The partner's newest bundle (waiting, being built, ready or failed), without its bytes."""
    return db.session.scalar(
        select(PosterBundle)
        .where(PosterBundle.partner_id == partner.id)
        .order_by(PosterBundle.id.desc())
        .limit(1)
    )


def ready_zip(partner: Partner, bundle_id: int, actor: StaffUser) -> bytes | None:
    """The bytes of a ready bundle of this partner, the download audited; None when there is no
    such bundle (another partner's, not ready yet, or replaced by a newer one)."""
    data = db.session.scalar(
        select(PosterBundle.data).where(
            PosterBundle.id == bundle_id,
            PosterBundle.partner_id == partner.id,
            PosterBundle.status == BundleStatus.READY,
        )
    )
    if data is not None:
        audit.viewed("posters_downloaded", actor=actor, detail={"partner_id": partner.id})
    return data


# --- what the worker does --------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    partner_id: int
    attempts: int


def _claimable(now: datetime):
    return (PosterBundle.status == BundleStatus.PENDING) & or_(
        PosterBundle.lease_until.is_(None), PosterBundle.lease_until < now
    )


def _lease_until() -> datetime:
    return utcnow() + timedelta(seconds=current_app.config["POSTER_BUNDLE_LEASE_SECONDS"])


def claim(owner: str) -> Claimed | None:
    """Take the oldest bundle waiting (or left by a worker that died) for `owner`. Commits."""
    for _ in range(3):  # another worker may win a candidate; then try the next one
        now = utcnow()
        candidate = db.session.execute(
            select(PosterBundle.id, PosterBundle.partner_id, PosterBundle.attempts)
            .where(_claimable(now))
            .order_by(PosterBundle.requested_at, PosterBundle.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            db.session.commit()
            return None
        won = rows_changed(
            update(PosterBundle)
            .where(PosterBundle.id == candidate.id, _claimable(now))
            .values(
                lease_owner=owner,
                lease_until=_lease_until(),
                attempts=PosterBundle.attempts + 1,
                started_at=now,
                done=0,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if won == 1:
            return Claimed(candidate.id, candidate.partner_id, candidate.attempts + 1)
    return None


def _record(claimed: Claimed, owner: str, **values) -> bool:
    """Change the bundle only while `owner` still holds its lease. Commits."""
    done = rows_changed(
        update(PosterBundle)
        .where(PosterBundle.id == claimed.id, PosterBundle.lease_owner == owner)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return done == 1


def _live_sites(partner_id: int) -> list[Site]:
    """The partner's live sites, loaded whole and detached from the session: the build runs
    across the worker's other transactions (its sends commit, which would expire them)."""
    sites = list(
        db.session.scalars(
            select(Site)
            .where(Site.partner_id == partner_id, Site.active.is_(True))
            .order_by(Site.label)
            .execution_options(populate_existing=True)
        )
    )
    for site in sites:
        db.session.expunge(site)
    if sites:
        db.session.expunge(sites[0].partner)
    db.session.commit()
    return sites


def build(claimed: Claimed, owner: str, make_archive: MakeArchive) -> Iterator[int]:
    """Build a claimed bundle, yielding the number of sites done after each one; store it ready
    at the end and drop the partner's older finished bundles."""
    sites = _live_sites(claimed.partner_id)
    if not _record(claimed, owner, sites=len(sites)):
        return
    archive = make_archive()
    base = current_app.config["REPORTER_BASE_URL"]
    for done, site in enumerate(sites, start=1):
        # Posters are drawn with the page templates, which read the request's locale.
        with current_app.test_request_context("/", base_url=base):
            archive.add(site)
        yield done
    data = archive.finish()
    stored = _record(
        claimed,
        owner,
        status=BundleStatus.READY,
        data=data,
        size=len(data),
        done=len(sites),
        finished_at=utcnow(),
        lease_owner=None,
        lease_until=None,
    )
    if stored:
        db.session.execute(
            delete(PosterBundle).where(
                PosterBundle.partner_id == claimed.partner_id,
                PosterBundle.id < claimed.id,
                PosterBundle.status != BundleStatus.PENDING,
            )
        )
        db.session.commit()
        log.info("poster bundle %s ready: %s sites, %s bytes", claimed.id, len(sites), len(data))


class Builder:
    """The worker's bundle, built a slice at a time between sends: `step()` claims a bundle if
    none is in hand, builds for up to POSTER_BUNDLE_SLICE_SECONDS, records the progress and
    renews the lease. True while there is more to build at once."""

    def __init__(self, owner: str, make_archive: MakeArchive) -> None:
        self.owner = owner
        self.make_archive = make_archive
        self.claimed: Claimed | None = None
        self.steps: Iterator[int] | None = None

    def step(self) -> bool:
        config = current_app.config
        if self.steps is None and not self._start(config["POSTER_BUNDLE_MAX_ATTEMPTS"]):
            return False
        assert self.claimed is not None and self.steps is not None
        deadline = time.monotonic() + config["POSTER_BUNDLE_SLICE_SECONDS"]
        try:
            for done in self.steps:
                if time.monotonic() >= deadline:
                    if not _record(self.claimed, self.owner, done=done, lease_until=_lease_until()):
                        log.warning("poster bundle %s: lease lost, left", self.claimed.id)
                        self._drop()
                    return True
        except SQLAlchemyError:
            self._drop()  # the database failed: the lease runs out and it is built again
            raise
        except Exception as exc:  # a bundle that cannot be built must not stop the worker
            log.error("poster bundle %s failed: %s", self.claimed.id, type(exc).__name__)
            db.session.rollback()
            self._fail(type(exc).__name__)
            return True
        self._drop()  # built and stored
        return True

    def _start(self, max_attempts: int) -> bool:
        while (claimed := claim(self.owner)) is not None:
            self.claimed = claimed
            if claimed.attempts <= max_attempts:
                self.steps = build(claimed, self.owner, self.make_archive)
                return True
            log.error("poster bundle %s given up: its build kept stopping", claimed.id)
            self._fail("GaveUp")
        return False

    def _fail(self, error: str) -> None:
        assert self.claimed is not None
        _record(
            self.claimed,
            self.owner,
            status=BundleStatus.FAILED,
            last_error=error[:64],
            finished_at=utcnow(),
            lease_owner=None,
            lease_until=None,
        )
        self._drop()

    def _drop(self) -> None:
        self.claimed, self.steps = None, None


def build_due(owner: str, make_archive: MakeArchive) -> int:
    """Build every bundle waiting now, to the end (tests, and `outbox work --once`). Returns
    how many were finished: stored ready, or failed."""
    builder = Builder(owner, make_archive)
    claimed = 0
    while builder.step():
        claimed += builder.claimed is None  # a bundle just finished (or failed)
    return claimed
