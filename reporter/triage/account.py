"""A member of staff's own account: password and second factor."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from reporter.services.accounts import staff
from reporter.triage import bp
from reporter.triage.auth import current_staff, enrolment
from reporter.triage.common import form_page, refusal_shown
from reporter.triage.forms import PasswordForm


@bp.get("/account")
def account():
    return render_template("triage/account.html", user=current_staff())


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    user = current_staff()
    form = PasswordForm()
    if form.validate_on_submit():
        with refusal_shown(form, staff.StaffError, "new_password"):
            staff.change_password(user, form.current_password.data, form.new_password.data)
            flash("Your password is changed. Sign in again with the new one.")
            return redirect(url_for("triage.login"), code=303)
    return form_page("triage/password.html", form)


@bp.route("/account/totp", methods=["GET", "POST"])
def enrol_totp():
    user = current_staff()
    if user.totp_enabled:
        return redirect(url_for("triage.account"))

    def enrolled():
        flash("The second factor is on. You will need a code each time you sign in.")
        return redirect(url_for("triage.account"), code=303)

    return enrolment(user, "triage.enrol_totp", enrolled)
