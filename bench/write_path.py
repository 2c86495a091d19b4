"""Is the hand-built write of a report worth keeping? Issue 18: one write path for a report on
both databases, unless the hand-built one is worth more than 20% of a stored report.

On PostgreSQL a report's rows (the report, its signs, its search tokens, an urgent report's
alert) are written by one statement of data-modifying CTEs on a connection in autocommit: one
round trip (services/reporting/reports.py, `_insert_in_one_statement`). SQLite has no INSERT
inside a WITH, so it writes the same rows one INSERT after another in one transaction
(`_insert_in_one_transaction`: BEGIN, three INSERTs, COMMIT), which runs on PostgreSQL too.
This bench stores API reports (the whole request, in one process, the production settings, on
BENCH_POSTGRES_URL's database) alternately through each, and prints what the statement saves as
a share of a stored report. BENCH_WRITE_REPORTS (default 300 of each).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from bench import _servers
from bench._servers import BIN, ROOT, NotMeasured, loud

REPORTS = int(os.environ.get("BENCH_WRITE_REPORTS", "300"))


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def measure() -> None:
    """In a process of its own, with the production environment set (see run())."""
    from bench.production import REPORT
    from reporter.services.reporting import reports
    from wsgi import app

    client = app.test_client(use_cookies=False)
    body = json.dumps(REPORT)
    paths = {
        "one statement (PostgreSQL's)": reports._insert_in_one_statement,
        "one transaction (SQLite's)": reports._insert_in_one_transaction,
    }
    spent: dict[str, list[float]] = {name: [] for name in paths}

    def post(name: str) -> None:
        reports._insert = paths[name]  # the write path this request takes
        started = time.perf_counter()
        answer = client.post(
            "/api/v1/reports", data=body, content_type="application/json",
            base_url="https://reporter.bench.invalid",
        )  # fmt: skip
        spent[name].append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 201, answer.get_data()

    for _ in range(20):  # warm: connections, compiled statements
        for name in paths:
            post(name)
    for values in spent.values():
        values.clear()
    for _ in range(REPORTS):
        for name in paths:  # in turn, so the machine's other load falls on both
            post(name)
    for name, values in spent.items():
        print(
            f"    POST /api/v1/reports, {name:<30} median {statistics.median(values):6.2f} ms"
            f"   p95 {_p95(values):6.2f} ms   ({len(values)} reports)"
        )
    statement, transaction = (statistics.median(v) for v in spent.values())
    worth = (transaction - statement) / transaction
    print(
        f"    the one statement saves {transaction - statement:.2f} ms a report: {worth:.0%} of a "
        f"stored report's time (keep it over 20%: {'KEPT' if worth > 0.20 else 'NOT WORTH IT'})"
    )


def run() -> None:
    try:
        database = _servers.fresh_database()
        _servers.fresh_redis()
        env = _servers.production_env(database)
        _servers.migrate(env)
    except NotMeasured as missing:
        loud(str(missing))
        return
    print(f"  {REPORTS} API reports through each write path, alternately; PostgreSQL and Redis")
    subprocess.run(
        [BIN / "python", "-c", "from bench.write_path import measure; measure()"],
        cwd=ROOT, env=env, check=True, timeout=900,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(run())
