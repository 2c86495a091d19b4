"""Signed values made once per process (reporter/signing.py): the session cookie and the CSRF
token stay readable by the libraries that define their format, in both directions."""

from __future__ import annotations

import re

import pytest
from flask import Flask, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import URLSafeTimedSerializer
from wtforms.validators import ValidationError

from reporter.signing import SessionInterface, csrf_token

VALUES = {"csrf_token": "a" * 40, "lang": "cy", "last_report": "LC-7Q2M-9XKD"}


def _cookie_from(interface, app: Flask, values: dict) -> str:
    return interface.get_signing_serializer(app).dumps(values)


def _read_by(interface, app: Flask, cookie: str) -> dict:
    return interface.get_signing_serializer(app).loads(cookie)


def test_flask_reads_our_session_cookie_and_we_read_flasks(app):
    ours, flasks = SessionInterface(), SecureCookieSessionInterface()
    assert _read_by(flasks, app, _cookie_from(ours, app, VALUES)) == VALUES
    assert _read_by(ours, app, _cookie_from(flasks, app, VALUES)) == VALUES


def test_a_cookie_flask_compressed_is_still_read(app):
    big = {**VALUES, "padding": "x" * 500}  # long and repetitive: Flask compresses it
    cookie = _cookie_from(SecureCookieSessionInterface(), app, big)
    assert cookie.startswith(".")  # itsdangerous's mark of a compressed payload
    assert _read_by(SessionInterface(), app, cookie) == big


def test_our_cookie_is_never_compressed(app):
    big = {**VALUES, "padding": "x" * 500}
    assert not _cookie_from(SessionInterface(), app, big).startswith(".")


def test_a_cookie_signed_with_another_key_is_refused(app, make_app):
    other = make_app(SECRET_KEY="another key entirely, at least as long as the first")
    cookie = _cookie_from(SessionInterface(), other, VALUES)
    with pytest.raises(Exception, match="Signature"):
        _read_by(SessionInterface(), app, cookie)


def test_the_serializer_is_made_once_per_key(app, make_app):
    interface = SessionInterface()
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    other = make_app(SECRET_KEY="another key entirely, at least as long as the first")
    assert interface.get_signing_serializer(other) is not first


def test_an_old_key_still_opens_a_session_after_rotation(make_app):
    old = make_app(SECRET_KEY="the key before rotation, long enough for a real one")
    rotated = make_app(
        SECRET_KEY="the key after rotation, long enough for a real one too",
        SECRET_KEY_FALLBACKS=["the key before rotation, long enough for a real one"],
    )
    cookie = _cookie_from(SessionInterface(), old, VALUES)
    assert _read_by(SessionInterface(), rotated, cookie) == VALUES


def test_flask_wtf_validates_our_csrf_token_and_forms_reuse_it(app):
    with app.test_request_context("/report?sector=delivery"):
        token = csrf_token()
        assert len(session["csrf_token"]) == 40 and g.csrf_token == token
        assert generate_csrf() == token  # a Flask-WTF form on the page shows the same token
        validate_csrf(token)
        with pytest.raises(ValidationError):
            validate_csrf(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_a_csrf_token_made_by_flask_wtf_is_the_same_kind(app):
    with app.test_request_context("/"):
        theirs = generate_csrf()
        raw = session["csrf_token"]
    with app.test_request_context("/"):
        session["csrf_token"] = raw
        ours = csrf_token()
        validate_csrf(theirs)  # both sign the same raw token, readable by the same check
        validate_csrf(ours)
    flask_wtfs = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    assert flask_wtfs.loads(ours) == flask_wtfs.loads(theirs) == raw


def test_a_broken_session_token_is_replaced(app):
    with app.test_request_context("/"):
        session["csrf_token"] = 12345  # not a token: a new one is made, as Flask-WTF does
        validate_csrf(csrf_token())
        assert isinstance(session["csrf_token"], str)


def _saved(interface, app: Flask, session_data: dict | None, *, change=None, vary=None):
    """The headers a response gets from `interface.save_session` after a request that opened
    a session holding `session_data` (None: no cookie) and did `change` to it."""
    cookie = None
    if session_data is not None:
        cookie = SecureCookieSessionInterface().get_signing_serializer(app).dumps(session_data)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers):
        from flask import request

        opened = interface.open_session(app, request)
        if change:
            change(opened)
        response = app.response_class("page", headers={"Vary": vary} if vary else {})
        interface.save_session(app, opened, response)
    cookies = response.headers.getlist("Set-Cookie")
    values = [c.split(";", 1)[0].split("=", 1)[1] for c in cookies]
    read = [interface.get_signing_serializer(app).loads(v) if v else v for v in values]
    # Expires is to the second: two responses made a moment apart may differ in it.
    attributes = [re.sub(r"Expires=[^;]*; ", "Expires=...; ", c.split(";", 1)[1]) for c in cookies]
    return response.headers.get("Vary"), attributes, read


def _add_token(s):
    s["csrf_token"] = "b" * 40


def _read_only(s):
    s.get("lang")


@pytest.mark.parametrize(
    "session_data, change, vary",
    [
        (None, None, None),  # never touched
        (None, _add_token, None),  # a new visitor gets a session
        (None, _add_token, "Accept-Encoding"),  # another Vary first
        (None, _add_token, "Accept-Encoding, cookie"),  # Cookie there already
        (VALUES, _read_only, None),  # read, not changed
        (VALUES, lambda s: s.clear(), None),  # emptied: the cookie is deleted
        (VALUES, lambda s: s.update(lang="pl"), None),  # changed
        (VALUES, lambda s: setattr(s, "permanent", True), None),  # made permanent
    ],
)
def test_our_save_session_answers_as_flasks_own(app, session_data, change, vary):
    ours = _saved(SessionInterface(), app, session_data, change=change, vary=vary)
    flasks = _saved(SecureCookieSessionInterface(), app, session_data, change=change, vary=vary)
    assert ours == flasks
