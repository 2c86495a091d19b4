"""One person's phone, as the app behind its proxy sees it: requests over plain HTTP on loopback
with the proxy's headers (X-Forwarded-For: the phone's address; X-Forwarded-Proto: https), and
the session cookie kept by hand (it is Secure, so a cookie jar would not send it over http)."""

from __future__ import annotations

import gzip
import http.client
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import brotli

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
REFERENCE = re.compile(r"LC-[0-9A-Z]{4}-[0-9A-Z]{4}")
# The outcome page shows a reference in groups a narrow screen may break between
# (templating.reference_groups): its tags come out before the reference is looked for.
TAG = re.compile(r"<[^>]*>")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def reference(self) -> str | None:
        """The first report reference the page shows."""
        found = REFERENCE.search(TAG.sub("", self.body))
        return found.group(0) if found else None

    @property
    def token(self) -> str | None:
        found = TOKEN.search(self.body)
        return found.group(1) if found else None


@dataclass
class Visitor:
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30
    # The address the phone's connections come from (a loopback address such as 127.1.2.3), for
    # a proxy in front that sets X-Forwarded-For itself from the address it sees; None: any.
    source: str | None = None

    def request(self, base: str, method: str, path: str, body=None, headers=None) -> Answer:
        where = urlsplit(base)
        connection = http.client.HTTPConnection(
            where.hostname,
            where.port,
            timeout=self.timeout,
            source_address=(self.source, 0) if self.source else None,
        )
        sent = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = _decoded(response.read(), response.headers.get("Content-Encoding"))
            for value in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return Answer(response.status, dict(response.headers), text)
        finally:
            connection.close()

    def get(self, base: str, path: str, headers: dict | None = None) -> Answer:
        return self.request(base, "GET", path, headers=headers)

    def post_form(self, base: str, path: str, fields: dict, headers: dict | None = None) -> Answer:
        body = urlencode(fields, doseq=True)
        sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request(base, "POST", path, body, sent)

    def post_json(self, base: str, path: str, data: dict, headers: dict | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        return self.request(base, "POST", path, json.dumps(data), sent)


def _decoded(body: bytes, encoding: str | None) -> str:
    """The page as a browser reads it: a phone that sent Accept-Encoding gets it compressed."""
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")
