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
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from flask import current_app, request, session
from flask_babel import get_locale

from reporter.signing import csrf_token

_PAGES = "reporter_page_cache"
MAX_PAGES = 2000  # languages x settings x query shapes is far fewer; a bound all the same
# Session keys that change no page served from the cache: the token (put in afresh), the
# language (part of the key), and the last reference (shown on the outcome page only).
NEUTRAL_SESSION_KEYS = frozenset({"csrf_token", "lang", "preset_lang", "last_report"})


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


def shared_page(
    render: Callable[[], str],
    args: Mapping[str, Collection[str]],
    personal: Sequence[str] = (),
) -> str | bytes:
    """`render()`'s page, from the cache where it is the same for every visitor. `args` names
    each query argument the page may have and the values it may take; `personal` are values
    made for this request that `render()` puts in the page (such as a form's idempotency key):
    like the CSRF token, each visitor gets their own, never the cached one. A page from the
    cache comes as UTF-8 bytes, encoded once when it was kept."""
    key = _key(args)
    if key is None:
        return render()
    values = (csrf_token(), *personal)  # this visitor's token, wherever a form needs it
    pages = current_app.extensions.setdefault(_PAGES, {})
    parts = pages.get(key)
    if parts is None:
        html = render()
        if len(pages) < MAX_PAGES:
            pages[key] = _holes(html, values)
        return html
    filled = [value.encode() for value in values]
    return b"".join(filled[part] if isinstance(part, int) else part for part in parts)


def _holes(html: str, values: Sequence[str]) -> tuple[bytes | int, ...]:
    """The page split around each of `values`: UTF-8 text, and in its place each value's index.
    The values are random tokens; NUL never occurs in a page."""
    for index, value in enumerate(values):
        html = html.replace(value, f"\0{index}\0")
    return tuple(int(part) if i % 2 else part.encode() for i, part in enumerate(html.split("\0")))
