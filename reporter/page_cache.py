"""Pages that are the same for every visitor, rendered once per process.

The empty form is the busiest page of a campaign day, and rendering it (a few hundred translated
strings through Jinja macros) costs ten times what serving it does. What it shows depends only on
the language, the query string and the visitor's CSRF token, so each (page, language, query)
is rendered once per process and the visitor's own token is put in at every request.

A page is served from the cache only when that is certainly right: a GET, every query argument
named by the view with one of the values it allows (so the cache stays small whatever the query
string), and nothing in the session that a page could show besides the language. Anything else
renders as usual. Off where templates change while the app runs (development) and in tests,
which turn it on where it is the subject (`PAGE_CACHE`).

A phone asks for the page compressed. Compressing 12 KB per request cost more than all the rest
of serving it, so a cached page is sent gzipped from parts compressed once, with only the
visitor's own values compressed per request (gzip_parts.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask import Response, current_app, request, session
from flask_babel import get_locale
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from reporter.gzip_parts import GzipParts
from reporter.signing import csrf_token

_PAGES = "reporter_page_cache"
MAX_PAGES = 2000  # languages x settings x query shapes is far fewer; a bound all the same
# Session keys that change no page served from the cache: the token (put in afresh), the
# language (part of the key), and the last reference (shown on the outcome page only).
NEUTRAL_SESSION_KEYS = frozenset(
    {"csrf_token", "lang", "preset_lang", "last_report", "last_report_at"}
)


def _key(args: Mapping[str, Collection[str]]) -> tuple | None:
    req = request._get_current_object()  # type: ignore[attr-defined]  # one lookup, not six
    if not current_app.config["PAGE_CACHE"] or req.method != "GET":
        return None
    if not NEUTRAL_SESSION_KEYS.issuperset(session.keys()):
        return None
    query = req.args
    for name in query:
        if name not in args or len(query.getlist(name)) != 1 or query[name] not in args[name]:
            return None
    return (req.endpoint, str(get_locale()), tuple(query.items()))


@dataclass(frozen=True)
class _Page:
    parts: tuple[bytes | int, ...]  # _holes()
    gzip: GzipParts | None


def shared_page(
    render: Callable[[], str],
    args: Mapping[str, Collection[str]],
    personal: Sequence[str] = (),
) -> str | bytes | Response:
    """`render()`'s page, from the cache where it is the same for every visitor. `args` names
    each query argument the page may have and the values it may take; `personal` are values
    made for this request that `render()` puts in the page (such as a form's idempotency key):
    like the CSRF token, each visitor gets their own, never the cached one. A page from the
    cache comes as UTF-8 bytes, encoded once when it was kept, or gzipped where the browser
    takes gzip."""
    key = _key(args)
    if key is None:
        return render()
    values = [value.encode() for value in (csrf_token(), *personal)]  # this visitor's own
    pages = current_app.extensions.setdefault(_PAGES, {})
    page = pages.get(key)
    if page is None:
        html = render()
        if len(pages) < MAX_PAGES:
            parts = _holes(html, values)
            pages[key] = _Page(parts, GzipParts.prepare(parts, values))
        return html
    if page.gzip is not None and takes_gzip(request.headers.get("Accept-Encoding", "")):
        body = page.gzip.body(page.parts, values)
        if body is not None:
            return Response(body, content_type="text/html; charset=utf-8", headers=_GZIP)
    return b"".join(values[part] if isinstance(part, int) else part for part in page.parts)


_GZIP = {"Content-Encoding": "gzip"}  # flask-compress leaves an encoded body alone


@lru_cache(maxsize=256)
def takes_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip; browsers send few distinct ones."""
    return parse_accept_header(accept_encoding, Accept)["gzip"] > 0  # "*" counts too


def _holes(html: str, values: Sequence[bytes]) -> tuple[bytes | int, ...]:
    """The page split around each of `values`: UTF-8 text, and in its place each value's index.
    The values are random tokens; NUL never occurs in a page."""
    for index, value in enumerate(values):
        html = html.replace(value.decode(), f"\0{index}\0")
    return tuple(int(part) if i % 2 else part.encode() for i, part in enumerate(html.split("\0")))
