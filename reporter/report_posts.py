"""A POST to a route that takes reports (the form's `/report`, the API's `/api/v1/reports`)
counts in its sender's limits in one round trip to the rate-limit store, before the view runs:
- towards the flood limit on every POST (`POST_FLOOD_LIMIT`), which Flask-Limiter counts on
  every other route, under the same keys: an address has one count, whatever the routes;
- for a place in the sender's report allowance (services/reporting/report_limits.py), which the
  view keeps when it stores a report and which is given back when it does not (a change of
  language, a mistake, a report sent again).

Over the flood limit, the answer is 429 before the view runs, as Flask-Limiter's would be. Over
the allowance the view still runs: changing language or correcting a mistake is never refused,
only the storing of a report (services/reporting/submission.py).

Why not Flask-Limiter on these two routes: it asks the store once per window, one after the
other, and a report's place is a round trip of its own: three round trips to Redis on the
busiest write of a campaign day, where this takes one (`make bench`; README: Measured).

Flask-Limiter moves to memory when the store fails under a limit it counts, so these routes
leave the flood limit to it until the store has answered a report's place in this process (at
start, and after a failure), and while it is in memory this counts both there, through the
library. A report whose place finds the store gone (Redis went since the last request) goes on
uncounted: a report is never refused for the store.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests

from reporter.resilience import rate_limiter_on_fallback
from reporter.services.reporting import report_limits
from reporter.services.reporting.submission import Sender

_COUNTS_ITS_POSTS = "counts_its_posts"  # set on the views that take reports
_LEFT_TO_VIEW = "reporter.report_posts.flood"  # in the request's environ


def counts_this_post() -> bool:
    """Whether the view counts this POST towards the flood limit itself; then Flask-Limiter,
    which asks (extensions.py), leaves it out."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, _COUNTS_ITS_POSTS, False):
        return False
    if not (report_limits.store_answered() or rate_limiter_on_fallback()):
        return False  # Flask-Limiter's, so that it finds the store gone and moves to memory
    request.environ[_LEFT_TO_VIEW] = True
    return True


def takes_reports(sender_of: Callable[[], Sender]):
    """Decorates a view that takes reports: a POST takes a place in the allowance of the sender
    that `sender_of()` names, and counts towards the flood limit, before the view runs, which
    gets the sender and the place as `sender` and `place` (None on a GET) to store its report
    with."""

    def decorate(view):
        @wraps(view)
        def counted(*args, **kwargs):
            if request.method != "POST":
                return view(*args, sender=None, place=None, **kwargs)
            sender = sender_of()
            flood_key = get_remote_address() if request.environ.get(_LEFT_TO_VIEW) else None
            place = report_limits.take_place(sender.limit_key, sender.limits, flood_key=flood_key)
            if place.flooded:
                raise TooManyRequests(retry_after=place.flooded)
            try:
                return view(*args, sender=sender, place=place, **kwargs)
            finally:
                report_limits.settle(place, stored=False)  # unless its report was stored

        setattr(counted, _COUNTS_ITS_POSTS, True)
        return counted

    return decorate
