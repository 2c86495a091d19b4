"""Production as gunicorn.conf.py runs it: the settings an operator relies on, and a form posted
over HTTPS behind the proxy, as a phone's browser posts it (no Referer: our pages send none)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from tests.factories import report_answers
from tests.pages import assert_redirects

CONFIG = Path(__file__).parent.parent / "gunicorn.conf.py"


@pytest.fixture
def settings(monkeypatch):
    for name in ("WEB_CONCURRENCY", "REPORTER_PROXY_COUNT", "GUNICORN_BIND"):
        monkeypatch.setenv(name, "")  # so that the config's setdefault is undone afterwards
        monkeypatch.delenv(name)
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    return runpy.run_path(str(CONFIG))


def test_one_sync_worker_per_core_with_timeouts(settings):
    assert settings["workers"] == 3
    assert settings["worker_class"] == "sync"
    assert 0 < settings["timeout"] <= 60 and settings["graceful_timeout"] > 0


def test_the_access_log_holds_no_query_string_referrer_agent_or_address(settings):
    fields = set(re.findall(r"%\((\w+)\)s", settings["access_log_format"]))
    assert "U" in fields  # the path alone
    assert not fields & {"r", "q", "f", "a", "h"}, fields


def test_one_trusted_proxy_decided_in_one_place(settings):
    import os

    assert os.environ["REPORTER_PROXY_COUNT"] == "1"  # the app's ProxyFix trusts one hop
    assert settings["secure_scheme_headers"] == {} and settings["forwarded_allow_ips"] == ""


def test_a_form_posted_over_https_behind_the_proxy_is_accepted(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True, PROXY_COUNT=1)
    client = app.test_client()
    https = {"base_url": "https://reporter.example", "headers": {"X-Forwarded-Proto": "https"}}
    answers = report_answers()
    # The browser's own headers for a post from our page behind the proxy: our https origin.
    https["headers"] = {**https["headers"], "Origin": "https://reporter.example"}
    response = client.post("/report", data=answers, **https)
    assert_redirects(response, "/report/done")


def test_a_long_query_reaches_the_app_not_gunicorns_html_414(settings):
    """gunicorn's default request line is 4,094 bytes; the API answers longer queries in JSON
    (tests/test_api.py), so gunicorn reads up to its own most."""
    assert settings["limit_request_line"] == 8190


@pytest.mark.parametrize(
    "path, logged",
    [("/p/K3MQ9TD", "/p/K3MQ9TD"),
     ('/p/x\n10.0.0.1 "GET /admin HTTP/1.1" 200', "/p/x%0A10.0.0.1%20%22GET%20/admin%20HTTP/1.1%22%20200"),
     ("/p/\r\x00\x1b[31m", "/p/%0D%00%1B%5B31m"), ("/report/caf\xc3\xa9", "/report/caf%C3%A9")],
)  # fmt: skip
def test_the_access_log_writes_the_path_escaped_on_one_line(settings, path, logged):
    """gunicorn's %(U)s is the decoded path: a %0A in it wrote a forged line into the log."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    logger = settings["logger_class"](Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "-", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": path}  # fmt: skip
    response = SimpleNamespace(status="404 NOT FOUND", sent=0, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0))
    assert atoms["U"] == logged
    line = settings["access_log_format"] % atoms
    assert "\n" not in line and "\r" not in line and line.count('"') == 2


README = Path(__file__).parent.parent / "README.md"


def test_the_readme_shows_the_access_log_format_gunicorn_conf_ships(settings):
    shown = re.search(r"access_log_format = '([^']+)'", README.read_text()).group(1)
    assert shown == settings["access_log_format"]


def test_the_readme_proxy_serves_the_fallback_page_with_the_apps_headers(client, settings):
    """The proxy's own errors (and so gunicorn's 400 and 414) get the static page with the 999
    line, and every header the app sends on its own error pages."""
    from reporter.errors import FALLBACK_PAGE
    from reporter.security import STRICT_TRANSPORT_SECURITY

    nginx = re.search(r"```nginx\n(.*?)```", README.read_text(), re.S).group(1)
    assert re.search(r"error_page 400 .*\b414\b.*\b500\b.* /fallback\.html;", nginx)
    assert "proxy_intercept_errors" not in nginx  # the app's own 400, 429, 503 keep answers
    fallback = Path(__file__).parent.parent / "reporter" / "static" / "fallback.html"
    assert fallback.read_text("utf-8") == FALLBACK_PAGE and 'href="tel:999"' in FALLBACK_PAGE
    added = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', nginx))
    response = client.get("/no-such-page")
    expected = {name: response.headers[name] for name in (
        "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
        "X-Frame-Options", "Permissions-Policy", "Cache-Control")}  # fmt: skip
    expected["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    assert added == expected
    # No longer than gunicorn reads: a longer request line is the proxy's refusal.
    buffer = int(re.search(r"large_client_header_buffers \d+ (\d+);", nginx).group(1))
    assert buffer < settings["limit_request_line"]
