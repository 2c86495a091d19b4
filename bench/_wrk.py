"""Load with wrk (Debian's package; `make bench-deps` installs it): requests per second and
latency percentiles of one URL, through a small Lua script that prints them as one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench._servers import NotMeasured

SCRIPT = """
for name, value in string.gmatch(os.getenv("WRK_HEADERS") or "", "([^:\\n]+): ([^\\n]+)") do
  wrk.headers[name] = value
end
local body = os.getenv("WRK_BODY")
if body and #body > 0 then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    socket_errors: int
    bad_status: int  # answers that are not 2xx or 3xx

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk(
    url: str,
    seconds: float,
    connections: int,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Load:
    if not shutil.which("wrk"):
        raise NotMeasured("wrk is not installed: run `make bench-deps` (Debian's wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCRIPT)
    try:
        duration = f"-d{max(1, round(seconds))}s"
        result = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", duration, "--timeout=10s", "-s", script.name, url],
            env={
                **os.environ,
                "WRK_BODY": body or "",
                "WRK_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items()),
            },
            capture_output=True, text=True, check=True, timeout=seconds + 30,
        )  # fmt: skip
    finally:
        Path(script.name).unlink()
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRK "))
    n, micros, p50, p95, p99, socket_errors, bad = (int(v) for v in line.split()[1:])
    return Load(n, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, socket_errors, bad)
