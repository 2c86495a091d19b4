"""Database models (SQLAlchemy 2, typed). Free text, contact details and the full postcode are
stored encrypted (see crypto.py): a raw read of the database shows only ciphertext."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reporter.extensions import db


def utcnow() -> datetime:
    """Now in UTC, without tzinfo: every time is stored as naive UTC on every database."""
    return datetime.now(UTC).replace(tzinfo=None)


class Report(db.Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(8))  # form or api
    language: Mapped[str] = mapped_column(String(8))
    partner: Mapped[str | None] = mapped_column(String(64))
    sector: Mapped[str] = mapped_column(String(32))
    danger: Mapped[bool]
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="new")
    region_id: Mapped[str | None] = mapped_column(String(32))
    region_source: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(32))
    postcode_district: Mapped[str | None] = mapped_column(String(4))
    station_crs: Mapped[str | None] = mapped_column(String(3))
    seen_at: Mapped[datetime | None]
    consent: Mapped[str] = mapped_column(String(16))  # share, confidential or anonymous
    reporter_young: Mapped[bool] = mapped_column(default=False)
    authorities: Mapped[list[str]] = mapped_column(JSON)
    postcode_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    place_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    description_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    signs: Mapped[list[ReportSign]] = relationship(
        back_populates="report", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        Index("ix_reports_queue_created", "queue", "created_at"),
        Index("ix_reports_district_created", "postcode_district", "created_at"),
        Index("ix_reports_station_created", "station_crs", "created_at"),
    )

    @property
    def sign_ids(self) -> list[str]:
        return [s.sign_id for s in self.signs]


class ReportSign(db.Model):
    """One ticked sign of a report: a row each, so staff can count and filter by sign."""

    __tablename__ = "report_signs"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    sign_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    report: Mapped[Report] = relationship(back_populates="signs")
