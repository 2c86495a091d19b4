"""The form does not move once it is shown (issue 22): what the page's scripts add above the form
(the note that answers are kept on this phone) has its place kept from the first paint.

Lighthouse is not installed here. What is measured is what Lighthouse sums as cumulative layout
shift: every `layout-shift` performance entry without recent input, read with a
PerformanceObserver in Chromium, on a first visit (no service worker yet) at Lighthouse's phone
size, with its slow-4G network and 4x slower CPU, and the production settings (page cache and
rate limits on)."""

from __future__ import annotations

import pytest
from browser_support import DESCRIPTION, PHONE

pytestmark = pytest.mark.browser

LIGHTHOUSE_PHONE = {"width": 412, "height": 823}
PRODUCTION = {"RATELIMIT_ENABLED": True}
# Lighthouse's "slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up; CPU 4x slower.
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_638_400 / 8,
    "uploadThroughput": 750_000 / 8,
}
# Everything that shifted, once the page has loaded and its scripts have run (2 s later).
LAYOUT_SHIFTS = """() => new Promise(resolve => {
    const shifts = [];
    new PerformanceObserver(list => list.getEntries().forEach(entry => {
        if (!entry.hadRecentInput) shifts.push({
            value: entry.value,
            moved: entry.sources.map(s => s.node ? s.node.outerHTML.slice(0, 80) : '?'),
        });
    })).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(shifts), 2000);
})"""


def slow_phone(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})


def layout_shifts(person) -> list[dict]:
    person.page.wait_for_load_state("load")
    return person.page.evaluate(LAYOUT_SHIFTS)


@pytest.mark.parametrize("viewport", [LIGHTHOUSE_PHONE, PHONE], ids=["412x823", "360x740"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_form_does_not_move_after_it_is_shown(reporter, serve, lang, viewport):
    person = reporter(lang, server=serve(**PRODUCTION), viewport=viewport)
    slow_phone(person.page)
    person.open_form("rail")
    shifts = layout_shifts(person)
    assert sum(s["value"] for s in shifts) == 0, shifts
    assert person.page.locator("#draft-notice").is_visible()  # shown, in the place kept for it


def test_the_form_does_not_move_when_it_opens_on_answers_kept_on_the_phone(reporter, serve):
    person = reporter("en", server=serve(**PRODUCTION), viewport=LIGHTHOUSE_PHONE)
    person.open_form("rail")
    person.textbox("What did you see?").fill(DESCRIPTION)
    slow_phone(person.page)
    person.open_form("rail")
    shifts = layout_shifts(person)
    assert sum(s["value"] for s in shifts) == 0, shifts
