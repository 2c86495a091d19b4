"""Signed values, made once per process: the session cookie and the CSRF token.

Flask and Flask-WTF sign with itsdangerous, building for every value a new serializer (which
serializes a test value to learn whether it speaks text), a new signer and a new derived key,
and trying to zlib-compress the value first. Our values are tiny (a token, a language, a
reference) and never compress; the attempt alone cost more than the signing. The form page gives
every new visitor a session and a CSRF token, so all of this was a fifth of its time.

Here the serializer and its signer are made once per set of keys, and values are not compressed.
The format is itsdangerous's own: what is signed here is read by Flask's and Flask-WTF's
serializers, and cookies or tokens signed by them are read here (tests/test_signing.py).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from itsdangerous import Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer as PlainSerializer

CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's, so that its validate_csrf reads our tokens


class _Signer(TimestampSigner):
    """A signer that derives each key once."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        derived = self.__dict__.setdefault("_derived", {})
        try:
            return derived[secret_key]
        except KeyError:
            key = derived[secret_key] = super().derive_key(secret_key)
            return key


class Serializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer that makes its signer once and never compresses."""

    default_signer = _Signer

    def dump_payload(self, obj) -> bytes:
        # URL-safe base64 of the JSON, as itsdangerous writes a value compression does not help.
        return base64_encode(PlainSerializer.dump_payload(self, obj))

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        signer = self.__dict__.get("_signer")
        if signer is None:
            signer = self.__dict__["_signer"] = super().make_signer()
        return signer


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the serializer above, and `Vary: Cookie` added as a
    string: Flask parses and rebuilds the Vary header through `response.vary` twice for every
    session it sets, a twentieth of the form page's time. Otherwise save_session is Flask 3.1's
    own, line for line (tests/test_signing.py compares the two on every kind of session)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, Serializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> Serializer | None:
        # The keys are part of the cache key: a changed SECRET_KEY (tests) gets its own.
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        try:
            return self._serializers[keys]
        except KeyError:
            pass
        serializer = None
        if app.secret_key:
            serializer = Serializer(
                [*keys[1:], app.secret_key],  # itsdangerous takes the current key last
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        self._serializers[keys] = serializer
        return serializer

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        cookie: dict[str, Any] = {  # the attributes of the cookie, set or deleted
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "partitioned": self.get_cookie_partitioned(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }
        if session.accessed:
            _vary_cookie(response)
        if not session:
            if session.modified:
                response.delete_cookie(name, **cookie)
                _vary_cookie(response)
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # a session with content was opened with a key
        expires = self.get_expiration_time(app, session)
        response.set_cookie(name, serializer.dumps(dict(session)), expires=expires, **cookie)
        _vary_cookie(response)


def _vary_cookie(response: Response) -> None:
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in (v.strip().lower() for v in vary.split(",")):
        response.headers["Vary"] = f"{vary}, Cookie"


_csrf_serializers: dict[str | bytes, Serializer] = {}


def csrf_token() -> str:
    """This request's signed CSRF token, as flask_wtf.csrf.generate_csrf makes it (the raw token
    in the session, the signed one in `g`, where Flask-WTF's forms find it), with the serializer
    above. Flask-WTF's validate_csrf checks it."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    token = g.get(field)
    if token is None:
        secret: str | bytes | None = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        if not secret:
            raise RuntimeError("A secret key is required to use CSRF.")  # as Flask-WTF says
        serializer = _csrf_serializers.get(secret)
        if serializer is None:
            serializer = _csrf_serializers[secret] = Serializer(secret, salt=CSRF_SALT)
        if not isinstance(session.get(field), str):
            session[field] = secrets.token_hex(20)  # Flask-WTF's shape: 40 hex digits
        token = serializer.dumps(session[field])
        setattr(g, field, token)
    return token
