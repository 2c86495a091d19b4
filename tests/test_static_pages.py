"""Issue 18: the chooser and the blank form are the same bytes for every visitor of an address:
no session cookie, no token, no key; rendered and compressed once, with a strong ETag and
Cache-Control a proxy may keep (reporter/public/static_pages.py)."""

from __future__ import annotations

import brotli
import pytest

from reporter.public.static_pages import forget_pages
from tests.factories import make_partner, make_site

PAGES = ["/", "/report?lang=cy", "/report?sector=rail", "/report?sector=delivery&lang=ar"]


@pytest.mark.parametrize("path", PAGES)
def test_two_visitors_get_the_same_bytes_and_no_cookie(app, path):
    one, two = app.test_client(), app.test_client()
    first = one.get(path, headers={"Accept-Language": "pl"})
    second = two.get(path, headers={"Accept-Language": "pl"})
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert "stale-if-error" in first.headers["Cache-Control"]


def test_an_address_without_its_language_varies_by_the_browsers(client):
    assert "Accept-Language" in client.get("/report?sector=rail").headers["Vary"]
    assert "Accept-Language" not in client.get("/report?sector=rail&lang=cy").headers["Vary"]
    welsh = client.get("/report?sector=rail", headers={"Accept-Language": "cy"})
    assert 'lang="cy"' in welsh.get_data(as_text=True)


def test_a_page_the_phone_has_is_not_sent_again(client):
    page = client.get("/report?sector=rail&lang=pl")
    again = client.get(
        "/report?sector=rail&lang=pl", headers={"If-None-Match": page.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    other = client.get(
        "/report?sector=taxi&lang=pl", headers={"If-None-Match": page.headers["ETag"]}
    )
    assert other.status_code == 200


def test_a_kept_page_is_made_again_after_its_time_so_changed_data_shows(app, client, monkeypatch):
    from reporter.extensions import db
    from reporter.public import static_pages

    with app.app_context():
        site = make_site(make_partner(sector="rail"), station="LDS")
        path = f"/report?sector=rail&entry={site.code}&lang=en"
    assert 'value="Leeds"' in client.get(path).get_data(as_text=True)
    with app.app_context():
        db.session.merge(site).station_crs = "LEI"
        db.session.commit()
    assert 'value="Leeds"' in client.get(path).get_data(as_text=True)  # kept
    later = static_pages.time.monotonic() + app.config["PUBLIC_PAGE_KEEP_SECONDS"] + 1
    monkeypatch.setattr(static_pages.time, "monotonic", lambda: later)
    assert 'value="Leicester"' in client.get(path).get_data(as_text=True)


def test_a_query_the_page_does_not_take_is_still_served_and_never_kept(app, client):
    from reporter.public.static_pages import _PAGES

    assert client.get("/report?sector=rail&utm_source=poster").status_code == 200
    assert not any("utm_source" in str(key) for key in app.extensions.get(_PAGES, {}))


@pytest.fixture
def flask_answers(app, monkeypatch):
    """The requests that reached Flask's dispatch (its hooks and views), by address."""
    from flask import request

    seen: list[str] = []
    dispatch = app.full_dispatch_request

    def counted():
        seen.append(request.full_path)
        return dispatch()

    monkeypatch.setattr(app, "full_dispatch_request", counted)
    return seen


def test_a_page_flask_answered_is_answered_again_with_the_same_response(app, flask_answers):
    phone = {"Accept-Language": "pl", "Accept-Encoding": "gzip, deflate, br"}
    first = app.test_client().get("/report?sector=rail&lang=pl", headers=phone)
    again = app.test_client().get("/report?sector=rail&lang=pl", headers=phone)
    assert len(flask_answers) == 1
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["Content-Encoding"] == "br"
    assert sorted(again.headers.items()) == sorted(first.headers.items())
    assert again.headers["Content-Security-Policy"] and again.headers["Cache-Control"]


@pytest.mark.parametrize(
    "other",
    [
        {"Accept-Language": "cy"},  # without ?lang= the language may come from here
        {"Accept-Encoding": "gzip"},  # another encoding of the page
        {"Cookie": "session=x"},  # the outcome page's session is Flask's to read
    ],
)
def test_a_request_that_could_be_answered_otherwise_reaches_flask(app, flask_answers, other):
    phone = {"Accept-Language": "pl", "Accept-Encoding": "br"}
    client = app.test_client()
    client.get("/report?sector=rail", headers=phone)
    if cookie := other.pop("Cookie", None):
        client.set_cookie(*cookie.split("="))  # the test client sends its own jar's cookies
    answer = client.get("/report?sector=rail", headers={**phone, **other})
    assert len(flask_answers) == 2
    if "Accept-Language" in other:
        assert b'lang="cy"' in brotli.decompress(answer.data)
    if "Accept-Encoding" in other:
        assert answer.headers["Content-Encoding"] == "gzip"


def test_a_page_the_phone_has_is_still_answered_by_flask_with_304(app, flask_answers):
    client = app.test_client()
    page = client.get("/report?sector=rail&lang=pl")
    again = client.get(
        "/report?sector=rail&lang=pl", headers={"If-None-Match": page.headers["ETag"]}
    )
    assert again.status_code == 304 and len(flask_answers) == 2


def test_only_kept_pages_are_answered_again(app, flask_answers):
    client = app.test_client()
    for path in [
        "/report?sector=rail&ref=poster",
        "/report?sector=rail&ref=poster",
        "/nowhere",
    ] * 2:
        client.get(path)
    assert len(flask_answers) == 6  # a query the page does not take, and a 404, every time


def test_a_response_kept_is_dropped_with_its_page(app, flask_answers, monkeypatch):
    from reporter.public import static_pages

    client = app.test_client()
    client.get("/report?sector=rail&lang=en")
    client.get("/report?sector=rail&lang=en")
    assert len(flask_answers) == 1
    with app.app_context():
        forget_pages()
    client.get("/report?sector=rail&lang=en")
    assert len(flask_answers) == 2
    later = static_pages.time.monotonic() + app.config["PUBLIC_PAGE_KEEP_SECONDS"] + 1
    monkeypatch.setattr(static_pages.time, "monotonic", lambda: later)
    client.get("/report?sector=rail&lang=en")
    assert len(flask_answers) == 3
