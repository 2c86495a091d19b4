"""999 where a child is in danger, in every language the form is offered in (issue 17): the
"Not sent yet" notice carries the same red tap-to-call 999 box as the outcome, 503 and 429
pages, with the others under "After you have called 999"; "Call 999 now" stands beside Yes.
How the phone shows them is tested in Chromium (tests/browser/test_browser_phone_danger.py)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_babel import force_locale, gettext

from reporter.i18n import LOCALES
from reporter.templating import left_to_right
from tests.pages import read


def said(app, lang: str, message: str, **variables) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **variables)


@pytest.mark.parametrize("lang", LOCALES)
def test_the_not_sent_notice_opens_on_the_999_box_in_every_language(client, app, lang):
    page = read(client.get(f"/report?sector=rail&lang={lang}"))
    notice = re.search(r'<div class="notice" id="saved-notice".*?</div>', page.html, re.S)
    notice = unescape(notice.group(0))
    box = re.search(r'<a class="call-999 if-danger" href="tel:999">(.*?)</a>', notice, re.S)
    assert box, "no 999 box in the notice"
    assert said(app, lang, "Call %(number)s", number=left_to_right("999")) in box.group(1)
    assert said(app, lang, "You said a child is in danger right now. Call 999 now.") in box.group(1)
    assert notice.index("call-999") < notice.index("tel:101")
    after = notice.split(said(app, lang, "After you have called 999"), 1)
    assert len(after) == 2 and "tel:101" in after[1] and "sms:61016" in after[1]
    assert "tel:999" not in after[1]


@pytest.mark.parametrize("lang", LOCALES)
def test_call_999_now_stands_beside_yes_in_every_language(client, app, lang):
    page = read(client.get(f"/report?sector=taxi&lang={lang}"))
    html = unescape(page.html)
    danger = html.split('name="danger" value="yes"', 1)[1].split('name="danger" value="no"')[0]
    link = re.search(r'<a class="button call-999-now" id="call-999-now" href="tel:999">(.*?)</a>',
                     danger)  # fmt: skip
    assert link and link.group(1) == said(app, lang, "Call 999 now")
