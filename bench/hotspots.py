"""Hotspots at a million reports, on PostgreSQL.

The database is built by the Alembic migrations and seeded as bench/triage_queue.py seeds it (a
million reports over two years across the ten regions and the national queue, signs for some),
with sightings for one report in fifty. The hotspots page's service (`hotspots()`) is timed
against the very statements it sends, captured at the driver and run raw on a DBAPI cursor, the
two called in turn: the ratio is what the service adds. The plan of each reports statement is
printed, so a count that stops reading the four weeks from an index shows. A whole GET
/triage/hotspots is timed the same way. Not part of `make test`: `python -m bench hotspots`.

BENCH_REPORTS changes the number of reports; BENCH_HOTSPOTS_POSTGRES_URL the server and database
(dropped and created again on every run; its own, so that it never meets triage_queue's).
"""

from __future__ import annotations

import os
import time

import psycopg
from sqlalchemy import text

from bench._timing import row
from bench.triage_queue import (
    NOW,
    REGION,
    REPORTS,
    _fresh_postgres_database,
    _load_postgres,
    _plan,
    _seed,
    _sent_by,
    _timed,
)
from reporter import create_app
from reporter.extensions import db
from reporter.services.accounts.sessions import start_session
from reporter.services.casework.hotspots import PERIOD, HotspotFilter, hotspots
from reporter.triage.auth import SESSION_KEY

POSTGRES_URL = os.environ.get(
    "BENCH_HOTSPOTS_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench_hotspots"
)
SIGHTING_EVERY = 50  # one report in this many is seen again, a day later


def _add_sightings(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO report_sightings
                 (report_id, created_at, danger, same_place, station_crs, postcode_district)
               SELECT id, created_at + interval '1 day', false, true, station_crs,
                      postcode_district
               FROM reports WHERE mod(id, %s) = 0""",
            (SIGHTING_EVERY,),
        )
        conn.execute("VACUUM ANALYZE report_sightings")
        return conn.execute("SELECT count(*) FROM report_sightings").fetchone()[0]


def _cases(people) -> list[tuple[str, object, HotspotFilter]]:
    return [
        (f"officer ({REGION})", people["officer"], HotspotFilter()),
        ("officer of two regions", people["two regions"], HotspotFilter()),
        ("national, every region", people["national"], HotspotFilter()),
        ("national, setting=rail", people["national"], HotspotFilter(sector="rail")),
        ("national, sign=hiding", people["national"], HotspotFilter(sign="hiding")),
    ]


def _measure(app, people, cur) -> None:
    ref = app.extensions["reporter_reference"]
    for name, user, chosen in _cases(people):

        def service(user=user, chosen=chosen):
            result = hotspots(user, chosen, ref, now=NOW)
            db.session.expunge_all()
            return result

        sent = _sent_by(service)

        def bare(sent=sent):
            for statement, parameters in sent:
                cur.execute(statement, parameters)
                cur.fetchall()

        places = service().places
        shown = ", ".join(f"{len(spots)} {kind}s" for kind, spots in places.items())
        print(f"  [postgresql] {name}: {shown}; {len(sent)} statements")
        baseline, served = _timed(bare, service)
        print(row("bare SQL: the same statements, DBAPI cursor", baseline))
        print(row("service: hotspots()", served, baseline))
        for statement, parameters in sent[:1]:
            for line in _plan(cur, "postgresql", statement, parameters):
                print(f"      plan of the stations count: {line}")
    db.session.rollback()


def _measure_request(app, people) -> None:
    client = app.test_client()
    token = start_session(people["national"].id)
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
    # The page counts up to now; the seeded reports end at NOW, so this is the quiet case of
    # the page as a whole (its statements, audit row and rendering), next to the service above.
    response = client.get("/triage/hotspots")
    assert response.status_code == 200, response.status_code
    _none, whole = _timed(lambda: None, lambda: client.get("/triage/hotspots"))
    print(row("GET /triage/hotspots as national staff", whole))


def run() -> None:
    print(f"  {REPORTS:,} reports; hotspots of the 4 weeks to {NOW:%d %b %Y}: median and p95")
    started = time.perf_counter()
    if not _fresh_postgres_database(POSTGRES_URL):
        return
    from flask_migrate import upgrade

    url = "postgresql+psycopg://" + POSTGRES_URL.split("://", 1)[1]
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        people = _seed(app, "postgresql", _load_postgres(POSTGRES_URL))
        seen = _add_sightings(POSTGRES_URL)
        recent = db.session.scalar(
            text("SELECT count(*) FROM reports WHERE created_at >= :since"),
            {"since": NOW - PERIOD},
        )
        print(f"  [postgresql] {seen:,} sightings; {recent:,} reports in the 4 weeks")
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        _measure(app, people, cur)
        _measure_request(app, people)
        cur.close()
        raw.close()
        db.session.remove()
        db.engine.dispose()
    print(f"  hotspots took {time.perf_counter() - started:.0f} s in all")
