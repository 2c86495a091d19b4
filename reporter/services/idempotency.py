"""Idempotency keys: how a sender says "this is the same report as before".

The form's key is made on the phone (a hidden field that the page's script fills in, and that
the server fills in when there is no script); the API's comes in the `Idempotency-Key` header.
Long and random, so that two reporters never pick the same one.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l

from reporter.services.intake import IntakeError

HEADER = "Idempotency-Key"
KEY_PATTERN = "^[A-Za-z0-9_-]{16,64}$"
_KEY = re.compile(KEY_PATTERN)


def new_key() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 random bits


def check_key(raw: str | None) -> str | None:
    """The key, or None when none was sent; IntakeError when it is not one we accept (an
    empty key too: a sender that means to send one must not silently send none)."""
    if raw is None:
        return None
    if not _KEY.match(raw):
        raise IntakeError(
            _l("The idempotency key must be 16 to 64 letters, digits, hyphens or underscores.")
        )
    return raw
