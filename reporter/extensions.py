"""Extension objects, unbound: create_app() binds them to an app."""

from typing import cast

from flask import Flask, current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, Executable, MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that Alembic migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


class ReporterCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF protection, asking first whether the method is one it checks: it looks
    up the view's exemptions first, on every GET, only to find there is nothing to check."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if request.method in current_app.config["WTF_CSRF_METHODS"]:
            super().protect(apply_exemptions)


csrf = ReporterCSRFProtect()
babel = Babel()


def post_flood_limit() -> str:
    return current_app.config["POST_FLOOD_LIMIT"]


def not_a_post() -> bool:
    return request.method != "POST"


def _only_reads() -> bool:
    """Our limits guard what a request does (reports, sign-ins, the flood limit on POSTs), never
    the reading of a page. Not while the store is down: the limiter notices it is back only on a
    request it sees (`_storage_dead`, as reporter/resilience.py reads it)."""
    if getattr(limiter, "_storage_dead", False):
        return False
    return request.method in ("GET", "HEAD", "OPTIONS")


class ReporterLimiter(Limiter):
    """Flask-Limiter that leaves a request that only reads before doing any bookkeeping.

    Its request filter (below) exempts such a request too, but only after resolving the view's
    limits and meta limits; then, after the request and at its teardown, Flask-Limiter makes and
    clears a per-request context for headers and deductions that a read never has. Together a
    tenth of the form page's time. `_check_request_limit` is the hook Flask-Limiter 4.1 registers
    before every request and calls from its decorators; its after-request and teardown hooks are
    private and found by what they call (tests/test_rate_limits.py checks all three are found).
    """

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True):
        if not _only_reads():
            super()._check_request_limit(callable_name, in_middleware)

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        inject = getattr(Limiter, "_Limiter__inject_headers", None)
        release = getattr(Limiter, "_Limiter__release_context", None)
        after, teardown = app.after_request_funcs[None], app.teardown_request_funcs[None]
        for i, hook in enumerate(after):
            if inject is not None and getattr(hook, "func", None) is inject:
                after[i] = _unless_reading_after(hook)
        for i, hook in enumerate(teardown):
            if release is not None and getattr(hook, "__func__", None) is release:
                teardown[i] = _unless_reading_teardown(hook)


def _unless_reading_after(hook):
    def after_a_limited_request(response):
        return response if _only_reads() else hook(response)

    return after_a_limited_request


def _unless_reading_teardown(hook):
    def teardown_a_limited_request(error=None):
        if not _only_reads():
            hook(error)

    return teardown_a_limited_request


# Every POST from one address counts towards a generous limit against floods. Reports have their
# own limit, which counts only reports that were stored (services/report_limits.py).
limiter = ReporterLimiter(
    key_func=get_remote_address,
    application_limits=[post_flood_limit],
    application_limits_exempt_when=not_a_post,
)


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction; how many rows it changed."""
    return cast(CursorResult, db.session.execute(statement)).rowcount


# Flask-Limiter's own way to exempt a request, kept so reading stays unlimited should it stop
# calling the hook ReporterLimiter overrides.
limiter.request_filter(_only_reads)
