"""Works on a weak signal: the service worker and web app manifest. (Static files under
content-hashed addresses are static_files.py's; compressed responses compression.py's.)

The pages' script (static/js/offline.js) keeps the draft on the phone; the worker
(templates/offline/sw.js) keeps the outbox of reports waiting for signal. The server's part of
"sent once" is the idempotency key (services/reporting/idempotency.py).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template, url_for
from flask_babel import get_locale

from reporter.campaign import campaign_data
from reporter.i18n import offered
from reporter.public.info import INFO_PAGES
from reporter.routing import Facts, authorities_for
from reporter.static_files import static_url

bp = Blueprint("offline", __name__)

# What the worker keeps from the start: every page uses these.
PRECACHED = ("css/app.css", "js/app.js", "js/offline.js")
VERSIONED = ("static", "templates", "reference")  # a change here is a new worker version
# Lie-fi (the phone is "online" but no answer comes): how long a report waits for the server's
# answer before the reporter is told it is not sent yet and it goes on from the phone. People
# give up on a spinner after about 10 seconds. The worker and the page script both read this.
ANSWER_WAIT_MS = 10_000


@cache
def _version(root: Path, translations: Path) -> str:
    digest = hashlib.sha256()
    files = [p for name in VERSIONED for p in (root / name).rglob("*") if p.is_file()]
    files += translations.glob("*/LC_MESSAGES/messages.po")
    for path in sorted(files):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def worker_version() -> str:
    """Changes with the pages, their text and the reference data: the worker then fetches
    every kept page again."""
    root = Path(current_app.root_path)
    return _version(root, Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]))


def offline_authorities(sector_id: str):
    """Who to contact, for the notice shown when a report waits on the phone. Routing is pure
    and needs no database, so these numbers are in the page, never behind a request."""
    return authorities_for(Facts(sector=sector_id), campaign_data())[0]


@bp.get("/sw.js")
def service_worker():
    body = render_template(
        "offline/sw.js",
        version=worker_version(),
        assets=[static_url(name) for name in PRECACHED],
        sectors=list(campaign_data().sectors),
        info=[url_for(endpoint, lang=None) for endpoint in INFO_PAGES],  # its language: added
        locales=list(offered()),
        wait_ms=ANSWER_WAIT_MS,
    )
    return current_app.response_class(body, mimetype="text/javascript")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["offline_authorities"] = offline_authorities
    app.jinja_env.globals["answer_wait_ms"] = ANSWER_WAIT_MS

    @app.after_request
    def page_language(response):
        if response.mimetype == "text/html":
            # The worker keeps each page under its language.
            response.headers["Content-Language"] = str(get_locale() or "en")
        return response
