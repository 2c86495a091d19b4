"""The outcome page: 999 first when a child is in danger, sentences that fit the situation,
the force and council named, a text to BTP ready to send, dates as the reader writes them."""

import re
from datetime import datetime
from urllib.parse import unquote

import pytest
from flask_babel import force_locale

from reporter.reference import get_reference
from reporter.templating import uk_datetime
from tests.pages import assert_redirects, read

REF = get_reference()
# Sentences that cannot be true when a child is in danger right now, and one that only is.
NOT_IN_DANGER = ("no one is in danger right now", "not for emergencies", "not an emergency")
ONLY_IN_DANGER = ("after you have called 999",)


def report(client, **answers):
    data = {"danger": "no", "consent": "anonymous", "description": "Seen twice this week."}
    data.update(answers)
    response = client.post("/report", data=data)
    assert_redirects(response, "/report/done")
    return read(client.get("/report/done"))


def main_links(page) -> list[str]:
    main = page.html.split('id="main"', 1)[1]
    return re.findall(r'href="([^"]+)"', main)


@pytest.mark.parametrize("danger", ["yes", "no"])
@pytest.mark.parametrize("sector", list(REF.sectors))
def test_no_sentence_contradicts_the_situation_in_any_setting(app, sector, danger):
    """Every setting, with and without danger, with every sign ticked and the reporter under
    18, so every route that can apply does."""
    client = app.test_client()
    signs = [s.id for s in REF.signs_for(sector)]
    where = {"station": "LEI"} if sector in ("rail", "bus-coach") else {"postcode": "LE1 6RN"}
    page = report(client, sector=sector, danger=danger, signs=signs, young="y", **where)
    text = page.text.casefold()
    wrong = NOT_IN_DANGER if danger == "yes" else ONLY_IN_DANGER
    assert not [phrase for phrase in wrong if phrase in text]
    if danger == "yes":
        assert main_links(page)[0] == "tel:999"
        first_list = page.html.split('class="authorities"')[1].split("</ol>")[0]
        assert re.findall(r'href="(tel:[^"]+|sms:[^"?]+)', first_list) == ["tel:999"]


def test_with_danger_the_call_notice_is_the_link_and_comes_before_the_thanks(client):
    page = report(client, sector="rail", danger="yes", station="LEI", signs=["hiding"])
    html = page.html.split('id="main"', 1)[1]
    call = re.search(r'<a class="call-999" href="tel:999">(.*?)</a>', html, re.S)
    assert "Call 999 now if you have not already" in call.group(1)
    assert html.index('class="call-999"') < html.index("Thank you") < html.index("LC-")
    after = html.split("After you have called 999", 1)[1]
    assert "sms:61016" in after and "On the railway, you can also text them" in after


def test_without_danger_there_is_no_999_notice_and_one_list(client):
    page = report(client, sector="rail", station="LEI", signs=["hiding"])
    assert 'class="call-999"' not in page.html
    assert "After you have called 999" not in page.text


def test_the_text_to_btp_already_holds_reference_station_and_signs(client):
    page = report(client, sector="rail", station="LEI", signs=["hiding", "controlled"])
    reference = re.search(r"LC-[A-Z0-9]{4}-[A-Z0-9]{4}", page.text).group(0)
    [sms] = [link for link in page.links() if link.startswith("sms:61016")]
    assert sms.startswith("sms:61016?&body=")
    body = unquote(sms.split("body=", 1)[1])
    assert body.startswith(f"LookCloser report {reference}. Seen: ")
    assert " Where: Leicester. " in body
    for sign in ("hiding", "controlled"):
        assert REF.signs[sign].label in body
    assert len(body) < 400
    assert "What you noticed" in page.text  # the same summary, for a call


def test_a_postcode_names_the_police_force_and_the_council(client):
    page = report(client, sector="delivery", postcode="LE11 3TU", signs=["withdrawn"])
    assert "For this place: Leicestershire Police." in page.text
    assert "The council for this postcode area: Leicestershire." in page.text


def test_a_city_postcode_names_its_own_council(client):
    page = report(client, sector="delivery", postcode="LE1 6RN", signs=["withdrawn"])
    assert "The council for this postcode area: Leicester." in page.text


def test_without_a_postcode_the_page_says_plainly_that_it_does_not_know(client):
    page = report(
        client, sector="delivery", place="a flat above the chip shop", signs=["withdrawn"]
    )
    assert "We could not tell which police force covers this place." in page.text
    assert "We could not tell the council from what you gave." in page.text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "2 December 2026, 08:52"),  # British, to the minute; GMT in December
        ("pl", "2 grudnia 2026, 08:52"),
        ("cy", "2 Rhagfyr 2026 08:52"),
    ],
)
def test_dates_are_written_as_the_readers_language_writes_them(app, lang, expected):
    with app.test_request_context(), force_locale(lang):
        assert uk_datetime(datetime(2026, 12, 2, 8, 52, 42)) == expected


def test_summer_times_are_uk_local_time(app):
    with app.test_request_context(), force_locale("en"):
        assert uk_datetime(datetime(2026, 7, 1, 8, 5)) == "1 July 2026, 09:05"


def test_the_outcome_shows_when_in_british_format(client):
    page = report(
        client, sector="rail", station="LEI", signs=["hiding"], seen_at="2026-11-23T14:30"
    )
    assert "23 November 2026, 14:30" in page.text


def test_the_api_guidance_speaks_of_after_999_when_a_child_is_in_danger(client):
    answer = client.get("/api/v1/guidance?sector=rail&danger=true").get_json()
    sentences = {a["id"]: a["when"] for a in answer["authorities"]}
    assert sentences["btp-text-61016"] == REF.authorities["btp-text-61016"].after_999
    calm = client.get("/api/v1/guidance?sector=rail&danger=false").get_json()
    assert (
        "no one is in danger" in {a["id"]: a["when"] for a in calm["authorities"]}["btp-text-61016"]
    )
