"""Counts in the staff's English: "1 site", "2 sites", "0 reports".

Staff pages, staff emails and the command line are in English only, and their strings are not
extracted for translation (the reporter's are, and say counts with ngettext and each language's
plural rule, in its catalogue). English has two forms: one for 1, the other for every other
number, 0 included. Both forms are given, as to ngettext: "police force", "police forces".
"""

from __future__ import annotations


def plural(n: int, one: str, other: str) -> str:
    """The form of a word for `n`: plural(1, "has", "have") is "has"."""
    return one if n == 1 else other


def counted(n: int, one: str, other: str) -> str:
    """`n` and the form of its noun: counted(1, "site", "sites") is "1 site"."""
    return f"{n} {plural(n, one, other)}"
