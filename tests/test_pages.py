"""The page checker itself can fail: a test that reads a page relies on it."""

import pytest
from werkzeug.wrappers import Response

from tests.pages import read

GOOD = (
    '<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Fine</title>'
    '</head><body><p id="a">Hello</p></body></html>'
)


def test_a_well_formed_page_with_the_expected_status_passes():
    page = read(Response(GOOD, status=404), status=404)
    assert page.title == "Fine" and page.text.endswith("Hello")


def test_an_unexpected_status_fails():
    with pytest.raises(AssertionError, match="status 200, expected 404"):
        read(Response(GOOD), status=404)


@pytest.mark.parametrize(
    "broken",
    [
        GOOD.replace("<!doctype html>", ""),  # quirks mode
        GOOD.replace("</p>", "</div>"),  # an end tag with no start
        GOOD.replace('<p id="a">', '<p id="a" id="b">'),  # a duplicated attribute
        GOOD.replace("Hello", "Hello &nosuch"),  # a character reference that is not one
    ],
)
def test_html5_parse_errors_fail(broken):
    with pytest.raises(AssertionError, match="HTML5 parse errors"):
        read(Response(broken))


def test_duplicate_ids_fail():
    with pytest.raises(AssertionError, match="duplicate ids"):
        read(Response(GOOD.replace("</body>", '<p id="a">Again</p></body>')))
