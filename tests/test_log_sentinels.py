"""No report content and no search word reaches a log line.

Sentinel words are written into every free-text field of reports (form and API), searched for
by staff and put in query strings; then the journeys run on the request path and on the error
paths (database refused, an unexpected bug whose message quotes the input, a SQL error carrying
its parameters, mail down for an urgent alert), with every logger at DEBUG. No captured log line
may hold a sentinel. The access log is checked with gunicorn's own formatter and the format the
README recommends (no query string, no referrer).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger
from sqlalchemy.exc import DataError
from werkzeug.test import EnvironBuilder

from reporter import create_app
from tests.factories import make_user, report_answers, report_payload
from tests.pages import assert_redirects
from tests.triage.conftest import sign_in

SENTINELS = {
    "description": "Zanzibarquux description",
    "place": "Quokkaplinth place",
    "name": "Wombatferrule",
    "phone": "07700 913579",
    "email": "platypusgrommet@example.org",
    "search": "Narwhalspindle",
    "query": "Axolotlbrisket",
}
README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def captured():
    """Every log record of every logger, at DEBUG, as formatted text (with tracebacks)."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(logging.Formatter("%(name)s %(message)s").format(record))

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    names = ["", "reporter", "sqlalchemy.engine", "werkzeug", "flask_limiter", "flask_wtf"]
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _leaks(lines: list[str]) -> list[str]:
    words = [w.split()[0].lower() for w in SENTINELS.values()] + ["913579"]
    return [line for line in lines if any(w in line.lower() for w in words)]


def _form(danger: str = "no") -> dict:
    return report_answers(
        danger=danger,
        signs=["controlled"],
        place=SENTINELS["place"],
        description=SENTINELS["description"],
        consent="share",
        name=SENTINELS["name"],
        phone=SENTINELS["phone"],
        email=SENTINELS["email"],
    )


def _api_body() -> dict:
    return report_payload(
        sector="hotel",
        signs=["room-paid-cash"],
        danger="yes",
        station=None,
        description=SENTINELS["description"],
        place=SENTINELS["place"],
        consent="share",
        name=SENTINELS["name"],
        phone=SENTINELS["phone"],
    )


def test_the_request_path_logs_no_report_content_and_no_search_word(make_app, captured):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # mail refused: urgent alerts fail
    client = app.test_client()
    with app.app_context():
        officer = make_user(role="officer", regions=("east-midlands",))
        make_user(role="national")
        sign_in(client, officer)
    query = SENTINELS["query"]
    assert client.get(f"/report?sector=rail&description={query}").status_code == 200
    assert_redirects(client.post("/report", data=_form()), "/report/done")
    assert_redirects(client.post("/report", data=_form(danger="yes")), "/report/done")
    bad = {**_form(), "email": "not an email " + SENTINELS["email"]}
    assert client.post("/report", data=bad).status_code == 200  # explained, not stored
    assert client.post("/api/v1/reports", json=_api_body()).status_code == 201
    assert client.post("/api/v1/reports", json={**_api_body(), "sector": query}).status_code == 400
    searched = client.post("/triage/", data={"q": SENTINELS["search"], "status": "any"})
    assert searched.status_code == 200
    listed = client.post("/triage/", data={"q": "leicester", "status": "any"})
    reference = re.search(r'class="ref">(LC-[A-Z0-9-]+)<', listed.get_data(as_text=True))[1]
    shown = client.get(f"/triage/reports/{reference}").get_data(as_text=True)
    assert SENTINELS["description"] in shown  # the content is there to be leaked, on the page
    note = client.post(f"/triage/reports/{reference}/notes", data={"note": SENTINELS["search"]})
    assert_redirects(note, f"/triage/reports/{reference}")
    export = client.post("/triage/export.csv", data={"q": SENTINELS["search"], "status": "any"})
    assert export.status_code == 200 and export.get_data()
    assert any("report stored" in line for line in captured)  # the log lines were caught
    assert not _leaks(captured), _leaks(captured)


def test_the_error_paths_log_no_report_content_and_no_search_word(
    make_app, captured, tmp_path, monkeypatch
):
    down = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/x.db"})
    refused = down.test_client().post("/report", data=_form(danger="yes"))
    assert refused.status_code == 503 and SENTINELS["description"] in refused.text  # kept
    refused_api = down.test_client().post("/api/v1/reports", json=_api_body())
    assert refused_api.status_code == 503

    app = make_app()
    client = app.test_client()
    with app.app_context():
        sign_in(client, make_user(role="national"))

    def bug(_user, chosen, *_args, **_kwargs):
        raise ValueError(f"cannot search for {chosen.search!r}")

    monkeypatch.setattr("reporter.triage.routes.queue_page", bug)
    assert client.post("/triage/", data={"q": SENTINELS["search"]}).status_code == 500

    def sql_error(_user, chosen, *_args, **_kwargs):
        raise DataError(
            "SELECT ... WHERE token = %(q)s", {"q": chosen.search}, Exception(chosen.search)
        )

    monkeypatch.setattr("reporter.triage.routes.queue_page", sql_error)
    assert client.post("/triage/", data={"q": SENTINELS["search"]}).status_code == 503

    logged = "\n".join(captured)
    assert "ValueError" in logged and "DataError" in logged  # the errors are logged, by type
    assert not _leaks(captured), _leaks(captured)


# --- the access log ------------------------------------------------------------------------


def recommended_access_log_format() -> str:
    found = re.search(r"access_log_format = '([^']+)'", README.read_text())
    assert found, "README must give the recommended gunicorn access_log_format"
    return found.group(1)


def _access_line(tmp_path, environ: dict, status: str = "200 OK") -> str:
    config = Config()
    log_file = tmp_path / "access.log"
    config.set("accesslog", str(log_file))
    config.set("access_log_format", recommended_access_log_format())
    logger = Logger(config)
    environ = {**environ, "RAW_URI": environ["PATH_INFO"] + "?" + environ["QUERY_STRING"]}
    response = SimpleNamespace(status=status, sent=123, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[(k[5:], v) for k, v in environ.items() if k[:5] == "HTTP_"])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.close()
    return log_file.read_text()


def test_the_recommended_access_log_holds_no_query_string_no_body_and_no_referrer(tmp_path):
    query = SENTINELS["query"]
    requests = [
        EnvironBuilder(path="/report", query_string=f"sector=rail&description={query}"),
        EnvironBuilder(
            path="/triage/",
            method="POST",
            data={"q": SENTINELS["search"]},
            headers={"Referer": f"https://lookcloser.example/triage/?q={query}"},
        ),
        EnvironBuilder(path="/report", method="POST", data=_form()),
    ]
    lines = [_access_line(tmp_path, builder.get_environ()) for builder in requests]
    assert all(
        re.search(r'"(GET|POST) /(report|triage/) HTTP/1.1" 200 123', line) for line in lines
    )
    assert not _leaks(lines), lines
    # gunicorn's default format would have logged the query string: the check can fail.
    default = Config().access_log_format
    assert "%(r)s" in default and "%(r)s" not in recommended_access_log_format()
    assert "%(q)s" not in recommended_access_log_format()
    assert "%(f)s" not in recommended_access_log_format()
