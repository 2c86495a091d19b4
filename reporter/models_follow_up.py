"""The reporter's way back to a report (services/reporting/follow_up.py, sightings.py,
questions.py): sightings of the same young people, and the officer's questions with the reporter's
answers. What the reporter or the officer wrote is encrypted (crypto.py), bound to the report's
reference and the row's id, and removed with the report's content
(services/data_protection/retention.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reporter.models import Model, Report, StaffUser, utcnow


class Sighting(Model):
    """ "I saw them again": a later sighting, by the reporter, of the young people of a report.
    The place is kept as codes (a station, a postcode district) for hotspots, and in full
    (encrypted) for the officer."""

    __tablename__ = "report_sightings"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]
    danger: Mapped[bool] = mapped_column(default=False)
    same_place: Mapped[bool] = mapped_column(default=False)
    station_crs: Mapped[str | None] = mapped_column(String(3))
    postcode_district: Mapped[str | None] = mapped_column(String(4))
    postcode_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    place_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    details_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Made by the phone: a sighting sent again (a retry, the phone's outbox) is stored once.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    report: Mapped[Report] = relationship()

    __table_args__ = (
        Index("ix_report_sightings_report_created", "report_id", "created_at"),
        Index("ix_report_sightings_station_created", "station_crs", "created_at"),
        Index("ix_report_sightings_district_created", "postcode_district", "created_at"),
    )


class OfficerQuestion(Model):
    """A question an officer asked the reporter, shown at follow-up, and the answer."""

    __tablename__ = "report_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    asked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    question_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    answered_at: Mapped[datetime | None]
    answer_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    asked_by: Mapped[StaffUser | None] = relationship(lazy="joined")


class ReportLink(Model):
    """An officer's decision about two reports offered as possibly the same young people: linked,
    or dismissed (not the same). One row per pair, the lower id first; undone by deleting it,
    and every change is audited (services/casework/links.py)."""

    __tablename__ = "report_links"

    low_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    high_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[str] = mapped_column(String(16))  # a LinkState
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
