"""What the browser tests share: a reporter walking through the app, axe-core, layout checks.

A `Reporter` finds every element by its accessible name, taken at run time from the app's own
catalogues, so the same steps work in every language however far its translation has got.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import axe_playwright_python
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, Response

from reporter.i18n import native_name

CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without these Chromium hangs trying to reach Google's services.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
LANGUAGES = ("en", "cy", "ar")
# The pages a reporter can meet, by the names used in test ids and screenshot files.
# "switcher" is the form with the language switcher open.
PAGES = ("sectors", "form", "switcher", "form-error", "outcome", "rate-limited")
RATE_LIMITED = {"RATELIMIT_ENABLED": True, "REPORT_RATE_LIMIT": "1 per hour"}
SCREENSHOTS = Path(__file__).parent / "screenshots"
REFERENCE = re.compile(r"^LC-[A-Z0-9]{4}-[A-Z0-9]{4}$")
POSTCODE = "LE1 6RN"
DESCRIPTION = "Two young people by the ticket barrier at 9pm, one with two phones."


@dataclass
class LiveServer:
    app: Flask
    url: str


class Reporter:
    """A person using the app in `lang`, on a page of their own browser profile."""

    def __init__(self, page: Page, server: LiveServer, lang: str):
        self.page = page
        self.server = server
        self.lang = lang
        self.ref = server.app.extensions["reporter_reference"]

    def t(self, message: str, **variables) -> str:
        """`message` as the app shows it in this reporter's language."""
        with self.server.app.test_request_context(), force_locale(self.lang):
            return gettext(message, **variables)

    def in_language(self, lang: str) -> Reporter:
        """The same person, same page, now reading another language."""
        return Reporter(self.page, self.server, lang)

    # What is on the page.
    def html_lang(self) -> tuple[str, str]:
        return self.page.evaluate("[document.documentElement.lang, document.documentElement.dir]")

    def sign_box(self, sign):
        return self.page.get_by_role("checkbox", name=self.t(sign.label), exact=True)

    def textbox(self, label: str):
        return self.page.get_by_role("textbox", name=self.t(label), exact=True)

    def signs(self, sector_id: str, count: int) -> list:
        return self.ref.signs_for(sector_id)[:count]

    # Steps of the journey.
    def open_start(self) -> None:
        self.page.goto(self.server.url + "/")

    def choose_setting(self, sector_id: str) -> None:
        name = self.t(self.ref.sectors[sector_id].name)
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name, exact=True).click()

    def answer_danger(self, answer: str) -> None:
        group = self.page.get_by_role("group", name=self.t("Is a child in danger right now?"))
        group.get_by_role("radio", name=self.t(answer), exact=True).check()

    def stay_anonymous(self) -> None:
        name = self.t("Stay anonymous: do not ask for my details")
        self.page.get_by_role("radio", name=name, exact=True).check()

    def switch_language(self, lang: str) -> None:
        """Open the language switcher and choose `lang` by its own name (Cymraeg, العربية)."""
        self.page.locator("details summary", has_text=self.t("Language")).click()
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=native_name(lang), exact=True).click()

    def send(self) -> Response:
        """Send the form; returns the response of the page that comes back (after redirects)."""
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=self.t("Send report"), exact=True).click()
        return navigation.value

    def fill_rail_report(self, signs) -> None:
        self.answer_danger("No")
        for sign in signs:
            self.sign_box(sign).check()
        self.textbox("Postcode").fill(POSTCODE)
        self.textbox("What did you see?").fill(DESCRIPTION)
        self.stay_anonymous()

    def reference_shown(self) -> str:
        reference = self.page.get_by_text(REFERENCE).first.inner_text().strip()
        assert REFERENCE.match(reference), f"not a reference: {reference!r}"
        return reference

    def open_form(self, sector_id: str = "rail") -> None:
        self.page.goto(f"{self.server.url}/report?sector={sector_id}")

    def reach_outcome(self) -> str:
        """Send a complete rail report; returns the reference the outcome page shows."""
        self.open_form("rail")
        self.fill_rail_report(self.signs("rail", 2))
        assert self.send().status == 200
        return self.reference_shown()

    def reach(self, page_name: str) -> None:
        """Go straight to one of PAGES (the journey tests walk there link by link)."""
        if page_name == "sectors":
            self.open_start()
        elif page_name == "form":
            self.open_form()
        elif page_name == "switcher":
            self.open_form()
            self.page.locator("details summary", has_text=self.t("Language")).click()
        elif page_name == "form-error":
            self.open_form()
            assert self.send().status == 200
        elif page_name == "outcome":
            self.reach_outcome()
        elif page_name == "rate-limited":
            self.reach_outcome()
            self.open_form()
            self.fill_rail_report(self.signs("rail", 1))
            status = self.send().status
            assert status == 429, f"expected the rate limit page, got HTTP {status}"
        else:
            raise ValueError(page_name)

    def screenshot(self, page_name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{self.lang}-{page_name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


# --- axe-core ----------------------------------------------------------------------------------
# axe-core as shipped inside the pinned PyPI package axe-playwright-python (axe.min.js, MPL-2.0).
# It is evaluated through the DevTools protocol: the app's CSP (script-src 'self') rightly blocks
# page.add_script_tag(), whose script is inline, and the CSP stays on for the pages under test.
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = """tags => axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
}).then(results => results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
})))"""


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(AXE_RUN, AXE_TAGS)


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"]:
            lines.append(f"    at {' > '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


# --- layout ------------------------------------------------------------------------------------
OVERFLOW = """() => {
    const root = document.documentElement;
    const wide = [...document.body.querySelectorAll('*')].filter(el => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && (box.right > root.clientWidth + 1 || box.left < -1);
    }).slice(0, 8).map(el => el.outerHTML.slice(0, 120));
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""


def horizontal_overflow(page: Page) -> dict:
    """The page's scroll width against its width, and the first elements that stick out."""
    return page.evaluate(OVERFLOW)


NUMBER_LINES = """link => {
    const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !/[0-9]/.test(node.textContent)) {}
    const number = node.textContent.match(/[0-9][0-9 ]*[0-9]/);
    const range = document.createRange();
    range.setStart(node, number.index);
    range.setEnd(node, number.index + number[0].length);
    const lines = new Set([...range.getClientRects()].map(box => Math.round(box.top)));
    return [number[0], lines.size];
}"""


def numbers_split_over_lines(page: Page) -> list[str]:
    """The numbers of the page's call and text links that are broken over two lines or more."""
    links = page.locator('a[href^="tel:"], a[href^="sms:"]').all()
    return [
        number for number, lines in (link.evaluate(NUMBER_LINES) for link in links) if lines > 1
    ]
