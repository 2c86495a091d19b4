"""The focus ring of a text field never covers its label, in English and in Arabic (right to left,
whose letters reach further below the line: in Arabic the ring covered part of "رقم الهاتف",
the phone field's label). The ring is the field's outline and the shadow around it, measured from
the computed style, so a wider ring is measured as it is drawn."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# For each text field that shows on the form (not the honeypot, out of the tab order): the box its focus ring covers, and the boxes of
# its label (the element, and each line of its letters).
RINGS = """() => [...document.querySelectorAll(
    'input[type=text], input[type=tel], input[type=email], input[type=datetime-local], textarea'
)].filter(field => field.getClientRects().length && field.tabIndex >= 0).map(field => {
    field.focus();
    const style = getComputedStyle(field);
    const px = value => parseFloat(value) || 0;
    const outline = style.outlineStyle === 'none' ? 0 : px(style.outlineWidth)
        + px(style.outlineOffset);
    // box-shadow: colour, then x, y, blur and spread in px, for each shadow.
    const shadow = Math.max(0, ...[...style.boxShadow.matchAll(
        /(-?[\\d.]+)px (-?[\\d.]+)px (-?[\\d.]+)px (-?[\\d.]+)px/g
    )].filter(m => !style.boxShadow.includes('inset'))
      .map(([, x, y, blur, spread]) => Math.max(Math.abs(x), Math.abs(y)) + +blur + +spread));
    const reach = Math.max(outline, shadow);
    const box = field.getBoundingClientRect();
    const label = document.querySelector(`label[for="${field.id}"]`);
    const letters = document.createRange();
    letters.selectNodeContents(label);
    return {
        id: field.id,
        focused: field.matches(':focus-visible'),
        reach: reach,
        ring: {top: box.top - reach, bottom: box.bottom + reach,
               left: box.left - reach, right: box.right + reach},
        label: [label.getBoundingClientRect(), ...letters.getClientRects()].map(b => (
            {top: b.top, bottom: b.bottom, left: b.left, right: b.right}
        )),
    };
})"""


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_focused_fields_ring_does_not_cover_its_label(reporter, lang):
    person = reporter(lang)
    person.open_form("rail")
    share = person.t("Share my details: the police may contact me too")
    person.page.get_by_role("radio", name=share, exact=True).check()  # the contact fields show
    rings = {ring["id"]: ring for ring in person.page.evaluate(RINGS)}
    assert "phone" in rings and len(rings) >= 5, sorted(rings)
    assert rings["phone"]["reach"] >= 3, rings["phone"]  # the ring is drawn and measured
    for field, ring in rings.items():
        assert ring["focused"], field
        covered = [box for box in ring["label"] if overlaps(ring["ring"], box)]
        assert not covered, f"{lang}: the ring of {field} {ring['ring']} covers {covered}"
