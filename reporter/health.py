"""`GET /healthz` for load balancers: 503 only when the database does not answer (nothing can be
stored); 200 otherwise, with `"status": "degraded"` and the reasons when a part the app can work
around is failing: the rate-limit store (reports are then limited per process and staff sign-in
is refused), the outbox (staff emails waiting too long, or given up), or a region with no
active officer (its urgent reports alert national staff or admins instead)."""

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from reporter.extensions import db, limiter
from reporter.resilience import rate_limit_store_state, states
from reporter.services.mail import coverage, outbox

bp = Blueprint("health", __name__)

STORE_REASONS = {
    "down": "rate-limit store unreachable: reports are limited per process; staff sign-in "
    "is refused",
    "fallback": "rate-limit store answers again; the limiter goes back to it within a minute",
}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    store = rate_limit_store_state()
    try:
        db.session.execute(text("SELECT 1"))
        mail = outbox.backlog()
        uncovered = coverage.uncovered_regions()
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        states.observe("database", False, "reports cannot be stored; the form shows who to call")
        body: dict[str, object] = {
            "status": "unavailable",
            "database": "down",
            "rate_limit_store": store,
        }
        body["reasons"] = ["database unreachable: reports cannot be stored"]
        return body, 503
    states.observe("database", True, "")
    reasons = [STORE_REASONS[store]] if store in STORE_REASONS else []
    if mail["oldest_pending_seconds"] > current_app.config["OUTBOX_STALE_SECONDS"]:
        reasons.append(
            f"outbox: a staff email has waited {mail['oldest_pending_seconds']} s "
            "(is mail or the outbox worker down?)"
        )
    if mail["failed"]:
        reasons.append(f"outbox: {mail['failed']} staff emails failed for good")
    if uncovered:
        reasons.append(
            f"no active officer in: {coverage.region_names(uncovered)} (urgent reports there "
            "alert national staff, or admins)"
        )
    return {
        "status": "degraded" if reasons else "ok",
        "database": "ok",
        "rate_limit_store": store,
        "outbox": mail,
        "uncovered_regions": [region.id for region in uncovered],
        "reasons": reasons,
    }
