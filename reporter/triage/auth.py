"""Signing in and out, the second factor, and the check that runs before every staff request.

Sign-in failures are throttled per account and per address with the app's limiter (the shared
Redis store in production); only failures count. Without that store sign-in fails closed: a 503
page that says to try again (see resilience.py). Every attempt, good or bad, is audited. The
error never says whether the account exists, and an unknown account costs the same argon2 work.
"""

from __future__ import annotations

import math
import time
from functools import wraps
from urllib.parse import urlsplit

import segno
from flask import (
    current_app,
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

from reporter.extensions import db, limiter
from reporter.models import StaffUser
from reporter.resilience import sign_in_possible
from reporter.services import audit
from reporter.services.access import is_admin, sees_every_queue
from reporter.services.sessions import current_session, revoke_session, start_session
from reporter.services.staff import (
    check_credentials,
    confirm_totp,
    find_user,
    pending_totp_secret,
    record_login,
    throttle_key,
    totp_uri,
    verify_totp,
)
from reporter.triage import bp
from reporter.triage.common import english_only, render_error
from reporter.triage.forms import CodeForm, LoginForm

SESSION_KEY = "staff_session"
PENDING = "staff_pending"
PENDING_SECONDS = 300  # between a right password and the second factor
OPEN_ENDPOINTS = frozenset(
    {"triage.login", "triage.login_code", "triage.login_enrol", "triage.static"}
)
NOT_RIGHT = "The email address or password is not right."
CODE_NOT_RIGHT = "That code is not right, or it has been used. Wait for a new code and try again."
ACCOUNT_LIMIT = "5 per 15 minutes"
ADDRESS_LIMIT = "20 per 15 minutes"


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
    english_only()
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


def _account_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_ACCOUNT_LIMIT", ACCOUNT_LIMIT)


def _address_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_ADDRESS_LIMIT", ADDRESS_LIMIT)


def _failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    return "staff-login:" + throttle_key(request.form.get("email", ""))


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"staff-login:user-{pending.get('uid', 'none')}"


def _throttled(scope: str):
    """The limits of a sign-in step: per account and per address, failures only."""

    def decorate(view):
        key = _account_key if scope == "password" else _pending_key
        view = _fail_closed(view)
        view = limiter.limit(
            _account_limit, key_func=key, methods=["POST"], deduct_when=_failed, scope=scope
        )(view)
        return limiter.limit(
            _address_limit,
            key_func=get_remote_address,
            methods=["POST"],
            deduct_when=_failed,
            scope="staff-login-address",
        )(view)

    return decorate


SIGN_IN_RETRY_SECONDS = 60


def _fail_closed(view):
    """Refuse sign-in while failed attempts cannot be counted in the shared store."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not sign_in_possible():
            english_only()
            return render_error(503, retry_after=SIGN_IN_RETRY_SECONDS)
        return view(*args, **kwargs)

    return guarded


# --- signing in -----------------------------------------------------------------------------


def _fail(user: StaffUser | None, reason: str) -> None:
    g.login_failed = True
    audit.record("sign_in_failed", actor=user, detail={"reason": reason})
    db.session.commit()


def _begin(user: StaffUser, next_url: str | None, second_factor: bool):
    """Start a fresh session: nothing from before sign-in survives in the cookie."""
    session.clear()
    token = start_session(user.id)
    record_login(user)
    audit.record("sign_in", actor=user, detail={"second_factor": second_factor})
    db.session.commit()
    session[SESSION_KEY] = token
    return redirect(next_url or url_for("triage.queue"), code=303)


def _await_second_factor(user: StaffUser, step: str, next_url: str | None):
    session.clear()
    session[PENDING] = {"uid": user.id, "step": step, "at": int(time.time()), "next": next_url}
    endpoint = "triage.login_code" if step == "code" else "triage.login_enrol"
    return redirect(url_for(endpoint), code=303)


def _pending_user(step: str) -> StaffUser | None:
    pending = session.get(PENDING)
    if not pending or pending.get("step") != step:
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(StaffUser, pending.get("uid"))
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
        if reason is not None:
            _fail(user, reason)
            form.email.errors = [NOT_RIGHT]
            form.password.data = ""
        elif user.totp_enabled:
            return _await_second_factor(user, "code", next_url)
        elif user.totp_required:
            return _await_second_factor(user, "enrol", next_url)
        else:
            return _begin(user, next_url, second_factor=False)
    return render_template("triage/login.html", form=form, next_url=next_url)


@bp.route("/login/code", methods=["GET", "POST"])
@_throttled("code")
def login_code():
    user = _pending_user("code")
    if user is None:
        flash("Sign in again: that took too long.")
        return redirect(url_for("triage.login"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        if verify_totp(user, form.code.data):
            return _begin(user, session[PENDING].get("next"), second_factor=True)
        _fail(user, "bad_code")
        form.code.errors = [CODE_NOT_RIGHT]
    return render_template("triage/code.html", form=form)


def qr_data_uri(uri: str) -> str:
    """The QR code as an image the page's CSP allows (img-src data:), with no inline style."""
    return segno.make_qr(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0b0c0c")


@bp.route("/login/enrol", methods=["GET", "POST"])
@_throttled("enrol")
def login_enrol():
    """A second factor is required and the user has none yet: they set one up before entry."""
    user = _pending_user("enrol")
    if user is None:
        flash("Sign in again: that took too long.")
        return redirect(url_for("triage.login"), code=303)
    secret = pending_totp_secret(user)
    form = CodeForm()
    if form.validate_on_submit():
        if confirm_totp(user, form.code.data):
            return _begin(user, session[PENDING].get("next"), second_factor=True)
        _fail(user, "bad_code")
        form.code.errors = [CODE_NOT_RIGHT]
    uri = totp_uri(user, secret)
    return render_template(
        "triage/enrol.html",
        form=form,
        secret=secret,
        uri=uri,
        qr=qr_data_uri(uri),
        action=url_for("triage.login_enrol"),
    )


@bp.post("/logout")
def logout():
    revoke_session(session.get(SESSION_KEY))
    audit.record("sign_out", actor=current_staff())
    db.session.commit()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("triage.login"), code=303)


def _retry_after() -> int:
    limit = limiter.current_limit
    return max(1, math.ceil(limit.reset_at - time.time())) if limit else 60


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Only sign-in is limited on the staff side: the refusal is audited like any failure."""
    english_only()
    if request.endpoint == "triage.login":
        user = find_user(request.form.get("email", ""))
    else:
        pending = session.get(PENDING) or {}
        user = db.session.get(StaffUser, pending["uid"]) if pending.get("uid") else None
    audit.record("sign_in_failed", actor=user, detail={"reason": "throttled"})
    db.session.commit()
    return render_error(429, retry_after=_retry_after())
