"""Reading pages in tests: the status a test expects, HTML that an HTML5 parser reads without a
single parse error, and what a person would see."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import urlsplit, urlunsplit

import html5lib


class Page:
    def __init__(self, html: str):
        self.html = html
        parser = html5lib.HTMLParser(namespaceHTMLElements=False)
        root = parser.parse(html)
        self.parse_errors = [
            f"line {line}, column {column}: {code} {data or ''}".strip()
            for (line, column), code, data in parser.errors
        ]
        # Every element in document order, with its attributes (boolean attributes are "").
        self.elements: list[tuple[str, dict]] = [
            (element.tag, dict(element.attrib))
            for element in root.iter()
            if isinstance(element.tag, str)
        ]
        self.ids: Counter = Counter(a["id"] for _tag, a in self.elements if "id" in a)
        title = root.find("head/title")
        self.title = "".join(title.itertext()) if title is not None else ""
        self.text = " ".join(" ".join(root.itertext()).split())

    def find_all(self, tag: str, **attrs) -> list[dict]:
        return [
            a for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]  # fmt: skip

    def links(self) -> list[str]:
        return [a.get("href", "") for a in self.find_all("a")]

    def error_summary_links(self) -> list[str]:
        block = re.search(r'class="error-summary".*?</div>', self.html, re.S)
        return re.findall(r'href="(#[^"]+)"', block.group(0)) if block else []


def read(response, status: int = 200) -> Page:
    """A page as a person gets it: the status the test expects, HTML5 without parse errors,
    unique ids, a title, and a language and text direction."""
    assert response.status_code == status, f"status {response.status_code}, expected {status}"
    page = Page(response.get_data(as_text=True))
    assert not page.parse_errors, f"HTML5 parse errors: {page.parse_errors}"
    duplicated = [i for i, n in page.ids.items() if n > 1]
    assert not duplicated, f"duplicate ids: {duplicated}"
    assert page.title.strip(), "page has no title"
    html = page.find_all("html")[0]
    assert html.get("lang") and html.get("dir") in ("ltr", "rtl")
    return page


def shown_once(html: str, field_id: str) -> str:
    """The secret a shown-once page holds (triage/_macros.html shown_once): its read-only field's
    whole text."""
    found = re.search(rf'<textarea id="{field_id}"[^>]*\breadonly\b[^>]*>([^<]*)</textarea>', html)
    assert found, f"no read-only field {field_id}"
    return unescape(found.group(1))


def assert_redirects(response, location: str, status: int = 303):
    """A redirect names where it goes: the status the test expects and the address in its
    `Location` (path and query; a host, if any, is not the point). Takes a test client's response
    or a real server's answer (`bench._visitor.Answer`)."""
    got = getattr(response, "status_code", None) or response.status
    where = urlsplit(response.headers.get("Location", ""))
    went = urlunsplit(("", "", where.path, where.query, where.fragment))
    body = response.get_data(as_text=True) if hasattr(response, "get_data") else response.body
    assert (got, went) == (status, location), body[:500]
    return response
