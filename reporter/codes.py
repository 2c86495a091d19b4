"""Every code a report or a member of staff carries, defined once, with the words staff read.

The codes are stored as text and are part of the API and the CSV export: never rename a value.
Templates get these classes as Jinja globals (`Status`, `Priority`, ...; see templating.py), so
no template spells a code or its label.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledCode(StrEnum):
    """A code with its label beside it: `NEW = "new", "New"`."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def label_for(cls, value: str | None) -> str:
        """The label of a stored value; a value no longer known is shown as it is."""
        member = cls._value2member_map_.get(value) if value else None
        return member.label if isinstance(member, cls) else value or ""


class Status(LabelledCode):
    """Where a report is in the workflow (services/casework/triage.py has the moves between
    them)."""

    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    REFERRED = "referred", "Referred"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.REFERRED)


class Priority(LabelledCode):
    """How soon staff must read a report, most urgent first (routing.priority_for decides)."""

    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"

    @property
    def urgency(self) -> int:
        """A number the queue sorts by, most urgent highest: one index serves the sort."""
        return len(Priority) - 1 - list(Priority).index(self)


class Role(LabelledCode):
    """What a member of staff may see and do (services/accounts/access.py)."""

    ADMIN = "admin", "Admin: everything, and manages staff accounts"
    NATIONAL = "national", "National team: every region and the national queue"
    OFFICER = "officer", "Prevention officer: their own region or regions"


class Consent(LabelledCode):
    """What a reporter let us do with their contact details, in the order the form offers."""

    ANONYMOUS = "anonymous", "Anonymous: do not contact"
    CONFIDENTIAL = "confidential", "Confidential: only the programme team may contact them"
    SHARE = "share", "Shared: the police may contact them too"


class RegionSource(LabelledCode):
    """Where a report's region came from (routing.resolve_region), as staff read it."""

    POSTCODE = "postcode", "the postcode"
    STATION = "station", "the station"
    PLACE = "place", "the description of the place"
    SITE = "site", "the partner's site it was sent through"
    PARTNER = "partner", "the partner's region"
    OUTSIDE = "outside", "a postcode outside England and Wales"
    UNKNOWN = "unknown", "nothing: place unclear (see the place as the reporter gave it)"
    STAFF = "staff", "a member of staff, who re-routed it"


class LinkState(LabelledCode):
    """An officer's decision on two reports offered as possibly the same young people."""

    LINKED = "linked", "Linked: possibly the same young people"
    DISMISSED = "dismissed", "Not the same young people"


# Reports with no region wait in the national queue, which national staff work.
NATIONAL_QUEUE = "national"
NATIONAL_QUEUE_LABEL = "National queue (no region)"


def sql_in(column: str, codes: tuple[str, ...]) -> str:
    """`column IN ('a', 'b')`, for partial indexes and check constraints (codes only)."""
    return f"{column} IN ({', '.join(repr(str(code)) for code in codes)})"


CODES: dict[str, object] = {
    **{cls.__name__: cls for cls in (Status, Priority, Role, Consent, RegionSource, LinkState)},
    "NATIONAL_QUEUE": NATIONAL_QUEUE,
    "NATIONAL_QUEUE_LABEL": NATIONAL_QUEUE_LABEL,
}
