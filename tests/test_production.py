"""Production as gunicorn.conf.py runs it: the settings an operator relies on, and a form posted
over HTTPS behind the proxy, as a phone's browser posts it (no Referer: our pages send none)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

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
    answers = {"sector": "taxi", "danger": "no", "signs": ["many-calls"], "postcode": "LE1 6RN",
               "consent": "anonymous"}  # fmt: skip
    # The browser's own headers for a post from our page behind the proxy: our https origin.
    https["headers"] = {**https["headers"], "Origin": "https://reporter.example"}
    response = client.post("/report", data=answers, **https)
    assert response.status_code == 303, response.get_data(as_text=True)[:200]


def test_a_long_query_reaches_the_app_not_gunicorns_html_414(settings):
    """gunicorn's default request line is 4,094 bytes; the API answers longer queries in JSON
    (tests/test_api.py), so gunicorn reads up to its own most."""
    assert settings["limit_request_line"] == 8190
