"""Browser fixtures: the app served on a real port, Debian's Chromium driven by Playwright.

One browser for the whole session; each test gets fresh browser profiles (contexts) and its own
app, made by `make_app` so that it uses the same database as every other test and is emptied
after it.
"""

from __future__ import annotations

import threading
from typing import Literal

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer, Reporter
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.is_file():
        rule = "!" * 78
        pytest.fail(
            f"\n{rule}\nBROWSER TESTS CANNOT RUN: {CHROMIUM} is missing.\n"
            "Install Debian's Chromium with `make browser-deps` (apt-get install -y chromium).\n"
            f"Never `playwright install`: this machine has no network to fetch a browser.\n{rule}",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """new_page("cy"): a tab in a fresh browser profile whose language (Accept-Language) is cy.
    service_workers="block": a browser that runs no service worker (an in-app browser)."""
    contexts = []

    def make(
        lang: str = "en",
        *,
        viewport: dict | None = None,
        javascript: bool = True,
        service_workers: Literal["allow", "block"] = "allow",
    ) -> Page:
        context = browser.new_context(
            viewport=viewport or PHONE,
            locale=lang,
            java_script_enabled=javascript,
            service_workers=service_workers,
        )
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # uncaught JavaScript errors: the page checks fail on any
        page.on("pageerror", lambda error: page.errors.append(error))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def serve(make_app):
    """serve(**settings): an app made by make_app, served on 127.0.0.1 on a free port.

    CSRF is on, as a person meets it: the forms must carry their token through every step.
    """
    running = []

    def start(**overrides) -> LiveServer:
        app = make_app(WTF_CSRF_ENABLED=True, **overrides)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        running.append((server, thread))
        return LiveServer(app, f"http://127.0.0.1:{server.server_port}")

    yield start
    for server, thread in running:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def live_server(serve) -> LiveServer:
    return serve()


@pytest.fixture
def reporter(new_page, live_server):
    """reporter("cy"): a person whose browser speaks Welsh, on the live app (or on `server`)."""

    def make(lang: str = "en", *, server: LiveServer | None = None, **page_options) -> Reporter:
        return Reporter(new_page(lang, **page_options), server or live_server, lang)

    return make
