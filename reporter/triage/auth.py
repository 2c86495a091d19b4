"""Signing in and out, the second factor, and the check that runs before every staff request.

Sign-in failures are throttled per address and per account with growing waits, and never
against an address that has not been failing (services/accounts/throttle.py). While the shared
rate-limit store is down sign-in fails closed: a 503 page that says to try again (see
resilience.py). Every attempt, good or bad, is audited. The error never says whether the account
exists, and an unknown account costs the same argon2 work.
"""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

import segno
from flask import (
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import NotFound

from reporter.errors import STAFF_MESSAGES, render_staff_error
from reporter.models import StaffUser
from reporter.resilience import sign_in_possible
from reporter.services.accounts import throttle
from reporter.services.accounts.access import is_admin, sees_every_queue
from reporter.services.accounts.enrolment import second_factor_required
from reporter.services.accounts.sessions import current_session
from reporter.services.accounts.staff import (
    check_credentials,
    confirm_totp,
    find_user,
    get_user,
    pending_totp_secret,
    sign_in,
    sign_out,
    totp_uri,
    verify_totp,
)
from reporter.triage import bp
from reporter.triage.common import form_page
from reporter.triage.forms import CodeForm, LoginForm

SESSION_KEY = "staff_session"
PENDING = "staff_pending"
PENDING_SECONDS = 300  # between a right password and the second factor
OPEN_ENDPOINTS = frozenset({"triage.login", "triage.login_code", "triage.setup", "triage.static"})
NOT_RIGHT = "The email address or password is not right."
NOT_SET_UP = (
    "Your account needs a second factor and is not set up yet. Ask an admin for a set-up link."
)
CODE_NOT_RIGHT = "That code is not right, or it has been used. Wait for a new code and try again."


def current_staff() -> StaffUser:
    return g.staff


def admin_only(view):
    """Admin pages do not exist for anyone else: the same 404 as any unknown page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_admin(current_staff()):
            raise NotFound()
        return view(*args, **kwargs)

    return wrapper


@bp.before_request
def require_staff():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    row = current_session(session.get(SESSION_KEY))
    if row is None:
        session.pop(SESSION_KEY, None)
        here = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("triage.login", next=here), code=303)
    g.staff = row.user
    return None


@bp.context_processor
def staff_context():
    staff = g.get("staff")
    return {
        "staff": staff,
        "staff_is_admin": bool(staff and is_admin(staff)),
        "staff_sees_every_queue": bool(staff and sees_every_queue(staff)),
    }


def safe_next(target: str | None) -> str | None:
    """Only a path inside /triage: never another site (open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not parts.path.startswith("/triage/"):
        return None
    return target.rstrip("?")


# --- throttling -----------------------------------------------------------------------------


def _throttled(step: str):
    """A sign-in step refuses, with 429 and Retry-After, an address that must wait (services/
    throttle.py). An address that has not been failing never waits."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if request.method == "POST":
                user = _step_user(step)
                wait = throttle.seconds_to_wait(get_remote_address(), user)
                if wait:
                    throttle.record_failure(get_remote_address(), user, "throttled")
                    response = render_staff_error(429, *STAFF_MESSAGES[429])
                    response.headers["Retry-After"] = str(wait)
                    return response
            return view(*args, **kwargs)

        return _fail_closed(guarded)

    return decorate


def _step_user(step: str) -> StaffUser | None:
    if step == "password":
        return find_user(request.form.get("email", ""))
    return get_user((session.get(PENDING) or {}).get("uid"))


SIGN_IN_RETRY_SECONDS = 60
SIGN_IN_UNAVAILABLE = (
    "Sign-in is not available right now",
    "Part of the service is not working, so sign-in is paused to keep accounts safe. "
    "Please try again in a few minutes.",
)


def _fail_closed(view):
    """Refuse sign-in while failed attempts cannot be counted in the shared store."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not sign_in_possible():
            # Not the limiter's refusal, so the Retry-After is ours to set.
            response = render_staff_error(503, *SIGN_IN_UNAVAILABLE)
            response.headers["Retry-After"] = str(SIGN_IN_RETRY_SECONDS)
            return response
        return view(*args, **kwargs)

    return guarded


# --- signing in -----------------------------------------------------------------------------


def _fail(user: StaffUser | None, reason: str) -> None:
    throttle.record_failure(get_remote_address(), user, reason)


def _begin(user: StaffUser, next_url: str | None, second_factor: bool):
    """Start a fresh session: nothing from before sign-in survives in the cookie."""
    session.clear()
    session[SESSION_KEY] = sign_in(user, second_factor=second_factor)
    return redirect(next_url or url_for("triage.queue"), code=303)


def _await_second_factor(user: StaffUser, next_url: str | None):
    session.clear()
    session[PENDING] = {"uid": user.id, "step": "code", "at": int(time.time()), "next": next_url}
    return redirect(url_for("triage.login_code"), code=303)


def _pending_user(step: str) -> StaffUser | None:
    pending = session.get(PENDING)
    if not pending or pending.get("step") != step:
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = get_user(pending.get("uid"))
    return user if user and user.active else None


@bp.route("/login", methods=["GET", "POST"])
@_throttled("password")
def login():
    if current_session(session.get(SESSION_KEY)):
        return redirect(url_for("triage.queue"))
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user, reason = check_credentials(form.email.data, form.password.data)
        if reason is not None or user is None:
            _fail(user, reason or "unknown_account")
            form.email.errors = [NOT_RIGHT]
            form.password.data = ""
        elif user.totp_enabled:
            return _await_second_factor(user, next_url)
        elif second_factor_required(user):
            # The password was right: saying why is safe, and tells them what to do.
            _fail(user, "not_set_up")
            form.email.errors = [NOT_SET_UP]
            form.password.data = ""
        else:
            return _begin(user, next_url, second_factor=False)
    return render_template("triage/login.html", form=form, next_url=next_url)


def _start_again():
    flash("Sign in again: that took too long.")
    return redirect(url_for("triage.login"), code=303)


@bp.route("/login/code", methods=["GET", "POST"])
@_throttled("code")
def login_code():
    user = _pending_user("code")
    if user is None:
        return _start_again()
    form = CodeForm()
    if form.validate_on_submit():
        if verify_totp(user, form.code.data):
            return _begin(user, session[PENDING].get("next"), second_factor=True)
        _fail(user, "bad_code")
        form.code.errors = [CODE_NOT_RIGHT]
    form.code.data = ""  # a code is good once: left in the box, the next one pasted joins it
    return render_template("triage/code.html", form=form)


def qr_data_uri(uri: str) -> str:
    """The QR code as an image the page's CSP allows (img-src data:), with no inline style."""
    return segno.make_qr(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0b0c0c")


def enrolment(user: StaffUser, endpoint: str, enrolled, refused=None):
    """The one page that sets up a second factor: at sign-in when one is required, and from
    the account page. `enrolled()` answers once a code from the new secret matched;
    `refused()` runs when a code did not."""
    secret = pending_totp_secret(user)
    form = CodeForm()
    if form.validate_on_submit():
        if confirm_totp(user, form.code.data):
            return enrolled()
        if refused is not None:
            refused()
        form.code.errors = [CODE_NOT_RIGHT]
    form.code.data = ""
    uri = totp_uri(user, secret)
    return form_page(
        "triage/enrol.html",
        form,
        secret=secret,
        uri=uri,
        qr=qr_data_uri(uri),
        action=url_for(endpoint),
    )


@bp.post("/logout")
def logout():
    sign_out(current_staff(), session.get(SESSION_KEY))
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("triage.login"), code=303)
