"""The form as a reporter on a phone meets it: wording per setting, stations, the contact
fields, the counter's sentences and errors that name their field."""

import json
import re

import pytest
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import Report
from reporter.reference import get_reference
from reporter.services.reporting.reports import decrypt_field
from tests.factories import report_answers
from tests.pages import assert_redirects, read

REF = get_reference()
RAIL = report_answers(signs=["hiding"], station=None)


@pytest.fixture
def stored(app):
    """The stored reports. (No app context around the requests: it would keep one locale.)"""

    def read_stored() -> list[tuple[Report, str | None]]:
        with app.app_context():
            reports = db.session.scalars(select(Report)).all()
            return [(r, decrypt_field(r, "place")) for r in reports]

    return read_stored


def where_block(page) -> str:
    """The text of the "Where was it?" group: its hint, fields and errors."""
    block = re.search(r"<legend>Where was it\?</legend>(.*?)</fieldset>", page.html, re.S)
    return re.sub(r"<[^>]+>", " ", block.group(1))


@pytest.mark.parametrize("sector", list(REF.sectors))
def test_each_settings_where_hint_and_error_name_only_the_fields_it_shows(client, sector):
    page = read(client.post("/report", data={**RAIL, "sector": sector}))
    asks_station = bool(page.find_all("input", name="station"))
    assert "Tell us where" in where_block(page)
    assert ("station" in where_block(page).lower()) == asks_station
    assert asks_station == (sector in ("rail", "underground-metro", "bus-coach"))


def test_an_unrecognised_station_never_stops_a_report_and_is_kept_as_the_place(client, stored):
    response = client.post("/report", data={**RAIL, "station": "Leicster"})
    assert_redirects(response, "/report/done")
    [(report, place)] = stored()
    assert report.station_crs is None
    assert place == "Leicster"


def test_an_unrecognised_station_joins_the_place_described(client, stored):
    client.post("/report", data={**RAIL, "station": "Leicster", "place": "platform 2"})
    [(_, place)] = stored()
    assert place == "Leicster, platform 2"


def test_with_another_mistake_the_station_suggestions_are_choices_to_tap(client, stored):
    page = read(client.post("/report", data={**RAIL, "danger": "", "station": "Leicster"}))
    choices = page.find_all("input", type="radio", name="station_choice")
    assert "LEI" in [c["value"] for c in choices]
    assert "Did you mean" in page.text and "Leicester (LEI)" in page.text
    assert "#station" not in page.error_summary_links()  # a suggestion, never an error
    kept = [c for c in choices if "checked" in c]
    assert [c["value"] for c in kept] == [""]  # "keep what I wrote" until one is tapped
    response = client.post("/report", data={**RAIL, "station": "Leicster", "station_choice": "LEI"})
    assert_redirects(response, "/report/done")
    [(report, place)] = stored()
    assert report.station_crs == "LEI"
    assert place is None


def test_a_recognised_station_offers_no_suggestions(client):
    page = read(client.post("/report", data={**RAIL, "danger": "", "station": "lei"}))
    assert not page.find_all("input", name="station_choice")


def test_the_contact_fields_are_grouped_to_be_revealed_by_the_consent_choice(client):
    page = read(client.get("/report?sector=taxi"))
    block = re.search(r'id="contact-fields"(.*?)</div>\s*</fieldset>', page.html, re.S).group(1)
    for name in ("name", "phone", "email"):
        assert f'name="{name}"' in block
    assert page.find_all("div", class_="contact-fields", id="contact-fields")  # hidden by CSS
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert "[value=anonymous]:checked) .contact-fields:not(.keep-open)" in css


def test_contact_fields_that_hold_an_answer_stay_open_whatever_the_choice(client):
    page = read(client.post("/report", data={**RAIL, "name": "Sam"}))
    assert page.find_all("div", class_="contact-fields keep-open", id="contact-fields")
    assert page.find_all("input", name="name", value="Sam")


def test_the_setting_s_own_signs_come_before_the_general_checklist(client):
    page = read(client.get("/report?sector=hotel"))
    order = [box["value"] for box in page.find_all("input", name="signs")]
    own = [s.id for s in REF.signs.values() if not s.general and "hotel" in s.sectors]
    assert order[: len(own)] == own
    assert REF.signs[order[-1]].general


def test_where_comes_before_the_checklist(client):
    html = client.get("/report?sector=rail").get_data(as_text=True)
    assert html.index('name="postcode"') < html.index('name="signs"')


def test_an_over_long_answer_names_the_field(client):
    page = read(client.post("/report", data={**RAIL, "description": "x" * 2100}))
    assert "What did you see: write 2,000 characters or fewer. You wrote 2,100." in page.text


def counter_texts(client, lang: str) -> dict:
    page = read(client.get(f"/report?sector=rail&lang={lang}", follow_redirects=True))
    [box] = page.find_all("textarea", name="description")
    return json.loads(box["data-counter"])


def test_the_counter_sentences_are_in_the_page_for_each_plural_form(client, app):
    english = counter_texts(client, "en")
    texts = counter_texts(app.test_client(), "pl")
    assert set(texts) == {"one", "few", "many"}  # Polish: 1, 2-4, 5+
    assert all("{n}" in t["left"] and "{n}" in t["over"] for t in texts.values())
    assert english["other"] == {
        "left": "You have {n} characters left",
        "over": "{n} characters too many",
    }
    assert texts["many"]["left"] != english["other"]["left"]
