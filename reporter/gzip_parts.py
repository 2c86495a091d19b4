"""A gzip body for a page that is the same for every visitor but for a few short values, with
only those values compressed per request.

Compressing the form page (12 KB) for a phone cost more than serving it: brotli took twice the
time of the rest of the request. But the page cache already holds the page as fixed text around
the visitor's own values (page_cache.py), and DEFLATE streams can be joined: a part compressed
alone and ended on a byte boundary (a sync flush) is followed by the next part's blocks, and a
part compressed with a preset dictionary equal to the text before it may point back into that
text, which the browser has already decoded. So the page is compressed in three parts:

- the text before the first value, once;
- the values and the text between them, per request, with that text before as the dictionary;
- the text after the last value, once, with the text before it as the dictionary, the values'
  place in it filled with NUL bytes: the text never contains NUL, so no match can point into
  the values, and the distances are right for any values of the same length.

Then a gzip header, and the CRC-32 and length of the whole page. A body is only made for values
of the lengths it was prepared for (the tokens' lengths are fixed); the parts are checked by
decompressing a page made from them once, when they are prepared.
"""

from __future__ import annotations

import logging
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, DEFLATE, no name or time, OS unknown
WINDOW = 32768  # DEFLATE's: no match points further back
ONCE_LEVEL = 9  # the fixed parts are compressed once per page and process: the most
VALUES_LEVEL = 6


def _deflate(data: bytes, level: int, flush: int, before: bytes = b"") -> bytes:
    """Raw DEFLATE of `data`, which may point back into `before` (the text just before it)."""
    window = before[-WINDOW:]
    if window:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=window)
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(flush)


@dataclass(frozen=True)
class GzipParts:
    head: bytes  # the first text, compressed and sync-flushed
    head_text: bytes  # the dictionary for the values (its last WINDOW bytes)
    head_crc: int
    values_length: int  # the values and the text between them, in bytes
    value_lengths: tuple[int, ...]
    tail: bytes  # the last text, compressed and finished
    tail_text: bytes
    length: int  # of the whole page

    @classmethod
    def prepare(cls, parts: Sequence[bytes | int], values: Sequence[bytes]) -> GzipParts | None:
        """From a page's parts (page_cache._holes: text, value index, text, ...) and the values
        it was rendered with; None when the parts cannot be joined correctly (then the page is
        compressed as usual)."""
        head_text, tail_text = (parts[0], parts[-1]) if len(parts) > 1 else (b"", parts[0])
        if not isinstance(head_text, bytes) or not isinstance(tail_text, bytes):
            return None
        middle = _middle(parts, values)
        if b"\0" in head_text or b"\0" in tail_text:
            return None
        prepared = cls(
            head=_deflate(head_text, ONCE_LEVEL, zlib.Z_SYNC_FLUSH),
            head_text=head_text[-WINDOW:],
            head_crc=zlib.crc32(head_text),
            values_length=len(middle),
            value_lengths=tuple(len(v) for v in values),
            tail=_deflate(
                tail_text, ONCE_LEVEL, zlib.Z_FINISH, before=head_text + b"\0" * len(middle)
            ),
            tail_text=tail_text,
            length=len(head_text) + len(middle) + len(tail_text),
        )
        page = head_text + middle + tail_text
        try:
            joined = zlib.decompress(prepared.body(parts, values) or b"", 31)
        except zlib.error:
            joined = None
        if joined != page:  # never expected: then this page is compressed as usual
            log.error("gzip parts do not join into the page; compressing it per request")
            return None
        return prepared

    def body(self, parts: Sequence[bytes | int], values: Sequence[bytes]) -> bytes | None:
        """The gzip body of the page with these values; None for values of other lengths."""
        if tuple(len(v) for v in values) != self.value_lengths:
            return None
        middle = _middle(parts, values)
        if middle:
            middle_deflated = _deflate(middle, VALUES_LEVEL, zlib.Z_SYNC_FLUSH, self.head_text)
        else:
            middle_deflated = b""
        crc = zlib.crc32(self.tail_text, zlib.crc32(middle, self.head_crc))
        trailer = struct.pack("<II", crc, self.length & 0xFFFFFFFF)
        return b"".join((HEADER, self.head, middle_deflated, self.tail, trailer))


def _middle(parts: Sequence[bytes | int], values: Sequence[bytes]) -> bytes:
    """The values and the text between them: everything but the first and the last text."""
    return b"".join(values[p] if isinstance(p, int) else p for p in parts[1:-1])
