"""Fault injection against real services that these tests start, stop and restart themselves
(tests/fault_services.py): a part fails while the app runs, and nothing a reporter sent is lost,
no one gets a 500, and the app recovers without a restart when the part returns.

The outbox tests run on the suite's database (SQLite, and PostgreSQL in the second pass) with
real worker processes (`flask --app wsgi outbox work`) and a real SMTP server."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade
from sqlalchemy import func, select

from reporter import create_app
from reporter.extensions import db
from reporter.models import OutboxMessage, Report
from reporter.reference import REGION_IDS
from reporter.services.mail import outbox
from tests.conftest import _empty_tables, missing_service
from tests.factories import PASSWORD, as_api_body, make_user, report_answers
from tests.fault_services import (
    PostgresServer,
    RedisServer,
    SmtpServer,
    fresh_fallback,
    postgres_bin,
    wait_for,
)
from tests.pages import assert_redirects, read

ROOT = Path(__file__).parent.parent
FORM = report_answers(
    sector="taxi", signs=["many-calls"], station=None, postcode="LE1 6RN", description=None
)
API = as_api_body(FORM)
URGENT_FORM = report_answers(
    danger="yes",
    signs=["controlled"],
    station="LEI",
    description="SECRET-DETAIL boy pushed onto the 10:15",
)
LEASE = 2.0  # seconds a worker holds a claimed message in these tests


def sent_by_a_phone(answers: dict) -> dict:
    """The answers as a phone's script sends them: with a key of its own, so that each is a
    report (without a script the same answers within ten minutes are one report)."""
    return {**answers, "idempotency_key": secrets.token_urlsafe(18)}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- services -------------------------------------------------------------------------------


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server"):
        missing_service("redis-server is not installed (make fault-deps): Redis faults NOT tested")
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def postgres_server():
    bindir = postgres_bin()
    if bindir is None or (os.geteuid() == 0 and not shutil.which("runuser")):
        missing_service(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
            "(make fault-deps): PostgreSQL restarts NOT tested"
        )
    server = PostgresServer(bindir)
    server.init()
    server.start()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": server.url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield server
    server.close()


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def limited_app(make_app, redis_server):
    fresh_fallback()
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_server.url,
        REPORT_RATE_LIMIT="3 per minute",
    )
    yield app
    fresh_fallback()


# --- Redis ----------------------------------------------------------------------------------


def test_reports_are_accepted_and_still_limited_while_redis_is_down(
    limited_app, redis_server, caplog
):
    with limited_app.app_context():
        make_user(role="officer", regions=REGION_IDS)  # no region uncovered: only Redis
    client = limited_app.test_client()
    store = redis.Redis.from_url(redis_server.url)
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    assert store.keys("LIMITS*"), "while Redis runs, reports are counted there"

    redis_server.stop()
    caplog.set_level(logging.INFO)
    # The first report finds the store gone under its place: it goes on, uncounted (a report is
    # never refused for the store), and the limiter moves to memory on the next POST.
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    api = client.post("/api/v1/reports", json=API)
    assert api.status_code == 201 and api.get_json()["reference"].startswith("LC-")
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["status"] == "degraded"
    assert health.get_json()["rate_limit_store"] == "down"
    assert "rate-limit store unreachable" in health.get_json()["reasons"][0]
    # Still limited, per process: this process has counted one in memory since Redis went.
    for _ in range(2):
        assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    refused = client.post("/report", data=sent_by_a_phone(FORM))
    assert refused.status_code == 429 and "tel:999" in refused.get_data(as_text=True)
    client.get("/healthz")
    with limited_app.app_context():
        assert count(Report) == 5
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    # Logged once by the limiter and once by the app, not once per request (seven here).
    assert [r.name for r in unreachable] == ["flask-limiter", "reporter.resilience"]

    redis_server.start()
    wait_for(lambda: client.get("/healthz").get_json()["status"] == "ok", 20, "healthz to say ok")
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")
    assert store.keys("LIMITS*"), "after Redis returns, reports are counted there again"


def test_staff_sign_in_is_refused_with_a_styled_503_while_redis_is_down(limited_app, redis_server):
    with limited_app.app_context():
        email = make_user().email
    client = limited_app.test_client()
    redis_server.stop()
    for response in (
        client.get("/triage/login"),
        client.post("/triage/login", data={"email": email, "password": PASSWORD}),
    ):
        page = read(response, 503)
        # Ours (60 s), or longer when the limiter's own window ends later.
        assert int(response.headers["Retry-After"]) >= 60
        assert page.title.startswith("Sign-in is not available right now")
        assert "Please try again in a few minutes." in page.text
        assert page.find_all("link", rel="stylesheet"), "the staff layout, not a bare page"

    redis_server.start()
    wait_for(lambda: client.get("/triage/login").status_code == 200, 20, "sign-in to open again")
    signed_in = client.post("/triage/login", data={"email": email, "password": PASSWORD})
    assert_redirects(signed_in, "/triage/")


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg_app(postgres_server, tmp_path):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": postgres_server.url,
            "MAIL_OUTBOX_DIR": str(tmp_path / "mail"),
            "OUTBOX_POLL_SECONDS": 0.1,
        },
    )
    with app.app_context():
        make_user()
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def test_the_app_and_the_worker_recover_when_postgresql_restarts(pg_app, postgres_server, tmp_path):
    client = pg_app.test_client()
    assert_redirects(client.post("/report", data=sent_by_a_phone(FORM)), "/report/done")

    postgres_server.stop()
    assert client.get("/healthz").status_code == 503
    assert client.get("/report?sector=taxi").status_code == 200  # the form and numbers open
    unsaved = client.post(
        "/report", data={**sent_by_a_phone(FORM), "description": "KEEP-THESE-WORDS"}
    )
    assert unsaved.status_code == 503
    assert "KEEP-THESE-WORDS" in unsaved.get_data(as_text=True)  # what was typed is kept
    assert 'href="tel:999"' in unsaved.get_data(as_text=True)
    api = client.post("/api/v1/reports", json=API)
    assert api.status_code == 503 and api.get_json()["guidance"]["authorities"]

    stop = threading.Event()

    def run_worker():
        with pg_app.app_context():
            outbox.work(stop)

    worker = threading.Thread(target=run_worker)
    worker.start()  # it starts while the database is down
    try:
        time.sleep(0.3)
        postgres_server.start()
        wait_for(lambda: client.get("/healthz").status_code == 200, 20, "healthz to be 200")
        assert_redirects(client.post("/report", data=URGENT_FORM), "/report/done")
        wait_for(lambda: list((tmp_path / "mail").glob("*.eml")), 20, "the alert to be sent")
    finally:
        stop.set()
        worker.join(10)
    with pg_app.app_context():
        assert count(Report) == 2


# --- mail and the outbox worker -------------------------------------------------------------


@pytest.fixture
def mail_app(make_app, smtp_server):
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT=5,
        OUTBOX_LEASE_SECONDS=LEASE,
    )
    with app.app_context():
        make_user()  # an East Midlands officer: urgent reports at Leicester alert them
    return app


class Workers:
    """`flask --app wsgi outbox work` processes on the test's database and mail server."""

    def __init__(self, app, tmp_path: Path):
        config = app.config
        self.env = {
            **os.environ,
            "REPORTER_ENV": "testing",
            "TEST_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "REPORTER_INSTANCE_DIR": str(tmp_path),
            "MAIL_SERVER": config["MAIL_SERVER"],
            "MAIL_PORT": str(config["MAIL_PORT"]),
            "MAIL_USE_TLS": "0",
            "MAIL_TIMEOUT": "5",
            "OUTBOX_POLL_SECONDS": "0.1",
            "OUTBOX_LEASE_SECONDS": str(LEASE),
            "OUTBOX_RETRY_SECONDS": "0.2",
            "OUTBOX_RETRY_MAX_SECONDS": "0.5",
        }
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self, n: int = 1) -> list[subprocess.Popen]:
        """Start `n` workers and wait until they are working (their signal handlers are set)."""
        started = [self._spawn() for _ in range(n)]
        for process in started:
            path = process.log_path
            wait_for(lambda p=path: b"outbox worker" in p.read_bytes(), 30, "a worker", 0.1)
        return started

    def _spawn(self) -> subprocess.Popen:
        path = self.tmp_path / f"worker-{len(self.processes)}.log"
        log = open(path, "wb")  # noqa: SIM115 (the process writes to it until it ends)
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = path
        self.processes.append(process)
        return process

    def stop_all(self) -> list[int]:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        return [process.wait(10) for process in self.processes]


@pytest.fixture
def workers(mail_app, tmp_path):
    started = Workers(mail_app, tmp_path)
    yield started
    started.stop_all()


def outbox_row(app) -> dict:
    with app.app_context():
        row = db.session.scalars(select(OutboxMessage)).one()
        values = {
            name: getattr(row, name)
            for name in ("status", "attempts", "last_error", "lease_owner", "sent_at", "subject")
        }
        db.session.rollback()
        return values


def test_an_alert_queued_while_mail_is_down_is_delivered_exactly_once_when_it_returns(
    mail_app, smtp_server, workers
):
    smtp_server.stop()  # mail is down: connections are refused
    client = mail_app.test_client()
    assert_redirects(client.post("/report", data=URGENT_FORM), "/report/done")
    workers.start()
    wait_for(
        lambda: outbox_row(mail_app)["last_error"] == "ConnectionRefusedError",
        20,
        "the worker to try and fail",
    )
    smtp_server.handler.mode = "refuse"  # up, but answering "try again later"
    smtp_server.start()
    wait_for(lambda: outbox_row(mail_app)["last_error"] == "SMTPDataError", 20, "a refused send")
    assert not smtp_server.handler.delivered
    smtp_server.handler.mode = "accept"
    row = wait_for(
        lambda: (r := outbox_row(mail_app))["status"] == "sent" and r, 20, "the alert to be sent"
    )
    time.sleep(0.5)  # the worker keeps polling: nothing is sent again
    assert smtp_server.subjects() == [row["subject"]]
    assert row["attempts"] >= 3 and row["sent_at"] is not None
    assert row["last_error"] == "SMTPDataError"  # the type only, never the server's words
    assert "SECRET" not in smtp_server.handler.delivered[0].as_string()
    assert workers.stop_all() == [0]  # SIGTERM: the worker finishes and exits cleanly


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    mail_app, smtp_server, workers
):
    smtp_server.handler.mode = "stall"  # the server keeps the sender waiting
    client = mail_app.test_client()
    assert_redirects(client.post("/report", data=URGENT_FORM), "/report/done")
    [crashed] = workers.start()
    wait_for(lambda: smtp_server.handler.stalled == 1, 20, "the worker to be mid-send")
    claimed = outbox_row(mail_app)
    assert claimed["lease_owner"] and claimed["attempts"] == 1

    # A live worker does not touch a message another worker holds.
    with mail_app.app_context():
        assert outbox.deliver_due(owner="live-worker") == 0
    crashed.send_signal(signal.SIGKILL)
    crashed.wait(10)
    smtp_server.handler.release()  # the dead worker's send never completes
    smtp_server.handler.mode = "accept"
    killed_at = time.monotonic()

    with mail_app.app_context():
        assert outbox.deliver_due(owner="live-worker") == 0  # the lease still stands
        wait_for(lambda: outbox.deliver_due(owner="live-worker"), 20, "the lease to pass")
        assert time.monotonic() - killed_at < LEASE + 5
        assert outbox.deliver_due(owner="live-worker") == 0
        assert count(Report) == 1 and count(OutboxMessage) == 1
    row = outbox_row(mail_app)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert smtp_server.subjects() == [row["subject"]]


def test_two_live_workers_send_every_alert_exactly_once(mail_app, smtp_server, workers):
    workers.start(2)
    client = mail_app.test_client()
    for _ in range(8):
        assert_redirects(client.post("/report", data=URGENT_FORM), "/report/done")

    def all_sent():
        with mail_app.app_context():
            return outbox.backlog()["pending"] == 0

    wait_for(all_sent, 30, "every alert to be sent", interval=0.2)
    time.sleep(0.3)
    with mail_app.app_context():
        references = set(db.session.scalars(select(Report.reference)))
    subjects = smtp_server.subjects()
    assert sorted(subjects) == sorted(f"URGENT report {r}" for r in references)
    assert workers.stop_all() == [0, 0]
