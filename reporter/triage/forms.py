"""Staff forms. Staff pages are English only, so labels are plain strings, not translatable.
Field names are unique across a page's forms, so that every id on the report page is unique."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from reporter.codes import Priority, Role, Status
from reporter.reference import Reference
from reporter.services.casework.questions import QUESTION_MAX_LENGTH
from reporter.services.casework.queue import NO_PARTNER
from reporter.services.casework.triage import (
    AGENCIES,
    AGENCY_REFERENCE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
)
from reporter.services.reference_admin import REASON_MAX_LENGTH as FORCE_REASON_MAX_LENGTH


def choices(pairs) -> list[Choice]:
    """(value, label) pairs as the choices WTForms wants."""
    return [Choice(value, label) for value, label in pairs]


def required_text(label: str, missing: str, max_length: int, field=TextAreaField):
    """A text field that must be filled in (`missing` says so) and fit `max_length`."""
    return field(label, validators=[InputRequired(missing), Length(max=max_length)])


def reason_field(label: str, missing: str):
    """The reason an officer gives for a step on a report, kept on its timeline."""
    return required_text(label, missing, REASON_MAX_LENGTH)


class ChoiceField(SelectField):
    """A select whose refusal of an unknown value says what to do."""

    def __init__(self, *args, invalid: str = "Choose one of the options.", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.invalid)


def required_choice(label: str, invalid: str, missing: str) -> ChoiceField:
    """A choice the view offers at request time that must be made: `missing` says so when none
    is chosen, `invalid` when what was sent is not one of those offered."""
    return ChoiceField(label, choices=[], invalid=invalid, validators=[InputRequired(missing)])


class LoginForm(FlaskForm):
    email = StringField("Email address", validators=[InputRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])


class CodeForm(FlaskForm):
    code = StringField(
        "6-digit code",
        validators=[InputRequired("Enter the 6-digit code from your authenticator app.")],
    )


class SetupForm(FlaskForm):
    new_password = PasswordField(
        "Choose a password", validators=[InputRequired("Choose a password.")]
    )
    code = StringField("6-digit code", validators=[Optional()])


class SubjectAccessForm(FlaskForm):
    email = StringField("Email address", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone number", validators=[Optional(), Length(max=40)])


class EmptyForm(FlaskForm):
    """A button alone: the CSRF token is its only field."""


class QueueFilterForm(FlaskForm):
    """Read from the query string (GET): no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    status = ChoiceField(
        "Status",
        choices=[
            Choice("open", "Open (new, triaged or referred)"),
            *(Choice(status.value, status.label) for status in Status),
            Choice("any", "Any status"),
        ],
        default="open",
    )
    priority = ChoiceField(
        "Priority",
        choices=[Choice("", "Any priority")] + [Choice(p.value, p.label) for p in Priority],
        default="",
    )
    sector = ChoiceField("Setting", choices=[], default="")
    sign = ChoiceField("Sign", choices=[], default="")
    region = ChoiceField("Region", choices=[], default="")
    date_from = StringField("Received from", validators=[Optional()])
    date_to = StringField("Received up to", validators=[Optional()])
    partner = ChoiceField("Partner", choices=[], default="")
    mine = BooleanField("Only reports assigned to me")

    def __init__(
        self,
        *args,
        ref: Reference,
        regions: list[tuple[str, str]],
        partners: list[tuple[str, str]],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.partner.choices = choices(
            [("", "Any partner, or none"), *partners, (NO_PARTNER, "Sent through no partner")]
        )
        self.sector.choices = choices(
            [("", "Any setting")] + [(s.id, s.name) for s in ref.sectors.values()]
        )
        signs = sorted(ref.signs.values(), key=lambda s: s.label)
        self.sign.choices = choices([("", "Any sign")] + [(s.id, s.label) for s in signs])
        self.region.choices = choices([("", "All my regions"), *regions])

    def filters_set(self) -> list[str]:
        """The filters set to something other than their default and understood (one in error
        is left out of the queue): what the queue page counts on its "Filter reports"."""
        return [f.name for f in self if f.data and f.data != f.default and not f.errors]


class ReferForm(FlaskForm):
    agency = RadioField(
        "Referred to",
        choices=choices(AGENCIES.items()),
        validators=[InputRequired("Choose who the report was referred to.")],
    )
    their_reference = StringField(
        "Their reference (optional)",
        validators=[Optional(), Length(max=AGENCY_REFERENCE_MAX_LENGTH)],
    )


class CloseForm(FlaskForm):
    close_reason = reason_field("Reason for closing", "Enter a reason for closing.")


class ReopenForm(FlaskForm):
    reopen_reason = reason_field("Reason for reopening", "Enter a reason for reopening.")


class HoldForm(FlaskForm):
    hold_reason = reason_field("Reason for the legal hold", "Enter a reason for the legal hold.")


class LiftHoldForm(FlaskForm):
    lift_reason = reason_field(
        "Reason for lifting the hold", "Enter a reason for lifting the hold."
    )


class NoteForm(FlaskForm):
    note = required_text("Internal note", "Enter a note.", NOTE_MAX_LENGTH)


class QuestionForm(FlaskForm):
    question = required_text("Question for the reporter", "Enter a question.", QUESTION_MAX_LENGTH)


class LinkForm(FlaskForm):
    """One decision on two reports: link, dismiss or undo (the button pressed says which)."""

    other = HiddenField(validators=[InputRequired("Choose a report.")])
    decision = HiddenField(validators=[InputRequired("Choose to link, dismiss or undo.")])


class AssignForm(FlaskForm):
    assignee = ChoiceField(
        "Assign to", choices=[], invalid="Choose an officer of this report's region."
    )


class RerouteForm(FlaskForm):
    queue = required_choice("Move to", "Choose another region.", "Choose where to move the report.")
    reroute_reason = reason_field("Reason for moving it", "Enter a reason for re-routing.")


class RegionsField(SelectMultipleField):
    """Checkboxes: the `choices` component macro renders them."""


class UserForm(FlaskForm):
    email = required_text("Email address", "Enter an email address.", 254, field=StringField)
    name = StringField("Name (optional)", validators=[Optional(), Length(max=120)])
    role = RadioField(
        "Role",
        choices=[Choice(role.value, role.label) for role in Role],
        validators=[InputRequired("Choose a role.")],
    )
    regions = RegionsField("Regions (officers only)", choices=[])
    totp_required = BooleanField("Require a second factor (an authenticator app code)")

    def __init__(self, *args, ref: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions.choices = choices((r.id, r.name) for r in ref.regions.values())


class UserEditForm(UserForm):
    email = None  # an account's email does not change


class ForceRegionForm(FlaskForm):
    force = required_choice("Police force", "Choose a police force.", "Choose a police force.")
    region = required_choice("Move it to", "Choose a region.", "Choose a region.")
    reason = required_text(
        "Reason for moving it", "Enter a reason for moving the force.", FORCE_REASON_MAX_LENGTH
    )

    def __init__(self, *args, ref: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        forces = sorted(ref.forces.values(), key=lambda f: f.name)
        self.force.choices = choices([("", "Choose a force"), *((f.id, f.name) for f in forces)])
        regions = ((r.id, r.name) for r in ref.regions.values())
        self.region.choices = choices([("", "Choose a region"), *regions])


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )
    new_password = PasswordField(
        "New password", validators=[InputRequired("Enter a new password.")]
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = ChoiceField("Action", choices=[], default="")
    actor = StringField("Email address", validators=[Optional(), Length(max=254)])
    reference = StringField("Report reference", validators=[Optional(), Length(max=12)])
    date_from = StringField("From", validators=[Optional()])
    date_to = StringField("Up to", validators=[Optional()])
