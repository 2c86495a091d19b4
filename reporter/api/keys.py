"""Partner API keys on `POST /api/v1/reports`: `Authorization: Bearer <key>`.

With a live key the report records the partner, and the rate limit counts per key, not per
address (a partner's server sends for many riders from one address). A wrong or revoked key is
a 401 with a clear message, never a silent fall back to no key. No key works as before.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from reporter.models import PartnerKey
from reporter.services.partnerships.partner_keys import look_up_key
from reporter.services.reporting.submission import Sender

SCHEME = "Bearer"
_CACHE = "reporter.partner_key"


class KeyRejected(Exception):
    """The request names a key that is not a live one."""


def _read_key() -> PartnerKey | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, token = header.strip().partition(" ")
    if scheme.lower() != SCHEME.lower() or not token.strip():
        raise KeyRejected
    row, answered = look_up_key(token.strip())
    if not answered:
        # The key cannot be checked; storing will fail the same way and answer 503 with the
        # guidance, which is what matters to the reporter.
        return None
    if row is None:
        raise KeyRejected
    return row


def request_key() -> PartnerKey | None:
    """The request's live key, None without one; KeyRejected for a wrong or revoked key.
    Read once per request (the rate limit asks first, then the view)."""
    environ = request.environ  # lives exactly as long as the request
    if _CACHE not in environ:
        try:
            environ[_CACHE] = _read_key()
        except KeyRejected:
            environ[_CACHE] = KeyRejected
    if environ[_CACHE] is KeyRejected:
        raise KeyRejected
    return environ[_CACHE]


def key_or_none() -> PartnerKey | None:
    try:
        return request_key()
    except KeyRejected:
        return None


def sender(key: PartnerKey | None) -> Sender:
    """Who sends: a live key has its own allowance and its own idempotency keys; without one,
    the client address has them."""
    if key is not None:
        return Sender(
            identity=f"key:{key.id}",
            limit_key=f"partner-key:{key.id}",
            limits=current_app.config["PARTNER_KEY_RATE_LIMIT"],
        )
    return Sender.from_address(get_remote_address())


def unauthorized():
    message = _(
        "This API key is not valid or has been revoked. Send the report without a key, "
        "or ask the LookCloser team for a new one."
    )
    response = jsonify({"errors": {"authorization": message}})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = f'{SCHEME} realm="LookCloser", error="invalid_token"'
    return response
