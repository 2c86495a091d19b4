"""Response headers that keep reporters' pages private and free of third-party content.

They are set in one place, after every request, so every response the app makes carries them:
pages, error pages (the handlers' responses pass through here too), static files, the API,
redirects and 404s for unknown addresses. Responses the app never makes (the proxy's own 502
or its redirect from http to https) need the proxy to add them: README, "Operations".
"""

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Two years, the preload list's minimum; subdomains are not ours to bind.
STRICT_TRANSPORT_SECURITY = "max-age=63072000"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
_HEADERS = tuple((name.lower(), name, value) for name, value in HEADERS.items())
LOCAL_ENVIRONMENTS = frozenset({"development", "testing"})
# Files that hold nothing a reporter wrote, and may be cached.
CACHEABLE_ENDPOINTS = frozenset({"static", "triage.static", "favicon"})


def _static_page(response) -> bool:
    """A page that is the same bytes for every visitor (public/static_pages.py) says so itself:
    it may be kept by a proxy. Only a read of the public pages, answered in full or as 304."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code in (200, 304)
        and request.blueprint == "public"
        and str(response.headers.get("Cache-Control", "")).startswith("public")
    )


def wants_hsts() -> bool:
    """Production always (the proxy speaks HTTPS to the phone even when it speaks HTTP to us);
    elsewhere only over HTTPS, so a developer's http://127.0.0.1 is never pinned to HTTPS."""
    return current_app.config["ENV_NAME"] not in LOCAL_ENVIRONMENTS or request.is_secure


def init_app(app: Flask) -> None:
    @app.after_request
    def set_headers(response):
        headers = response.headers
        # A view's own value stands. One look at the names set so far: Headers.setdefault
        # raises and catches a KeyError for each header that is missing, as all of them are.
        present = {name.lower() for name, _value in headers}
        headers.extend((name, value) for key, name, value in _HEADERS if key not in present)
        if wants_hsts():
            headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        cacheable = request.endpoint in CACHEABLE_ENDPOINTS and response.status_code < 400
        if not cacheable and not _static_page(response):
            # Pages may hold what a reporter wrote: never keep them in a shared cache or history.
            headers["Cache-Control"] = "no-store"
        return response
