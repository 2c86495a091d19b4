"""The services own every transaction: a change a service refuses, or that fails half way,
is rolled back by the service itself, so no view or command ever touches the session.
(notifications-api's `@transactional` is the same idea.)"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped

from reporter.extensions import db
from reporter.models import Model, Report

P = ParamSpec("P")
R = TypeVar("R")
Row = TypeVar("Row", bound=Model)


def rolled_back_on_error(change: Callable[P, R]) -> Callable[P, R]:
    """`change` commits its own work; when it raises (a refusal, or the database), whatever it
    added to the session is rolled back before the error reaches the caller."""

    @functools.wraps(change)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return change(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return run


def answered(look_up: Callable[[], R], not_done: str, log: logging.Logger) -> tuple[R | None, bool]:
    """What `look_up()` finds and whether the database answered. A database that does not answer
    must keep nobody from going on: the session is rolled back, `log` warns what was not done
    (with the error's type, never a value) and the answer is (None, False)."""
    try:
        return look_up(), True
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("%s: %s", not_done, type(exc).__name__)
        return None, False


def every_report(batch: int) -> Iterator[list[Report]]:
    """Every report in id order, `batch` at a time, for work on them all (an index rebuilt):
    each batch is let go of from the session once the caller is done with it (after the
    caller's commit, if it commits), so memory stays flat however many there are."""
    last_id = 0
    while True:
        reports = list(
            db.session.scalars(
                select(Report).where(Report.id > last_id).order_by(Report.id).limit(batch)
            )
        )
        if not reports:
            return
        last_id = reports[-1].id
        yield reports
        db.session.expunge_all()


def rows_of_report(model: type[Row], report: Report, at: Mapped[datetime]) -> list[Row]:
    """A report's rows of `model` (timeline events, sightings, questions: each has a
    `report_id`) in the order they happened: by `at`, then by id for rows of the same moment."""
    query = select(model).filter_by(report_id=report.id)
    return list(db.session.scalars(query.order_by(at, *inspect(model).primary_key)))
