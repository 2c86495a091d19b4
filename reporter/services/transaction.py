"""The services own every transaction: a change a service refuses, or that fails half way,
is rolled back by the service itself, so no view or command ever touches the session.
(notifications-api's `@transactional` is the same idea.)"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from reporter.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


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
