"""Every page a reporter meets, in every language: no WCAG 2.2 A/AA problem that axe-core can
find, and no sideways scrolling at 320 CSS px or at 200% zoom (reflow, WCAG 1.4.10).

Each page is reached once for both checks (reaching the outcome and rate-limit pages takes whole
submissions, and the suite must stay fast). Each is also saved as a screenshot at 360x740
(tests/browser/screenshots/<lang>-<page>.png, not kept in git) for a person to look at.
"""

from __future__ import annotations

import pytest
from browser_support import (
    LANGUAGES,
    PAGES,
    RATE_LIMITED,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    numbers_split_over_lines,
)

pytestmark = pytest.mark.browser

# 320 CSS px is WCAG's reflow width. A 1280 px window zoomed to 200% lays a page out in 640 CSS px
# (at two device pixels each: the pixel ratio does not change the layout, so one tab serves both).
REFLOW_SIZES = {"320px": {"width": 320, "height": 640}, "zoom200": {"width": 640, "height": 740}}


@pytest.mark.parametrize("page_name", PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_is_accessible_and_reflows(reporter, serve, lang, page_name):
    server = serve(**RATE_LIMITED) if page_name == "rate-limited" else None
    person = reporter(lang, server=server)
    page = person.page
    person.reach(page_name)
    assert person.html_lang()[0] == lang
    person.screenshot(page_name)

    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(
            f"axe-core found {len(violations)} violation(s):\n{describe_violations(violations)}"
        )
    for size, viewport in REFLOW_SIZES.items():
        page.set_viewport_size(viewport)
        layout = horizontal_overflow(page)
        if layout["scrollWidth"] > layout["clientWidth"]:
            problems.append(f"scrolls sideways at {size}: {layout}")
    if page.errors:
        problems.append(f"JavaScript errors: {page.errors}")
    assert not problems, f"{lang} {page_name} ({page.url}):\n" + "\n".join(problems)


def test_axe_check_finds_a_planted_problem(reporter):
    """The check above can fail: axe-core runs in the page, under its CSP, with these rules."""
    person = reporter("en")
    person.reach("sectors")
    person.page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.src = '/static/planted.png';
            document.querySelector('main').append(img);
            document.documentElement.removeAttribute('lang');
        }"""
    )
    found = {v["id"]: v for v in axe_violations(person.page)}
    assert {"image-alt", "html-has-lang"} <= found.keys()
    assert '<img src="/static/planted.png">' in describe_violations([found["image-alt"]])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_phone_numbers_are_never_split_over_two_lines(reporter, lang):
    person = reporter(lang, viewport=REFLOW_SIZES["320px"])
    person.reach("outcome")
    assert numbers_split_over_lines(person.page) == []
