"""Real services that a fault-injection test starts, stops and restarts itself: a private
redis-server, a private PostgreSQL made with initdb/pg_ctl, and a local SMTP server (aiosmtpd)
that can refuse, stall or accept. Each runs on a free port in a temporary folder and is gone
when the test is. `make fault-deps` installs the Debian packages where they are missing."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from sqlalchemy import text

from reporter.extensions import db, limiter
from reporter.resilience import states


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_fallback() -> None:
    """Every app made in one test process shares the one `limiter` object, and Flask-Limiter
    keeps its fallback state in private attributes: put them back as a new process has them, so
    one test's outage does not carry into the next. The same for what the app last logged."""
    limiter._storage_dead = False
    limiter._Limiter__check_backend_count = 0
    limiter._Limiter__last_check_backend = time.time()
    states.reset()


@contextlib.contextmanager
def inserts_refused(table: str):
    """The database refuses every row inserted into `table` (a trigger raises), as a write that
    fails part-way does: for what the app does then, on SQLite and PostgreSQL alike. Call it in
    an app context."""
    with db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(
                text(
                    "CREATE FUNCTION refused_by_the_test() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                )
            )
            action = "FOR EACH ROW EXECUTE FUNCTION refused_by_the_test()"
        else:
            action = "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        conn.execute(text(f"CREATE TRIGGER refused_by_the_test BEFORE INSERT ON {table} {action}"))
    try:
        yield
    finally:
        db.session.rollback()  # dropping a trigger waits for the transactions that read the table
        with db.engine.begin() as conn:
            if postgres:
                conn.execute(text(f"DROP TRIGGER refused_by_the_test ON {table}"))
                conn.execute(text("DROP FUNCTION refused_by_the_test()"))
            else:
                conn.execute(text("DROP TRIGGER refused_by_the_test"))


def wait_for(check, timeout: float, what: str, interval: float = 0.05):
    """Poll `check` until it returns something true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.dir = Path(tempfile.mkdtemp(prefix="lc-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.dir), "--loglevel", "warning"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(lambda: self._ping(client), 10, "redis-server to answer")

    @staticmethod
    def _ping(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server binaries, if installed."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """initdb refuses to run as root: as root, every command runs as the `postgres` user in a
    folder it owns."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="lc-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.as_owner, *args], check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
            "-o", options, "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class MailHandler:
    """`accept` takes each message; `refuse` answers 451 (try later) to its data; `stall` keeps
    the sender waiting for an answer (as a slow server would) until `release()`, then refuses.
    Only accepted messages are delivered."""

    def __init__(self) -> None:
        self.mode = "accept"
        self.delivered: list = []
        self.stalled = 0
        self._released = False

    def release(self) -> None:
        self._released = True

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse":
            return "451 4.3.0 Try again later"
        if self.mode == "stall":
            self.stalled += 1
            while not self._released:
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        self.delivered.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = MailHandler()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.handler.release()
            self.controller.stop()
            self.controller = None

    def subjects(self) -> list[str]:
        return [m["Subject"] for m in self.handler.delivered]
