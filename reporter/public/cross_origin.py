"""Cross-site posts to the public side are refused by the request's own headers.

The blank form has no signed-in user to protect, so it carries no CSRF token: it is the same
bytes for every visitor and can be kept by a proxy or the phone. What a token would stop, a
page on another site posting to ours, is stopped by what every current browser says about the
request (as Go's `http.CrossOriginProtection`, filippo.io/csrf and tower-http's `csrf` do):

1. An `Origin` the operator trusts (`TRUSTED_ORIGINS`: a partner's own page that posts our
   form) passes.
2. `Sec-Fetch-Site: same-origin` or `none` (typed, bookmarked, the installed app) passes; any
   other value (`cross-site`, `same-site`) is refused.
3. Without it (an older browser), an `Origin` whose host is ours passes; any other is refused.
4. A request with neither header comes from no browser (a partner's server, curl): it passes.

GET, HEAD and OPTIONS are never refused: they change nothing. The staff side keeps Flask-WTF's
tokens, and the JSON API is for other sites' servers and apps by design.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol
from urllib.parse import urlsplit


class Headers(Protocol):
    def get(self, key: str, /) -> str | None: ...


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE_VALUES = frozenset({"same-origin", "none"})


def allowed(method: str, headers: Headers, host: str, trusted: Collection[str] = ()) -> bool:
    """Whether a request may go on: not a post from another site's page."""
    if method.upper() in SAFE_METHODS:
        return True
    origin = headers.get("Origin")
    if origin is not None and origin.strip().rstrip("/") in {o.rstrip("/") for o in trusted}:
        return True
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.strip().lower() in SAME_SITE_VALUES
    if origin is None:
        return True
    origin_host = urlsplit(origin.strip()).netloc.lower()
    return bool(origin_host) and origin_host == host.lower()
