"""What each process keeps so that it does not redo work on every request (issue 10), and that
keeping it never shows a visitor someone else's page, token or a stale routing for long.

The caches are off in the other tests (one app serves many of them); here they are on."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import event, select

from reporter.extensions import db, limiter
from reporter.models import ForceRegion, Report
from reporter.services import reference_admin
from tests.factories import DELIVERY_ANSWERS, make_user
from tests.pages import read

FORM_URL = "/report?sector=delivery"
KENT = "ME1 1AA"
ANSWERS = DELIVERY_ANSWERS


@pytest.fixture
def app(make_app):
    return make_app(PAGE_CACHE=True, WTF_CSRF_ENABLED=True)


def token_of(html: str) -> str:
    [token] = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
    return token


def key_of(html: str) -> str:
    [key] = set(re.findall(r'name="idempotency_key" value="([^"]+)"', html))
    return key


def pages(app) -> dict:
    return app.extensions.get("reporter_page_cache", {})


def test_two_visitors_get_the_same_cached_form_each_with_a_token_that_works(app):
    first, second = app.test_client(), app.test_client()
    one = first.get(FORM_URL).get_data(as_text=True)
    two = second.get(FORM_URL).get_data(as_text=True)
    assert len(pages(app)) == 1  # rendered once, served twice
    assert token_of(one) != token_of(two)
    # Each blank form has its own idempotency key too: two reporters' reports are never one.
    assert key_of(one) != key_of(two)
    assert one.replace(token_of(one), "T").replace(key_of(one), "K") == two.replace(
        token_of(two), "T"
    ).replace(key_of(two), "K")
    read(second.get(FORM_URL))  # the cached page is a whole, well-formed page

    for client, html in ((first, one), (second, two)):
        response = client.post("/report", data={**ANSWERS, "csrf_token": token_of(html)})
        assert response.status_code == 303
    # A token is only good with its own session: the cache never shares one.
    stranger = app.test_client()
    stranger.get(FORM_URL)
    response = stranger.post("/report", data={**ANSWERS, "csrf_token": token_of(one)})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Report)) == 2


PHONE = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en-GB,en;q=0.9"}


def _normalised(html: str) -> str:
    return html.replace(token_of(html), "T").replace(key_of(html), "K")


@pytest.mark.parametrize("lang", ["en", "cy", "ar", "pl", "ckb"])
def test_a_phone_gets_each_cached_form_gzipped_as_it_would_read_it_unzipped(app, lang):
    ref = app.extensions["reporter_reference"]
    for sector in ref.sectors:
        url = f"/report?sector={sector}&lang={lang}"
        plain = app.test_client().get(url).get_data(as_text=True)  # renders and keeps it
        phone = app.test_client()
        zipped = phone.get(url, headers=PHONE)
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["Vary"]
        html = gzip.decompress(zipped.get_data()).decode()
        assert _normalised(html) == _normalised(plain)
        assert token_of(html) != token_of(plain)
        assert int(zipped.headers["Content-Length"]) == len(zipped.get_data())
    app.test_client().get(FORM_URL)  # kept; then a gzipped page's own token works
    phone = app.test_client()
    html = gzip.decompress(phone.get(FORM_URL, headers=PHONE).get_data()).decode()
    response = phone.post("/report", data={**ANSWERS, "csrf_token": token_of(html)})
    assert response.status_code == 303


def test_a_browser_that_does_not_take_gzip_gets_the_page_as_it_asks(app):
    app.test_client().get(FORM_URL)
    brotli_only = app.test_client().get(FORM_URL, headers={"Accept-Encoding": "br"})
    assert brotli_only.headers.get("Content-Encoding") == "br"  # flask-compress, per request
    plain = app.test_client().get(FORM_URL, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    read(plain)


def test_each_language_has_its_own_page_and_a_chosen_language_is_kept(app):
    client = app.test_client()
    english = read(client.get(FORM_URL))
    welsh = read(client.get(FORM_URL + "&lang=cy"))  # kept for the session from now on
    again = read(client.get(FORM_URL))  # no ?lang=: the session's Welsh, not cached English
    assert english.find_all("html")[0]["lang"] == "en"
    assert welsh.find_all("html")[0]["lang"] == again.find_all("html")[0]["lang"] == "cy"
    assert english.title != welsh.title
    assert len(pages(app)) == 3  # en; cy with ?lang=cy (its switcher links differ); cy without


@pytest.mark.parametrize(
    "url",
    [
        FORM_URL + "&utm_source=newsletter",  # an argument the page does not name
        FORM_URL + "&lang=xx",  # a value it does not allow
        FORM_URL + "&sector=rail",  # twice
    ],
)
def test_other_query_strings_render_as_usual_and_are_not_kept(app, url):
    client = app.test_client()
    assert client.get(url).status_code == 200
    assert pages(app) == {}


def test_a_session_holding_anything_else_renders_as_usual(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["preset_station"] = "LEI"  # some state a page might show
    assert client.get(FORM_URL).status_code == 200
    assert pages(app) == {}


def test_the_chooser_is_cached_too_and_a_bad_setting_still_shows_it(app):
    client = app.test_client()
    chooser = read(client.get("/report"))
    assert chooser.find_all("a", href="/report?sector=delivery")
    assert len(pages(app)) == 1
    assert client.get("/report?sector=boats").status_code == 200
    assert len(pages(app)) == 1


def test_a_get_is_never_counted_against_the_report_limit(make_app):
    app = make_app(PAGE_CACHE=True, RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="1 per minute")
    with app.app_context():
        limiter.reset()
    client = app.test_client()
    for _ in range(5):
        assert client.get(FORM_URL).status_code == 200
    assert client.post("/report", data=ANSWERS).status_code == 303
    assert client.post("/report", data=ANSWERS).status_code == 429
    assert client.get(FORM_URL).status_code == 200


# --- admins' moves of police forces, read at most every FORCE_REGIONS_CACHE_SECONDS ---------


def kent_region() -> str:
    return reference_admin.effective_reference().region_of_force("kent").id


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(reference_admin.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def statements(app):
    sent = []
    with app.app_context():

        def keep(_conn, _cursor, statement, *_args):
            sent.append(statement)

        event.listen(db.engine, "before_cursor_execute", keep)
        yield sent
        event.remove(db.engine, "before_cursor_execute", keep)


def test_force_moves_are_read_once_per_interval_and_a_move_elsewhere_shows_after_it(
    make_app, clock
):
    app = make_app(FORCE_REGIONS_CACHE_SECONDS=10)
    with app.app_context():
        sent = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        assert kent_region() == "eastern"
        assert kent_region() == "eastern"
        assert (
            sum(s.startswith("SELECT") and "force_regions" in s for s in sent) == 1
        )  # the second came from memory

        # Another instance moves Kent: written straight to the database, as it would be.
        db.session.add(ForceRegion(force_id="kent", region_id="south-east", reason_enc=b"x"))
        db.session.commit()
        clock[0] += 9
        assert kent_region() == "eastern"  # within the interval: as read
        clock[0] += 2
        assert kent_region() == "south-east"  # after it: read again
        assert sum(s.startswith("SELECT") and "force_regions" in s for s in sent) == 2


def test_a_move_made_in_this_process_applies_at_once(make_app, clock):
    app = make_app(FORCE_REGIONS_CACHE_SECONDS=10)
    with app.app_context():
        admin = make_user(role="admin")
        assert kent_region() == "eastern"
        reference_admin.move_force("kent", "south-east", actor=admin, reason="Moved")
        assert kent_region() == "south-east"


def test_a_report_is_stored_without_reading_it_back(app, statements):
    client = app.test_client()
    body = {"sector": "taxi", "danger": False, "signs": ["many-calls"], "postcode": "LE1 6RN"}
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 201
    reads = [s.split()[0] for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in statements if "FROM reports" in s or "FROM report_signs" in s]
    assert len(reads) <= 1  # the force moves (FORCE_REGIONS_CACHE_SECONDS is 0 in tests)
    with app.app_context():
        reference = response.json["reference"]
        stored = db.session.scalar(select(Report).where(Report.reference == reference))
        assert (stored.sector, stored.sign_ids) == ("taxi", ["many-calls"])
