"""A weak signal loses nothing: the form opens offline, a draft survives a reload, and a report
sent with no signal, or on lie-fi (the phone is online but no answer comes), is kept on the
phone and stored once when the connection works again."""

from __future__ import annotations

import time

import pytest
from browser_support import DESCRIPTION, POSTCODE, axe_violations, describe_violations
from playwright.sync_api import Error, expect
from sqlalchemy import select

from reporter.extensions import db
from reporter.models import Report
from reporter.offline import ANSWER_WAIT_MS

pytestmark = pytest.mark.browser

NOT_SENT = "Not sent yet. It is saved on this phone and will be sent when the connection works."
# From Send to the notice on lie-fi: the answer's wait, then a moment for the phone to say so.
WAIT = ANSWER_WAIT_MS / 1000
BOUND = WAIT + 3

# Chrome DevTools' "Slow 3G" profile: 400 kbit/s each way, 2 s round trip.
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}


def stored(app) -> list[Report]:
    with app.app_context():
        return list(db.session.scalars(select(Report)))


# Resolves once the worker has finished activating (and so has claimed every open page it
# can): whether it controls this page.
ACTIVATED = """async () => {
    const worker = (await navigator.serviceWorker.ready).active;
    if (worker.state !== 'activated') {
        await new Promise(done => worker.addEventListener('statechange', () => {
            if (worker.state === 'activated') done();
        }));
    }
    return navigator.serviceWorker.controller !== null;
}"""


def controlled(page) -> None:
    """Wait until the worker is active and controls the page.

    A page whose load began while the worker was still installing is not claimed if it was not
    yet ready when `clients.claim()` ran (the Service Workers spec claims only clients that are
    execution-ready): it stays uncontrolled, and the next page the phone opens is controlled. A
    reporter's next tap does that; here the page is opened again, before anything is typed."""
    if not page.evaluate(ACTIVATED):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def wait_until_kept(page, sectors: int) -> None:
    """The worker controls the page and has kept the chooser and every setting's form in the
    page's language."""
    controlled(page)
    kept_pages(page, sectors + 1, page.evaluate("document.documentElement.lang"))


def test_a_report_sent_with_no_signal_is_kept_then_sent_once(reporter):
    person = reporter()
    page, app = person.page, person.server.app
    person.open_form("rail")
    wait_until_kept(page, len(person.ref.sectors))

    page.context.set_offline(True)
    person.fill_rail_report(person.signs("rail", 2))
    page.get_by_role("button", name=person.t("Send report"), exact=True).click()
    notice = page.locator("#saved-notice")
    expect(notice.get_by_role("heading", level=2)).to_have_text(person.t(NOT_SENT))
    expect(notice).to_be_focused()
    assert notice.locator('a[href^="tel:"], a[href^="sms:"]').count() >= 2  # numbers right there
    expect(page.locator('header a[href="tel:999"]')).to_be_visible()
    assert stored(app) == []

    with page.expect_navigation(url="**/report/done"):
        page.context.set_offline(False)
    reference = person.reference_shown()
    page.wait_for_timeout(1000)  # a second copy (the worker's) would have arrived by now
    assert [r.reference for r in stored(app)] == [reference]
    assert stored(app)[0].idempotency_key


def test_a_draft_survives_a_reload_and_can_be_cleared(reporter):
    person = reporter("cy")
    page = person.page
    person.open_form("rail")
    person.answer_danger("No")
    person.textbox("What did you see?").fill(DESCRIPTION)
    page.reload()
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)
    group = page.get_by_role("group", name=person.t("Is a child in danger right now?"))
    expect(group.get_by_role("radio", name=person.t("No"), exact=True)).to_be_checked()
    expect(
        page.get_by_text(person.t("What you type is kept on this phone until you send it."))
    ).to_be_visible()

    page.get_by_role("button", name=person.t("Clear my answers")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=person.t("Yes, clear them")).click()
    expect(person.textbox("What did you see?")).to_have_value("")
    page.reload()
    expect(person.textbox("What did you see?")).to_have_value("")


def test_a_sent_report_leaves_no_draft_behind(reporter):
    person = reporter()
    person.reach_outcome()
    person.open_form("rail")
    expect(person.textbox("What did you see?")).to_have_value("")
    key = person.page.locator('input[name="idempotency_key"]').input_value()
    assert key and key not in [r.idempotency_key for r in stored(person.server.app)]


def test_after_one_visit_the_forms_open_with_no_signal_at_all(reporter):
    person = reporter("cy")
    person.open_form("rail")
    wait_until_kept(person.page, len(person.ref.sectors))
    context = person.page.context
    person.page.close()

    context.set_offline(True)
    page = context.new_page()
    for path in ("/", "/report?sector=hotel", "/report?sector=rail"):
        page.goto(person.server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        expect(page.locator('header a[href="tel:999"]')).to_be_visible()
        expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # CSS applied
    expect(
        page.get_by_role("button", name=person.in_language("cy").t("Send report"))
    ).to_be_visible()


def test_a_form_opened_from_the_phone_is_sent_after_its_session_has_gone(reporter):
    """The kept pages were fetched without cookies and carry no token: a report sent from one
    needs nothing from a session, and it is stored once."""
    person = reporter()
    person.open_form("rail")
    wait_until_kept(person.page, len(person.ref.sectors))
    context = person.page.context
    context.clear_cookies()
    context.set_offline(True)
    person.page.goto(person.server.url + "/report?sector=rail")
    # From the worker's copy, or the browser's own cache (the page says it may be kept).
    expect(person.page.locator("#report-form")).to_be_visible()
    context.set_offline(False)
    person.fill_rail_report(person.signs("rail", 1))
    assert person.send().status == 200
    reference = person.reference_shown()
    assert [r.reference for r in stored(person.server.app)] == [reference]


def test_a_form_posted_from_another_site_is_refused(reporter):
    """The public form has no token: the browser's own headers say the post came from another
    site's page, and it is refused (403, with who to call), worker or not."""
    person = reporter()
    person.open_form("rail")
    wait_until_kept(person.page, len(person.ref.sectors))
    attacker = person.page.context.new_page()
    attacker.set_content(
        f'<form method="post" action="{person.server.url}/report">'
        '<input name="sector" value="rail"><input name="danger" value="no">'
        '<input name="description" value="forged"><input name="consent" value="anonymous">'
        '<input name="idempotency_key" value="forged-key-from-elsewhere"></form>'
    )
    with attacker.expect_navigation() as navigation:
        attacker.evaluate("document.forms[0].submit()")
    assert navigation.value.status == 403
    assert stored(person.server.app) == []


def test_on_slow_3g_the_form_is_usable_and_accessible(reporter, capsys):
    person = reporter()
    page = person.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    page.set_default_timeout(30_000)
    start = time.perf_counter()
    person.open_form("rail")
    person.answer_danger("No")
    usable = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n  slow 3G: the form was usable after {usable:.1f} s")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


class LieFi:
    """Lie-fi: the phone is online and the connection opens, but no answer comes. Every request
    of the browser profile, the page's and the service worker's, is held unanswered until
    `restore()`. With `answer_lost`, a report does reach the app and is stored, and only its
    answer is held: the phone cannot know that it was stored."""

    def __init__(self, context, *, answer_lost: bool = False):
        self.answer_lost = answer_lost
        self.working = False
        self.held: list = []
        context.route("**/*", self._hold)

    def _hold(self, route) -> None:
        if self.working:
            route.continue_()
        elif self.answer_lost and route.request.method == "POST":
            self.held.append((route, route.fetch()))
        else:
            self.held.append((route, None))

    def restore(self) -> None:
        """The connection works again: the requests still waiting get their answers, late."""
        self.working = True
        for route, response in self.held:
            try:
                if response is None:
                    route.continue_()
                else:
                    route.fulfill(response=response)
            except Error as gone:  # the phone gave up on this one (aborted it) long ago
                print(f"  not answered, the phone had given up: {route.request.url} ({gone})")


def tap_send(person) -> float:
    """Tap Send without waiting for a page: on lie-fi none may come."""
    button = person.page.get_by_role("button", name=person.t("Send report"), exact=True)
    button.click(no_wait_after=True)
    return time.monotonic()


def told_not_sent_in_time(person, tapped: float):
    """The notice, shown within BOUND seconds of Send (and not before the wait was over)."""
    notice = person.page.locator("#saved-notice")
    heading = notice.get_by_role("heading", level=2)
    expect(heading).to_have_text(person.t(NOT_SENT), timeout=BOUND * 1000)
    took = time.monotonic() - tapped
    assert WAIT - 1 < took < BOUND, f"told after {took:.1f} s (wait {WAIT} s, bound {BOUND} s)"
    expect(notice).to_be_focused()
    expect(heading).to_be_in_viewport()
    return notice


def numbers_first_999(notice, lang_check, danger: bool = False) -> None:
    """Who to call is right there: 999 first, on screen (the red box when a child is in
    danger), then the setting's numbers."""
    calls = notice.locator('a[href^="tel:"]:visible, a[href^="sms:"]:visible')
    expect(calls.first).to_have_attribute("href", "tel:999")
    expect(calls.first).to_be_in_viewport()
    if danger:
        expect(calls.first).to_have_class("call-999 if-danger")
    else:
        expect(calls.first).to_have_text(lang_check("If a child is in immediate danger, call 999"))
    hrefs = [link.get_attribute("href") for link in calls.all()]
    assert {"tel:101", "sms:61016"} <= set(hrefs), hrefs


def answers_kept(person, signs, danger: str) -> None:
    expect(person.textbox("What did you see?")).to_have_value(DESCRIPTION)
    expect(person.textbox("Postcode")).to_have_value(POSTCODE)
    for sign in signs:
        expect(person.sign_box(sign)).to_be_checked()
    group = person.page.get_by_role("group", name=person.t("Is a child in danger right now?"))
    expect(group.get_by_role("radio", name=person.t(danger), exact=True)).to_be_checked()


def sent_once_when_it_works(person, lie: LieFi) -> None:
    """The connection works again: with no tap, the phone sends the report, and the outcome
    page shows the one report stored."""
    page, app = person.page, person.server.app
    with page.expect_navigation(url="**/report/done", timeout=3 * WAIT * 1000):
        lie.restore()
    reference = person.reference_shown()
    page.wait_for_timeout(1000)  # a second copy would have arrived by now
    assert [r.reference for r in stored(app)] == [reference]
    assert page.errors == []


def test_on_lie_fi_the_worker_keeps_the_report_and_sends_it_once_when_it_works(reporter):
    person = reporter()
    page, app = person.page, person.server.app
    person.open_form("rail")
    wait_until_kept(page, len(person.ref.sectors))
    lie = LieFi(page.context)
    signs = person.signs("rail", 2)
    person.fill_rail_report(signs)

    notice = told_not_sent_in_time(person, tap_send(person))
    numbers_first_999(notice, person.t)
    answers_kept(person, signs, "No")
    assert stored(app) == []
    sent_once_when_it_works(person, lie)


def test_on_lie_fi_a_report_stored_but_unanswered_is_stored_once_and_999_comes_first(reporter):
    """The report reached the server and was stored; only the answer was lost. The phone sends
    it again with its key when the connection works, and it is still one report."""
    person = reporter("ar")
    page, app = person.page, person.server.app
    person.open_form("rail")
    wait_until_kept(page, len(person.ref.sectors))
    lie = LieFi(page.context, answer_lost=True)
    signs = person.signs("rail", 2)
    person.fill_rail_report(signs)
    person.answer_danger("Yes")

    notice = told_not_sent_in_time(person, tap_send(person))
    numbers_first_999(notice, person.t, danger=True)
    answers_kept(person, signs, "Yes")
    assert len(stored(app)) == 1  # stored, though the phone cannot know it
    sent_once_when_it_works(person, lie)
    assert stored(app)[0].danger


def test_on_lie_fi_with_no_service_worker_the_page_tells_and_sends_again_itself(reporter):
    """A browser that runs no service worker (an in-app browser): the page stops waiting, tells
    the reporter, and sends the same report again itself until an answer comes."""
    person = reporter("cy", service_workers="block")
    page = person.page
    person.open_form("rail")
    lie = LieFi(page.context, answer_lost=True)
    signs = person.signs("rail", 1)
    person.fill_rail_report(signs)
    person.answer_danger("Yes")

    notice = told_not_sent_in_time(person, tap_send(person))
    numbers_first_999(notice, person.t, danger=True)
    answers_kept(person, signs, "Yes")
    sent_once_when_it_works(person, lie)
    [report] = stored(person.server.app)  # the page's own resends stored it once
    assert report.danger and report.sector == "rail"


def test_on_lie_fi_the_form_opens_from_the_phone_within_the_wait(reporter):
    person = reporter()
    page = person.page
    person.open_form("rail")
    wait_until_kept(page, len(person.ref.sectors))
    LieFi(page.context)
    start = time.monotonic()
    page.goto(person.server.url + "/report?sector=hotel", timeout=BOUND * 1000)
    took = time.monotonic() - start
    assert took < BOUND, f"the kept form took {took:.1f} s"
    expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
    expect(page.locator('header a[href="tel:999"]')).to_be_visible()
    expect(person.page.get_by_role("button", name=person.t("Send report"))).to_be_visible()


# How many pages the worker keeps in a language (or in all, with no language given).
KEPT = """async lang => (await (await caches.open('pages')).keys()).filter(
    request => !lang || new URL(request.url).searchParams.get('lang') === lang).length"""


def kept_pages(page, count: int, lang: str | None = None, timeout: float = 60) -> None:
    """Wait until the worker's cache holds `count` pages (in `lang`, if given)."""
    deadline = time.monotonic() + timeout
    while page.evaluate(KEPT, lang) < count:
        assert time.monotonic() < deadline, "the service worker did not keep the pages"
        page.wait_for_timeout(100)
