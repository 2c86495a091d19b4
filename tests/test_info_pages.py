"""The reporter's information pages (About, Privacy, Accessibility, Cookies): in every language,
linked from every public page, set from configuration, and kept by the service worker."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from reporter.config import EXAMPLE_MARK, DevelopmentConfig
from reporter.i18n import DEFAULT_LOCALE, LOCALES, text_direction
from reporter.public.info import ACCESSIBILITY_REVIEWED
from tests.pages import read
from tests.test_public import VALID

INFO = {"/about": "About this service", "/privacy": "Privacy notice",
        "/accessibility": "Accessibility statement", "/cookies": "Cookies and storage"}  # fmt: skip
STATIC = Path(__file__).parent.parent / "reporter" / "static"
WORKER = Path(__file__).parent.parent / "reporter" / "templates" / "offline" / "sw.js"


def heading(page) -> str:
    return re.search(r"<h1>(.*?)</h1>", page.html, re.S).group(1).strip()


def footer_links(page) -> list[str]:
    footer = page.html.split('<footer class="foot">', 1)[1]
    return re.findall(r'<a href="([^"?]+)[^"]*"', footer)


@pytest.mark.parametrize("path", INFO)
def test_each_information_page_opens_in_english_with_its_title(client, path):
    page = read(client.get(f"{path}?lang=en"))
    assert heading(page) == INFO[path]
    assert page.title.startswith(INFO[path])
    assert page.find_all("html")[0]["lang"] == "en"


@pytest.mark.parametrize("lang", [code for code in LOCALES if code != DEFAULT_LOCALE])
@pytest.mark.parametrize("path", INFO)
def test_each_information_page_is_translated(client, path, lang):
    page = read(client.get(f"{path}?lang={lang}"))
    html = page.find_all("html")[0]
    assert (html["lang"], html["dir"]) == (lang, text_direction(lang))
    assert html["dir"] == ("rtl" if lang in ("ar", "ckb", "ur") else "ltr")
    assert heading(page) and heading(page) != INFO[path]
    for english in ("We ", "This ", "Your ", "The "):  # no English sentence left in the body
        assert not re.search(rf"<p[^>]*>{english}", page.html), english


def test_the_chooser_says_who_runs_this_and_who_reads_the_report(client):
    page = read(client.get("/?lang=en"))
    assert "run by the national Prevention Programme" in page.text
    assert "not straight to the police" in page.text
    main = page.html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/about?lang=en"' in main  # the fuller page, from the first screen itself


def test_every_public_page_links_the_information_pages_in_its_footer(client):
    expected = list(INFO)
    pages = {
        "chooser": client.get("/"),
        "form": client.get("/report?sector=rail"),
        "form with errors": client.post("/report", data={"sector": "rail"}),
        "not found": client.get("/no-such-page"),
        **{path: client.get(path) for path in INFO},
    }
    statuses = {"not found": 404}
    for name, response in pages.items():
        assert footer_links(read(response, statuses.get(name, 200))) == expected, name
    outcome = client.post("/report", data=VALID, follow_redirects=True)
    assert footer_links(read(outcome)) == expected


def test_the_privacy_notice_names_the_controller_and_dpo_from_configuration(make_app):
    app = make_app(DATA_CONTROLLER_NAME="Prevention Programme Ltd",
                   DATA_CONTROLLER_CONTACT="privacy@lookcloser.example.org",
                   DPO_CONTACT="dpo@lookcloser.example.org, 020 7946 0000")  # fmt: skip
    page = read(app.test_client().get("/privacy?lang=cy"))
    facts = re.findall(r"<dd><bdi>(.*?)</bdi></dd>", page.html)
    assert facts == ["Prevention Programme Ltd", "privacy@lookcloser.example.org",
                     "dpo@lookcloser.example.org, 020 7946 0000"]  # fmt: skip


def test_development_and_tests_show_contacts_marked_as_examples(client):
    page = read(client.get("/privacy"))
    facts = re.findall(r"<dd><bdi>(.*?)</bdi></dd>", page.html)
    assert len(facts) == 3 and all(EXAMPLE_MARK in fact for fact in facts)
    for name in ("DATA_CONTROLLER_NAME", "DATA_CONTROLLER_CONTACT", "DPO_CONTACT"):
        assert EXAMPLE_MARK in getattr(DevelopmentConfig, name) or name in os.environ


@pytest.mark.parametrize("days", [30, 1095])
def test_the_privacy_notice_states_the_retention_the_purge_uses(make_app, days):
    page = read(make_app(REPORT_RETENTION_DAYS=days).test_client().get("/privacy?lang=pl"))
    kept = re.search(r'<dl class="facts">\s*<dt>[^<]+</dt><dd>(\d+)</dd>\s*</dl>', page.html)
    assert kept and int(kept.group(1)) == days


def test_the_accessibility_statement_says_when_it_was_last_reviewed_in_the_readers_language(
    client,
):
    english = read(client.get("/accessibility?lang=en")).text
    welsh = read(client.get("/accessibility?lang=cy")).text
    assert ACCESSIBILITY_REVIEWED.strftime("%-d %B %Y") in english
    assert "Rhagfyr" in welsh and str(ACCESSIBILITY_REVIEWED.year) in welsh  # December
    assert "WCAG" in english and "2.2" in english and "Equality Advisory" in english


def test_the_cookies_page_names_the_storage_the_app_really_uses(client, app):
    page = read(client.get("/cookies"))
    named = re.findall(r'<code dir="ltr">([^<]+)</code>', page.html)
    assert named[0] == app.config.get("SESSION_COOKIE_NAME", "session")
    offline_js = (STATIC / "js" / "offline.js").read_text()
    worker = WORKER.read_text()
    assert '"lc-draft:"' in offline_js and "lc-draft" in named
    assert 'indexedDB.open("lookcloser"' in worker and "lookcloser" in named
    assert 'var PAGES = "pages"' in worker and "pages" in named
    assert 'var STATIC = "static-" + VERSION' in worker and "static-…" in named
    assert 'var META = "meta"' in worker and "meta" in named
    assert 'store.getItem("lc-sent")' in offline_js and "lc-sent" in named
    assert len(named) == 7  # each checked above: nothing listed that is not used
    # As the page says, the session cookie is set only when something is sent: opening the
    # pages, switching language and a refused form set nothing. No other cookie is ever set.
    visitor = app.test_client()
    for path in ["/", "/report?sector=rail&lang=pl", "/cookies?lang=cy", "/about"]:
        assert "Set-Cookie" not in visitor.get(path).headers, path
    switched = {**VALID, "switch_lang": "pl"}
    refused = {**VALID, "description": "", "signs": []}
    for answers in (switched, refused):
        assert "Set-Cookie" not in visitor.post("/report", data=answers).headers
    response = client.post("/report", data=VALID)
    assert response.headers.getlist("Set-Cookie")
    cookies = [h for h in response.headers.getlist("Set-Cookie")]
    assert {c.split("=", 1)[0] for c in cookies} <= {named[0]}


def test_the_service_worker_keeps_the_information_pages_in_each_language(client):
    body = client.get("/sw.js").get_data(as_text=True)
    kept = re.search(r"var INFO = (\[.*?\]);", body).group(1)
    assert sorted(re.findall(r'"([^"]+)"', kept)) == sorted(INFO)
    assert "INFO.map(function (path) { return infoFor(path, lang); })" in body
    for path in INFO:  # what the worker fetches: the page in a language, without cookies
        fresh = client.application.test_client()
        response = fresh.get(f"{path}?lang=ar")
        assert response.status_code == 200 and response.headers["Content-Language"] == "ar"
        assert "Set-Cookie" not in response.headers or "lang" not in response.headers["Set-Cookie"]


def test_the_pages_are_kept_as_static_pages_in_the_right_language(client):
    for _ in range(2):
        for lang in ("en", "cy"):
            response = client.get(f"/privacy?lang={lang}")
            assert response.headers["Cache-Control"].startswith("public, max-age=")
            page = read(response)
            assert page.find_all("html")[0]["lang"] == lang
    english = read(client.get("/about?lang=en"))
    assert heading(english) == INFO["/about"]
