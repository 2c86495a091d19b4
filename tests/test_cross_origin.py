"""Issue 18: cross-site posts to the public side are refused by the request's own headers
(reporter/public/cross_origin.py), one case per header the browsers send."""

import pytest

from reporter.public.cross_origin import allowed

HOST = "report.lookcloser.example"
PARTNER = "https://rider-app.partner.example"


@pytest.mark.parametrize(
    ("headers", "verdict"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "none"}, True),  # typed, bookmarked, the installed app
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),  # a sibling subdomain is another site's page
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, False),
        ({"Sec-Fetch-Site": "same-origin", "Origin": f"https://{HOST}"}, True),
        ({"Origin": f"https://{HOST}"}, True),  # an older browser: Origin alone
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "null"}, False),  # a sandboxed frame or a data: page
        ({}, True),  # no browser sent it: a partner's server, curl
        ({"Sec-Fetch-Site": "cross-site", "Origin": PARTNER}, True),  # trusted by the operator
        ({"Origin": PARTNER}, True),
        ({"Origin": PARTNER + ".evil.example"}, False),
    ],
)
def test_a_post_is_allowed_only_from_our_own_pages_or_no_browser(headers, verdict):
    assert allowed("POST", headers, HOST, trusted=(PARTNER,)) is verdict


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reading_is_never_refused(method):
    assert allowed(method, {"Sec-Fetch-Site": "cross-site"}, HOST)
