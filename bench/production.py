"""The app as production runs it, against what bare Flask does on the same server and database.

Both are served by gunicorn with the project's own gunicorn.conf.py (sync workers, one per core),
with the production settings (PostgreSQL, Redis rate-limit storage, secure cookies, one proxy;
the report limit raised so the load is not 429'd), and loaded by wrk on loopback. Pairs are
measured alternately, round after round, so a neighbour's load on the machine falls on both:
- GET /report?sector=bus-coach (the heaviest form page) against bench/_bare_app.py's /page,
  a page of the same size;
- POST /api/v1/reports (JSON in, validated, routed, encrypted, stored) against the bare /rows,
  which parses the same JSON and inserts one row through SQLAlchemy.
Targets (issue 10): the form at least 50% of the bare page's requests per second, the report at
least 35% of the bare insert's, and each p95 at most 3x the bare one's.
Before the load, cProfile shows where a request's time goes on both paths (bench/_profile.py).

BENCH_SECONDS (per run, default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 4),
BENCH_POSTGRES_URL (its database is dropped and made again), BENCH_REDIS_URL (emptied).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

from bench import _servers
from bench._servers import BIN, ROOT, NotMeasured, gunicorn, loud
from bench._wrk import Load, wrk

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
FORM = "/report?sector=bus-coach"
REPORT = {  # a normal-priority report: no alert email is sent
    "sector": "hotel",
    "signs": ["room-paid-cash", "older-companion"],
    "danger": False,
    "description": "Girl of about 13 checked in by a man in his 40s paying cash.",
    "postcode": "m1 1ae",
    "contact": {"consent": "confidential", "phone": "07700 900123"},
}
TARGETS = {"GET": 0.50, "POST": 0.35}
# What a phone's browser sends with every request: the page is then compressed for it. The bare
# app sends its page as it is whatever is asked, so this pair says what compression costs; the
# targets are for the pairs above, as issue 10 defines them.
PHONE = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en-GB,en;q=0.9"}
P95_TARGET = 3.0


def _page_size(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200, response.status
        return len(response.read())


def _as_a_phone(url: str) -> str:
    request = urllib.request.Request(url, headers=PHONE)
    with urllib.request.urlopen(request, timeout=10) as response:
        return f"{response.headers.get('Content-Encoding', 'identity')} {len(response.read()):,} B"


def _profile(env: dict) -> None:
    subprocess.run(
        [BIN / "python", "-m", "bench._profile", FORM, json.dumps(REPORT)],
        cwd=ROOT, env=env, check=True, timeout=600,
    )  # fmt: skip


def _median(loads: list[Load], field: str) -> float:
    return statistics.median(getattr(load, field) for load in loads)


def _line(label: str, loads: list[Load]) -> str:
    bad = sum(x.socket_errors + x.bad_status for x in loads)
    return (
        f"    {label:<34} {_median(loads, 'rps'):7.0f} req/s   p50 {_median(loads, 'p50_ms'):6.1f}"
        f"  p95 {_median(loads, 'p95_ms'):6.1f}  p99 {_median(loads, 'p99_ms'):6.1f} ms"
        f"   ({len(loads)} runs; errors {bad})"
    )


def _verdict(method: str, app: list[Load], bare: list[Load]) -> None:
    ratio = _median(app, "rps") / _median(bare, "rps")
    p95 = _median(app, "p95_ms") / _median(bare, "p95_ms")
    if method not in TARGETS:
        print(f"    ratio: {ratio:.0%} of the bare app's requests/s; p95 x{p95:.2f} (no target)")
        return
    target = TARGETS[method]
    print(
        f"    ratio: {ratio:.0%} of the bare app's requests/s (target >= {target:.0%}: "
        f"{'MET' if ratio >= target else 'MISSED'}); p95 x{p95:.2f} of the bare app's "
        f"(target <= x{P95_TARGET:.0f}: {'MET' if p95 <= P95_TARGET else 'MISSED'})"
    )


def _measure(app_url: str, bare_url: str) -> None:
    body = json.dumps(REPORT)
    pairs = {
        "GET": (
            (f"GET {FORM}", app_url + FORM, None, None),
            ("GET bare /page", bare_url + "/page", None, None),
        ),
        "POST": (
            ("POST /api/v1/reports", app_url + "/api/v1/reports", body, None),
            ("POST bare /rows (JSON + insert)", bare_url + "/rows", body, None),
        ),
        "GET as a phone asks (compressed)": (
            (f"GET {FORM}, phone's headers", app_url + FORM, None, PHONE),
            ("GET bare /page, same headers", bare_url + "/page", None, PHONE),
        ),
    }  # fmt: skip
    for _l, url, data, headers in [p for pair in pairs.values() for p in pair]:
        wrk(url, 1, CONNECTIONS, data, headers)  # warm every worker: templates, connections
    results: dict[str, list[Load]] = {label: [] for pair in pairs.values() for label, *_ in pair}
    for round_ in range(ROUNDS):
        for pair in pairs.values():
            order = pair if round_ % 2 == 0 else pair[::-1]  # alternate who goes first
            for label, url, data, headers in order:
                results[label].append(wrk(url, SECONDS, CONNECTIONS, data, headers))
    for method, ((app_label, *_a), (bare_label, *_b)) in pairs.items():
        print(f"  {method}:")
        print(_line(app_label, results[app_label]))
        print(_line(bare_label, results[bare_label]))
        _verdict(method, results[app_label], results[bare_label])


def run() -> None:
    started = time.perf_counter()
    try:
        database = _servers.fresh_database()
        _servers.fresh_redis()
        env = _servers.production_env(database)
        _servers.migrate(env)
        bare_env = {**env, "BARE_DATABASE_URL": "postgresql+psycopg://" + database.split("://")[1]}
        subprocess.run(
            [BIN / "python", "-c", "from bench._bare_app import create_table; create_table()"],
            cwd=ROOT, env={**bare_env, "BARE_PAGE_BYTES": "1"}, check=True,
        )  # fmt: skip
        with gunicorn("wsgi:app", env) as app:
            size = _page_size(app.url + FORM)
            bare_env["BARE_PAGE_BYTES"] = str(size)
            workers = len(app.worker_pids())
            print(
                f"  gunicorn -c gunicorn.conf.py, {workers} sync workers each; wrk -t1 "
                f"-c{CONNECTIONS}, {SECONDS:.0f} s per run, {ROUNDS} rounds, alternating; "
                f"PostgreSQL and Redis; form page {size:,} B ({_as_a_phone(app.url + FORM)} as a "
                "phone asks), bare page the same size"
            )
            _profile(env)
            with gunicorn("bench._bare_app:app", bare_env, ready="/page") as bare:
                _measure(app.url, bare.url)
    except NotMeasured as missing:
        loud(str(missing))
        return
    print(f"  production took {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    sys.exit(run())
