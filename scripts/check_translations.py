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
from scripts.mark_safety import MARK, safety_strings  # noqa: E402

TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{ ?[a-z_]+ ?\}\}")
# Names that are the same in every language: official names of services and the campaign.
SAME_IN_EVERY_LANGUAGE = {
    "#LookCloser", "LookCloser Reporter", "Childline", "Crimestoppers",
}  # fmt: skip
FIRST_WORD = re.compile(r"[^\s:：፦،,]+")


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


def _keeps_placeholders(text: str, ids: tuple[str, ...], plural_form: int | None) -> bool:
    """A translation keeps the source's placeholders. A plural form other than the last may
    leave the number out ("two minutes" in Arabic's dual), but may never add one."""
    found = _placeholders(text)
    if found in (_placeholders(ids[-1]), _placeholders(ids[0])):
        return True
    return plural_form is not None and set(found) < set(_placeholders(ids[-1]))


def check_safety_strings(catalogs: dict, problems: list[str]) -> None:
    """Every listed safety-critical string is still in the template and marked for translators;
    the strings of one group (the consent choices) differ in their first words everywhere."""
    pot = catalogs[DEFAULT_LOCALE]
    groups: dict[str, list[str]] = {}
    for entry in safety_strings():
        message = pot.get(entry["text"])
        if message is None:
            problems.append(f"safety-critical string not in the code: {entry['text'][:50]!r}")
            continue
        if not any(c.startswith(MARK) for c in message.auto_comments):
            problems.append(
                f"safety-critical string not marked: run `make extract` ({entry['text'][:40]!r})"
            )
        if "group" in entry:
            groups.setdefault(entry["group"], []).append(entry["text"])
    for locale, catalog in catalogs.items():
        for group, texts in groups.items():
            firsts = [
                FIRST_WORD.match(catalog.get(t).string or t).group().casefold()
                if locale != DEFAULT_LOCALE and catalog.get(t) and catalog.get(t).string
                else FIRST_WORD.match(t).group().casefold()
                for t in texts
            ]
            if len(set(firsts)) < len(firsts):
                problems.append(f"{locale}: the {group} choices start alike: {firsts}")


def check_catalogue(locale: str, template_ids: set[str], problems: list[str]):
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        problems.append(f"{locale}: no catalogue at {path.relative_to(ROOT)}")
        return None
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
        for form, text in enumerate(texts):
            if not _keeps_placeholders(text, ids, plural_form=form if len(texts) > 1 else None):
                problems.append(f"{label} breaks a placeholder: {text[:60]!r}")
        if (
            texts[0] == ids[0]
            and ids[0] not in SAME_IN_EVERY_LANGUAGE
            and re.search("[a-z]{3}", ids[0])
        ):
            problems.append(f"{label} is left in English")
    return catalog


def main() -> int:
    problems: list[str] = []
    check_template_fresh(problems)
    pot = TRANSLATIONS / "messages.pot"
    if pot.exists():
        with open(pot, "rb") as f:
            template = read_po(f)
        template_ids = _ids(template)
        catalogs = {DEFAULT_LOCALE: template}
        for locale in LOCALES:
            if locale != DEFAULT_LOCALE:
                catalogs[locale] = check_catalogue(locale, template_ids, problems)
        check_safety_strings({k: v for k, v in catalogs.items() if v is not None}, problems)
    for problem in problems:
        print(f"translation problem: {problem}")
    print(f"check-translations: {len(problems)} problems in {len(LOCALES) - 1} catalogues")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
