"""The triage queue at a million reports, on SQLite and on PostgreSQL.

Each database is built by the Alembic migrations, then seeded in bulk: a million reports over two
years across the ten regions and the national queue, most of them normal priority and closed,
open ones mostly recent, signs for some. Each page of the queue is timed through the real service
(`queue_page`) against the very statement it sends, captured at the driver and run raw on a DBAPI
cursor, the two called in turn so that the machine's other load falls on both: the ratio is what
the ORM and the service add. The plan of each statement
is printed, so a page that stops using its index shows. A whole GET /triage/ is timed the same
way. Not part of `make test`: `make bench`, or `python -m bench triage_queue`.

BENCH_REPORTS changes the number of reports (for a quick trial); BENCH_POSTGRES_URL the server
(its database is dropped and created again on every run).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from bench._timing import measure_alternately, row
from reporter import create_app
from reporter.codes import NATIONAL_QUEUE
from reporter.extensions import db
from reporter.models import OPEN_REPORTS, URGENCY, Report, StaffRegion, StaffUser
from reporter.services.accounts.sessions import start_session
from reporter.services.accounts.staff import hash_password
from reporter.services.casework.queue import PAGE_SIZE, QueueFilter, queue_page
from reporter.triage.auth import SESSION_KEY

REPORTS = int(os.environ.get("BENCH_REPORTS", "1000000"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench")
CHUNK = 50_000
SPAN = timedelta(days=730)
NOW = datetime(2026, 11, 1, 9, 0)
SECONDS_PER_FIGURE = 1.5  # as many calls as fit, within 10..200
REGION_SHARE = {  # roughly by population; no region found: the national queue
    "london": 15, "south-east": 16, "north-west": 13, "eastern": 11, "west-midlands": 10,
    "south-west": 10, "yorkshire-humber": 9.5, "east-midlands": 8.5, "wales": 5.5,
    "north-east": 4.5, NATIONAL_QUEUE: 5,
}  # fmt: skip
SECTOR_SHARE = {
    "rail": 20, "delivery": 15, "food-service": 15, "hotel": 10, "retail": 10, "bus-coach": 8,
    "taxi": 8, "roadside-services": 6, "banking": 3, "other": 5,
}  # fmt: skip
PRIORITY_SHARE = {"normal": 85, "high": 12, "urgent": 3}
STATUS_BY_AGE = [  # open reports are recent: new ones wait days, referred ones months
    (timedelta(days=14), {"new": 30, "triaged": 25, "referred": 20, "closed": 25}),
    (timedelta(days=90), {"new": 1, "triaged": 5, "referred": 10, "closed": 84}),
    (SPAN * 2, {"referred": 0.5, "closed": 99.5}),
]
DISTRICTS = [
    f"{area}{n}" for area in ("LE", "NG", "DE", "B", "M", "LS", "CF", "E") for n in range(9)
]
REGION = "east-midlands"
TWO_REGIONS = ("east-midlands", "west-midlands")
COLUMNS = (
    "id", "reference", "created_at", "source", "language", "partner", "sector", "danger",
    "priority", "status", "region_id", "region_source", "queue", "postcode_district",
    "station_crs", "seen_at", "consent", "reporter_young", "authorities", "postcode_enc",
    "place_enc", "description_enc", "contact_enc", "urgency", "content_purged_at",
    "assigned_to_id",
)  # fmt: skip
ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
CIPHERTEXT = bytes(range(64))  # the queue never reads content: a fixed blob of a real size
LOUD = "!" * 78


# --- seeding -----------------------------------------------------------------------------------


def _reference(n: int) -> str:
    """Report n's reference: unique, and scattered like random ones (a bijection mod 27^8)."""
    n = (n * 2_654_435_761) % 27**8
    chars = []
    for _ in range(8):
        n, digit = divmod(n, 27)
        chars.append(ALPHABET[digit])
    return f"LC-{''.join(chars[:4])}-{''.join(chars[4:])}"


def _pick(rng: random.Random, shares: dict, k: int) -> list:
    return rng.choices(list(shares), weights=list(shares.values()), k=k)


def _status(rng: random.Random, age: timedelta) -> str:
    shares = next(shares for younger_than, shares in STATUS_BY_AGE if age < younger_than)
    return _pick(rng, shares, 1)[0]


def _chunks(ref, officer_id: int, sqlite_dates: bool) -> Iterator[tuple[list, list]]:
    """(reports, signs) rows in chunks, the same on every run; ids ascend with time."""
    rng = random.Random(20261101)
    stations = sorted(ref.stations)
    signs_of = {s: [sign.id for sign in ref.signs_for(s)] for s in SECTOR_SHARE}
    step = SPAN.total_seconds() / REPORTS
    for first in range(0, REPORTS, CHUNK):
        k = min(CHUNK, REPORTS - first)
        queues = _pick(rng, REGION_SHARE, k)
        sectors = _pick(rng, SECTOR_SHARE, k)
        priorities = _pick(rng, PRIORITY_SHARE, k)
        reports, signs = [], []
        for i, (queue, sector, priority) in enumerate(
            zip(queues, sectors, priorities, strict=True)
        ):
            n = first + i + 1
            created = NOW - SPAN + timedelta(seconds=(n - 1 + rng.random()) * step)
            status = _status(rng, NOW - created)
            region = None if queue == NATIONAL_QUEUE else queue
            rail = sector == "rail"
            mine = queue == REGION and status in ("triaged", "referred") and rng.random() < 0.5
            reports.append((
                n, _reference(n),
                created.isoformat(" ", "microseconds") if sqlite_dates else created,
                "form", "en", None, sector, priority == "urgent" and rng.random() < 0.5,
                priority, status, region,
                ("station" if rail else "postcode") if region else "unknown", queue,
                None if rail else rng.choice(DISTRICTS), rng.choice(stations) if rail else None,
                None, "anonymous", False, '["police-101"]', None, None, CIPHERTEXT, None,
                URGENCY[priority], None, officer_id if mine else None,
            ))  # fmt: skip
            if rng.random() < 0.4:
                ticked = rng.sample(signs_of[sector], min(rng.randint(1, 2), len(signs_of[sector])))
                signs.extend((n, s) for s in ticked)
        yield reports, signs


def _load_sqlite(path: Path) -> Callable:
    def load(ref, officer_id: int) -> tuple[int, int, float]:
        conn = sqlite3.connect(path)
        conn.executescript("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('reports', 'report_signs')"
        ).fetchall()
        for name, _sql in indexes:  # built once at the end: far faster than row by row
            conn.execute(f'DROP INDEX "{name}"')
        marks = ", ".join("?" * len(COLUMNS))
        insert = f"INSERT INTO reports ({', '.join(COLUMNS)}) VALUES ({marks})"
        rows = signs = 0
        for reports, ticked in _chunks(ref, officer_id, sqlite_dates=True):
            conn.executemany(insert, reports)
            conn.executemany("INSERT INTO report_signs (report_id, sign_id) VALUES (?, ?)", ticked)
            rows, signs = rows + len(reports), signs + len(ticked)
        indexing = time.perf_counter()
        for _name, sql in indexes:  # the migrations' own CREATE INDEX, as stored
            conn.execute(sql)
        conn.commit()
        conn.close()
        return rows, signs, time.perf_counter() - indexing

    return load


def _load_postgres(url: str) -> Callable:
    def load(ref, officer_id: int) -> tuple[int, int, float]:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
            conn.execute("SET maintenance_work_mem = '256MB'")
            indexes = conn.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                   WHERE t.relname IN ('reports', 'report_signs') AND NOT EXISTS
                     (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"""
            ).fetchall()
            for name, _sql in indexes:
                conn.execute(f"DROP INDEX {name}")
            rows = signs = 0
            with conn.transaction(), conn.cursor() as cur:
                for reports, ticked in _chunks(ref, officer_id, sqlite_dates=False):
                    with cur.copy(f"COPY reports ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for report in reports:
                            copy.write_row(report)
                    with cur.copy("COPY report_signs (report_id, sign_id) FROM STDIN") as copy:
                        for sign in ticked:
                            copy.write_row(sign)
                    rows, signs = rows + len(reports), signs + len(ticked)
            indexing = time.perf_counter()
            for _name, sql in indexes:  # the migrations' own CREATE INDEX, as stored
                conn.execute(sql)
            conn.execute("SELECT setval('reports_id_seq', max(id)) FROM reports")
            conn.execute("VACUUM ANALYZE reports")  # autovacuum would, after such a load
            conn.execute("VACUUM ANALYZE report_signs")
        return rows, signs, time.perf_counter() - indexing

    return load


def _seed(app, label: str, load: Callable) -> dict[str, StaffUser]:
    """The accounts the pages are read as (through the models), then the reports in bulk."""
    password = hash_password("a long bench password")
    people = {
        "officer": StaffUser(role="officer", region_links=[StaffRegion(region_id=REGION)]),
        "two regions": StaffUser(
            role="officer", region_links=[StaffRegion(region_id=r) for r in TWO_REGIONS]
        ),
        "national": StaffUser(role="national"),
    }
    for who, user in people.items():
        user.email, user.password_hash = f"{who.replace(' ', '-')}@bench.example", password
        db.session.add(user)
    db.session.commit()
    started = time.perf_counter()
    rows, signs, indexing = load(app.extensions["reporter_reference"], people["officer"].id)
    took = time.perf_counter() - started
    print(
        f"  [{label}] seeded {rows:,} reports and {signs:,} signs in {took:.1f} s: "
        f"{rows / took:,.0f} reports/s, generating them and building the indexes "
        f"({indexing:.1f} s) included"
    )
    opened = db.session.scalar(select(func.count()).select_from(Report).where(text(OPEN_REPORTS)))
    mine = db.session.scalar(select(func.count()).where(Report.queue == REGION))
    print(f"  [{label}] {opened:,} open reports ({opened / rows:.1%}); {mine:,} in {REGION}")
    for user in people.values():
        user.region_ids  # noqa: B018 (loaded now: the pages run with an empty session)
    db.session.expunge_all()
    return people


# --- measuring ---------------------------------------------------------------------------------


def _timed(baseline: Callable, fn: Callable) -> tuple[dict[str, float], dict[str, float]]:
    """Figures of `baseline` and `fn`, called in turn: as many calls as fit, within 10..200."""
    started = time.perf_counter()
    baseline()
    fn()
    once = time.perf_counter() - started
    repeat = max(10, min(200, int(SECONDS_PER_FIGURE / max(once, 1e-6))))
    return measure_alternately(baseline, fn, repeat=repeat, warmup=min(10, repeat // 5))


def _sent_by(fn: Callable) -> list[tuple[str, object]]:
    """The statements `fn` sends to the driver, with their parameters as the driver gets them."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return sent


def _plan(cur, dialect: str, statement: str, parameters) -> list[str]:
    if dialect == "sqlite":
        cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return [detail for *_ids, detail in cur.fetchall()]
    cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + statement, parameters)
    lines = [line.strip() for (line,) in cur.fetchall()]
    keep = ("Scan", "Sort Key", "Index Cond", "Filter", "Rows Removed", "Heap Fetches")
    buffers = next((line for line in lines if line.startswith("Buffers")), "")
    return [line for line in lines if any(k in line for k in keep)] + [buffers]


def _cases(people: dict[str, StaffUser]) -> list[tuple[str, StaffUser, QueueFilter, int]]:
    officer, two, national = people["officer"], people["two regions"], people["national"]
    opened, new, any_status = QueueFilter(), QueueFilter(status="new"), QueueFilter(status="any")
    rare = QueueFilter(status="new", sector="banking")
    return [
        (f"officer ({REGION}), open, page 1", officer, opened, 1),
        (f"officer ({REGION}), status=new, page 1", officer, new, 1),
        (f"officer ({REGION}), status=new + setting=banking, page 1", officer, rare, 1),
        (f"officer ({REGION}), open, page 50", officer, opened, 50),
        (f"officer ({REGION}), any status, page 50", officer, any_status, 50),
        ("national, open, page 1", national, opened, 1),
        ("national, status=new, page 1", national, new, 1),
        ("national, open, page 50", national, opened, 50),
        ("national, any status, page 50", national, any_status, 50),
        ("officer of two regions, open, page 1", two, opened, 1),
        ("officer of two regions, any status, page 1", two, any_status, 1),
    ]


def _measure_pages(app, people: dict[str, StaffUser], label: str, cur) -> dict:
    """Each case through queue_page() against its own statement run raw; the plan of each."""
    ref = app.extensions["reporter_reference"]
    figures = {}
    for name, user, f, page in _cases(people):
        after, reached = None, 1
        while reached < page:  # page 50 is reached as a person reaches it, page by page
            _rows, later = queue_page(user, f, ref, after)
            db.session.expunge_all()
            if later is None:
                break
            after, reached = later, reached + 1

        def service(user=user, f=f, after=after):
            rows, _next = queue_page(user, f, ref, after)
            db.session.expunge_all()  # each request starts with an empty session
            return rows

        sent = _sent_by(service)
        statement, parameters = sent[0]

        def bare(statement=statement, parameters=parameters):
            cur.execute(statement, parameters)
            return cur.fetchall()

        count = len(service())
        assert len(bare()) in (count, count + 1), name  # one more tells if a next page exists
        short = f" (there are only {reached} pages)" if reached < page else ""
        print(f"  [{label}] {name}: {count} rows{short}")
        baseline, served = _timed(bare, service)
        print(row("bare SQL: the same statement, DBAPI cursor", baseline))
        print(row("service: queue_page()", served, baseline))
        tables = ", ".join(re.search(r"\bFROM\s+(\w+)", sql)[1] for sql, _p in sent)
        print(f"      the service sent {len(sent)} statement(s), on: {tables}")
        for line in _plan(cur, db.engine.dialect.name, statement, parameters):
            print(f"      plan: {line}")
        figures[name] = (bare, after, count)
    db.session.rollback()
    return figures


def _measure_requests(app, people: dict[str, StaffUser], label: str, figures: dict) -> None:
    """A whole GET /triage/ (session check, filters, page, audit row, commit) against the bare
    statement of the same page."""
    for name, who, url in [
        (f"officer ({REGION}), open, page 1", "officer", "/triage/"),
        (f"officer ({REGION}), any status, page 50", "officer", "/triage/?status=any"),
        ("national, open, page 1", "national", "/triage/"),
    ]:
        client = app.test_client()
        token = start_session(people[who].id)
        db.session.commit()
        with client.session_transaction() as session:
            session[SESSION_KEY] = token
        bare, after, count = figures[name]
        target = f"{url}{'&' if '?' in url else '?'}after={after.encode()}" if after else url
        response = client.get(target)
        assert response.status_code == 200, (target, response.status_code)
        assert response.get_data(as_text=True).count('class="ref"') == min(count, PAGE_SIZE)
        print(f"  [{label}] GET {url} as {who}{', page 50 by its after= cursor' if after else ''}")
        again, whole = _timed(bare, lambda c=client, t=target: c.get(t))
        print(row("bare SQL of the same page", again))
        print(row("GET through the test client", whole, again))


def _bench(label: str, uri: str, load: Callable) -> None:
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        people = _seed(app, label, load)
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        figures = _measure_pages(app, people, label, cur)
        _measure_requests(app, people, label, figures)
        cur.close()
        raw.close()
        db.session.remove()
        db.engine.dispose()


def _fresh_postgres_database(url: str) -> bool:
    server, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        shown = make_url(server).render_as_string(hide_password=True)
        print(f"{LOUD}\n!!! PostgreSQL NOT MEASURED: {shown} is not reachable ({error})\n{LOUD}")
        return False
    return True


def run() -> None:
    print(f"  {REPORTS:,} reports; pages of {PAGE_SIZE}; per page: median and p95")
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="bench-triage-"))
    try:
        path = scratch / "queue.sqlite"
        _bench("sqlite", f"sqlite:///{path}", _load_sqlite(path))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if _fresh_postgres_database(POSTGRES_URL):
        url = "postgresql+psycopg://" + POSTGRES_URL.split("://", 1)[1]
        _bench("postgresql", url, _load_postgres(POSTGRES_URL))
    print(f"  triage_queue took {time.perf_counter() - started:.0f} s in all")
