"""Extension objects, unbound: create_app() binds them to an app."""

from typing import cast

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import ApplicationLimit, Limiter
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


csrf = CSRFProtect()
babel = Babel()


# The keys of the flood limit on POSTs, which the report routes count too (report_posts.py).
FLOOD_SCOPE = "post-flood"


def post_flood_limit() -> str:
    return current_app.config["POST_FLOOD_LIMIT"]


def _not_counted_here() -> bool:
    """Only POSTs count towards the flood limit, and a report route counts its own, with its
    report's place (reporter/report_posts.py)."""
    from reporter import report_posts  # it counts with the limiter defined here

    return request.method != "POST" or report_posts.counts_this_post()


def _only_reads() -> bool:
    """Our limits guard what a request does (reports, sign-ins, the flood limit on POSTs), never
    the reading of a page. Not while the store is down: the limiter notices it is back only on a
    request it sees (`_storage_dead`, as reporter/resilience.py reads it)."""
    if getattr(limiter, "_storage_dead", False):
        return False
    return request.method in ("GET", "HEAD", "OPTIONS")


# Every POST from one address counts towards a generous limit against floods. Reports have their
# own limit, which counts only reports that were stored (services/reporting/report_limits.py).
limiter = Limiter(
    key_func=get_remote_address,
    application_limits=[
        ApplicationLimit(
            limit_provider=post_flood_limit, scope=FLOOD_SCOPE, exempt_when=_not_counted_here
        )
    ],
)


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction; how many rows it changed."""
    return cast(CursorResult, db.session.execute(statement)).rowcount


# Flask-Limiter's own way to exempt a request: reading is never limited.
limiter.request_filter(_only_reads)
