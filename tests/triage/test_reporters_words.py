"""The reporter's own words carry their language wherever staff see them (issue 22): the staff
pages are English, and an Arabic description read as English, left to right, is read aloud with
the wrong rules and has its punctuation on the wrong side."""

from tests.factories import make_report, make_user
from tests.pages import read
from tests.triage.conftest import sign_in

DESCRIPTION = "فتاة مع رجل أكبر سنا، تبدو خائفة."
PLACE = "عند حاجز التذاكر، الرصيف 2"


def test_the_report_page_marks_the_description_and_place_with_the_reporters_language(client):
    report = make_report(
        description=DESCRIPTION,
        place=PLACE,
        language="ar",
        consent="confidential",
        contact={"name": "سامي", "phone": None, "email": None},
    )
    sign_in(client, make_user())
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert "in Arabic (ar)" in page.text
    assert page.find_all("html")[0]["lang"] == "en"
    html = page.html
    assert f'<p class="free-text" lang="ar" dir="auto">{DESCRIPTION}</p>' in html
    assert f'<dd class="free-text" lang="ar" dir="auto">{PLACE}</dd>' in html
    assert '<dd dir="auto">سامي</dd>' in html  # a name has a direction, not a language


def test_the_queue_marks_a_place_described_with_the_reporters_language(client):
    make_report(place=PLACE, language="ar", region="east-midlands")
    make_report(station="LEI", language="ar", region="east-midlands")
    sign_in(client, make_user())
    page = read(client.get("/triage/"))
    html = page.html
    assert f'lang="ar" dir="auto">{PLACE}</span>' in html
    # A station's name is ours, in English: only the reporter's words are marked.
    assert '<span class="cell">Leicester (LEI)</span>' in html


def test_english_words_are_marked_english_too(client):
    report = make_report(description="Two boys by the barrier.", language="en")
    sign_in(client, make_user())
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert page.find_all("p", class_="free-text", lang="en", dir="auto")
