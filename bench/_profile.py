"""Where a request's time goes: cProfile over the form page and the API report, in one process
with the production settings (run by bench.production as `python -m bench._profile` with the
production environment, on the benchmark's database). Prints the top entries of each path by
own time and by cumulative time, per request: BENCH_PROFILE_TOP of them (default 14), over
BENCH_PROFILE_REQUESTS requests (default 300)."""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "300"))
TOP = int(os.environ.get("BENCH_PROFILE_TOP", "14"))
BASE = "https://reporter.bench.invalid"


def _name(func: tuple[str, int, str]) -> str:
    path, line, name = func
    for marker in ("site-packages/", "/reporter/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path}:{line})" if line else name


def _print_top(stats: pstats.Stats, key: int, title: str) -> None:
    # The frames that merely wrap the whole request (test client, WSGI, dispatch) say nothing.
    rows = [item for item in stats.stats.items() if item[1][3] < 0.75 * stats.total_tt]
    rows = sorted(rows, key=lambda item: item[1][key], reverse=True)[:TOP]
    print(f"    top {TOP} by {title} (under 75% of the whole), per request: ms  calls  function")
    for func, (_cc, calls, own, cumulative, _callers) in rows:
        spent = (own if key == 2 else cumulative) * 1000 / REQUESTS
        print(f"      {spent:7.3f} {calls / REQUESTS:7.1f}   {_name(func)[:96]}")


def _profile(label: str, call) -> None:
    for _ in range(20):  # warm: first requests compile templates and open connections
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REQUESTS):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"  profile of {label}: {stats.total_tt * 1000 / REQUESTS:.2f} ms per request "
          f"under cProfile (which slows everything down; compare entries, not totals)")  # fmt: skip
    _print_top(stats, 2, "own time")
    _print_top(stats, 3, "cumulative time")


def main(form_url: str, body: str) -> int:
    from wsgi import app

    client = app.test_client(use_cookies=False)  # as wrk: every request a new visitor
    first = client.get(form_url, base_url=BASE)
    posted = client.post("/api/v1/reports", data=body, content_type="application/json",
                         base_url=BASE)  # fmt: skip
    assert first.status_code == 200 and posted.status_code == 201, (first, posted.get_data())

    def get():
        assert client.get(form_url, base_url=BASE).status_code == 200

    def post():
        response = client.post("/api/v1/reports", data=body, content_type="application/json",
                               base_url=BASE)  # fmt: skip
        assert response.status_code == 201

    _profile(f"GET {form_url}", get)
    _profile("POST /api/v1/reports", post)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], json.dumps(json.loads(sys.argv[2]))))
