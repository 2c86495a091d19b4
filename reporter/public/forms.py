"""The report form: WTForms renders it and keeps what was typed; its verdicts come from the
intake schema (services/reporting/intake.py), the same that checks the JSON API."""

from __future__ import annotations

from typing import Any

from flask_babel import format_number, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from reporter.codes import Consent
from reporter.reference import Reference
from reporter.services.reporting import intake
from reporter.services.reporting.reports import NewReport

# The reporter's words for each consent (codes.Consent has the staff's).
CONSENT_CHOICES = [
    SelectChoice(Consent.ANONYMOUS.value, _l("Stay anonymous: do not ask for my details")),
    SelectChoice(
        Consent.CONFIDENTIAL.value,
        _l("Keep my details private: only the LookCloser team may contact me"),
    ),
    SelectChoice(Consent.SHARE.value, _l("Share my details: the police may contact me too")),
]


class ChecklistField(SelectMultipleField):
    """Checkboxes whose choices are set per setting (the template renders it as a list)."""


class ReportForm(FlaskForm):
    class Meta:
        # No token: the form is the same bytes for every visitor, and cross-site posts are
        # refused by their headers (public/cross_origin.py).
        csrf = False

    danger = RadioField(
        _l("Is a child in danger right now?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validate_choice=False,
    )
    sector = HiddenField()
    signs = ChecklistField(_l("What did you notice?"), choices=[], validate_choice=False)
    postcode = StringField(_l("Postcode"))
    station = StringField(_l("Station name or code"))
    # A station suggested for one we did not recognise, tapped by the reporter (a CRS code).
    station_choice = StringField()
    place = StringField(_l("Or describe the place"))
    seen_at = StringField(_l("When did you see it?"))
    description = TextAreaField(_l("What did you see?"))
    young = BooleanField(_l("I am under 18"))
    consent = RadioField(
        _l("Your details"),
        choices=CONSENT_CHOICES,
        default=Consent.ANONYMOUS.value,
        validate_choice=False,
    )
    name = StringField(_l("Your name"))
    phone = StringField(_l("Phone number"))
    email = StringField(_l("Email address"))
    # Made on the phone (or by the server without script): the same report sent twice is one.
    idempotency_key = HiddenField()
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this empty"))

    def __init__(self, *args, ref: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.ref = ref
        self.description_limit = intake.DESCRIPTION_MAX_LENGTH
        self.report: NewReport | None = None
        self.unrecognised_station: str | None = None
        self.station_suggestions: list = []
        sector = self.sector.data
        self.asks_station = sector in ref.sectors and ref.sectors[sector].asks_station
        self.signs.choices = (
            [SelectChoice(s.id, s.label) for s in ref.signs_for(sector)]
            if sector in ref.sectors
            else []
        )

    def answers(self) -> dict[str, Any]:
        """What was sent, as the intake schema's raw answers."""
        raw = {name: self[name].data for name in intake.FIELDS_BY_NAME if name in self}
        raw["danger"] = {"yes": True, "no": False}.get(self.danger.data)
        raw["signs"] = list(self.signs.data or ())
        raw.update(self._station_or_place(raw))
        return raw

    def _station_or_place(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A station the reporter tapped among those offered; else the station as typed, which
        the intake schema reads (one that settles on no station is kept as the place)."""
        chosen = self.ref.stations.get(self.station_choice.data or "")
        if chosen:
            self.station.data = chosen.name
            return {"station": chosen.crs}
        return {}

    def _offer_stations(self, raw: dict[str, Any]) -> None:
        """The form comes back for another reason: a station that settled on none is offered
        with the stations it may be, to tap. (A report that goes is never stopped for it.)"""
        match = self.report.station_match if self.report is not None else None
        if match is None:
            typed = intake.clean_text(raw.get("station"))
            if typed is None or len(typed) > intake.STATION_MAX_LENGTH:
                return
            match = intake.check_station(typed, self.ref)
        if match is not None and match.station is None:
            self.unrecognised_station = match.typed
            self.station_suggestions = list(match.candidates)

    def _message(self, name: str, message, raw: dict[str, Any]):
        """The schema's message, said as this form needs it: an over-long answer names its
        field (the error summary lists it away from the field), and "where" mentions a station
        only on the forms that ask for one."""
        spec = intake.FIELDS_BY_NAME.get(name)
        value = raw.get(name)
        if spec and spec.limit and isinstance(value, str):
            length = len(value.replace("\r\n", "\n"))
            if length > spec.limit:
                return _l(
                    "%(field)s: write %(limit)s characters or fewer. You wrote %(count)s.",
                    field=str(self[name].label.text).rstrip("?؟ "),
                    limit=format_number(spec.limit),
                    count=format_number(length),
                )
        nowhere = not any(intake.clean_text(raw.get(n)) for n in ("postcode", "station", "place"))
        if name == "postcode" and nowhere and not self.asks_station:
            return _l("Tell us where: a postcode or a description of the place.")
        return message

    def validate(self, extra_validators=None) -> bool:
        """Read the answers through the intake schema; its messages go on the fields."""
        valid = super().validate(extra_validators)
        raw = self.answers()
        try:
            self.report = intake.read_report(
                raw, self.ref, language=str(get_locale()), source="form"
            )
        except intake.IntakeErrors as invalid:
            for name, message in invalid.errors.items():
                self[name].errors = [*self[name].errors, self._message(name, message, raw)]
            valid = False
        if not valid:
            self._offer_stations(raw)
        return valid
