"""Pages that are the same bytes for every visitor of an address: the chooser and the blank form.

They carry nothing of the visitor's (no session cookie, no CSRF token, no idempotency key: the
phone's script makes the key, and cross-site posts are refused by their headers,
`cross_origin.py`), so each (page, language, query) is rendered once per process and
compressed once, gzip and brotli, when first asked for. Every visitor then gets the same
bytes, with a strong ETag (a phone or proxy that has them gets 304) and
`Cache-Control: public` with a short max-age and `stale-while-revalidate` / `stale-if-error`,
so a proxy or CDN in front serves them too, and goes on serving them while the app is down
(README: "Running in production" has nginx's settings).

Once Flask has answered such a page in full, `KeptResponses` (the one boundary where the app
is faster than Flask) answers the same request again from the finished response, before Flask
builds a request: the page's bytes with every header the app's hooks gave it. Flask answered
the page at 0.56 of a bare Flask page of the same size, most of it in the hooks that every
request runs (the limiter's, the security headers', the session's), though for this page their
answer never changes (`make bench`, README "Measured").

The same path runs in development, tests and production: there is no switch.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

import brotli
from flask import Flask, Response, current_app, request
from flask_babel import get_locale
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from reporter.i18n import LANGUAGE_ARG

_PAGES = "reporter_static_pages"
MAX_PAGES = 2000  # languages x settings x entry links; a bound all the same
# Fresh for PUBLIC_PAGE_MAX_AGE (a minute); then a proxy may serve it for ten minutes more
# while it asks us again, and for a day while we do not answer: a blank form that opens beats
# an error page.
CACHE_CONTROL = "public, max-age={max_age}, stale-while-revalidate=600, stale-if-error=86400"


@dataclass(frozen=True)
class StaticPage:
    body: bytes
    gzip: bytes
    brotli: bytes
    etag: str
    language: str
    made: float


def _render(render: Callable[[], str]) -> StaticPage:
    body = render().encode()
    return StaticPage(
        body=body,
        gzip=gzip.compress(body, compresslevel=9, mtime=0),
        brotli=brotli.compress(body, quality=11),
        etag=hashlib.sha256(body).hexdigest()[:32],
        language=str(get_locale()),
        made=time.monotonic(),
    )


def _key(args: Mapping[str, Collection[str] | None]) -> tuple | None:
    """The page's key, or None when the query has an argument the page does not take (or a
    value it does not allow): such a page is rendered each time, never kept."""
    query = request.args
    for name in query:
        if name not in args or len(query.getlist(name)) != 1:
            return None
        allowed = args[name]
        if allowed is not None and query[name] not in allowed:
            return None
    return (request.endpoint, str(get_locale()), tuple(sorted(query.items())))


def static_page(render: Callable[[], str], args: Mapping[str, Collection[str] | None]) -> Response:
    """`render()`'s page as the same bytes for every visitor. `args` names each query argument
    the page takes and the values it allows (None: any value, such as an entry link's code)."""
    key = _key(args)
    pages = current_app.extensions.setdefault(_PAGES, {})
    page = pages.get(key) if key is not None else None
    # Rendered again after PUBLIC_PAGE_KEEP_SECONDS, so that a change of data (a partner's site
    # retired, a setting's signs edited) reaches every process without a restart.
    keep = current_app.config["PUBLIC_PAGE_KEEP_SECONDS"]
    if page is None or time.monotonic() - page.made > keep:
        page = _render(render)
        if key is not None and (key in pages or len(pages) < MAX_PAGES):
            pages[key] = page
    if key is not None and pages.get(key) is page:
        # Until the page is rendered again, this request's finished response may be kept.
        request.environ[_KEEP_UNTIL] = page.made + keep
    return _response(page)


def _response(page: StaticPage) -> Response:
    headers = {
        "ETag": f'"{page.etag}"',
        "Cache-Control": CACHE_CONTROL.format(max_age=current_app.config["PUBLIC_PAGE_MAX_AGE"]),
        "Content-Language": page.language,
        "Vary": "Accept-Encoding" if LANGUAGE_ARG in request.args else _VARY_LANGUAGE,
    }
    if request.if_none_match.contains(page.etag):
        return Response(status=304, headers=headers)
    accepted = _encodings(request.headers.get("Accept-Encoding", ""))
    if accepted.brotli:
        body, headers["Content-Encoding"] = page.brotli, "br"
    elif accepted.gzip:
        body, headers["Content-Encoding"] = page.gzip, "gzip"
    else:
        body = page.body
    return Response(body, content_type="text/html; charset=utf-8", headers=headers)


# Without ?lang= the language comes from Accept-Language: a shared cache must keep one copy per
# header. Every link the app makes carries ?lang=, so those pages are one copy per language.
_VARY_LANGUAGE = "Accept-Encoding, Accept-Language"


@dataclass(frozen=True)
class _Accepted:
    gzip: bool
    brotli: bool


@lru_cache(maxsize=256)
def _encodings(header: str) -> _Accepted:
    """What an Accept-Encoding header takes. Browsers send a handful of distinct headers
    ("gzip, deflate, br", "gzip, deflate, br, zstd"), so each is parsed once per process."""
    accept = parse_accept_header(header, Accept)
    return _Accepted(gzip=accept["gzip"] > 0, brotli=accept["br"] > 0)


def forget_pages() -> None:
    """Drop the kept pages (the reference data or a partner's site changed)."""
    current_app.extensions.pop(_PAGES, None)
    current_app.extensions[_RESPONSES].forget()


_RESPONSES = "reporter_kept_responses"
_KEEP_UNTIL = "reporter.keep_response_until"  # set in the WSGI environ by static_page()


@dataclass(frozen=True)
class _KeptResponse:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    until: float


class KeptResponses:
    """WSGI middleware: a GET that Flask has answered in full with a kept static page is
    answered again from that finished response, until the page is rendered again.

    A request is answered here only when all it sends that could change the answer is the same:
    scheme, host, path and query, Accept-Language, and what Accept-Encoding takes. It must send
    no cookie (the outcome page's session is Flask's) and ask for no 304 (Flask answers those).
    The response is kept only when static_page() said so, it is a 200 and sets no cookie."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app
        self.responses: dict[tuple, _KeptResponse] = {}
        app.extensions[_RESPONSES] = self

    def forget(self) -> None:
        self.responses.clear()

    def __call__(self, environ: dict, start_response: Callable):
        if (
            environ["REQUEST_METHOD"] != "GET"
            or "HTTP_COOKIE" in environ
            or "HTTP_IF_NONE_MATCH" in environ
        ):
            return self.wsgi_app(environ, start_response)
        key = (
            environ["wsgi.url_scheme"],
            environ.get("HTTP_HOST", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            _encodings(environ.get("HTTP_ACCEPT_ENCODING", "")),
        )
        kept = self.responses.get(key)
        if kept is not None and time.monotonic() < kept.until:
            start_response(kept.status, kept.headers)
            return [kept.body]
        return self._answer_and_keep(key, environ, start_response)

    def _answer_and_keep(self, key: tuple, environ: dict, start_response: Callable):
        answered: list = []

        def keep_status(status: str, headers: list, exc_info=None):
            answered[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, keep_status)
        until = environ.get(_KEEP_UNTIL)
        if until is None or not answered or not answered[0].startswith("200 "):
            return chunks
        status, headers = answered
        if any(name.lower() == "set-cookie" for name, _value in headers):
            return chunks
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()  # as a server calls it: Flask's teardowns run on close
        if key in self.responses or len(self.responses) < MAX_PAGES:
            self.responses[key] = _KeptResponse(status, list(headers), body, until)
        return [body]
