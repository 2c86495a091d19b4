"""Issue 18: the chooser and the blank form are the same bytes for every visitor of an address:
no session cookie, no token, no key; rendered and compressed once, with a strong ETag and
Cache-Control a proxy may keep (reporter/public/static_pages.py)."""

from __future__ import annotations

import pytest

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
