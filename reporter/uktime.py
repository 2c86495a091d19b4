"""UK time: every moment is stored as naive UTC and shown, counted and asked for in UK time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK_TIME_ZONE = "Europe/London"
UK_TIME = ZoneInfo(UK_TIME_ZONE)


def uk_midnight(day: date) -> datetime:
    """The first moment of a UK calendar day, as naive UTC."""
    local = datetime(day.year, day.month, day.day, tzinfo=UK_TIME)
    return local.astimezone(UTC).replace(tzinfo=None)


def in_uk(moment: datetime) -> datetime:
    """Naive UTC (as stored) as an aware UK local time."""
    return moment.replace(tzinfo=UTC).astimezone(UK_TIME)


def uk_today() -> date:
    """Today's date in the UK."""
    return datetime.now(UK_TIME).date()
