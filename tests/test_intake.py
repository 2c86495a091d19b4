"""One intake schema: the form and the JSON API give the same verdict, field and message, for
the same answers."""

import html
import re

import pytest
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import Report
from reporter.services.reporting import intake
from reporter.services.reporting.reports import decrypt_field
from tests.factories import as_api_body, report_answers
from tests.pages import assert_redirects

FORM = report_answers()


def form_errors(response) -> dict[str, str]:
    """The error summary as {field name: message}."""
    page = response.get_data(as_text=True)
    block = re.search(r'class="error-summary".*?</div>', page, re.S)
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', block.group(0)) if block else []
    return {re.sub(r"-0$", "", target): html.unescape(text) for target, text in links}


CASES = [
    # (changes to the form's answers, field on the form, key in the API's errors)
    ({"station": None, "postcode": None, "place": None}, "postcode", "place"),
    ({"station": None, "postcode": "NOT A CODE"}, "postcode", "postcode"),
    ({"signs": [], "description": ""}, "description", "description"),
    ({"signs": [], "description": "   "}, "description", "description"),
    ({"signs": ["room-paid-cash"]}, "signs", "signs"),  # a hotel sign on the railway
    ({"signs": ["made-up"]}, "signs", "signs"),
    ({"danger": None}, "danger", "danger"),
    ({"consent": "share"}, "consent", "contact"),
    ({"consent": "whatever"}, "consent", "contact.consent"),
    ({"name": "Sam"}, "consent", "contact"),  # anonymous, yet a name
    ({"name": "N" * 121}, "name", "contact.name"),
    ({"consent": "share", "phone": "call me"}, "phone", "contact.phone"),
    ({"consent": "share", "email": "nope"}, "email", "contact.email"),
    ({"seen_at": "yesterday-ish"}, "seen_at", "seen_at"),
    ({"seen_at": "2999-01-01T10:00"}, "seen_at", "seen_at"),
    ({"place": "y" * (intake.PLACE_MAX_LENGTH + 1)}, "place", "place"),
    ({"description": "x" * (intake.DESCRIPTION_MAX_LENGTH + 1)}, "description", "description"),
    ({"postcode": "LE1 6RN" + " " * intake.POSTCODE_MAX_LENGTH}, "postcode", "postcode"),
]


@pytest.mark.parametrize(("changes", "form_field", "api_key"), CASES)
def test_the_form_and_the_api_give_the_same_verdict(client, changes, form_field, api_key):
    answers = {**FORM, **changes}
    posted = {k: v for k, v in answers.items() if v is not None}
    on_form = form_errors(client.post("/report", data=posted))
    response = client.post("/api/v1/reports", json=as_api_body(answers))
    assert response.status_code == 400
    on_api = response.get_json()["errors"]
    assert list(on_form) == [form_field]
    assert list(on_api) == [api_key]
    if _too_long(changes):  # the form names the field, as its error summary lists it apart
        numbers = re.compile(r"[0-9][0-9,]*")
        assert numbers.findall(on_form[form_field]) == numbers.findall(on_api[api_key])
        assert on_form[form_field] != on_api[api_key]
    else:
        assert on_api == {api_key: on_form[form_field]}


def _too_long(changes: dict) -> bool:
    fields = intake.FIELDS_BY_NAME
    return any(
        isinstance(value, str) and name in fields and len(value) > (fields[name].limit or 1e9)
        for name, value in changes.items()
    )


@pytest.mark.parametrize("station", ["Leicesterr", "Atlantis", "Newport"])
def test_a_station_that_settles_on_none_stops_neither_channel(app, client, station):
    """Issue 16: a report is never refused for its place. Unknown ("Atlantis"), misspelt
    ("Leicesterr") or fitting stations in two regions ("Newport": Essex and South Wales), the
    name is kept as the place on both channels, and the API says so with the candidates."""
    answers = {**FORM, "station": station}
    assert_redirects(client.post("/report", data=answers), "/report/done")
    response = client.post("/api/v1/reports", json=as_api_body(answers))
    assert response.status_code == 201, response.get_json()
    unclear = response.get_json()["place_unclear"]
    assert unclear["station_as_typed"] == station
    assert unclear["message"]
    with app.app_context():
        reports = db.session.scalars(select(Report)).all()
        assert [r.station_crs for r in reports] == [None, None]
        assert [decrypt_field(r, "place") for r in reports] == [station, station]
    if station == "Newport":
        assert {c["crs"] for c in unclear["candidates"]} == {"NWP", "NWE"}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"station": None, "postcode": "le1 6rn"},
        {"station": None, "place": "Platform 3"},
        {"signs": [], "description": "A girl alone, late at night."},
        {"consent": "share", "phone": " 07700 900123 ", "name": "Sam"},
        {"consent": "confidential", "email": "sam@example.com"},
        {"seen_at": "2026-01-02T10:00", "description": "x" * intake.DESCRIPTION_MAX_LENGTH},
        {"description": "line\r\n" * (intake.DESCRIPTION_MAX_LENGTH // 5)},  # CR LF counts 1
    ],
)
def test_good_answers_are_stored_by_both(client, changes, monkeypatch):
    from datetime import datetime

    monkeypatch.setattr(intake, "datetime", _FixedNow(datetime(2026, 6, 1, 12, 0)))
    answers = {**FORM, **changes}
    posted = {k: v for k, v in answers.items() if v is not None}
    form = client.post("/report", data=posted)
    assert_redirects(form, "/report/done")
    api = client.post("/api/v1/reports", json=as_api_body(answers))
    assert api.status_code == 201, api.get_json()


class _FixedNow:
    """datetime with a fixed now(), so dates in the cases stay in the last year."""

    def __init__(self, now):
        from datetime import datetime

        self._now = now
        self.strptime = datetime.strptime

    def now(self, tz=None):
        return self._now.replace(tzinfo=tz)


def test_the_limits_are_one_set_read_by_form_api_and_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    report = document["components"]["schemas"]["NewReport"]["properties"]
    assert report["description"]["maxLength"] == intake.DESCRIPTION_MAX_LENGTH
    assert report["place"]["maxLength"] == intake.PLACE_MAX_LENGTH
    assert report["postcode"]["maxLength"] == intake.POSTCODE_MAX_LENGTH
    assert report["station"]["maxLength"] == intake.STATION_MAX_LENGTH
    assert report["contact"]["properties"]["name"]["maxLength"] == intake.CONTACT_MAX_LENGTH
    assert report["contact"]["properties"]["phone"]["maxLength"] == intake.PHONE_MAX_LENGTH
    page = client.get("/report?sector=rail").get_data(as_text=True)
    assert f"{intake.DESCRIPTION_MAX_LENGTH:,}" in page
