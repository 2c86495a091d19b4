"""The forms of follow-up: the sighting ("I saw them again") and the answer to the officer's
question. Each carries the reference and the code as hidden fields: every send proves them
again (services/reporting/follow_up.py), so nothing is kept on the server between pages and a
sighting waiting on the phone can be sent later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from reporter.reference import Reference
from reporter.services.reporting import idempotency, intake
from reporter.services.reporting.sightings import NewSighting


class ProvedForm(FlaskForm):
    class Meta:
        # No token, as on the report form: cross-site posts to the public side are refused by
        # their headers (public/cross_origin.py), and a sighting kept on the phone is sent later
        # by the service worker with no page, and so no session, to take a token from.
        csrf = False

    reference = HiddenField()
    code = HiddenField()


class SightingForm(ProvedForm):
    danger = RadioField(
        _l("Is a child in danger right now?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validate_choice=False,
    )
    seen_at = StringField(_l("When did you see it?"))
    same_place = BooleanField(_l("The same place as before"))
    station = StringField(_l("Station name or code"))
    postcode = StringField(_l("Postcode"))
    details = TextAreaField(_l("What is different this time?"))
    idempotency_key = HiddenField()

    def __init__(self, *args, ref: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.ref = ref
        self.details_limit = intake.DESCRIPTION_MAX_LENGTH
        self.sighting: NewSighting | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        found: dict[str, Any] = {}
        checks: dict[str, Callable[[Any], Any]] = {
            "seen_at": intake.check_seen_at,
            "postcode": intake.check_postcode,
            "station": lambda raw: intake.check_station(
                intake.check_length(intake.clean_text(raw), intake.STATION_MAX_LENGTH), self.ref
            ),
            "details": lambda raw: intake.check_length(
                intake.clean_text(raw), intake.DESCRIPTION_MAX_LENGTH
            ),
        }
        for name, check in checks.items():
            try:
                found[name] = check(self[name].data)
            except intake.IntakeError as invalid:
                self[name].errors = [*self[name].errors, invalid.message]
                valid = False
        if self.danger.data not in ("yes", "no"):
            self.danger.errors = [_l("Say if a child is in danger right now.")]
            valid = False
        placed = self.same_place.data or found.get("station") or found.get("postcode")
        if not (placed or self.station.errors or self.postcode.errors):
            self.station.errors = [
                _l("Tell us where: a station, a postcode, or the same place as before.")
            ]
            valid = False
        if not valid:
            return False
        try:
            key = idempotency.check_key(self.idempotency_key.data)
        except intake.IntakeError:
            key = None  # a hidden field the reporter cannot correct: dropped, not refused
        self.sighting = NewSighting(
            danger=self.danger.data == "yes",
            seen_at=found["seen_at"],
            same_place=bool(self.same_place.data),
            postcode=found["postcode"],
            station=found["station"],
            details=found["details"],
            idempotency_key=key,
        )
        return True


class AnswerForm(ProvedForm):
    question_id = HiddenField()
    answer = TextAreaField(_l("Your answer"), validators=[InputRequired(_l("Enter your answer."))])
