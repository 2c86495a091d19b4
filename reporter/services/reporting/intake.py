"""The intake schema: what a report may contain, its limits, its checks and their messages.

The web form (`public/forms.py`) and the JSON API (`api/routes.py`) both hand their raw values
to `read_report`, and get back the same `NewReport` or the same `IntakeErrors` (one translated
message per field). The OpenAPI document (`api/openapi.py`) is generated from `FIELDS` and
`RULES`, so the API states exactly the limits it enforces.

Why plain Python and not pydantic: the form shows every problem at once, including the
cross-field ones (a reporter who chose "anonymous" and typed a name is told so even when the
postcode is also wrong); pydantic runs its model validators only once every field is valid,
and its messages would need mapping back to ours field by field.

Reading a field is one entry in `FIELDS`:
    Field("site", check=check_site, into=("report",), json=lambda ref, limit: {...})
`name` is the form field's name and the attribute of `NewReport` (or `Facts`, `Contact`,
as `into` says); `api` is its place in the JSON body when that differs. The API and the
OpenAPI document pick it up from here; a rule that spans fields is one entry in `RULES`.
Storing it and showing it take more, each in its own place:
1. the attribute of `NewReport` (services/reporting/reports.py), `Facts` (routing.py) or `Contact`
   that `into` names, and, if it changes what a retry is, `idempotency.fingerprint`;
2. the form: a WTForms field of the same name (public/forms.py) and its markup in
   templates/public/_report_fields.html, its label, hint and message translated into every
   catalogue (`make extract update`, then scripts/check_translations.py);
3. the column on `Report` (models.py), set in `reports._build` (the inserts on both databases
   take every column from there), and the next numbered migration; a `Contact` field needs
   no column (the contact is one sealed JSON);
4. a field a reporter writes freely is encrypted: sealed in `_build` to
   "<reference>:<field>", read by `reports.decrypt_field`, listed in
   key_rotation.REPORT_FIELDS, and removed by retention.purge_closed;
5. where staff see it: templates/triage/report.html and, if exported, services/casework/export.py.

Text is cleaned before it is checked, in both channels: control characters other than tab and
new lines are removed, surrounding whitespace is trimmed, and an empty answer is no answer.
Limits count what was sent (a new line as one character, whether sent as CR LF or LF), so that
the OpenAPI document's maxLength is exactly the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from reporter.codes import Consent
from reporter.postcodes import normalise_postcode
from reporter.reference import Reference
from reporter.reference.stations import StationMatch
from reporter.routing import Facts
from reporter.services.reporting.reports import Contact, NewReport
from reporter.uktime import UK_TIME

CONSENTS = tuple(consent.value for consent in Consent)
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,18}[0-9]$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
SEEN_AT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d")
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"

# The limits: the form, the API and the OpenAPI document all read these.
DESCRIPTION_MAX_LENGTH = 2000
PLACE_MAX_LENGTH = 200
CONTACT_MAX_LENGTH = 120  # a name or an email address
PHONE_MAX_LENGTH = 32
POSTCODE_MAX_LENGTH = 16
STATION_MAX_LENGTH = 80
SEEN_AT_MAX_LENGTH = 32
LANGUAGE_MAX_LENGTH = 16


class IntakeError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ---- the checks, one per kind of answer ------------------------------------------------------


def clean_text(value: str | None) -> str | None:
    """Trim; an empty answer is no answer. Control characters other than new lines go."""
    if value is None:
        return None
    value = re.sub(f"[{CONTROL}]", "", value).replace("\r\n", "\n").strip()
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


def check_station(raw: str | None, ref: Reference) -> StationMatch | None:
    """The station a name or CRS code settles on, with the stations to offer. Never refused:
    a name that settles on no station (unknown, or fitting stations in several regions) is
    kept as the place (`read_report`), and the report is routed by what else it says."""
    raw = clean_text(raw)
    if raw is None:
        return None
    match = ref.match_station(raw)
    if match.station is None and not match.candidates:
        match = replace(match, candidates=tuple(ref.station_suggestions(raw)))
    return replace(match, typed=raw)


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


def place_with_station(match: StationMatch | None, place: str | None) -> str | None:
    """The place as the reporter gave it: a station name that settled on no station comes
    first ("Waterloo, by the taxis")."""
    if match is None or match.station is not None:
        return place
    return f"{match.typed}, {place}" if place else match.typed


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
    if consent == Consent.ANONYMOUS and (name or phone or email):
        raise IntakeError(
            _l("You chose to stay anonymous, so leave your name, phone and email empty.")
        )
    if consent in (Consent.SHARE, Consent.CONFIDENTIAL) and not (phone or email):
        raise IntakeError(
            _l("Give a phone number or email so we can contact you, or choose to stay anonymous.")
        )


def check_sector(raw: str, ref: Reference) -> str:
    if raw not in ref.sectors:
        raise IntakeError(_l("Choose a setting from the list."))
    return raw


def check_signs(raw: list[str], ref: Reference) -> frozenset[str]:
    if set(raw) - set(ref.signs):
        raise IntakeError(_l("Choose only signs from the list."))
    return frozenset(raw)


def check_consent(raw: str | None) -> str:
    if raw is None:
        return Consent.ANONYMOUS
    if raw not in CONSENTS:
        raise IntakeError(_l("Choose what we may do with your details."))
    return raw


# ---- the schema -------------------------------------------------------------------------------

TYPE_MESSAGES = {
    "text": _l("This must be text."),
    "bool": _l("This must be true or false."),
    "list": _l("This must be a list of signs."),
}


@dataclass(frozen=True)
class Field:
    """One answer. `check(value, ref)` returns the clean value or raises IntakeError.

    `kind` is the JSON type ("text", "bool", "list"); a value of another type gets the kind's
    message. `limit` is a maximum length of text (as sent). `into` names where the
    clean value goes: "facts", "report" and/or "contact". `required` fields get `missing`
    when absent; the others take `default`. `json` gives the OpenAPI schema's extra rules.
    """

    name: str
    kind: str = "text"
    check: Callable[[Any, Reference], Any] | None = None
    limit: int | None = None
    into: tuple[str, ...] = ("report",)
    api: str = ""
    required: bool = False
    missing: Any = None
    default: Any = None
    json: Callable[[Reference], dict] = lambda ref: {}

    @property
    def key(self) -> str:
        """Where the field sits in the JSON body ("contact.phone")."""
        return self.api or self.name


@dataclass(frozen=True)
class Rule:
    """A check across fields. It runs only when every field in `after` was read and is valid.
    Its message goes on the form field `name`, and under `api` in the JSON API's errors."""

    name: str
    api: str
    after: tuple[str, ...]
    check: Callable[[dict[str, Any], Reference], None]


def _text(check: Callable[[str | None], Any] | None = None):
    return lambda value, ref: check(value) if check else clean_text(value)


def _contact(name: str, limit: int, check: Callable[[str | None], Any] | None = None) -> Field:
    """A way to reach the reporter: text, kept apart in the contact, `contact.<name>` in JSON."""
    return Field(name, check=_text(check), limit=limit, into=("contact",), api=f"contact.{name}")


FIELDS: tuple[Field, ...] = (
    Field(
        "sector",
        check=check_sector,
        into=("facts",),
        required=True,
        missing=_l("Choose a setting from the list."),
        json=lambda ref: {"enum": list(ref.sectors)},
    ),
    Field(
        "signs",
        kind="list",
        check=check_signs,
        into=("facts",),
        default=frozenset(),
        json=lambda ref: {"items": {"enum": list(ref.signs)}},
    ),
    Field(
        "danger",
        kind="bool",
        into=("facts",),
        required=True,
        missing=_l("Say if a child is in danger right now."),
    ),
    Field("postcode", check=_text(check_postcode), limit=POSTCODE_MAX_LENGTH, into=("facts",)),
    Field("station", check=check_station, limit=STATION_MAX_LENGTH, into=("facts",)),
    Field("place", check=_text(), limit=PLACE_MAX_LENGTH, into=("facts", "report")),
    Field("seen_at", check=_text(check_seen_at), limit=SEEN_AT_MAX_LENGTH),
    Field("description", check=_text(), limit=DESCRIPTION_MAX_LENGTH),
    Field("young", kind="bool", into=("facts",), default=False),
    Field(
        "consent",
        check=lambda value, ref: check_consent(value),
        api="contact.consent",
        default=Consent.ANONYMOUS.value,
        json=lambda ref: {"enum": list(CONSENTS)},
    ),
    _contact("name", CONTACT_MAX_LENGTH),
    _contact("phone", PHONE_MAX_LENGTH, check_phone),
    _contact("email", CONTACT_MAX_LENGTH, check_email),
)


def _signs_of_the_sector(clean: dict[str, Any], ref: Reference) -> None:
    allowed = {s.id for s in ref.signs_for(clean["sector"])}
    if clean["signs"] - allowed:
        raise IntakeError(_l("Choose only signs from the list."))


FIELDS_BY_NAME = {f.name: f for f in FIELDS}


RULES: tuple[Rule, ...] = (
    Rule("signs", "signs", after=("sector", "signs"), check=_signs_of_the_sector),
    Rule(
        "postcode",
        "place",
        after=("postcode", "station", "place"),
        check=lambda c, ref: check_where(c["postcode"], c["station"], c["place"]),
    ),
    Rule(
        "description",
        "description",
        after=("signs", "description"),
        check=lambda c, ref: check_said_something(c["signs"], c["description"]),
    ),
    Rule(
        "consent",
        "contact",
        after=("consent", "name", "phone", "email"),
        check=lambda c, ref: check_contact(c["consent"], c["name"], c["phone"], c["email"]),
    ),
)


# ---- reading --------------------------------------------------------------------------------


def _of_kind(value: Any, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


class IntakeErrors(ValueError):
    """Every answer that is wrong, with a message the reporter can act on: `errors` by form
    field name, `api_errors` by key in the JSON body."""

    def __init__(self, found: list[tuple[str, str, Any]]):
        super().__init__("invalid report")
        self.errors = {name: message for name, _key, message in found}
        self.api_errors = {key: str(message) for _name, key, message in found}


def _read(
    raw: Mapping[str, Any], ref: Reference, names: tuple[str, ...], rules: tuple[Rule, ...]
) -> dict[str, Any]:
    """Clean values by field name, or IntakeErrors. An absent field (or JSON's null) is not
    given. Rules run when all the fields they need were read and are valid."""
    clean: dict[str, Any] = {}
    found: list[tuple[str, str, Any]] = []
    for spec in FIELDS:
        if spec.name not in names:
            continue
        value = raw.get(spec.name)
        try:
            if value is None:
                if spec.required:
                    raise IntakeError(spec.missing)
                clean[spec.name] = spec.default
                continue
            if not _of_kind(value, spec.kind):
                raise IntakeError(TYPE_MESSAGES[spec.kind])
            if spec.limit is not None:  # what was sent counts, a new line as one character
                check_length(value.replace("\r\n", "\n"), spec.limit)
            clean[spec.name] = spec.check(value, ref) if spec.check else value
        except IntakeError as error:
            found.append((spec.name, spec.key, error.message))
    for rule in rules:
        wrong = {name for name, _key, _message in found}
        if rule.name in wrong or not all(n in clean and n not in wrong for n in rule.after):
            continue
        try:
            rule.check(clean, ref)
        except IntakeError as error:
            found.append((rule.name, rule.api, error.message))
    if found:
        raise IntakeErrors(found)
    return clean


def _facts(clean: dict[str, Any]) -> Facts:
    values = {f.name: clean[f.name] for f in FIELDS if "facts" in f.into and f.name in clean}
    match = values.get("station")
    values["station"] = match.station.crs if match and match.station else None
    if "place" in values:
        values["place"] = place_with_station(match, values["place"])
    return Facts(**values)


def read_facts(raw: Mapping[str, Any], ref: Reference, names: tuple[str, ...]) -> Facts:
    """The facts of a situation (for guidance) from the fields named; IntakeErrors if wrong.
    No cross-field rule applies: guidance takes any known sign, whatever the setting."""
    return _facts(_read(raw, ref, names, rules=()))


def read_report(raw: Mapping[str, Any], ref: Reference, **extra: Any) -> NewReport:
    """A new report from raw answers by field name, or IntakeErrors naming every wrong one.

    `extra` goes into NewReport as it is (language, source): what the channel knows itself.
    """
    clean = _read(raw, ref, tuple(FIELDS_BY_NAME), RULES)
    report = {f.name: clean[f.name] for f in FIELDS if "report" in f.into}
    report["place"] = place_with_station(clean["station"], report["place"])
    contact = Contact(**{f.name: clean[f.name] for f in FIELDS if "contact" in f.into})
    return NewReport(
        facts=_facts(clean), contact=contact, station_match=clean["station"], **report, **extra
    )
