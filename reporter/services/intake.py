"""Checks on what a reporter sends, shared by the web form and the JSON API.

Each check returns the clean value or raises IntakeError with a message the reporter can act
on, translated lazily so the same check serves every language.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from reporter.postcodes import normalise_postcode
from reporter.reference import Reference, Station

UK_TIME = ZoneInfo("Europe/London")
CONSENTS = ("share", "confidential", "anonymous")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,18}[0-9]$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
SEEN_AT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d")
PLACE_MAX_LENGTH = 200
CONTACT_MAX_LENGTH = 120


class IntakeError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def clean_text(value: str | None) -> str | None:
    """Trim; an empty answer is no answer. Control characters other than new lines go."""
    if value is None:
        return None
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value).replace("\r\n", "\n").strip()
    return value or None


def check_length(value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise IntakeError(
            _l(
                "This must be %(limit)s characters or fewer. You wrote %(count)s.",
                limit=format_number(limit),
                count=format_number(len(value)),
            )
        )
    return value


def check_postcode(raw: str | None) -> str | None:
    raw = clean_text(raw)
    if raw is None:
        return None
    postcode = normalise_postcode(raw)
    if postcode is None:
        raise IntakeError(_l("Enter a real postcode, like LE1 6RN, or leave it empty."))
    return postcode


def check_station(raw: str | None, ref: Reference) -> Station | None:
    raw = clean_text(raw)
    if raw is None:
        return None
    station = ref.find_station(raw)
    if station:
        return station
    suggestions = ref.station_suggestions(raw)
    if suggestions:
        names = ", ".join(f"{s.name} ({s.crs})" for s in suggestions)
        raise IntakeError(
            _l("We could not find that station. Did you mean: %(names)s?", names=names)
        )
    raise IntakeError(
        _l(
            "We could not find that station. Check the name or its 3-letter code, "
            "or describe the place instead."
        )
    )


def check_seen_at(raw: str | None, now: datetime | None = None) -> datetime | None:
    """When the reporter saw it, as naive UTC. Empty means now. Reporters give UK local time."""
    raw = clean_text(raw)
    if raw is None:
        return None
    for fmt in SEEN_AT_FORMATS:
        try:
            local = datetime.strptime(raw, fmt)
            break
        except ValueError:
            continue
    else:
        raise IntakeError(_l("Enter the date and time you saw it, for example 23/11/2026 14:30."))
    seen = local.replace(tzinfo=UK_TIME).astimezone(UTC).replace(tzinfo=None)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if seen > now + timedelta(minutes=10):
        raise IntakeError(_l("The time you saw it cannot be in the future."))
    if seen < now - timedelta(days=366):
        raise IntakeError(_l("Enter a time in the last year."))
    return seen


def check_where(postcode, station, place) -> None:
    if not (postcode or station or place):
        raise IntakeError(_l("Tell us where: a postcode, a station or a description of the place."))


def check_said_something(signs, description) -> None:
    if not (signs or description):
        raise IntakeError(_l("Tick at least one sign, or tell us what you saw."))


def check_phone(raw: str | None) -> str | None:
    raw = clean_text(raw)
    if raw is not None and not PHONE.match(raw):
        raise IntakeError(_l("Enter a phone number, like 07700 900123."))
    return raw


def check_email(raw: str | None) -> str | None:
    raw = clean_text(raw)
    if raw is not None and (len(raw) > CONTACT_MAX_LENGTH or not EMAIL.match(raw)):
        raise IntakeError(_l("Enter an email address like name@example.com."))
    return raw


def check_contact(consent: str, name, phone, email) -> None:
    """Anonymous means no details; sharing means a way to reach the reporter."""
    if consent == "anonymous" and (name or phone or email):
        raise IntakeError(
            _l("You chose to stay anonymous, so leave your name, phone and email empty.")
        )
    if consent in ("share", "confidential") and not (phone or email):
        raise IntakeError(
            _l("Give a phone number or email so we can contact you, or choose to stay anonymous.")
        )
