"""The poster and card pages printed at a desk (Chromium, as staff print them): every line breaks
between words, never inside one ("l-/ați" on the Romanian title), in every language. Each word's
place on the page is measured: a word cut across two lines lies on two lines."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import Page

from reporter.i18n import LOCALES
from reporter.services.partnerships import posters
from reporter.triage import poster_pages
from tests.browser.test_browser_partners import sign_in
from tests.factories import make_partner, make_site, make_user

pytestmark = pytest.mark.browser

# For every paragraph of the sheet: the words (split at white space) that lie on more than one
# line. A word's rectangles are on one line when their tops are within half a font size (mixed
# fonts on one line start a little apart; the next line starts 1.15 font sizes or more below).
WORDS_ON_TWO_LINES = """() => {
  const cut = [];
  for (const block of document.querySelectorAll('.sheet h1, .sheet p')) {
    const nodes = [], walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let text = '';
    while (walker.nextNode()) {
      nodes.push([walker.currentNode, text.length]);
      text += walker.currentNode.data;
    }
    const at = (index) => {
      let found = nodes[0];
      for (const node of nodes) if (node[1] <= index) found = node;
      return [found[0], index - found[1]];
    };
    const size = parseFloat(getComputedStyle(block).fontSize);
    for (const match of text.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(...at(match.index));
      range.setEnd(...at(match.index + match[0].length - 1));
      range.setEnd(range.endContainer, range.endOffset + 1);
      const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top);
      if (Math.max(...tops) - Math.min(...tops) > size / 2) cut.push(match[0]);
    }
  }
  return cut;
}"""


def cut_words(page: Page) -> list[str]:
    return page.evaluate(WORDS_ON_TWO_LINES)


def test_every_line_of_every_poster_and_card_breaks_between_words(new_page, live_server):
    with live_server.app.app_context():
        admin = make_user(role="admin").email
        sites = [(lang, make_site(make_partner(language=lang), station="LDS")) for lang in LOCALES]
        sheets = [(lang, site.partner_id, site.id) for lang, site in sites]
    page = new_page("en-GB")
    sign_in(page, live_server, admin)
    found = {}
    for lang, partner_id, site_id in sheets:
        for kind in posters.SIZES:
            page.goto(f"{live_server.url}/triage/partners/{partner_id}/sites/{site_id}/{kind}")
            found[lang, kind] = cut_words(page)
    assert {sheet: words for sheet, words in found.items() if words} == {}
    assert len(found) == len(LOCALES) * 2


def test_a_hyphenated_word_at_the_end_of_a_line_moves_whole_to_the_next(new_page, live_server):
    """The title that broke "l-/ați", made long enough that some line ends in such a word, drawn
    by `render_sheet` and served at the app's address (so that its stylesheets load)."""
    with live_server.app.test_request_context("/"):
        site = make_site(make_partner(language="ro"), station="LDS")
        sheet = posters.sheet_values(site)
        first = dataclasses.replace(sheet.texts[0], headline=" ".join(["l-ați", "văzut"] * 12))
        sheet = dataclasses.replace(sheet, texts=(first, *sheet.texts[1:]))
        pages = {kind: poster_pages.render_sheet(sheet, kind) for kind in posters.SIZES}
    page = new_page("en-GB")
    page.route(
        f"{live_server.url}/crafted/*",
        lambda route: route.fulfill(
            body=pages[route.request.url.rsplit("/", 1)[1]], content_type="text/html"
        ),
    )
    for kind in pages:
        address = f"{live_server.url}/crafted/{kind}"
        page.goto(address)
        lines = page.locator("h1.headline").evaluate(
            "h => Math.round(h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight))"
        )
        assert lines > 3
        assert cut_words(page) == [], kind
