"""Issue 18: the blank form opens even when the app is down. nginx (Debian's, `make proxy-deps`)
runs the repo's own deploy/nginx-cache.conf in front of gunicorn, as production does; the app
is stopped, and the chooser and the blank form still come, in two languages.

Needs TEST_DATABASE_URL and TEST_REDIS_URL (production settings) and nginx; without them it is
NOT TESTED, loudly."""

from __future__ import annotations

import shutil
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench import _servers
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, missing_service
from tests.test_instances import _migrate

PAGES = ["/report?lang=cy", "/report?sector=rail&lang=cy", "/report?sector=rail&lang=ar"]


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def app_behind_nginx():
    if not (TEST_DATABASE_URL and TEST_REDIS_URL):
        missing_service(
            "TEST_DATABASE_URL and TEST_REDIS_URL are not both set: the form behind nginx's "
            "cache was NOT tested"
        )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        missing_service("nginx is not installed (make proxy-deps): the proxy cache NOT tested")
    url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    database = _servers.fresh_database(f"{url}_proxy")
    _migrate(database)
    # Fresh for one second: the test then sees nginx serve what it kept past its freshness.
    env = _servers.production_env(database, redis_url=TEST_REDIS_URL, PUBLIC_PAGE_MAX_AGE="1")
    # nginx runs deploy/nginx-cache.conf, started as the benches start it (bench/_servers.py).
    with _servers.gunicorn("wsgi:app", env, workers=1) as app, _servers.nginx(app) as base:
        yield base, app


def test_the_blank_form_opens_from_nginx_while_the_app_is_stopped(app_behind_nginx):
    base, app = app_behind_nginx
    fresh = {}
    for page in PAGES:
        status, headers, body = _get(base + page, {"Accept-Encoding": "identity"})
        assert status == 200, (page, body[:300])
        assert "Set-Cookie" not in headers
        assert headers["Cache-Control"].startswith("public")
        fresh[page] = body
    _get(base + PAGES[1], {"Accept-Encoding": "identity"})  # now kept by nginx
    for page in PAGES:
        assert _get(base + page, {"Accept-Encoding": "identity"})[1].get("X-Cache") == "HIT"

    app.process.send_signal(signal.SIGTERM)
    app.process.wait(30)
    time.sleep(2)  # past max-age: nginx would ask the app, which is gone
    for page in PAGES:
        status, headers, body = _get(base + page, {"Accept-Encoding": "identity"})
        assert status == 200
        assert body == fresh[page]
    assert 'lang="cy"' in fresh[PAGES[1]].decode()
    assert 'lang="ar"' in fresh[PAGES[2]].decode() and 'dir="rtl"' in fresh[PAGES[2]].decode()
