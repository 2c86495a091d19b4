"""Admin pages: staff accounts, the audit log, which region each police force belongs to.
For anyone but an admin they do not exist."""

from __future__ import annotations

import re
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from reporter.campaign import campaign_data
from reporter.models import StaffUser
from reporter.services import reference_admin
from reporter.services.accounts import audit, enrolment, staff
from reporter.services.mail import coverage
from reporter.triage import bp
from reporter.triage.auth import admin_only, current_staff
from reporter.triage.common import (
    asked_active,
    audited_page,
    day_range,
    form_page,
    query_args,
    refusal_shown,
    uk_time,
)
from reporter.triage.forms import (
    AuditFilterForm,
    EmptyForm,
    ForceRegionForm,
    UserEditForm,
    UserForm,
    choices,
)

USER_ID_MAX = 2**31 - 1  # the column's range: a larger id is the same 404 as an unknown one
AUDIT_ID = re.compile(r"[0-9]{1,18}")  # a `before=` beyond 64 bits is ignored, never an error

# The audit log's details, in words. Keys are shown in this order; a key not named here is
# shown as it is, so nothing recorded is ever hidden from the admin.
DETAIL_LABELS = {
    "reason": "reason", "status": "status", "priority": "priority", "sector": "setting",
    "sign": "sign", "since": "received from", "until": "received before", "queue": "queue",
    "agency": "referred to", "force": "police force", "from": "from", "to": "to",
    "role": "role", "regions": "regions", "days": "closed for more than (days)",
    "rows": "reports exported", "partner": "partner (id)",
}  # fmt: skip
DETAIL_FLAGS = {  # key: (words when true, words when false)
    "search": ("with a search (words not recorded)", "no search"),
    "mine": ("only reports assigned to them", ""),
    "later_page": ("a later page", "the first page"),
    "contact": ("with contact details", "without contact details"),
    "second_factor": ("with the second factor", "with a password only"),
    "totp_required": ("second factor required", "second factor not required"),
    "second_factor_reset": ("second factor reset", "second factor kept"),
}
DETAIL_VALUES = {
    "unknown_account": "no such account", "bad_password": "wrong password",
    "inactive": "account deactivated", "bad_code": "wrong code", "throttled": "too many attempts",
    "not_set_up": "right password, account not set up",
    "open": "open (new, triaged or referred)", "any": "any status",
}  # fmt: skip


def _detail_value(value) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_detail_value(v) for v in value)
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return uk_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return DETAIL_VALUES.get(str(value), str(value))


def _is_change(key: str, value) -> bool:
    """`user_changed` records [before, after] (regions: two lists); `user_created` values."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    return key != "regions" or all(isinstance(v, list) for v in value)


def _detail_part(key: str, value) -> str:
    label = DETAIL_LABELS.get(key, key.replace("_", " "))
    if key in ("role", "regions", "totp_required") and _is_change(key, value):
        before, after = value
        if before == after:
            return ""
        if key in DETAIL_FLAGS:
            return (
                f"{DETAIL_FLAGS[key][1]} → {DETAIL_FLAGS[key][0]}"
                if after
                else (f"{DETAIL_FLAGS[key][0]} → {DETAIL_FLAGS[key][1]}")
            )
        return f"{label}: {_detail_value(before)} → {_detail_value(after)}"
    if key in DETAIL_FLAGS:
        yes, no = DETAIL_FLAGS[key]
        return yes if value else no
    return f"{label}: {_detail_value(value)}"


@bp.app_template_filter("audit_detail")
def audit_detail(detail: dict | None) -> str:
    """`{"search": true, "later_page": false}` -> "with a search (words not recorded); the first
    page": what an admin reads, not how it is stored."""
    if not detail:
        return ""
    order = [*DETAIL_LABELS, *DETAIL_FLAGS]
    keys = sorted(detail, key=lambda k: (order.index(k) if k in order else len(order), k))
    parts = [_detail_part(k, detail[k]) for k in keys]
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def _user_or_404(user_id: int) -> StaffUser:
    user = staff.get_user(user_id) if user_id <= USER_ID_MAX else None
    if user is None:
        raise NotFound()
    return user


@bp.get("/users")
@admin_only
def users():
    return audited_page(
        "triage/users.html",
        "users_viewed",
        actor=current_staff(),
        users=staff.all_users(),
        needs_factor=enrolment.second_factor_required,
        uncovered=coverage.uncovered_regions(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = UserForm(ref=campaign_data())
    if form.validate_on_submit():
        with refusal_shown(form, staff.StaffError, "email"):
            user = staff.create_user(
                staff.NewUser(
                    email=form.email.data,
                    role=form.role.data,
                    # Never shown: they choose their own with the set-up link.
                    password=staff.new_password(),
                    regions=tuple(form.regions.data or ()),
                    name=form.name.data,
                    totp_required=form.totp_required.data,
                ),
                actor=current_staff(),
            )
            return _setup_link_page(user, reset_factor=False)
    return form_page("triage/user_form.html", form, user=None)


def _setup_link_page(user: StaffUser, *, reset_factor: bool):
    token = enrolment.issue_setup_link(user, current_staff(), reset_factor=reset_factor)
    return render_template(
        "triage/setup_link_shown.html",
        user=user,
        url=enrolment.setup_url(token),
        hours=int(enrolment.link_lifetime().total_seconds() // 3600),
        needs_factor=enrolment.second_factor_required(user),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = UserEditForm(
        ref=campaign_data(),
        data={
            "name": user.name,
            "role": user.role,
            "regions": user.region_ids,
            "totp_required": user.totp_required,
        },
    )
    if form.validate_on_submit():
        with refusal_shown(form, staff.StaffError, "role"):
            changed = staff.change_access(
                user,
                role=form.role.data,
                regions=list(form.regions.data or ()),
                totp_required=form.totp_required.data,
                name=form.name.data,
                actor=current_staff(),
            )
            flash("Changes saved. Their sessions have ended." if changed else "Nothing changed.")
            return redirect(url_for("triage.edit_user", user_id=user.id), code=303)
    return form_page("triage/user_form.html", form, user=user, buttons=EmptyForm(formdata=None))


@bp.post("/users/<int:user_id>/active")
@admin_only
def set_active(user_id: int):
    user = _user_or_404(user_id)
    active = asked_active()
    try:
        staff.set_active(user, active, actor=current_staff())
    except staff.StaffError as refused:
        flash(str(refused))
    else:
        flash("The account is active again." if active else "The account is deactivated.")
    return redirect(url_for("triage.edit_user", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/password")
@admin_only
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    password = staff.reset_password(user, actor=current_staff())
    return render_template("triage/password_shown.html", user=user, password=password)


@bp.post("/users/<int:user_id>/totp")
@admin_only
def reset_totp(user_id: int):
    """A lost phone: the second factor is forgotten, and they set up a new one (and a new
    password) with the link shown."""
    return _setup_link_page(_user_or_404(user_id), reset_factor=True)


@bp.post("/users/<int:user_id>/setup-link")
@admin_only
def setup_link(user_id: int):
    """A new set-up link, when the last one expired or was lost: the old one stops working."""
    return _setup_link_page(_user_or_404(user_id), reset_factor=False)


@bp.get("/audit")
@admin_only
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", "Any action"), *audit.ACTIONS.items()])
    form.validate()
    since, until = day_range(form.date_from, form.date_to)
    before = request.args.get("before", "")
    chosen = audit.AuditFilter(
        action=form.action.data or None if not form.action.errors else None,
        actor_email=form.actor.data or None,
        reference=form.reference.data or None,
        since=since,
        until=until,
        before_id=int(before) if AUDIT_ID.fullmatch(before) else None,
    )
    rows, last_id = audit.audit_page(chosen)
    args = query_args("before")
    return audited_page(
        "triage/audit.html",
        "audit_viewed",
        actor=current_staff(),
        form=form,
        rows=rows,
        actions=audit.ACTIONS,
        next_url=url_for("triage.audit_log", **args, before=last_id) if last_id else None,
        first_url=url_for("triage.audit_log", **args) if chosen.before_id else None,
    )


@bp.route("/reference", methods=["GET", "POST"])
@admin_only
def force_regions():
    form = ForceRegionForm(ref=campaign_data())
    if form.validate_on_submit():
        with refusal_shown(form, reference_admin.ReferenceAdminError, "force"):
            moved = reference_admin.move_force(
                form.force.data, form.region.data, actor=current_staff(), reason=form.reason.data
            )
            ref = campaign_data()
            force, region = ref.forces[form.force.data].name, ref.regions[form.region.data].name
            flash(
                f"{force} is now in {region}, for reports received from now on."
                if moved
                else f"{force} is already in {region}. Nothing changed."
            )
            return redirect(url_for("triage.force_regions"), code=303)
    page = form_page("triage/force_regions.html", form, rows=reference_admin.force_rows())
    if request.method == "GET":
        audit.viewed("reference_viewed", actor=current_staff())
    return page
