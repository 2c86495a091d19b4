"""Reading the JSON API's input into the same facts the form produces, with the same checks."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from reporter.reference import Reference
from reporter.routing import Facts
from reporter.services import intake
from reporter.services.reports import Contact, NewReport

REPORT_FIELDS = {
    "sector",
    "signs",
    "danger",
    "description",
    "postcode",
    "station",
    "place",
    "seen_at",
    "contact",
    "language",
    "young",
}
CONTACT_FIELDS = {"consent", "name", "phone", "email"}


class PayloadErrors(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid payload")
        self.errors = errors


class _Reader:
    """Collects one message per field, so a partner sees every problem at once."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message) -> None:
        self.errors.setdefault(name, str(message))

    def text(self, name: str, limit: int, source: dict | None = None, key: str = "") -> str | None:
        value = (self.data if source is None else source).get(name)
        key = key or name
        if value is not None and not isinstance(value, str):
            self.fail(key, _l("This must be text."))
            return None
        return self.check(key, intake.check_length, intake.clean_text(value), limit)

    def check(self, name: str, check, *args):
        try:
            return check(*args)
        except intake.IntakeError as error:
            self.fail(name, error.message)
            return None


def _sector_and_signs(r: _Reader, ref: Reference) -> tuple[str | None, frozenset[str]]:
    sector = r.data.get("sector")
    if not isinstance(sector, str) or sector not in ref.sectors:
        r.fail("sector", _l("Choose a setting from the list."))
        sector = None
    signs = r.data.get("signs", [])
    if not isinstance(signs, list) or not all(isinstance(s, str) for s in signs):
        r.fail("signs", _l("This must be a list of signs."))
        return sector, frozenset()
    allowed = {s.id for s in ref.signs_for(sector)} if sector else set(ref.signs)
    if set(signs) - allowed:
        r.fail("signs", _l("Choose only signs from the list."))
    return sector, frozenset(signs)


def _danger(r: _Reader, default: bool | None = None) -> bool:
    danger = r.data.get("danger", default)
    if not isinstance(danger, bool):
        r.fail("danger", _l("Say if a child is in danger right now (true or false)."))
        return False
    return danger


def _contact(r: _Reader) -> tuple[str, Contact]:
    raw = r.data.get("contact") or {}
    if not isinstance(raw, dict) or set(raw) - CONTACT_FIELDS:
        r.fail("contact", _l("Contact must have only consent, name, phone and email."))
        return "anonymous", Contact()
    consent = raw.get("consent", "anonymous")
    if consent not in intake.CONSENTS:
        r.fail("contact.consent", _l("Choose what we may do with your details."))
        consent = "anonymous"
    name = r.text("name", intake.CONTACT_MAX_LENGTH, raw, key="contact.name")
    phone = r.check("contact.phone", intake.check_phone, r.text("phone", 32, raw, "contact.phone"))
    email = r.check("contact.email", intake.check_email, r.text("email", 120, raw, "contact.email"))
    if "contact.phone" not in r.errors and "contact.email" not in r.errors:
        r.check("contact", intake.check_contact, consent, name, phone, email)
    return consent, Contact(name, phone, email)


def read_report(data: Any, ref: Reference, description_limit: int) -> NewReport:
    """A new report from a JSON body, or PayloadErrors naming every field that is wrong."""
    if not isinstance(data, dict):
        raise PayloadErrors({"body": str(_l("Send a JSON object."))})
    r = _Reader(data)
    for unknown in sorted(set(data) - REPORT_FIELDS):
        r.fail(unknown, _l("This field is not part of a report."))
    sector, signs = _sector_and_signs(r, ref)
    danger = _danger(r)
    description = r.text("description", description_limit)
    place = r.text("place", intake.PLACE_MAX_LENGTH)
    postcode = r.check("postcode", intake.check_postcode, r.text("postcode", 16))
    station = r.check("station", intake.check_station, r.text("station", 80), ref)
    seen_at = r.check("seen_at", intake.check_seen_at, r.text("seen_at", 32))
    young = data.get("young", False)
    if not isinstance(young, bool):
        r.fail("young", _l("This must be true or false."))
    consent, contact = _contact(r)
    if not {"postcode", "station", "place"} & set(r.errors):
        r.check("place", intake.check_where, postcode, station, place)
    if "description" not in r.errors:
        r.check("description", intake.check_said_something, signs, description)
    if r.errors:
        raise PayloadErrors(r.errors)
    return NewReport(
        facts=Facts(
            sector=sector,
            signs=signs,
            danger=danger,
            postcode=postcode,
            station=station.crs if station else None,
            place=place,
            young=young is True,
        ),
        consent=consent,
        description=description,
        place=place,
        seen_at=seen_at,
        contact=contact,
        source="api",
    )


def read_guidance_query(args, ref: Reference) -> Facts:
    """The facts for GET /guidance from its query string."""
    data: dict[str, Any] = {"sector": args.get("sector")}
    data["signs"] = [s for s in args.get("signs", "").split(",") if s]
    danger = args.get("danger", "false").lower()
    data["danger"] = {"true": True, "false": False}.get(danger, danger)
    r = _Reader(data)
    sector, signs = _sector_and_signs(r, ref)
    danger_value = _danger(r)
    postcode = r.check("postcode", intake.check_postcode, args.get("postcode"))
    station = r.check("station", intake.check_station, args.get("station"), ref)
    if r.errors:
        raise PayloadErrors(r.errors)
    return Facts(
        sector=sector,
        signs=signs,
        danger=danger_value,
        postcode=postcode,
        station=station.crs if station else None,
        young=args.get("young") == "true",
    )
