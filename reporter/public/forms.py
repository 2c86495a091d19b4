"""The report form: WTForms renders it and keeps what was typed; its verdicts come from the
intake schema (services/intake.py), the same that checks the JSON API."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
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
from reporter.services import intake
from reporter.services.reports import NewReport

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
    danger = RadioField(
        _l("Is a child in danger right now?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validate_choice=False,
    )
    sector = HiddenField()
    signs = ChecklistField(_l("What did you notice?"), choices=[], validate_choice=False)
    postcode = StringField(_l("Postcode"))
    station = StringField(_l("Station name or code"))
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
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this empty"))

    def __init__(self, *args, ref: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.ref = ref
        self.description_limit = intake.DESCRIPTION_MAX_LENGTH
        self.report: NewReport | None = None
        sector = self.sector.data
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
        return raw

    def validate(self, extra_validators=None) -> bool:
        """Read the answers through the intake schema; its messages go on the fields."""
        valid = super().validate(extra_validators)
        try:
            self.report = intake.read_report(
                self.answers(), self.ref, language=str(get_locale()), source="form"
            )
        except intake.IntakeErrors as invalid:
            for name, message in invalid.errors.items():
                self[name].errors = [*self[name].errors, message]
            return False
        return valid
