"""Several instances of the app, as a national rollout runs them: two gunicorn servers (the
project's gunicorn.conf.py, production settings, one proxy in front) on one PostgreSQL and one
Redis. Whichever instance answers, the per-address report limit holds, a session and its CSRF
token work, and a migration to head runs while an instance of the previous release serves.

Runs against TEST_DATABASE_URL (databases of its own beside it, made afresh) and TEST_REDIS_URL;
without them it is NOT TESTED, loudly. About 10 s on an idle machine: three servers boot."""

from __future__ import annotations

import random
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bench import _servers
from bench._visitor import REFERENCE, Visitor
from reporter import create_app
from reporter.config import Config, database_url
from reporter.extensions import db
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, missing_service
from tests.factories import DELIVERY_ANSWERS, as_api_body
from tests.pages import assert_redirects

ROOT = Path(__file__).parent.parent
FORM = "/report?sector=delivery"
ANSWERS = DELIVERY_ANSWERS
API = as_api_body(DELIVERY_ANSWERS)
PER_ADDRESS = int(Config.REPORT_RATE_LIMIT.split()[0])  # production's own limit


def _services(suffix: str) -> tuple[str, str]:
    if not (TEST_DATABASE_URL and TEST_REDIS_URL):
        missing_service(
            "TEST_DATABASE_URL and TEST_REDIS_URL are not both set: two instances on one "
            "PostgreSQL and one Redis were NOT tested"
        )
    url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    return _servers.fresh_database(f"{url}_{suffix}"), TEST_REDIS_URL


def _migrate(database: str) -> None:
    """`flask db upgrade` with this release's migrations, in this process (no second boot)."""
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url(database)})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _address() -> str:
    """A phone's address of its own (TEST-NET-2), so runs never share a count."""
    return f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"


@pytest.fixture(scope="module")
def two_instances():
    database, redis_url = _services("instances")
    env = _servers.production_env(database, limits=None, redis_url=redis_url)
    _migrate(database)
    with _servers.gunicorns(2, "wsgi:app", env, workers=1) as (one, two):
        yield one.url, two.url


def test_the_report_limit_per_address_holds_across_instances(two_instances):
    one, two = two_instances
    phone = Visitor(_address())
    for n in range(PER_ADDRESS):
        answer = phone.post_json((one, two)[n % 2], "/api/v1/reports", API)
        assert answer.status == 201, (n, answer.body)
    for instance in (one, two):
        refused = phone.post_json(instance, "/api/v1/reports", API)
        assert refused.status == 429
        assert int(refused.headers["Retry-After"]) > 0
    assert Visitor(_address()).post_json(two, "/api/v1/reports", API).status == 201


def test_the_form_and_its_outcome_work_whichever_instance_answers(two_instances):
    """Issue 18: the blank form is the same bytes from either instance (no session, no token);
    a report sent to one shows its outcome on the other (the session cookie the POST sets is
    signed with the same SECRET_KEY); a post from another site's page is refused by both."""
    one, two = two_instances
    phone = Visitor(_address())
    forms = [phone.get(instance, FORM + "&lang=en") for instance in (one, two)]
    assert [f.status for f in forms] == [200, 200]
    assert forms[0].body == forms[1].body and "Set-Cookie" not in forms[0].headers
    sent = phone.post_form(two, "/report", ANSWERS)
    assert_redirects(sent, "/report/done")
    done = phone.get(one, "/report/done?lang=en")
    assert done.status == 200 and REFERENCE.search(done.body)

    stranger = Visitor(_address())
    cross_site = {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"}
    for instance in (one, two):
        refused = stranger.request(
            instance, "POST", "/report", body="sector=delivery",
            headers={"Content-Type": "application/x-www-form-urlencoded", **cross_site},
        )  # fmt: skip
        assert refused.status == 403 and "tel:999" in refused.body


# --- migrations while the previous release serves --------------------------------------------


def _previous_release(into: Path) -> str:
    """The code as it was before the newest migration was added, checked out into `into`;
    the revision file's name."""
    newest = max((ROOT / "migrations" / "versions").glob("0*.py")).relative_to(ROOT)
    try:
        added = subprocess.run(
            # Along main's own history: a migration that came in with a merge counts from it.
            ["git", "log", "--first-parent", "-m", "--diff-filter=A", "--format=%H", "-1",
             "--", str(newest)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        archive = subprocess.run(
            ["git", "archive", f"{added}^"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        added = ""
    if not added:
        missing_service("no git history here: migrations under a serving older release NOT tested")
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return newest.name


def _keep_asking(base: str, stop: threading.Event, answers: list[int]) -> None:
    phone = Visitor(_address())
    while not stop.is_set():
        answers.append(phone.get(base, FORM).status)
        answers.append(phone.post_json(base, "/api/v1/reports", API).status)


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_migration_to_head_runs_while_the_previous_release_serves(tmp_path):
    database, redis_url = _services("migrations")
    old_code = tmp_path / "previous"
    old_code.mkdir()
    newest = _previous_release(old_code)
    env = _servers.production_env(database, redis_url=redis_url)
    _servers.migrate(env, cwd=old_code)  # the database as the previous release left it
    answers: list[int] = []
    stop = threading.Event()
    try:
        with _servers.gunicorn("wsgi:app", env, workers=1, cwd=old_code) as old:
            asking = threading.Thread(target=_keep_asking, args=(old.url, stop, answers))
            asking.start()
            _wait_for(lambda: len(answers) >= 2)  # serving before
            started = time.monotonic()
            _migrate(database)  # to head, with this release's migrations, under load
            took = time.monotonic() - started
            served_during = len(answers)
            _wait_for(lambda: len(answers) >= served_during + 2)  # and after
            stop.set()
            asking.join(timeout=30)
            after = Visitor(_address()).post_json(old.url, "/api/v1/reports", API)
    finally:
        stop.set()
        shutil.rmtree(old_code, ignore_errors=True)
    assert len(answers) >= served_during + 2, "the old release stopped serving"
    assert set(answers) <= {200, 201}, f"errors while {newest} ran: {sorted(set(answers))}"
    assert after.status == 201, after.body[:300]
    assert took < 30
