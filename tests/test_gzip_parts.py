"""Gzip bodies joined from parts compressed once and values compressed per request
(reporter/gzip_parts.py): whatever the text and the values, the browser reads the page."""

from __future__ import annotations

import gzip

from hypothesis import given
from hypothesis import strategies as st

from reporter.gzip_parts import GzipParts

TEXT = st.binary(max_size=3000).map(lambda b: b.replace(b"\0", b"."))
VALUE = st.binary(min_size=1, max_size=90).map(lambda b: b.replace(b"\0", b"-"))


def page_of(parts, values) -> bytes:
    return b"".join(values[p] if isinstance(p, int) else p for p in parts)


@given(st.lists(TEXT, min_size=1, max_size=5), st.data())
def test_any_page_and_any_values_of_the_prepared_lengths_decompress_to_the_page(texts, data):
    holes = len(texts) - 1
    values = [data.draw(VALUE) for _ in range(holes)]
    parts: list[bytes | int] = [texts[0]]
    for i, text in enumerate(texts[1:]):
        parts += [i, text]
    prepared = GzipParts.prepare(parts, values)
    assert prepared is not None
    other = [data.draw(st.binary(min_size=len(v), max_size=len(v))) for v in values]
    for vals in (values, other):
        assert gzip.decompress(prepared.body(parts, vals)) == page_of(parts, vals)


def test_a_long_page_points_back_no_further_than_deflate_allows():
    head = b"<p>" + bytes(range(1, 256)) * 300  # 76 KB: longer than DEFLATE's window
    parts = [head, 0, head[:500], 1, b"</p>" + head[::-1]]
    values = [b"token-one-" * 5, b"key-two"]
    prepared = GzipParts.prepare(parts, values)
    assert gzip.decompress(prepared.body(parts, values)) == page_of(parts, values)


def test_values_of_another_length_get_no_body():
    parts = [b"<form>", 0, b"</form>"]
    prepared = GzipParts.prepare(parts, [b"abcd"])
    assert prepared.body(parts, [b"abcde"]) is None


def test_a_page_holding_nul_is_not_prepared():
    assert GzipParts.prepare([b"a\0b", 0, b"c"], [b"v"]) is None


def test_text_after_the_values_that_repeats_them_never_points_into_them():
    first, second = b"csrf-token-of-the-first-visitor", b"idempotency-key-1"
    parts = [b"<input value=", 0, b"><input value=", 1, b"> " + (first + second) * 20]
    prepared = GzipParts.prepare(parts, [first, second])
    other = [b"X" * len(first), b"Y" * len(second)]
    assert gzip.decompress(prepared.body(parts, other)) == page_of(parts, other)
