"""The app as production runs it, against what bare Flask does on the same server and database.

Both are served by gunicorn with the project's own gunicorn.conf.py (sync workers, one per core),
with the production settings (PostgreSQL, Redis rate-limit storage, secure cookies, one proxy;
the report limit raised so the load is not 429'd), and loaded by wrk on loopback. Pairs are
measured alternately, round after round, so a neighbour's load on the machine falls on both:
- GET /report?sector=bus-coach (the heaviest form page) against bench/_bare_app.py's /page,
  a page of the same size;
- the same form through nginx running deploy/nginx-cache.conf in front of the app's gunicorn
  (the page kept by nginx, as production serves it), against the bare page straight from its
  gunicorn;
- POST /api/v1/reports (JSON in, validated, routed, encrypted, stored) against the bare /rows,
  which parses the same JSON and inserts one row through SQLAlchemy.
Targets (issue 18): the form at least 90% of the bare page's requests per second, with no
Set-Cookie; behind nginx's cache at least 5x the bare page's; the report at least 40% of the
bare insert's, with its p95 at most 3x the bare one's.
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
# The share of the bare app's requests per second each pair must reach, and whether its p95 has
# a target too (at most P95_TARGET times the bare one's).
TARGETS = {"GET": (0.90, False), "GET behind nginx's cache": (5.0, False), "POST": (0.40, True)}
# What a phone's browser sends with every request: the page is then compressed for it. The bare
# app sends its page as it is whatever is asked, so this pair says what compression costs; the
# targets are for the pairs above, as issue 10 defines them.
PHONE = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en-GB,en;q=0.9"}
P95_TARGET = 3.0


def _page_size(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200, response.status
        # Issue 18: the blank form is the same bytes for everyone, and sets no cookie.
        assert response.headers.get("Set-Cookie") is None, response.headers["Set-Cookie"]
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


def _verdict(name: str, app: list[Load], bare: list[Load]) -> None:
    ratio = _median(app, "rps") / _median(bare, "rps")
    p95 = _median(app, "p95_ms") / _median(bare, "p95_ms")
    if name not in TARGETS:
        print(f"    ratio: {ratio:.0%} of the bare app's requests/s; p95 x{p95:.2f} (no target)")
        return
    target, p95_counts = TARGETS[name]
    met = "MET" if ratio >= target else "MISSED"
    said = f"x{ratio:.1f} the bare app's requests/s (target >= x{target:.0f}: {met})"
    if target < 1:
        said = f"{ratio:.0%} of the bare app's requests/s (target >= {target:.0%}: {met})"
    if p95_counts:
        met = "MET" if p95 <= P95_TARGET else "MISSED"
        said += f"; p95 x{p95:.2f} of the bare app's (target <= x{P95_TARGET:.0f}: {met})"
    else:
        said += f"; p95 x{p95:.2f} of the bare app's"
    print(f"    ratio: {said}")


def _measure(app_url: str, bare_url: str, proxy_url: str) -> None:
    body = json.dumps(REPORT)
    pairs = {
        "GET": (
            (f"GET {FORM}", app_url + FORM, None, None),
            ("GET bare /page", bare_url + "/page", None, None),
        ),
        "GET behind nginx's cache": (
            (f"GET {FORM} from nginx", proxy_url + FORM, None, None),
            ("GET bare /page (no proxy)", bare_url + "/page", None, None),
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
    # The bare page is one baseline for two pairs: each pair measures it afresh beside its own.
    results.update({f"{name}: {label}": [] for name, pair in pairs.items() for label, *_ in pair})
    for round_ in range(ROUNDS):
        for name, pair in pairs.items():
            order = pair if round_ % 2 == 0 else pair[::-1]  # alternate who goes first
            for label, url, data, headers in order:
                results[f"{name}: {label}"].append(wrk(url, SECONDS, CONNECTIONS, data, headers))
    for name, ((app_label, *_a), (bare_label, *_b)) in pairs.items():
        app, bare = results[f"{name}: {app_label}"], results[f"{name}: {bare_label}"]
        print(f"  {name}:")
        print(_line(app_label, app))
        print(_line(bare_label, bare))
        _verdict(name, app, bare)


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
            with (
                gunicorn("bench._bare_app:app", bare_env, ready="/page") as bare,
                _servers.nginx(app) as proxy,
            ):
                _measure(app.url, bare.url, proxy)
    except NotMeasured as missing:
        loud(str(missing))
        return
    print(f"  production took {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    sys.exit(run())
