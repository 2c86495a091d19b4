"""A campaign morning through nginx: a national poster campaign goes live, and 1,000,000 QR scans
in an hour open the form (issue 18), 2% of them sending a report.

nginx runs the repo's deploy/nginx-cache.conf in front of gunicorn (gunicorn.conf.py,
PostgreSQL, Redis, production's report limits), as production does: the blank form comes from
nginx's cache, and what it does not keep goes through to the app. Phones arrive at a steady rate
(open loop: a slow server does not slow the arrivals, it queues them) for a bounded time, at the
morning's own rate (1,000,000 an hour is 278 a second) unless scaled down; the scale factor says
what share of the morning was sent. Each phone connects from a loopback address of its own
(127.x.y.z; a few phones share one, as behind a mobile network's NAT), so nginx's $remote_addr,
and so the app's per-address report limit, sees many addresses, as in production.

A scan opens the form as a phone's browser does (brotli/gzip, a language, `Sec-Fetch-Site: none`),
at an entry link's address (`/report?sector=...&lang=...`). One scan in 50 sends a report, in
turn: the form as a phone without JavaScript sends it (no idempotency key: the answers make it;
`Sec-Fetch-Site: same-origin`), then its outcome page with the reference; or a partner's app's
POST /api/v1/reports with an Idempotency-Key.

Prints each step's count and latency, nginx's cache status of the scans, errors (must be none),
and reports accepted and stored (counted in the database after: must be equal, every accepted
reference stored and no other row). BENCH_MORNING_SCANS_PER_HOUR (default 1,000,000),
BENCH_MORNING_SECONDS (default 60), BENCH_MORNING_SCALE (share of that rate sent, default 1).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg

from bench import _servers
from bench._servers import NotMeasured, gunicorn, loud
from bench._visitor import Visitor
from bench.campaign_day import POSTCODES, WORDS, Tally, _p

SCANS_PER_HOUR = float(os.environ.get("BENCH_MORNING_SCANS_PER_HOUR", "1000000"))
SECONDS = float(os.environ.get("BENCH_MORNING_SECONDS", "60"))
SCALE = float(os.environ.get("BENCH_MORNING_SCALE", "1"))
REPORT_EVERY = 50  # 2% of scans send a report
PER_ADDRESS = 3  # phones behind one address
# The settings and languages of the entry links on the posters (each a page nginx keeps).
LINKS = [
    ("delivery", "en"), ("delivery", "pl"), ("rail", "en"), ("rail", "cy"), ("bus-coach", "en"),
    ("hotel", "ro"), ("taxi", "ur"), ("food-service", "ar"), ("delivery", "bn"), ("rail", "pt"),
]  # fmt: skip
BROWSER = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en-GB,en;q=0.9"}
SCAN = {**BROWSER, "Sec-Fetch-Site": "none"}
SAME_SITE = {**BROWSER, "Sec-Fetch-Site": "same-origin"}


def _address(phone: int) -> str:
    shared = phone // PER_ADDRESS
    return f"127.{1 + shared // 62500 % 250}.{shared // 250 % 250}.{1 + shared % 250}"


def _form_answers(rng: random.Random, sector: str, signs: list[str]) -> dict:
    """As a phone without JavaScript sends the form: no idempotency key."""
    return {
        "sector": sector,
        "danger": "no",
        "signs": rng.sample(signs, rng.randint(1, 2)),
        "postcode": rng.choice(POSTCODES),
        "description": " ".join(rng.choices(WORDS, k=12)),
        "consent": "anonymous",
    }


def _api_report(rng: random.Random, sector: str, signs: list[str]) -> dict:
    return {
        "sector": sector,
        "danger": False,
        "signs": rng.sample(signs, rng.randint(1, 2)),
        "postcode": rng.choice(POSTCODES),
        "description": " ".join(rng.choices(WORDS, k=12)),
    }


def _phone(base: str, n: int, tally: Tally, signs: dict[str, list[str]], cache: Counter) -> None:
    rng = random.Random(n)
    sector, language = LINKS[n % len(LINKS)]
    phone = Visitor("", source=_address(n))
    scan = tally.step(
        "scan: GET the form",
        lambda: phone.get(base, f"/report?sector={sector}&lang={language}", SCAN),
        200,
    )
    if scan is None:
        return
    with tally.lock:
        cache[scan.headers.get("X-Cache", "none")] += 1
    if n % REPORT_EVERY != REPORT_EVERY - 1:
        return
    if (n // REPORT_EVERY) % 2 == 0:
        answers = _form_answers(rng, sector, signs[sector])
        path = f"/report?lang={language}"
        sent = tally.step(
            "report: POST the form (no JS)",
            lambda: phone.post_form(base, path, answers, SAME_SITE),
            303,
        )
        if sent is None:
            return
        done = tally.step(
            "outcome: GET /report/done",
            lambda: phone.get(base, "/report/done", SAME_SITE),
            200,
        )
        reference = done.reference if done else None
    else:
        key = {"Idempotency-Key": f"morning-{rng.getrandbits(96):024x}"}
        report = _api_report(rng, sector, signs[sector])
        answer = tally.step(
            "report: POST /api/v1/reports",
            lambda: phone.post_json(base, "/api/v1/reports", report, key),
            201,
        )
        if answer is None:
            return
        reference = json.loads(answer.body).get("reference")
    with tally.lock:
        if reference:
            tally.references.append(reference)
        else:
            tally.errors.append("report: no reference in the answer")


def run() -> None:
    from reporter.reference import get_reference

    reference = get_reference()
    signs = {sector: [s.id for s in reference.signs_for(sector)] for sector, _l in LINKS}
    rate = SCANS_PER_HOUR / 3600 * SCALE
    scans = int(rate * SECONDS)
    try:
        database = _servers.fresh_database()
        _servers.fresh_redis()
        env = _servers.production_env(database, limits=None)  # production's limits
        _servers.migrate(env)
        with gunicorn("wsgi:app", env) as app, _servers.nginx(app) as proxy:
            print(
                f"  {scans:,} scans at {rate:.0f} a second ({rate * 3600:,.0f} an hour: "
                f"{SCALE:.0%} of a {SCANS_PER_HOUR:,.0f}-scan hour's rate) for {SECONDS:.0f} s, "
                f"so {scans / SCANS_PER_HOUR:.2%} of the morning's scans (scale factor "
                f"1:{SCANS_PER_HOUR / scans:.0f}); one in {REPORT_EVERY} sends a report; nginx "
                f"(deploy/nginx-cache.conf) in front of gunicorn with {len(app.worker_pids())} "
                "workers, PostgreSQL, Redis, production report limits"
            )
            tally, cache = Tally(), Counter()
            started = time.perf_counter()
            late = 0.0
            with ThreadPoolExecutor(max_workers=128) as pool:
                for n in range(scans):
                    due = started + n / rate
                    late = max(late, time.perf_counter() - due)
                    time.sleep(max(0.0, due - time.perf_counter()))
                    pool.submit(_phone, proxy, n, tally, signs, cache)
                sent_in = time.perf_counter() - started
            took = time.perf_counter() - started
            memory = app.memory()
        with psycopg.connect(database) as conn:
            stored = [r for (r,) in conn.execute("SELECT reference FROM reports")]
    except NotMeasured as missing:
        loud(str(missing))
        return
    print(
        f"    sent in {sent_in:.1f} s ({scans / sent_in:.0f} scans a second; the sender fell "
        f"at most {late * 1000:.0f} ms behind its schedule), all answered in {took:.1f} s"
    )
    for name, values in tally.latency.items():
        print(
            f"    {name:<32} {len(values):6d} requests  p50 {_p(values, 0.5):7.1f}  "
            f"p95 {_p(values, 0.95):7.1f}  p99 {_p(values, 0.99):7.1f}  max {max(values):7.1f} ms"
        )
    print(f"    nginx's cache, scans: {', '.join(f'{k} {v:,}' for k, v in cache.most_common())}")
    common = statistics.mode(tally.errors) if tally.errors else ""
    print(
        f"    errors: {len(tally.errors)}{f' (most often {common})' if common else ''}"
        f"{'' if not tally.errors else '   <-- MUST BE NONE'}"
    )
    accepted = set(tally.references)
    ok = accepted == set(stored) and len(stored) == len(accepted)
    print(
        f"    reports accepted {len(accepted)}, rows in the database {len(stored)}: "
        f"{'equal, every accepted reference stored' if ok else 'NOT EQUAL   <-- MUST BE EQUAL'}"
    )
    for pid, rss, pss in memory:
        print(f"    worker {pid}: RSS {rss / 1024:.0f} MiB, PSS {pss / 1024:.0f} MiB")
