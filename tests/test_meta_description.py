"""Every public page says what it is for in a search result, in the page's language (issue 22:
Lighthouse's SEO audit found no meta description)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from reporter.i18n import LOCALES
from tests.pages import read

LEAD = (
    "At work, have you seen a young person who may be in trouble? Tell us. It takes about "
    "2 minutes, and you can stay anonymous."
)


def description(page) -> str:
    [meta] = page.find_all("meta", name="description")
    return meta["content"]


@pytest.mark.parametrize("lang", LOCALES)
def test_the_start_page_has_a_description_in_its_language(app, client, lang):
    page = read(client.get("/", headers={"Accept-Language": lang}))
    with app.test_request_context(), force_locale(lang):
        expected = gettext(LEAD)
    assert description(page) == expected
    assert (expected == LEAD) == (lang == "en")  # translated, never English in its place
    assert expected in page.text  # the words of the page's own lead


@pytest.mark.parametrize("path", ["/", "/report?sector=rail"])
def test_each_public_page_has_one_description(client, path):
    page = read(client.get(path))
    assert description(page)
