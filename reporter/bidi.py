"""Names typed by staff (partners, sites, API keys) shown to others: no hidden direction
controls in, and isolated out.

A right-to-left override typed or pasted into a name ("Evil\u202egpj.exe\u202c Ltd") reorders
the text around it ("Evilexe.jpg Ltd"). Such controls are refused on input (`text_problem`), and
every name is isolated where it is shown, so that even a name stored before, or a right-to-left
name beside English, cannot reorder its surroundings: `<bdi>` in HTML (`bdi`), the Unicode
isolates FSI...PDI in plain text such as a page title or a CSV cell (`isolated_text`). Pure.
"""

from __future__ import annotations

import unicodedata

from markupsafe import Markup

# Explicit direction formatting (embeddings, overrides, isolates) and the implicit marks.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
FSI, PDI = "\u2068", "\u2069"
# Bidirectional classes that can move text around them: right-to-left letters and numbers, and
# the explicit controls.
_MOVING = frozenset(
    {"R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)


def text_problem(value: str, what: str) -> str | None:
    """Why `value` cannot be a name shown to others (`what`: "The label"), or None."""
    hidden = sorted({f"U+{ord(c):04X}" for c in value if c in BIDI_CONTROLS})
    if hidden:
        return (
            f"{what} contains a hidden direction control ({', '.join(hidden)}) that would "
            "reorder the text shown around it. Type it again rather than pasting it."
        )
    controls = sorted({f"U+{ord(c):04X}" for c in value if unicodedata.category(c) == "Cc"})
    if controls:
        return f"{what} contains a control character ({', '.join(controls)}): remove it."
    return None


def shown_safely(value: str) -> str:
    """`value` with control characters as U+FFFD, to show a refused value back (a NUL is not
    even valid in an HTML page)."""
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in value)


def _moves(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in _MOVING for c in text)


def isolated_text(value: object) -> str:
    """`value` as plain text that cannot reorder what is around it: between FSI and PDI when it
    holds anything right-to-left or a direction control; unchanged otherwise, so an ordinary
    name is byte for byte what was typed (a partner's spreadsheet reads links.csv)."""
    text = "" if value is None else str(value)
    return f"{FSI}{text}{PDI}" if _moves(text) else text


def bdi(value: object) -> Markup:
    """`value` escaped, in a `<bdi>` element: isolated from the text around it."""
    return Markup("<bdi>{}</bdi>").format("" if value is None else value)
