"""Mark the safety-critical strings in translations/messages.pot (run by `make extract`).

The list is translations/safety_critical.toml; each listed string gets the comment
"SAFETY-CRITICAL: <note>", which `make update` carries into every catalogue, so translators and
reviewers see it beside the string. Fails when a listed string is not in the template.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "translations" / "messages.pot"
LIST = ROOT / "translations" / "safety_critical.toml"
MARK = "SAFETY-CRITICAL"


def safety_strings() -> list[dict]:
    with open(LIST, "rb") as f:
        return tomllib.load(f)["string"]


def main() -> int:
    with open(TEMPLATE, "rb") as f:
        template = read_po(f)
    missing = []
    for entry in safety_strings():
        message = template.get(entry["text"])
        if message is None:
            missing.append(entry["text"])
            continue
        comments = [c for c in message.auto_comments if not c.startswith(MARK)]
        message.auto_comments = [*comments, f"{MARK}: {entry['note']}"]
    with open(TEMPLATE, "wb") as f:
        write_po(f, template, width=76, omit_header=True, sort_output=True)
    for text in missing:
        print(f"mark_safety: not in the code any more (update {LIST.name}): {text!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
