"""Campaign day: a delivery partner's newsletter sends couriers to the form.

Simulated couriers arrive at a steady rate (open loop: a slow server does not slow the arrivals,
it queues them, as real phones would) for a bounded time. Each scans the link (opens
/report?sector=delivery, the same bytes for every phone: no cookie, no token), sends the
form, and reads the outcome page with its reference. The app runs as production does: gunicorn
with gunicorn.conf.py, PostgreSQL, Redis, the production report limits, one proxy in front.
Couriers come from many addresses, several from each (a mobile network puts many phones behind
one address), told to the app in X-Forwarded-For.

Prints p95 latency of each step, errors (must be none), reports accepted and stored (must be
equal, and every accepted reference stored) and the memory of each worker at the end.
BENCH_COURIERS_PER_SECOND (default 2, i.e. 7,200 an hour), BENCH_CAMPAIGN_SECONDS (default 60),
BENCH_COURIERS_PER_ADDRESS (default 3; production allows 10 reports per address per 10 minutes).
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import psycopg

from bench import _servers
from bench._servers import NotMeasured, gunicorn, loud
from bench._visitor import Visitor

RATE = float(os.environ.get("BENCH_COURIERS_PER_SECOND", "2"))
SECONDS = float(os.environ.get("BENCH_CAMPAIGN_SECONDS", "60"))
PER_ADDRESS = int(os.environ.get("BENCH_COURIERS_PER_ADDRESS", "3"))
POSTCODES = ["LE1 6RN", "M1 1AE", "LS1 4DY", "B1 1BB", "CF10 1EP", "NG1 5FS"]
WORDS = ["girl", "boy", "van", "depot", "older", "man", "late", "again", "scared", "door"]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.references: list[str] = []

    def step(self, name: str, call, expect: int):
        started = time.perf_counter()
        try:
            answer = call()
        except OSError as error:
            with self.lock:
                self.errors.append(f"{name}: {type(error).__name__}")
            return None
        with self.lock:
            self.latency[name].append((time.perf_counter() - started) * 1000)
            if answer.status != expect:
                self.errors.append(f"{name}: {answer.status}")
                return None
        return answer


def _answers(rng: random.Random, signs: list[str]) -> dict:
    return {
        # As the phone's script makes it: one key per report.
        "idempotency_key": f"courier-{rng.getrandbits(96):024x}",
        "sector": "delivery",
        "danger": "no",
        "signs": rng.sample(signs, rng.randint(1, 2)),
        "postcode": rng.choice(POSTCODES),
        "description": " ".join(rng.choices(WORDS, k=12)),
        "consent": "anonymous",
    }


def _courier(base: str, n: int, tally: Tally, signs: list[str]) -> None:
    rng = random.Random(n)
    shared = n // PER_ADDRESS  # carrier-grade NAT: many phones, one address
    phone = Visitor(f"100.{64 + shared // 65536 % 64}.{shared // 256 % 256}.{shared % 256}")
    form = tally.step("scan: GET the form", lambda: phone.get(base, "/report?sector=delivery"), 200)
    if form is None:
        return
    sent = tally.step(
        "send: POST /report",
        lambda: phone.post_form(base, "/report", _answers(rng, signs)),
        303,
    )
    if sent is None:
        return
    done = tally.step("outcome: GET /report/done", lambda: phone.get(base, "/report/done"), 200)
    found = done.reference if done else None
    if found:
        with tally.lock:
            tally.references.append(found)
    elif done:
        tally.errors.append("outcome: no reference on the page")


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def run() -> None:
    from reporter.reference import get_reference

    signs = [sign.id for sign in get_reference().signs_for("delivery")]
    couriers = int(RATE * SECONDS)
    addresses = -(-couriers // PER_ADDRESS)
    try:
        database = _servers.fresh_database()
        _servers.fresh_redis()
        env = _servers.production_env(database, limits=None)  # production's limits
        _servers.migrate(env)
        with gunicorn("wsgi:app", env) as app:
            workers = len(app.worker_pids())
            print(
                f"  {couriers} couriers at {RATE:g} a second ({RATE * 3600:,.0f} an hour) for "
                f"{SECONDS:.0f} s, {PER_ADDRESS} from each of {addresses} addresses; gunicorn "
                f"with {workers} workers, PostgreSQL, Redis, production report limits"
            )
            for _ in range(4 * workers):  # a server that has been up a while: warm workers
                Visitor("192.0.2.1").get(app.url, "/report?sector=delivery")
            tally = Tally()
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=64) as pool:
                for n in range(couriers):
                    time.sleep(max(0.0, started + n / RATE - time.perf_counter()))
                    pool.submit(_courier, app.url, n, tally, signs)
            took = time.perf_counter() - started
            memory = app.memory()
        with psycopg.connect(database) as conn:
            stored = set(r for (r,) in conn.execute("SELECT reference FROM reports"))
    except NotMeasured as missing:
        loud(str(missing))
        return
    for name, values in tally.latency.items():
        print(
            f"    {name:<28} {len(values):5d} requests  p50 {_p(values, 0.5):7.1f}  "
            f"p95 {_p(values, 0.95):7.1f}  max {max(values):7.1f} ms"
        )
    everything = [v for values in tally.latency.values() for v in values]
    accepted = set(tally.references)
    print(f"    every request: p95 {_p(everything, 0.95):.1f} ms; all done in {took:.0f} s")
    errors = statistics.mode(tally.errors) if tally.errors else ""
    print(
        f"    errors: {len(tally.errors)}{f' (most often {errors})' if errors else ''}"
        f"{'' if not tally.errors else '   <-- MUST BE NONE'}"
    )
    ok = accepted == stored
    print(
        f"    reports accepted {len(accepted)}, stored {len(stored)}: "
        f"{'equal, every accepted reference stored' if ok else 'NOT EQUAL   <-- MUST BE EQUAL'}"
    )
    for pid, rss, pss in memory:
        print(
            f"    worker {pid}: RSS {rss / 1024:.0f} MiB, PSS {pss / 1024:.0f} MiB (shared split)"
        )
