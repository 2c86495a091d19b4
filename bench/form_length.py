"""How long the form is on a phone: page height and where the postcode box sits, per setting.

Measured in Debian's Chromium at 360 x 740 (the walkthrough's phone), with JavaScript on, in
English. Issue 12 found the postcode about 2,100 px down a 3,870 px page; this prints each
setting's figures so a change to the form's order can be judged by them.
"""

import tempfile
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from reporter import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update"]  # fmt: skip
MEASURE = """() => ({
    height: document.documentElement.scrollHeight,
    postcode: Math.round(document.getElementById('postcode').getBoundingClientRect().top
                         + window.scrollY),
})"""


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _serve():
    from flask_migrate import upgrade

    path = Path(tempfile.mkdtemp()) / "bench.sqlite"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server


def measure() -> dict[str, dict[str, int]]:
    from playwright.sync_api import sync_playwright

    app, server = _serve()
    url = f"http://127.0.0.1:{server.server_port}"
    figures = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 360, "height": 740}, locale="en")
            for sector in app.extensions["reporter_reference"].sectors:
                page.goto(f"{url}/report?sector={sector}&lang=en")
                figures[sector] = page.evaluate(MEASURE)
            browser.close()
    finally:
        server.shutdown()
    return figures


def run() -> None:
    if not Path(CHROMIUM).is_file():
        print(f"  skipped: {CHROMIUM} is missing (make browser-deps)")
        return
    for sector, f in measure().items():
        print(f"  {sector:<18} page {f['height']:5d} px, postcode box at {f['postcode']:5d} px")


if __name__ == "__main__":
    run()
