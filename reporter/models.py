"""Database models (SQLAlchemy 2, typed). Free text, contact details and the full postcode are
stored encrypted (see crypto.py): a raw read of the database shows only ciphertext. So are staff
notes, referral references, close and re-route reasons, and staff TOTP secrets."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from reporter.codes import OPEN_STATUSES, Priority, Role, Status, sql_in
from reporter.extensions import Base, db

# Flask-SQLAlchemy makes db.Model at run time from our declarative Base; the type checker sees
# the Base it is built from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    """Now in UTC, without tzinfo: every time is stored as naive UTC on every database."""
    return datetime.now(UTC).replace(tzinfo=None)


# The queue sorts by urgency, then newest: a number, so one index can serve the sort.
URGENCY = {priority.value: priority.urgency for priority in Priority}
# The predicate of the partial indexes on open reports; queries for open reports use it verbatim.
OPEN_REPORTS = sql_in("status", OPEN_STATUSES)


def staff_label(name: str | None, email: str | None) -> str | None:
    """How a member of staff is shown: "Name (email)", or the email alone."""
    return f"{name} ({email})" if name else email


def urgency_of(priority: str | None) -> int:
    return URGENCY.get(priority or "", 0)


def _urgency_of_row(context) -> int:
    return urgency_of(context.get_current_parameters().get("priority"))


class Report(Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(8))  # form or api
    language: Mapped[str] = mapped_column(String(8))
    partner: Mapped[str | None] = mapped_column(String(64))  # the partner's name when sent
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    sector: Mapped[str] = mapped_column(String(32))
    danger: Mapped[bool]
    priority: Mapped[str] = mapped_column(String(8))  # a Priority
    status: Mapped[str] = mapped_column(String(16), default=Status.NEW.value)
    region_id: Mapped[str | None] = mapped_column(String(32))
    region_source: Mapped[str] = mapped_column(String(16))  # a RegionSource
    queue: Mapped[str] = mapped_column(String(32))
    postcode_district: Mapped[str | None] = mapped_column(String(4))
    station_crs: Mapped[str | None] = mapped_column(String(3))
    seen_at: Mapped[datetime | None]
    consent: Mapped[str] = mapped_column(String(16))  # a Consent
    reporter_young: Mapped[bool] = mapped_column(default=False)
    authorities: Mapped[list[str]] = mapped_column(JSON)
    postcode_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    place_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    description_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Keyed hashes (HMAC) of the contact's normalised email and phone, beside the encrypted
    # contact: an admin answering a subject access request finds every report holding one
    # (services/data_protection/subject_access.py) without either being stored in clear.
    contact_email_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    contact_phone_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    urgency: Mapped[int] = mapped_column(SmallInteger, default=_urgency_of_row)
    # Set when retention removed what the reporter and staff wrote; the codes stay for trends.
    content_purged_at: Mapped[datetime | None]
    # A legal hold (services/data_protection/holds.py): while set, retention keeps the content,
    # however long ago the report was closed. Who placed it and why are on its timeline and in the
    # audit log.
    legal_hold_since: Mapped[datetime | None]
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    # Chosen by the sender (the phone for the form, the partner's app for the API): a report
    # sent again with the same key, even at the same moment, is stored once
    # (services/reporting/reports). Scoped to its sender and source
    # (services/reporting/idempotency.py), with a keyed hash of the answers it was sent with: the
    # same key with other answers is refused, never answered.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # The keyed hash of the follow-up code the reporter was given (argon2id for codes given
    # before December 2026; services/reporting/follow_up.py): the code itself is shown once and
    # never stored.
    follow_up_hash: Mapped[str | None] = mapped_column(String(128))

    assigned_to: Mapped[StaffUser | None] = relationship()
    site: Mapped[Site | None] = relationship()
    signs: Mapped[list[ReportSign]] = relationship(
        back_populates="report", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        Index("ix_reports_queue_created", "queue", "created_at"),
        Index("ix_reports_district_created", "postcode_district", "created_at"),
        Index("ix_reports_station_created", "station_crs", "created_at"),
        Index("ix_reports_site_created", "site_id", "created_at"),
        Index("uq_reports_source_idempotency_key", "source", "idempotency_key", unique=True),
        # The triage queue: one region, most urgent then newest (keyset on the last three).
        Index("ix_reports_queue_urgency_created", "queue", "urgency", "created_at", "id"),
        # The same across every region, for national staff.
        Index("ix_reports_urgency_created", "urgency", "created_at", "id"),
        # The default view holds open reports only: a few thousand among millions. Without
        # these, a page of open reports scans past every closed report of higher urgency.
        Index(
            "ix_reports_open_queue_urgency_created",
            "queue",
            "urgency",
            "created_at",
            "id",
            postgresql_where=text(OPEN_REPORTS),
            sqlite_where=text(OPEN_REPORTS),
        ),
        Index(
            "ix_reports_open_urgency_created",
            "urgency",
            "created_at",
            "id",
            postgresql_where=text(OPEN_REPORTS),
            sqlite_where=text(OPEN_REPORTS),
        ),
    )

    @validates("priority")
    def _keep_urgency(self, _key: str, value: str) -> str:
        self.urgency = URGENCY.get(value, 0)
        return value

    @property
    def sign_ids(self) -> list[str]:
        return [s.sign_id for s in self.signs]


class ReportSign(Model):
    """One ticked sign of a report: a row each, so staff can count and filter by sign."""

    __tablename__ = "report_signs"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    sign_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    report: Mapped[Report] = relationship(back_populates="signs")


class StaffUser(Model):
    """A member of the programme's staff who signs in at /triage."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # always lower case
    name: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    role: Mapped[str] = mapped_column(String(16))  # a Role
    active: Mapped[bool] = mapped_column(default=True)
    totp_required: Mapped[bool] = mapped_column(default=False)
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None]  # a code is accepted once: never a step at or before this
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # A one-time set-up link that an admin hands over (services/accounts/enrolment.py): only the
    # SHA-256 of its token is stored, and it works once, until it expires.
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    setup_expires_at: Mapped[datetime | None]

    region_links: Mapped[list[StaffRegion]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StaffRegion.region_id"
    )

    __table_args__ = (CheckConstraint(sql_in("role", tuple(Role)), name="role"),)

    @property
    def region_ids(self) -> list[str]:
        return [link.region_id for link in self.region_links]

    @property
    def label(self) -> str:
        return staff_label(self.name, self.email) or self.email


class StaffRegion(Model):
    """A region an officer covers: an officer may cover more than one."""

    __tablename__ = "staff_regions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class StaffSession(Model):
    """A signed-in session. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of this table cannot be replayed. A row ends when revoked or timed out."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[StaffUser] = relationship(lazy="joined")


class ReportEvent(Model):
    """One entry of a report's timeline: a status change, referral, assignment, note or re-route.
    `from_value`/`to_value` hold codes (a status, a region id, an agency id, a user id); what staff
    wrote (a note, a reason, another agency's reference) is in `text_enc`, encrypted."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    from_value: Mapped[str | None] = mapped_column(String(64))
    to_value: Mapped[str | None] = mapped_column(String(64))
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    actor: Mapped[StaffUser | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_report_events_report_created", "report_id", "created_at"),)


class ReportSearchToken(Model):
    """Blind index over encrypted text: a keyed hash (HMAC-SHA256) of each normalised word of the
    place and of the full postcode. Staff can search without the text being stored in clear."""

    __tablename__ = "report_search_tokens"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AuditEvent(Model):
    """Who did what, when, to which report: never what a report says. Append-only: no route edits
    it and database triggers (migration 0002) refuse UPDATE and DELETE. No foreign keys, so a row
    outlives the account and report it names, and nothing cascades into it."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None]
    actor_email: Mapped[str | None] = mapped_column(String(254))
    report_id: Mapped[int | None]
    report_reference: Mapped[str | None] = mapped_column(String(12))
    subject_user_id: Mapped[int | None]
    address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_events_action_id", "action", "id"),
        Index("ix_audit_events_actor_id", "actor_id", "id"),
        Index("ix_audit_events_report_id", "report_id", "id"),
        # Sign-in throttling counts recent failures per address and per account (services/
        # throttle.py).
        Index("ix_audit_events_action_address_created", "action", "address", "created_at"),
        Index("ix_audit_events_action_actor_created", "action", "actor_id", "created_at"),
    )


class ForceRegion(Model):
    """An admin's override of the region a police force belongs to (reference/regions.toml).
    A row exists only while the force sits somewhere other than the file says; routing reads
    the file with these applied (services/reference_admin.py). The audit log keeps the codes of
    every move; the admin's reason is kept here, encrypted, while the move stands."""

    __tablename__ = "force_regions"

    force_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    region_id: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # why: staff's words, encrypted


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent, or to be tried again at next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # gave up after OUTBOX_MAX_ATTEMPTS; `flask outbox retry-failed` re-queues


class OutboxMessage(Model):
    """An email to staff, written in the same transaction as what it is about (an urgent report,
    the daily summary) and sent by the outbox worker (services/mail/outbox.py). A worker claims a
    message by setting the lease; the result is kept: when it was sent, how many attempts, and
    the type of the last error (never its text, which may quote the message)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One message per thing: `alert:<reference>`, `summary:<date>:<user id>`.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default=OutboxStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(64))

    report: Mapped[Report | None] = relationship()

    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)


class Partner(Model):
    """An employer that brings the campaign to its staff: a delivery company, a train operator,
    a hotel chain. Its staff reach the form through the entry links of its sites."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sector: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    # Who the programme talks to at the partner (a name, an email): not report content.
    contact: Mapped[str | None] = mapped_column(String(200))
    # Where reports through a site with no place of its own go, when nothing else says.
    region_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

    sites: Mapped[list[Site]] = relationship(
        back_populates="partner", order_by="Site.label", cascade="all, delete-orphan"
    )


class Site(Model):
    """A place where a partner's staff scan its code: a station (CRS code), a fixed place
    (postcode) or "anywhere" for mobile staff. `code` is its entry link, /p/<code>."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(8), unique=True)
    station_crs: Mapped[str | None] = mapped_column(String(3))
    postcode: Mapped[str | None] = mapped_column(String(8))  # a workplace's, never a person's
    sector: Mapped[str | None] = mapped_column(String(32))  # None: the partner's sector
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship(back_populates="sites", lazy="joined")

    __table_args__ = (
        Index("uq_sites_partner_label", "partner_id", "label", unique=True),
        CheckConstraint("NOT (station_crs IS NOT NULL AND postcode IS NOT NULL)", name="one_place"),
    )

    @property
    def kind(self) -> str:
        return "station" if self.station_crs else "postcode" if self.postcode else "anywhere"

    @property
    def sector_id(self) -> str:
        return self.sector or self.partner.sector

    @property
    def live(self) -> bool:
        """Its link opens the form set for it: neither the site nor its partner is retired."""
        return self.active and self.partner.active


class EntryScan(Model):
    """How many times a site's entry link was opened in a UK week (Monday). Nothing about who
    opened it: no address, no device, no cookie."""

    __tablename__ = "entry_scans"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[date] = mapped_column(primary_key=True)
    scans: Mapped[int] = mapped_column(default=0)


class PartnerKey(Model):
    """An API key of a partner's app. Only the SHA-256 of the key is stored; the key itself is
    shown once, when it is made. `prefix` (its first characters) lets people tell keys apart."""

    __tablename__ = "partner_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship(lazy="joined")


class BundleStatus(StrEnum):
    PENDING = "pending"  # waiting for the worker, or being built under its lease
    READY = "ready"
    FAILED = "failed"  # the build raised, or killed its worker POSTER_BUNDLE_MAX_ATTEMPTS times


class PosterBundle(Model):
    """The zip of every poster and card of a partner's live sites, built by the outbox worker
    (services/partnerships/poster_bundles.py), not in a web request: 5,000 sites take minutes. It
    holds what the posters show (labels, codes, links), never report content. A partner keeps its
    newest finished bundle only."""

    __tablename__ = "poster_bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(8), default=BundleStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    sites: Mapped[int] = mapped_column(default=0)  # live sites in it
    done: Mapped[int] = mapped_column(default=0)  # of those, built so far
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(64))  # the type, never the text
    size: Mapped[int] = mapped_column(default=0)  # bytes of the zip
    # Read only to download it: a 5,000-site zip is about 29 MB.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    __table_args__ = (Index("ix_poster_bundles_status_requested", "status", "requested_at"),)


# The follow-up's tables, in a module of their own; imported here so that every table is known
# wherever the models are.
from reporter.models_follow_up import OfficerQuestion, ReportLink, Sighting  # noqa: E402,F401
