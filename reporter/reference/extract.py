"""A Babel extractor for the reference TOML files: the words reporters read (sector names, sign
labels, authority names and sentences, region names) go into the translation catalogues."""

from __future__ import annotations

import tomllib

TRANSLATED_KEYS = {"name", "label", "when", "tell", "after_999"}
# Tables whose names are shown to staff only, in English.
UNTRANSLATED_TABLES = {"forces"}


def _strings(node, table: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in UNTRANSLATED_TABLES:
                continue
            if key in TRANSLATED_KEYS and isinstance(value, str):
                yield key, value
            else:
                yield from _strings(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, table)


def extract_reference(fileobj, keywords, comment_tags, options):
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    # Whom to call, and when: every authority's words are safety-critical.
    safety = ["SAFETY-CRITICAL: who to call and when"] if _is_authorities(fileobj) else []
    for key, value in _strings(tomllib.loads(text)):
        lineno = next((i for i, line in enumerate(lines, 1) if value in line), 0)
        yield lineno, None, value, [f"reference data: {key}", *safety]


def _is_authorities(fileobj) -> bool:
    return str(getattr(fileobj, "name", "")).endswith("authorities.toml")
