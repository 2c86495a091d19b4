"""The safety-critical strings are listed in the README, for a native reviewer to check first."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_lists_every_safety_critical_string():
    with open(ROOT / "translations" / "safety_critical.toml", "rb") as f:
        entries = tomllib.load(f)["string"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(entries) >= 10
    missing = [e["text"] for e in entries if f'"{e["text"]}"' not in readme]
    assert missing == []


def test_the_catalogues_mark_authority_sentences_as_safety_critical():
    from babel.messages.pofile import read_po

    with open(ROOT / "translations" / "pl" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    message = catalog.get("Police (emergency)")
    assert any(c.startswith("SAFETY-CRITICAL") for c in message.auto_comments)


REVIEWED = [
    # (language, source, words the translation must hold, words it must not)
    ("ar", "Text %(number)s", "SMS", None),
    ("pl", "You said a child is in danger right now. Call 999 now if you have not already.",
     "nie dzwoniłeś", "nie zrobiono"),
    ("cy", "If you are under 18 and want to talk to someone. Free, and it will not show on the "
     "phone bill.", "ni fydd", "a fydd"),
    ("uk", "Our system is not working right now. Please contact one of these now. Your answers "
     "are still below, so you can try sending again later.", "все ще", "збережені"),
    ("so", "Who to contact now", "La xiriir", "karto"),
    ("uk", "NSPCC Helpline", "дітей", None),
    ("bn", "NSPCC Helpline", "শিশু", None),
    ("so", "NSPCC Helpline", "carruurta", None),
]  # fmt: skip


def _catalog(lang):
    from babel.messages.pofile import read_po

    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_reviewed_wordings_stay_fixed():
    for lang, source, must, must_not in REVIEWED:
        text = _catalog(lang).get(source).string
        assert must in text, (lang, source)
        assert must_not is None or must_not not in text, (lang, source)


def test_arabic_says_two_minutes_without_repeating_the_number():
    message = _catalog("ar").get(
        ("Please try again in %(count)s minute.", "Please try again in %(count)s minutes.")
    )
    assert message.string[2] == "يُرجى المحاولة مرة أخرى بعد دقيقتين."
