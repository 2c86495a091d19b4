"""Every reporter in their own language: locale choice, direction, and complete catalogues."""

import pytest
from flask_babel import force_locale, gettext

from reporter.i18n import LOCALES, native_name
from tests.pages import read

OTHER_LOCALES = [code for code in LOCALES if code != "en"]
RIGHT_TO_LEFT = {"ar", "ur", "ckb"}  # Arabic, Urdu and Sorani are written right to left
PAGES = [
    ("/", 200),
    ("/report?sector=rail", 200),
    ("/report?sector=delivery", 200),
    ("/no-such-page", 404),
]


def test_every_supported_language_is_offered(app):
    assert app.config["REPORTER_LOCALES"] == LOCALES


@pytest.mark.parametrize("code", OTHER_LOCALES)
@pytest.mark.parametrize(("path", "status"), PAGES)
def test_every_public_page_is_in_the_chosen_language(client, app, code, path, status):
    separator = "&" if "?" in path else "?"
    page = read(client.get(f"{path}{separator}lang={code}"), status)
    html = page.find_all("html")[0]
    assert html["lang"] == code
    assert html["dir"] == ("rtl" if code in RIGHT_TO_LEFT else "ltr")
    with app.test_request_context(), force_locale(code):
        danger = gettext("If a child is in immediate danger, call 999")
    assert danger != "If a child is in immediate danger, call 999"
    assert danger in page.text


@pytest.mark.parametrize("code", OTHER_LOCALES)
def test_the_checklist_and_errors_are_translated(client, app, code):
    form = read(client.get(f"/report?sector=rail&lang={code}"))
    action = form.find_all("form", id="report-form")[0]["action"]  # says its language
    page = read(client.post(action, data={"sector": "rail", "consent": "anonymous"}))
    with app.test_request_context(), force_locale(code):
        expected = [
            gettext("Travelling alone, especially in school hours, late at night or often"),
            gettext("Say if a child is in danger right now."),
            gettext("There is a problem"),
        ]
    for text in expected:
        assert text in page.text


def test_arabic_is_right_to_left(client):
    page = read(client.get("/report?sector=rail&lang=ar"))
    html = page.find_all("html")[0]
    assert (html["lang"], html["dir"]) == ("ar", "rtl")


def test_accept_language_picks_polish_without_any_choice(client):
    page = read(client.get("/report?sector=rail", headers={"Accept-Language": "pl,en;q=0.5"}))
    assert page.find_all("html")[0]["lang"] == "pl"


def test_an_explicit_choice_beats_the_browser_and_every_address_carries_it(client):
    """No session keeps the choice: every public address the page makes says it, so the next
    page (and a proxy's copy of it) is in the language chosen."""
    chooser = read(client.get("/?lang=cy", headers={"Accept-Language": "pl"}))
    assert chooser.find_all("html")[0]["lang"] == "cy"
    assert "/report?sector=rail&lang=cy" in chooser.links()
    page = read(client.get("/report?sector=rail&lang=cy", headers={"Accept-Language": "pl"}))
    assert page.find_all("html")[0]["lang"] == "cy"
    assert page.find_all("form", id="report-form")[0]["action"] == "/report?lang=cy"
    assert "Set-Cookie" not in client.get("/report?sector=rail&lang=cy").headers


def test_an_unknown_language_falls_back_to_english(client):
    page = read(client.get("/report?sector=rail&lang=xx", headers={"Accept-Language": "xx"}))
    assert page.find_all("html")[0]["lang"] == "en"


def test_the_switcher_names_each_language_in_itself(client):
    page = read(client.get("/report?sector=rail"))
    for code, name in [("cy", "Cymraeg"), ("pl", "Polski"), ("ar", "العربية")]:
        assert native_name(code) == name
        assert name in page.text
        assert page.find_all("button", value=code, lang=code)


def test_switching_language_mid_form_keeps_the_answers_in_the_new_language(client):
    response = client.post(
        "/report",
        data={
            "sector": "rail",
            "signs": ["hiding"],
            "description": "Dau fachgen",
            "switch_lang": "cy",
        },
    )
    page = read(response)
    assert page.find_all("html")[0]["lang"] == "cy"
    assert "Dau fachgen" in page.html
    assert page.find_all("input", name="signs", value="hiding", checked="")
    assert not page.error_summary_links()


def test_numbers_follow_the_language(client):
    # The description limit: 2,000 in English, 2 000 (narrow no-break space) in Polish.
    assert "2,000" in read(client.get("/report?sector=rail&lang=en")).text
    assert "2,000" not in read(client.get("/report?sector=rail&lang=pl")).text


def test_api_errors_follow_the_language_field(client, app):
    response = client.post(
        "/api/v1/reports", json={"sector": "boats", "danger": False, "language": "cy"}
    )
    with app.test_request_context(), force_locale("cy"):
        expected = gettext("Choose a setting from the list.")
    assert response.get_json()["errors"]["sector"] == expected != "Choose a setting from the list."


def test_api_errors_follow_accept_language(client, app):
    response = client.get("/api/v1/guidance?sector=boats", headers={"Accept-Language": "ar"})
    with app.test_request_context(), force_locale("ar"):
        expected = gettext("Choose a setting from the list.")
    assert response.get_json()["errors"]["sector"] == expected
