"""What the form costs a phone: bytes and requests.

Weight: the form page with every CSS and JS file it loads, per language, on the heaviest
setting's checklist: uncompressed (budget: 30 KiB) and as sent (brotli, gzip). Requests: a
cold load (fresh browser profile) and a warm one (the service worker installed), counted at the
server, from Debian's Chromium through Playwright; and the time until the form can be used on
Chrome DevTools' "Slow 3G" profile, cold and warm.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import threading
import time
from pathlib import Path

import brotli
from werkzeug.serving import WSGIRequestHandler, make_server

from reporter import create_app

BUDGET = 30 * 1024
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip
SLOW_3G = {"offline": False, "latency": 2000,
           "downloadThroughput": 50_000, "uploadThroughput": 50_000}  # fmt: skip
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


def _app():
    from flask_migrate import upgrade

    path = Path(tempfile.mkdtemp()) / "bench.sqlite"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
    return app


def weight(app) -> None:
    client = app.test_client()
    ref = app.extensions["reporter_reference"]
    heaviest = max(ref.sectors, key=lambda s: len(ref.signs_for(s)))
    print(f"  form /report?sector={heaviest} + its CSS and JS (budget 30 KiB uncompressed)")
    print(f"  {'':6}{'uncompressed':>14}{'brotli':>9}{'gzip':>9}   files")
    for code in app.config["REPORTER_LOCALES"]:
        html = client.get(f"/report?sector={heaviest}&lang={code}").data
        bodies = [html] + [client.get(url).data for url in ASSET.findall(html.decode())]
        raw = sum(len(b) for b in bodies)
        br = sum(len(brotli.compress(b, quality=4)) for b in bodies)  # as flask-compress sends
        gz = sum(len(gzip.compress(b, 6)) for b in bodies)
        flag = "OK  " if raw <= BUDGET else "OVER"
        print(f"  {flag}{code:<4}{raw:9d} B {raw / BUDGET:4.0%}{br:7d} B{gz:7d} B   {len(bodies)}")


class _Counting:
    """Counts the requests that reach the server, by path."""

    def __init__(self, app):
        self.app, self.paths, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.paths.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        return self.app(environ, start_response)

    def take(self) -> list[str]:
        with self.lock:
            taken, self.paths = self.paths, []
        return taken


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _kept(page, sectors: int) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
    kept_pages(page, sectors + 1)


def _usable(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=120_000)
    page.locator('input[name="danger"][value="no"]').check(timeout=120_000)
    page.wait_for_load_state("load", timeout=120_000)  # CSS and JS in: the form as designed
    return time.perf_counter() - start


def requests_and_slow_3g(app) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        print("  (playwright missing: requests not measured)")
        return
    if not CHROMIUM.is_file():
        print(f"  ({CHROMIUM} missing, `make browser-deps`: requests not measured)")
        return
    counting = _Counting(app.wsgi_app)
    app.wsgi_app = counting
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/report?sector=rail"
    sectors = len(app.extensions["reporter_reference"].sectors)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(url, wait_until="load")
            cold = counting.take()
            _kept(page, sectors)
            worker = counting.take()
            page.goto(url, wait_until="load")
            page.wait_for_timeout(500)
            warm = counting.take()
            print(f"  cold form load: {len(cold)} requests ({', '.join(_short(cold))})")
            print(
                f"  then, once, in the background: {len(worker)} by the service worker "
                f"(the worker and the blank pages it keeps for no signal: {_count_pages(worker)})"
            )
            print(f"  warm form load: {len(warm)} requests ({', '.join(_short(warm))})")
            context.close()

            # Warm: CSS and JS from the HTTP cache. The worker is left out here because
            # DevTools' throttling does not reach the worker's own requests.
            for label, warm_first in (("cold", False), ("warm", True)):
                context = browser.new_context(service_workers="block")
                page = context.new_page()
                if warm_first:
                    page.goto(url, wait_until="load")
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                print(f"  slow 3G, {label}: the form is usable after {_usable(page, url):.1f} s")
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


def _short(paths: list[str]) -> list[str]:
    return [p.split("?")[0].rsplit("/", 1)[-1] or "/" for p in paths]


def _count_pages(paths: list[str]) -> str:
    pages = sum(1 for p in paths if p.split("?")[0] in ("/", "/report"))
    return f"{pages} pages, {len(paths) - pages} other"


def run() -> None:
    app = _app()
    weight(app)
    requests_and_slow_3g(app)


def kept_pages(page, count: int, timeout: float = 60) -> None:
    """Wait until the worker's cache holds `count` pages."""
    deadline = time.monotonic() + timeout
    while page.evaluate("async () => (await (await caches.open('pages')).keys()).length") < count:
        assert time.monotonic() < deadline, "the service worker did not keep the pages"
        page.wait_for_timeout(100)
