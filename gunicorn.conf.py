"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment (names below); README.md, "Production", says
how the pieces fit: the proxy in front, PostgreSQL, Redis and this file.
"""

import os
from urllib.parse import quote

from gunicorn.glogging import Logger  # gunicorn is pinned in requirements.txt: subclassed here


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use, not the host's
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, one per core: every request is short and CPU-bound (rendering, encryption), the
# proxy in front buffers slow clients, and PostgreSQL answers on loopback or a near network.
workers = _int("WEB_CONCURRENCY", _cpus())
worker_class = "sync"
# A request that takes longer than this is stuck (the database connect timeout is 3 s):
# gunicorn kills the worker and starts another.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # a restart lets requests finish
# Load the app once in the master and fork it: workers share its memory and a restarted worker
# is ready at once. No connection is opened before the fork (post_fork checks).
preload_app = True
# Recycle workers now and then so memory cannot creep up over a campaign.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
# The longest request line gunicorn reads (its own most): a long query string reaches the app,
# which answers in JSON, instead of gunicorn's HTML 414 at 4 KB.
limit_request_line = 8190
max_requests_jitter = max_requests // 10

# The proxy in front says who the client is and that the request came over HTTPS. The app trusts
# exactly REPORTER_PROXY_COUNT proxies (werkzeug's ProxyFix in create_app); gunicorn is told to
# trust none itself, so one place decides. Production sits behind one proxy.
os.environ.setdefault("REPORTER_PROXY_COUNT", "1")
secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = ""

# Access log: no query string (`%(U)s` is the path only), no referrer (it carries the previous
# page's query string), no user agent and no client address: nothing about who reported what.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms pid=%(p)s'

# The path is logged escaped: gunicorn's `%(U)s` is the decoded path, so `/p/x%0A...` wrote a
# forged line into the log, and `%22` could close the quoted request. Every byte that is not
# plainly part of a path (controls, spaces, quotes, backslash, non-ASCII) is written as %XX.
PATH_SAFE = "/:@!$&'()*+,;=-._~"


def escaped_path(path: str | None) -> str:
    """A WSGI path (bytes decoded as latin-1) as one line of printable ASCII."""
    if not path:
        return "-"
    return quote(path.encode("latin-1", "replace"), safe=PATH_SAFE)


class PathEscapingLogger(Logger):
    """gunicorn's logger, with the path in the access log escaped (`escaped_path`)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = escaped_path(atoms.get("U"))
        return atoms


logger_class = PathEscapingLogger
errorlog = "-"
# Signals control the server (HUP reloads, TERM stops); gunicorn's control socket would sit in
# one path per user, shared by every instance on the machine.
control_socket_disable = True
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_fork(server, worker):
    """Each worker opens its own database connections: a pooled connection inherited from the
    master would be shared by two processes."""
    app = server.app.wsgi()
    extensions = getattr(app, "extensions", {})
    if "sqlalchemy" in extensions:
        with app.app_context():
            for engine in extensions["sqlalchemy"].engines.values():
                engine.dispose(close=False)


def when_ready(server):
    """In the master, before it forks a worker: the pages rendered once (reporter.warm_up), so
    that every worker, at start and after each restart, begins with them (preload_app)."""
    from reporter import warm_up
    from reporter.campaign import EXTENSION

    app = server.app.wsgi()
    if EXTENSION in getattr(app, "extensions", {}):  # this app, not another (bench's bare one)
        warm_up(app)
