"""Static files under content-hashed addresses: `static_url("css/app.css")` is the file's
address with the hash of its content, cached for a year; any other address of a static file
is checked each time. A changed file gets a new address, so a phone never mixes an old script
with a new page."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def _file_hash(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def content_hash(filename: str) -> str | None:
    path = Path(current_app.static_folder or "") / filename
    try:
        return _file_hash(path, path.stat().st_mtime_ns)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def static_url(filename: str) -> str:
    """The file's address with its content hash (see the module's docstring)."""
    return url_for("static", filename=filename, v=content_hash(filename))


def cache_headers(response: Response) -> Response:
    if request.path.startswith("/static/") and response.status_code in (200, 304):
        filename = request.path.removeprefix("/static/")
        hashed = request.args.get("v")
        # A hashed address never changes its content; any other is checked each time.
        fresh = hashed is not None and hashed == content_hash(filename)
        response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(cache_headers)
