"""Each language gets its own `lang`, and right-to-left languages a mirrored layout."""

from __future__ import annotations

import pytest
from browser_support import LANGUAGES, PHONE

pytestmark = pytest.mark.browser

DIRECTION = {"en": "ltr", "cy": "ltr", "ar": "rtl"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lang_query_sets_language_and_direction_of_the_form(reporter, lang):
    person = reporter("en").in_language(lang)  # the browser asks for English: ?lang= wins
    page = person.page
    page.goto(f"{person.server.url}/report?sector=rail&lang={lang}")
    assert person.html_lang() == [lang, DIRECTION[lang]]

    middle = PHONE["width"] / 2
    sign = person.sign_box(person.signs("rail", 1)[0])
    box = sign.bounding_box()
    label = page.get_by_text(person.t(person.signs("rail", 1)[0].label), exact=True)
    label_box = label.bounding_box()
    legend = page.get_by_text(person.t("What did you notice?"), exact=True).bounding_box()
    if DIRECTION[lang] == "rtl":
        # Start-aligned things sit on the right, and a label comes after (left of) its box.
        assert box["x"] > middle, f"checkbox not on the right: {box}"
        assert label_box["x"] + label_box["width"] <= box["x"] + 1
        assert legend["x"] + legend["width"] > PHONE["width"] - 40, f"legend: {legend}"
    else:
        assert box["x"] + box["width"] < middle, f"checkbox not on the left: {box}"
        assert label_box["x"] >= box["x"] + box["width"] - 1
        assert legend["x"] < 40, f"legend: {legend}"


@pytest.mark.parametrize("lang", ["cy", "ar"])
def test_lang_chosen_by_query_is_kept_for_the_journey(reporter, lang):
    """A QR poster or link with ?lang= leads to the form, and the form to the outcome, in it."""
    person = reporter("en").in_language(lang)
    person.page.goto(f"{person.server.url}/?lang={lang}")
    assert person.html_lang()[0] == lang
    person.choose_setting("rail")
    assert person.html_lang()[0] == lang
    person.fill_rail_report(person.signs("rail", 1))
    assert person.send().status == 200
    assert person.html_lang()[0] == lang
    person.reference_shown()


BRAND_CHARACTERS = """el => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !node.textContent.includes('#')) {}
    const at = node.textContent.indexOf('#');
    const x = i => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect().x;
    };
    return [x(at), x(at + 1)];
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_campaign_hashtag_reads_left_to_right(reporter, lang):
    """#LookCloser is a name: the # comes before it in every language."""
    person = reporter(lang)
    person.open_start()
    brand = person.page.locator("header").get_by_text("#LookCloser", exact=True)
    hash_x, letter_x = brand.evaluate(BRAND_CHARACTERS)
    assert hash_x < letter_x, "the # is drawn after LookCloser"
