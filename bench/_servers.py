"""Production-like servers for the HTTP benchmarks (and tests/test_instances.py): a fresh
PostgreSQL database built by the migrations, the production settings, and gunicorn with the
project's own gunicorn.conf.py."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
LOUD = "!" * 78
# Far above any load the benchmark sends from one address, so that what is measured is the work
# of a report, not a 429; with as many windows as production's limits (config.py), since each
# window is a round trip to Redis. The campaign-day test uses the production limits themselves.
RAISED_LIMITS = {
    "REPORT_RATE_LIMIT": "1000000 per 10 minutes;1000000 per day",
    "POST_FLOOD_LIMIT": "1000000 per minute;1000000 per hour",  # every POST from wrk counts
}


class NotMeasured(RuntimeError):
    """A service or tool the benchmark needs is missing: said loudly, never silently."""


def loud(message: str) -> None:
    print(f"{LOUD}\n!!! NOT MEASURED: {message}\n{LOUD}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url: str = POSTGRES_URL) -> str:
    """Drop and create the database of `url` (postgresql://...); the same URL."""
    import psycopg

    server, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise NotMeasured(f"PostgreSQL at {server} is not reachable ({error})") from error
    return url


def fresh_redis() -> str:
    """Empty BENCH_REDIS_URL's database (a db number of its own: nothing else may live there)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        raise NotMeasured(f"Redis at {REDIS_URL} is not reachable ({error})") from error
    return REDIS_URL


def production_env(
    database_url: str,
    limits: dict | None = RAISED_LIMITS,
    redis_url: str = REDIS_URL,
    **extra,
) -> dict:
    """The settings production refuses to start without, set as an operator would; the rate
    limits raised unless `limits` is None (production's own)."""
    return {
        **os.environ,
        "REPORTER_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "REPORTER_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
        "RATELIMIT_STORAGE_URI": redis_url,
        # No report in the benchmarks is urgent, so no alert is sent; production needs the name.
        "MAIL_SERVER": "127.0.0.1",
        "REPORTER_BASE_URL": "https://reporter.bench.invalid",
        "DATA_CONTROLLER_NAME": "Bench Programme",
        "DATA_CONTROLLER_CONTACT": "privacy@bench.invalid",
        "DPO_CONTACT": "dpo@bench.invalid",
        **(limits or {}),
        "REPORTER_PROXY_COUNT": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        **extra,
    }


def migrate(env: dict, cwd: Path = ROOT) -> None:
    """`flask db upgrade` to the head of the code in `cwd`."""
    subprocess.run(
        [BIN / "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log_dir: Path):
        self.process, self.port, self.log_dir = process, port, log_dir
        self.url = f"http://127.0.0.1:{port}"

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def memory(self) -> list[tuple[int, int, int]]:
        """(pid, RSS, PSS) in KiB of each worker; PSS counts shared pages by share."""
        found = []
        for pid in self.worker_pids():
            fields = {}
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
                key, value, *_unit = line.split()
                fields[key.rstrip(":")] = int(value)
            found.append((pid, fields["Rss"], fields["Pss"]))
        return found


@contextmanager
def gunicorn(
    app: str, env: dict, workers: int | None = None, ready: str = "/healthz", cwd: Path = ROOT
) -> Iterator[Server]:
    """gunicorn -c gunicorn.conf.py APP (the code in `cwd`) on a free port, until the block
    ends. The access log goes to a file, as in production, so its cost is measured too."""
    with gunicorns(1, app, env, workers, ready, cwd) as (server,):
        yield server


@contextmanager
def gunicorns(
    count: int, app: str, env: dict, workers: int | None = None, ready: str = "/healthz",
    cwd: Path = ROOT,
) -> Iterator[tuple[Server, ...]]:  # fmt: skip
    """`count` instances of the same app, started together (each boots while the others do)."""
    servers = []
    try:
        for _ in range(count):
            servers.append(_start(app, env, workers, cwd))
        for server in servers:
            _wait_ready(server, ready)
        yield tuple(servers)
    finally:
        for server in servers:
            server.process.send_signal(signal.SIGINT)  # quick: no request is left to finish
        for server in servers:
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
            shutil.rmtree(server.log_dir, ignore_errors=True)


def _start(app: str, env: dict, workers: int | None, cwd: Path) -> Server:
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="bench-gunicorn-"))
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env["GUNICORN_ACCESS_LOG"] = str(log_dir / "access.log")
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    with open(log_dir / "out.log", "wb") as log:
        process = subprocess.Popen(
            [BIN / "gunicorn", "-c", cwd / "gunicorn.conf.py", app],  # the release's own
            cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return Server(process, port, log_dir)


def _wait_ready(server: Server, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = (server.log_dir / "out.log").read_text(errors="replace")[-2000:]
            raise NotMeasured(f"gunicorn stopped at start:\n{log}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as response:
                if response.status < 500 and len(server.worker_pids()) >= 1:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise NotMeasured(f"gunicorn did not answer {path} within {timeout:.0f} s")


NGINX_CONFIG = ROOT / "deploy" / "nginx-cache.conf"


@contextmanager
def nginx(upstream: Server, worker_processes: int = 1) -> Iterator[str]:
    """Debian's nginx running the repo's deploy/nginx-cache.conf in front of `upstream` (as
    production does, and tests/test_proxy_cache.py), with an access log to a file as production
    keeps one; its http:// base URL, until the block ends."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise NotMeasured("nginx is not installed: run `make proxy-deps` (Debian's nginx)")
    work = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    port = free_port()
    site = (
        NGINX_CONFIG.read_text()
        .replace("@CACHE_DIR@", str(work / "cache"))
        .replace("@LISTEN@", f"127.0.0.1:{port} backlog=4096")
        .replace("@UPSTREAM@", f"127.0.0.1:{upstream.port}")
    )
    (work / "nginx.conf").write_text(
        f"user root; worker_processes {worker_processes}; daemon off; pid {work}/nginx.pid;\n"
        f"error_log {work}/error.log;\n"
        "events { worker_connections 4096; }\n"
        f"http {{ access_log {work}/access.log;\n"
        f"client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;\n"
        f"fastcgi_temp_path {work}/f; uwsgi_temp_path {work}/u; scgi_temp_path {work}/s;\n"
        f"{site}\n}}\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(work / "nginx.conf"), "-p", str(work)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                log = (work / "error.log").read_text(errors="replace")[-2000:]
                raise NotMeasured(f"nginx did not start:\n{log}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finishes what it has in hand
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(work, ignore_errors=True)
