"""One person's phone, as the app behind its proxy sees it: requests over plain HTTP on loopback
with the proxy's headers (X-Forwarded-For: the phone's address; X-Forwarded-Proto: https), and
the session cookie kept by hand (it is Secure, so a cookie jar would not send it over http)."""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
REFERENCE = re.compile(r"LC-[0-9A-Z]{4}-[0-9A-Z]{4}")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def token(self) -> str | None:
        found = TOKEN.search(self.body)
        return found.group(1) if found else None


@dataclass
class Visitor:
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, base: str, method: str, path: str, body=None, headers=None) -> Answer:
        where = urlsplit(base)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=self.timeout)
        sent = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return Answer(response.status, dict(response.headers), text)
        finally:
            connection.close()

    def get(self, base: str, path: str) -> Answer:
        return self.request(base, "GET", path)

    def post_form(self, base: str, path: str, fields: dict) -> Answer:
        body = urlencode(fields, doseq=True)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request(base, "POST", path, body, headers)

    def post_json(self, base: str, path: str, data: dict) -> Answer:
        headers = {"Content-Type": "application/json"}
        return self.request(base, "POST", path, json.dumps(data), headers)
