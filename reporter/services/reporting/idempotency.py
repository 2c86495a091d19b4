"""Idempotency keys: how a sender says "this is the same report as before".

The form's key is made on the phone (a hidden field that the page's script fills in, and that
the server fills in when there is no script); the API's comes in the `Idempotency-Key` header.
Long and random, so that two reporters never pick the same one.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from dataclasses import asdict

from flask import current_app
from flask_babel import lazy_gettext as _l

from reporter.services.reporting.intake import IntakeError
from reporter.services.reporting.reports import NewReport

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


# Without a script the phone makes no key: the same answers from the same address within one
# of these clock-aligned windows are one report (a double tap, a browser's resend).
WITHOUT_SCRIPT_WINDOW_SECONDS = 600


def without_script(now: float) -> str:
    """The key of a form sent without a script: the window it was sent in. Scoped to its sender
    and checked against the answers' fingerprint like any key, so the same answers in the same
    window are one report, and other answers are a report of their own."""
    return f"no-script-window-{int(now // WITHOUT_SCRIPT_WINDOW_SECONDS)}"


def _keyed_hash(purpose: str, *parts: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    message = "\0".join((purpose, *parts)).encode()
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, "sha256").hexdigest()


def scoped(key: str, sender: str, source: str) -> str:
    """The key as stored: bound to who sent it, so a key that someone else used first (keys
    such as order numbers are guessable) is a different key. A keyed hash: 64 characters."""
    return _keyed_hash("idempotency-key", source, sender, key)


def fingerprint(new: NewReport) -> str:
    """A keyed hash of a report's answers: the same key with other answers is not a retry.
    Keyed, so that it cannot be matched against guessed answers."""
    answers = {
        name: getattr(new, name)
        for name in ("consent", "description", "place", "language", "partner_id", "site_id")
    }
    answers["seen_at"] = new.seen_at.isoformat() if new.seen_at else None
    answers["contact"] = asdict(new.contact)
    answers["facts"] = {
        **asdict(new.facts),
        "signs": sorted(new.facts.signs),
    }
    text = json.dumps(answers, sort_keys=True, ensure_ascii=False, default=str)
    return _keyed_hash("idempotency-fingerprint", text)
