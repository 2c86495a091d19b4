"""Setting up an account with the one-time link an admin hands over
(services/accounts/enrolment.py): choose a password and, where one is required, add the
authenticator app, in one step."""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from werkzeug.exceptions import NotFound

from reporter.services.accounts import enrolment, staff
from reporter.triage import bp
from reporter.triage.auth import SESSION_KEY, qr_data_uri
from reporter.triage.common import add_error, form_page, refusal_shown
from reporter.triage.forms import SetupForm

CODE_NEEDED = "Enter the 6-digit code from your authenticator app."


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    # The token is in the query string, which the access log leaves out (gunicorn.conf.py).
    token = request.args.get("t", "")
    user = enrolment.user_for_link(token)
    if user is None:
        # Used, expired, replaced or never made: one answer for all, as for any unknown page.
        raise NotFound()
    needs_factor = enrolment.second_factor_required(user) and not user.totp_enabled
    form = SetupForm()
    if form.validate_on_submit():
        if needs_factor and not (form.code.data or "").strip():
            add_error(form.code, CODE_NEEDED)
        else:
            with refusal_shown(form, staff.StaffError, "new_password"):
                session_token = enrolment.complete_setup(
                    user, form.new_password.data, form.code.data
                )
                session.clear()
                session[SESSION_KEY] = session_token
                flash("Your account is set up.")
                return redirect(url_for("triage.queue"), code=303)
    secret = uri = qr = None
    if needs_factor:
        secret = staff.pending_totp_secret(user)
        uri = staff.totp_uri(user, secret)
        qr = qr_data_uri(uri)
    return form_page(
        "triage/setup.html", form, user=user, token=token, secret=secret, uri=uri, qr=qr
    )
