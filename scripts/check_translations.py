"""Fail when translations are not fit to ship (run by `make check-translations`, so `make test`):

- translations/messages.pot is stale (the code or templates have strings it lacks, or vice versa);
- a supported language has no catalogue;
- a catalogue misses a string, leaves one empty or fuzzy, or keeps English as the translation;
- a translation breaks a placeholder (`%(name)s`, `{{ count }}`), or a catalogue does not compile.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from reporter.i18n import DEFAULT_LOCALE, LOCALES  # noqa: E402

TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{ ?[a-z_]+ ?\}\}")
# Names that are the same in every language: official names of services and the campaign.
SAME_IN_EVERY_LANGUAGE = {
    "#LookCloser", "LookCloser Reporter", "Childline", "Crimestoppers", "NSPCC Helpline",
}  # fmt: skip


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def check_template_fresh(problems: list[str]) -> None:
    pot = TRANSLATIONS / "messages.pot"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "--no-location",
             "--omit-header", "--sort-output", "-F", "babel.cfg", "-k", "_l",
             "-k", "lazy_gettext", "-o", str(fresh), "."],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        with open(fresh, "rb") as f:
            wanted = _ids(read_po(f))
    if not pot.exists():
        problems.append("translations/messages.pot is missing: run `make extract`")
        return
    with open(pot, "rb") as f:
        have = _ids(read_po(f))
    if wanted != have:
        problems.append(
            f"translations/messages.pot is stale ({len(wanted - have)} new, "
            f"{len(have - wanted)} gone): run `make update`"
        )


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def check_catalogue(locale: str, template_ids: set[str], problems: list[str]) -> None:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        problems.append(f"{locale}: no catalogue at {path.relative_to(ROOT)}")
        return
    with open(path, "rb") as f:
        catalog = read_po(f, locale=locale)
    if missing := template_ids - _ids(catalog):
        problems.append(f"{locale}: {len(missing)} strings missing, e.g. {sorted(missing)[0]!r}")
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        label = f"{locale}: {ids[0][:50]!r}"
        if message.fuzzy:
            problems.append(f"{label} is fuzzy")
        if not all(texts):
            problems.append(f"{label} is not translated")
            continue
        for text in texts:
            if _placeholders(text) != _placeholders(ids[-1]) and _placeholders(
                text
            ) != _placeholders(ids[0]):
                problems.append(f"{label} breaks a placeholder: {text[:60]!r}")
        if (
            texts[0] == ids[0]
            and ids[0] not in SAME_IN_EVERY_LANGUAGE
            and re.search("[a-z]{3}", ids[0])
        ):
            problems.append(f"{label} is left in English")


def main() -> int:
    problems: list[str] = []
    check_template_fresh(problems)
    pot = TRANSLATIONS / "messages.pot"
    if pot.exists():
        with open(pot, "rb") as f:
            template_ids = _ids(read_po(f))
        for locale in LOCALES:
            if locale != DEFAULT_LOCALE:
                check_catalogue(locale, template_ids, problems)
    for problem in problems:
        print(f"translation problem: {problem}")
    print(f"check-translations: {len(problems)} problems in {len(LOCALES) - 1} catalogues")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
