"""Reading pages in tests: parse HTML, check it is well formed, find what a person would see."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.ids: Counter = Counter()
        self.elements: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: "" if v is None else v for k, v in attrs}  # boolean attributes: ""
        self.elements.append((tag, attrs))
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

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


def read(response) -> Page:
    page = Page(response.get_data(as_text=True))
    duplicated = [i for i, n in page.ids.items() if n > 1]
    assert not duplicated, f"duplicate ids: {duplicated}"
    assert page.title.strip(), "page has no title"
    html = page.find_all("html")[0]
    assert html.get("lang") and html.get("dir") in ("ltr", "rtl")
    return page
