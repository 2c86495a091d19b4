"""Request bodies larger than MAX_CONTENT_LENGTH (64 KiB), for the few endpoints that need them.

A large partner's sites file is bigger than any other request: the file, or its echo when
confirmed (a form field), may be up to IMPORT_MAX_BYTES (with room for escaping). The limits
are set before anything reads the body (CSRF, the staff checks), so create_app() registers
this before the CSRF check.
"""

from __future__ import annotations

from flask import Flask, request

from reporter.services.partnerships.site_import import IMPORT_MAX_BYTES

# endpoint: (largest body, largest form field held in memory), in bytes
LARGER_BODIES = {
    "triage.import_sites": (IMPORT_MAX_BYTES * 3, IMPORT_MAX_BYTES * 2),
}


def allow_larger_bodies() -> None:
    limits = LARGER_BODIES.get(request.endpoint or "")
    if limits is not None:
        request.max_content_length, request.max_form_memory_size = limits


def init_app(app: Flask) -> None:
    app.before_request(allow_larger_bodies)
