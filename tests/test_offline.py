"""What the phone downloads and keeps: hashed static files cached for a year, compressed text,
the service worker and the manifest, and the notices the page script shows."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest

from reporter import create_app
from reporter.offline import ANSWER_WAIT_MS
from reporter.static_files import IMMUTABLE
from tests.factories import report_answers
from tests.pages import read

STATIC = Path(__file__).parent.parent / "reporter" / "static"
ASSET = re.compile(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"')


def assets_of(client, url="/report?sector=rail") -> dict[str, str]:
    return dict(ASSET.findall(client.get(url).get_data(as_text=True)))


def test_every_page_asks_for_its_css_and_js_by_content_hash(client):
    assets = assets_of(client)
    assert {"/static/css/app.css", "/static/js/app.js", "/static/js/offline.js"} <= set(assets)
    for path, digest in assets.items():
        content = (STATIC / path.removeprefix("/static/")).read_bytes()
        assert hashlib.sha256(content).hexdigest().startswith(digest)


def test_a_hashed_address_is_cached_for_a_year_any_other_is_checked_each_time(client):
    path, digest = next(iter(assets_of(client).items()))
    assert client.get(f"{path}?v={digest}").headers["Cache-Control"] == IMMUTABLE
    assert client.get(path).headers["Cache-Control"] == "no-cache"
    assert client.get(f"{path}?v=0123456789ab").headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    ("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_blank_pages_are_compressed_once_and_the_same_for_everyone(client, encoding, decode):
    plain = client.get("/report?sector=rail&lang=cy")
    response = client.get("/report?sector=rail&lang=cy", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert len(response.data) < len(plain.data) / 3
    assert decode(response.data) == plain.data  # no per-visitor token: the very same bytes
    assert response.headers["ETag"] == plain.headers["ETag"]
    again = client.get(
        "/report?sector=rail&lang=cy", headers={"If-None-Match": plain.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_static_files_are_compressed_too(client):
    path, digest = next(iter(assets_of(client).items()))
    response = client.get(f"{path}?v={digest}", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data) == (STATIC / path.removeprefix("/static/")).read_bytes()


def test_pages_say_their_language_so_the_worker_keeps_each_under_it(client):
    assert client.get("/report?sector=rail&lang=pl").headers["Content-Language"] == "pl"


def test_the_service_worker_is_served_from_the_root_and_names_what_it_keeps(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"  # a new version is seen at once
    body = response.get_data(as_text=True)
    for path, digest in assets_of(client).items():
        if path.endswith((".css", ".js")):
            assert f"{path}?v={digest}" in body
    sectors = json.loads(re.search(r"var SECTORS = (\[.*?\]);", body).group(1))
    assert sectors == list(app.extensions["reporter_reference"].sectors)
    assert "/report/done" in body  # only to recognise a stored report, never to keep it
    assert "caches.open(PAGES)" in body and 'report/done")' not in body.split("fromPhone")[0]


def test_the_manifest_installs_the_form_with_icons_that_exist(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="manifest" href="([^"]+)"', page).group(1)
    response = client.get(href)
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert (manifest["scope"], manifest["start_url"], manifest["display"]) == (
        "/",
        "/report",
        "standalone",
    )
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
        width = int.from_bytes(image.data[16:20], "big")
        assert icon["sizes"] == f"{width}x{width}"


def test_the_form_carries_the_numbers_for_when_a_report_waits_on_the_phone(client, app):
    page = read(client.get("/report?sector=rail"))
    notice = re.search(r'<div class="notice" id="saved-notice".*?</div>', page.html, re.S).group(0)
    assert " hidden" in notice.split(">")[0]  # shown by the script only
    assert "tel:101" in notice and "sms:61016" in notice
    assert (
        "Not sent yet. It is saved on this phone and will be sent when the connection works."
        in notice
    )
    draft = re.search(r'<div class="notice" id="draft-notice" hidden>.*?</div>', page.html, re.S)
    assert "kept on this phone until you send it" in draft.group(0)


def test_no_reporter_input_reaches_a_page_the_worker_keeps(client):
    """The worker keeps GET pages only; a GET page never echoes what a reporter typed."""
    html = client.get("/report?sector=rail&description=SENTINEL-TEXT&postcode=LE16RN").data
    assert b"SENTINEL-TEXT" not in html and b"LE16RN" not in html


def test_the_page_and_the_worker_give_up_waiting_for_an_answer_at_the_same_bound(client):
    """Lie-fi: one limit, read by the page script (its tag's data-wait) and the worker, and
    short enough that a reporter is told before giving up on a spinner."""
    page = client.get("/report?sector=rail").get_data(as_text=True)
    assert re.search(
        rf'<script src="/static/js/offline\.js\?v=\w+" data-wait="{ANSWER_WAIT_MS}"', page
    )
    assert f"var WAIT = {ANSWER_WAIT_MS};" in client.get("/sw.js").get_data(as_text=True)
    assert 5_000 <= ANSWER_WAIT_MS <= 15_000


def test_the_page_of_a_report_not_stored_can_say_a_resend_is_not_sent_yet(tmp_path):
    """Sending again from "Your report was not sent" may meet lie-fi too: that page carries
    the notice and its numbers as well."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/x.db"})
    data = report_answers(description="Two boys on platform 2")
    page = read(app.test_client().post("/report", data=data), 503)
    notice = re.search(r'<div class="notice" id="saved-notice".*?</div>', page.html, re.S).group(0)
    assert "Not sent yet." in notice and "tel:101" in notice
