"""Weight and speed of the reporter's pages.

Weight: the form page with its CSS and JS must stay under 30 KiB uncompressed in every
language (the budget in issue 2), measured on the heaviest setting's checklist. Speed: time to
render the form and to take a report, against /healthz (the bare cost of a request) measured in
the same run.
"""

import tempfile
from pathlib import Path

from bench._timing import measure, row
from reporter import create_app
from reporter.extensions import db

BUDGET = 30 * 1024


def _app():
    from flask_migrate import upgrade

    path = Path(tempfile.mkdtemp()) / "bench.sqlite"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
    return app


def run() -> None:
    app = _app()
    client = app.test_client()
    ref = app.extensions["reporter_reference"]
    css = len(client.get("/static/css/app.css").data)
    js = sum(len(client.get(f"/static/js/{name}").data) for name in ("app.js", "offline.js"))
    heaviest = max(ref.sectors, key=lambda s: len(ref.signs_for(s)))
    print(f"  CSS {css} B, JS {js} B; heaviest checklist: {heaviest}")
    english = None
    for code in app.config["REPORTER_LOCALES"]:
        html = len(client.get(f"/report?sector={heaviest}&lang={code}").data)
        total = html + css + js
        english = english or total
        flag = "OK  " if total <= BUDGET else "OVER"
        print(
            f"  {flag} {code:<4} form {html:6d} B + CSS + JS = {total:6d} B "
            f"({total / BUDGET:.0%} of 30 KiB budget, x{total / english:.2f} of English)"
        )

    health = measure(lambda: client.get("/healthz"))
    print(row("GET /healthz (baseline)", health))
    print(
        row(
            f"GET /report?sector={heaviest}",
            measure(lambda: client.get(f"/report?sector={heaviest}")),
            health,
        )
    )
    form = {"sector": "rail", "danger": "no", "signs": ["hiding"], "station": "LEI",
            "description": "Two boys on platform 2", "consent": "anonymous"}  # fmt: skip
    print(
        row(
            "POST /report (validate, route, encrypt, store)",
            measure(lambda: client.post("/report", data=form), repeat=100),
            health,
        )
    )
    with app.app_context():
        db.engine.dispose()
