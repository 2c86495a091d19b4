"""What retention is about to remove, and legal holds that stop it. Admins only."""

from __future__ import annotations

from flask import current_app

from reporter.models import Report, StaffUser
from reporter.services.data_protection import holds, retention
from reporter.triage import bp
from reporter.triage.auth import admin_only, current_staff
from reporter.triage.common import audited_page
from reporter.triage.forms import HoldForm, LiftHoldForm
from reporter.triage.routes import action


@bp.get("/retention")
@admin_only
def retention_page():
    days = current_app.config["REPORT_RETENTION_DAYS"]
    return audited_page(
        "triage/retention.html",
        "retention_viewed",
        actor=current_staff(),
        due=retention.due_for_purge(days),
        held=holds.held_reports(),
        days=days,
        ahead=retention.WARN_AHEAD.days,
    )


@action(
    "hold",
    HoldForm,
    "The report is on legal hold: retention keeps it until the hold is lifted.",
    admin_only,
)
def place_hold(r: Report, staff: StaffUser, form: HoldForm) -> None:
    holds.place_hold(r, staff, form.hold_reason.data)


@action("unhold", LiftHoldForm, "The legal hold is lifted.", admin_only)
def lift_hold(r: Report, staff: StaffUser, form: LiftHoldForm) -> None:
    holds.lift_hold(r, staff, form.lift_reason.data)
