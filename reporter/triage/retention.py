"""What retention is about to remove, and legal holds that stop it. Admins only."""

from __future__ import annotations

from flask import current_app, render_template

from reporter.services.accounts import audit
from reporter.services.data_protection import holds, retention
from reporter.triage import bp
from reporter.triage.auth import admin_only, current_staff
from reporter.triage.forms import HoldForm, LiftHoldForm
from reporter.triage.routes import _act


@bp.get("/retention")
@admin_only
def retention_page():
    days = current_app.config["REPORT_RETENTION_DAYS"]
    page = render_template(
        "triage/retention.html",
        due=retention.due_for_purge(days),
        held=holds.held_reports(),
        days=days,
        ahead=retention.WARN_AHEAD.days,
    )
    audit.viewed("retention_viewed", actor=current_staff())
    return page


@bp.post("/reports/<reference>/hold")
@admin_only
def place_hold(reference: str):
    return _act(
        reference,
        HoldForm(),
        lambda r, staff, form: holds.place_hold(r, staff, form.hold_reason.data),
        "The report is on legal hold: retention keeps it until the hold is lifted.",
    )


@bp.post("/reports/<reference>/unhold")
@admin_only
def lift_hold(reference: str):
    return _act(
        reference,
        LiftHoldForm(),
        lambda r, staff, form: holds.lift_hold(r, staff, form.lift_reason.data),
        "The legal hold is lifted.",
    )
