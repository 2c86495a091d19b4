"""The safety-critical strings are listed in the README, for a native reviewer to check first."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

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
    ("cy", "If you are under 19 and want to talk to someone. Free, and it does not show on the "
     "bill from a landline or most mobile networks.", "nid yw", "a fydd"),
    ("uk", "Our system is not working right now. Please contact one of these now. Your answers "
     "are still below, so you can try sending again later.", "все ще", "збережені"),
    ("so", "Who to contact now", "La xiriir", "karto"),
    ("uk", "NSPCC Helpline", "дітей", None),
    ("bn", "NSPCC Helpline", "শিশু", None),
    ("so", "NSPCC Helpline", "carruurta", None),
    # Nothing is stored when a report fails: the answers are only still on this page.
    ("bg", "Our system is not working right now. Please contact one of these now. Your answers "
     "are still below, so you can try sending again later.", "все още са на тази страница",
     "запазени"),
    ("bg", "Too many reports have come from your internet connection. Please contact one of "
     "these now. Your answers are still below, so you can send them later.",
     "все още са на тази страница", "запазени"),
    # The consent choices lead with who may contact the reporter, as most catalogues do.
    ("pl", "Keep my details private: only the LookCloser team may contact me", "Tylko LookCloser:",
     None),
    ("pl", "Share my details: the police may contact me too", "Także policja:", None),
    ("ro", "Keep my details private: only the LookCloser team may contact me", "Doar LookCloser:",
     None),
    ("ro", "Share my details: the police may contact me too", "Și poliția:", None),
    # A choice, not an instruction to go and tell the police ("পুলিশকেও জানান").
    ("bn", "Share my details: the police may contact me too", "পুলিশও:", "জানান"),
    # Private, as the English says; not a promise that only the team ever sees the details.
    ("uk", "Keep my details private: only the LookCloser team may contact me", "конфіденційн",
     "бачить"),
    # An instruction ("contact one of these now"), not a question ("whom are you calling?").
    ("ar", "Who to contact now", "تواصل", "بمن"),
    # "The first one on this list", not "the first place".
    ("pl", "You do not have to call anyone: your report is sent. The LookCloser team does not act "
     "straight away, so if you can, also contact the first one on this list now: they can act "
     "sooner. The others can help too.", "z pierwszym z tej", "miejsc"),
]  # fmt: skip


def _catalog(lang):
    from babel.messages.pofile import read_po

    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize(
    ("lang", "source", "must", "must_not"),
    REVIEWED,
    ids=[f"{lang}-{n}" for n, (lang, *_) in enumerate(REVIEWED)],
)
def test_reviewed_wordings_stay_fixed(lang, source, must, must_not):
    text = _catalog(lang).get(source).string
    assert must in text
    assert must_not is None or must_not not in text


def test_arabic_says_two_minutes_without_repeating_the_number():
    message = _catalog("ar").get(
        ("Please try again in %(count)s minute.", "Please try again in %(count)s minutes.")
    )
    assert message.string[2] == "يُرجى المحاولة مرة أخرى بعد دقيقتين."


BTP_TEXT = [
    "Text %(number)s",
    "British Transport Police (text)",
    "On the railway, when no one is in danger right now. You can text without anyone hearing.",
    "On the railway, you can also text them what you saw, without anyone hearing.",
    "Text what you saw, where, when, and which train and carriage.",
]


def test_the_text_to_btp_says_sms_not_just_a_message():
    """ "Send a message" may send a reader to WhatsApp: the button and the card say SMS."""
    for lang in ("ar", "ckb", "so", "ti", "ur"):
        catalog = _catalog(lang)
        assert [s for s in BTP_TEXT if "SMS" not in catalog.get(s).string] == [], lang


def _review() -> dict:
    with open(ROOT / "translations" / "review.toml", "rb") as f:
        return tomllib.load(f)


def test_every_catalogue_records_whether_a_native_speaker_has_reviewed_it():
    from reporter.i18n import DEFAULT_LOCALE, LOCALES

    review = _review()
    assert set(review) == set(LOCALES) - {DEFAULT_LOCALE}
    for lang, entry in review.items():
        if entry["native_review"] is True:
            assert entry["reviewed_on"] and entry["reviewer"], lang
        else:
            assert entry == {"native_review": False}, lang


def test_the_readme_names_every_language_not_reviewed_by_a_native_speaker():
    from babel import Locale

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Native review", 1)[1].split("\n#", 1)[0]
    review = _review()
    named = {lang: Locale.parse(lang).get_display_name("en") in section for lang in review}
    assert named == {lang: not entry["native_review"] for lang, entry in review.items()}
    for lang in ("ckb", "so", "ti"):
        assert review[lang]["native_review"] is False
