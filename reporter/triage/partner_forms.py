"""Staff forms for partners, their sites, CSV imports and API keys (English only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from reporter.i18n import LOCALES, native_name
from reporter.reference import Reference
from reporter.services.partnerships import entries
from reporter.services.partnerships import partners as service
from reporter.services.partnerships.partner_keys import NAME_MAX_LENGTH as KEY_NAME_MAX_LENGTH
from reporter.triage.forms import ChoiceField, choices, required_text


class PartnerForm(FlaskForm):
    name = required_text(
        "Name", "Enter the partner's name.", service.NAME_MAX_LENGTH, field=StringField
    )
    sector = ChoiceField("Setting", choices=[], invalid="Choose a setting.")
    language = ChoiceField("Language of its staff", choices=[], invalid="Choose a language.")
    region_id = ChoiceField("Home region", choices=[], invalid="Choose a region.")
    contact = StringField(
        "Contact for the programme",
        validators=[Optional(), Length(max=service.CONTACT_MAX_LENGTH)],
    )

    def __init__(self, *args, ref: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = choices((s.id, s.name) for s in ref.sectors.values())
        self.language.choices = choices((code, f"{native_name(code)} ({code})") for code in LOCALES)
        self.region_id.choices = choices(
            [("", "None: the national queue"), *((r.id, r.name) for r in ref.regions.values())]
        )


class SiteForm(FlaskForm):
    label = required_text(
        "Label",
        "Enter a label the partner recognises.",
        service.LABEL_MAX_LENGTH,
        field=StringField,
    )
    station = StringField("Station (name or 3-letter code)", validators=[Optional()])
    postcode = StringField("Postcode", validators=[Optional()])
    site_sector = ChoiceField("Setting", choices=[], invalid="Choose a setting.")

    def __init__(self, *args, ref: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.site_sector.choices = choices(
            [("", "The partner's setting"), *((s.id, s.name) for s in ref.sectors.values())]
        )


class ImportForm(FlaskForm):
    file = FileField("CSV file of sites")
    # After a valid preview: the same file, sent again with the confirmation.
    content = HiddenField()


class KeyForm(FlaskForm):
    key_name = required_text(
        "Name of the app that will use the key",
        "Name the key after the app that will use it.",
        KEY_NAME_MAX_LENGTH,
        field=StringField,
    )


class ResultsForm(FlaskForm):
    """Read from the query string (GET): no CSRF token."""

    class Meta:
        csrf = False

    weeks = ChoiceField(
        "Period",
        choices=choices((str(n), f"The last {n} weeks") for n in entries.WEEK_CHOICES),
        default=str(entries.WEEK_CHOICES[1]),
    )
