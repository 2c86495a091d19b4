"""The form does not move once it is shown (issue 22): what the page's scripts add above the form
(the note that answers are kept on this phone) has its place kept from the first paint.

Lighthouse is not installed here. What is measured is what Lighthouse sums as cumulative layout
shift: every `layout-shift` performance entry without recent input, read with a
PerformanceObserver in Chromium, on a first visit (no service worker yet) at Lighthouse's phone
size, with its slow-4G network and 4x slower CPU, and the production settings (page cache and
rate limits on)."""

from __future__ import annotations

import re
import time

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


class ArrivesInTwoParts:
    """WSGI middleware: the form page is sent uncompressed in two parts, the first ending at
    `after`, with a pause between (as a slow link delivers it, so the browser may paint the
    first part); `expect=False` also takes the page's `<link rel="expect">` out, as a browser
    that does not know it would ignore it."""

    def __init__(self, app, after: bytes, expect: bool):
        self.app, self.after, self.expect = app, after, expect

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] != "/report":
            return self.app(environ, start_response)
        environ.pop("HTTP_ACCEPT_ENCODING", None)
        headers: list = []
        body = b"".join(self.app(environ, lambda status, h, *a: headers.append((status, h))))
        if not self.expect:
            body = re.sub(rb'<link rel="expect"[^>]*>', b"", body)
        [(status, sent)] = headers
        start_response(status, [(k, v) for k, v in sent if k.lower() != "content-length"])
        cut = body.index(self.after) + len(self.after)

        def parts():
            yield body[:cut] + b" " * 2048  # enough for the browser to parse and paint
            time.sleep(0.6)
            yield body[cut:]

        return parts()


@pytest.mark.parametrize("expect", [True, False], ids=["expect", "no-expect"])
@pytest.mark.parametrize(
    "after",
    [b'<details class="languages">', b'<span class="brand" dir="ltr">', b"<summary>"],
    ids=["switcher", "brand", "summary"],
)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_header_does_not_move_when_the_page_arrives_in_parts(
    reporter, serve, lang, after, expect
):
    """Found by CI: a first paint with the switcher's `<details>` but not yet its summary showed
    the browser's own "Details" summary, and the header moved when the real one came."""
    server = serve()
    server.app.wsgi_app = ArrivesInTwoParts(server.app.wsgi_app, after, expect)
    person = reporter(lang, server=server, viewport=LIGHTHOUSE_PHONE, service_workers="block")
    person.open_form("rail")
    shifts = layout_shifts(person)
    assert sum(s["value"] for s in shifts) == 0, shifts
