"""The report form. Its checks are those of services/intake.py, shared with the API."""

from __future__ import annotations

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
from wtforms.validators import InputRequired, ValidationError

from reporter.reference import Reference
from reporter.services import intake

CONSENT_CHOICES = [
    SelectChoice("anonymous", _l("Stay anonymous: do not ask for my details")),
    SelectChoice(
        "confidential", _l("Keep my details private: only the LookCloser team may contact me")
    ),
    SelectChoice("share", _l("Share my details: the police may contact me too")),
]


class ChecklistField(SelectMultipleField):
    """Checkboxes whose choices are set per setting; an unknown value gets our own message."""

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(_l("Choose only signs from the list."))


class ReportForm(FlaskForm):
    danger = RadioField(
        _l("Is a child in danger right now?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Say if a child is in danger right now."))],
    )
    sector = HiddenField()
    signs = ChecklistField(_l("What did you notice?"), choices=[])
    postcode = StringField(_l("Postcode"))
    station = StringField(_l("Station name or code"))
    place = StringField(_l("Or describe the place"))
    seen_at = StringField(_l("When did you see it?"))
    description = TextAreaField(_l("What did you see?"))
    young = BooleanField(_l("I am under 18"))
    consent = RadioField(
        _l("Your details"),
        choices=CONSENT_CHOICES,
        default="anonymous",
        validators=[InputRequired(message=_l("Choose what we may do with your details."))],
    )
    name = StringField(_l("Your name"))
    phone = StringField(_l("Phone number"))
    email = StringField(_l("Email address"))
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this empty"))

    def __init__(self, *args, ref: Reference, description_limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.ref = ref
        self.description_limit = description_limit
        self.clean: dict = {}
        sector = self.sector.data
        self.signs.choices = (
            [SelectChoice(s.id, s.label) for s in ref.signs_for(sector)]
            if sector in ref.sectors
            else []
        )

    def _check(self, field, check, *args, store: bool = True):
        try:
            value = check(field.data, *args)
        except intake.IntakeError as error:
            field.errors.append(error.message)
        else:
            if store:
                self.clean[field.name] = value

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.sector.data not in self.ref.sectors:
            self.sector.errors = [_l("Choose where you work.")]
        text = intake.clean_text
        self._check(self.postcode, intake.check_postcode)
        self._check(self.station, intake.check_station, self.ref)
        self._check(self.seen_at, intake.check_seen_at)
        self._check(self.phone, intake.check_phone)
        self._check(self.email, intake.check_email)
        self._check(self.place, lambda v: intake.check_length(text(v), intake.PLACE_MAX_LENGTH))
        self._check(self.name, lambda v: intake.check_length(text(v), intake.CONTACT_MAX_LENGTH))
        self._check(
            self.description, lambda v: intake.check_length(text(v), self.description_limit)
        )
        clean = self.clean
        if not (self.postcode.errors or self.station.errors or self.place.errors):
            self._check(
                self.postcode,
                lambda _: intake.check_where(clean["postcode"], clean["station"], clean["place"]),
                store=False,
            )
        if not self.description.errors:
            self._check(
                self.description,
                lambda _: intake.check_said_something(self.signs.data, clean["description"]),
                store=False,
            )
        if not (self.consent.errors or self.phone.errors or self.email.errors):
            self._check(
                self.consent,
                lambda v: intake.check_contact(v, clean["name"], clean["phone"], clean["email"]),
                store=False,
            )
        return valid and not any(field.errors for field in self)
