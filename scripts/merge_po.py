"""A git merge driver for gettext catalogues (.po, .pot): a three-way merge by message.

Branches that each add translated strings touch the same sorted catalogues; a line merge calls
every neighbouring insertion a conflict. This merges message by message: a message added or
changed on one side is kept; changed differently on both sides is a real conflict (exit 1,
"ours" kept and the id printed). Enable it once per clone:

    git config merge.po.driver "python3 scripts/merge_po.py %O %A %B"

(.gitattributes names the files). Run `make update` after a merge to re-sort.
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _read(path: str):
    with open(path, "rb") as f:
        return read_po(f)


def _headless(path: str) -> bool:
    with open(path, encoding="utf-8") as f:
        return '"Project-Id-Version:' not in f.read()


def _key(message):
    return (message.id, message.context)


def main(base_path: str, ours_path: str, theirs_path: str) -> int:
    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    base_msgs = {_key(m): m for m in base if m.id}
    theirs_msgs = {_key(m): m for m in theirs if m.id}
    conflicts = []
    for key, mine in list((_key(m), m) for m in ours if m.id):
        old, new = base_msgs.get(key), theirs_msgs.get(key)
        if new is None:
            if old is not None and old.string == mine.string:
                ours.delete(key[0], key[1])  # they removed it and we did not change it
            continue
        if new.string == mine.string or (old is not None and new.string == old.string):
            continue
        if old is None or mine.string == old.string:
            mine.string = new.string
            mine.auto_comments = new.auto_comments
        else:
            conflicts.append(key[0])
    for key, new in theirs_msgs.items():
        if ours.get(key[0], key[1]) is None and key not in base_msgs:
            ours[key[0]] = new
    with open(ours_path, "wb") as f:
        headless = _headless(base_path)  # the .pot: extracted with no header, wrapped at 76
        write_po(f, ours, width=76 if headless else None, sort_output=True, omit_header=headless)
    for msgid in conflicts:
        print(f"merge_po: both sides changed {msgid!r}; kept ours", file=sys.stderr)
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
