"""One 404 for the staff side: an address that does not exist, a report or account one may not
see, an admin page for someone who is not an admin, and a malformed address (a bad id, a huge
number, a strange path segment) all answer the very same page, byte for byte with the CSRF
tokens masked, whatever the role. Never a 500 or a 503."""

from __future__ import annotations

import pytest

from tests.factories import make_report, make_user
from tests.pages import assert_redirects
from tests.triage.conftest import same_page, sign_in

NOWHERE = "/triage/no/such/page"
MALFORMED = [
    "/triage/users/99999999999999999999999999",  # beyond every integer column
    "/triage/users/2147483648",
    "/triage/users/9223372036854775808",
    "/triage/users/-1",
    "/triage/users/abc",
    "/triage/users/1.5",
    "/triage/reports/%00",
    "/triage/reports/LC-2222-3333%00",
    "/triage/reports/" + "X" * 5000,
    "/triage/reports/%C0%AF",
    "/triage/reports/%F0%9F%98%80",
    "/triage/reports/LC-2222-3333/nonsense",
    "/triage/reports/LC-2222-3333/close/again",
    "/triage/reports/",
    "/triage/export.csv/more",
    "/triage/static/no-such-file.css",
    "/triage/static/../../config.py",
    "/triage/logout",  # exists, but only to POST
    "/triage/users/1/active",  # the same
]


def _pages_seen_by(client, paths, method="GET") -> dict[str, tuple[int, str, list]]:
    seen = {}
    for path in paths:
        response = client.open(path, method=method, data={"active": "no"})
        headers = sorted((k, v) for k, v in response.headers.items() if k != "Content-Length")
        seen[path] = (response.status_code, same_page(response), headers)
    return seen


@pytest.fixture
def people():
    return {
        "officer": make_user(role="officer", regions=("east-midlands",)),
        "national": make_user(role="national"),
        "admin": make_user(role="admin"),
    }


def test_every_role_gets_one_and_the_same_404_for_what_is_not_theirs_or_not_there(app, people):
    london = make_report(region="london", place="Behind the kiosk")
    pages = {}
    for role, user in people.items():
        client = app.test_client()
        sign_in(client, user)
        client.get("/triage/")  # the session has its CSRF token before the first 404
        hidden = [NOWHERE, "/triage/reports/LC-2222-3333", f"/triage/users/{2**31 - 1}"]
        if role == "officer":
            hidden += [
                f"/triage/reports/{london.reference}",
                f"/triage/reports/{london.reference}/notes",
            ]
        if role != "admin":
            hidden += [
                "/triage/users",
                "/triage/audit",
                f"/triage/users/{user.id}",
                "/triage/reference",
            ]
        for path, page in _pages_seen_by(client, hidden + MALFORMED).items():
            pages[(role, path)] = page
    statuses = {key: page[0] for key, page in pages.items() if page[0] != 404}
    assert not statuses, statuses
    key = ("admin", NOWHERE)
    bodies = {page[1] for page in pages.values()}
    assert len(bodies) == 1, sorted({k[1] for k, p in pages.items() if p[1] != pages[key][1]})
    headers = {tuple(page[2]) for page in pages.values()}
    assert len(headers) == 1, headers
    [body] = bodies
    assert "Page not found" in body and "Sign out" not in body and "Users" not in body


def test_posting_to_a_malformed_or_hidden_address_is_the_same_404(app, people):
    client = app.test_client()
    sign_in(client, people["officer"])
    client.get("/triage/")
    posted = _pages_seen_by(
        client, [NOWHERE, "/triage/users/1/active", "/triage/reports/%00/close"], method="POST"
    )
    got = _pages_seen_by(client, [NOWHERE])[NOWHERE]
    for path, page in posted.items():
        assert page[0] == 404 and page[1] == got[1], path


def test_signed_out_an_unknown_staff_address_asks_to_sign_in_like_any_other(client):
    for path in (NOWHERE, "/triage/users", "/triage/reports/LC-2222-3333"):
        response = client.get(path)
        assert_redirects(response, f"/triage/login?next={path}")


# Methods no staff address serves: WebDAV's, OPTIONS (no automatic answer on staff routes),
# TRACE, and one made up. HEAD is served wherever GET is.
UNSERVED = ["PROPFIND", "MKCOL", "LOCK", "OPTIONS", "TRACE", "BREW"]


def _staff_addresses(report) -> list[str]:
    """Addresses that exist (for some method), and one that does not."""
    return [
        "/triage",
        "/triage/",
        NOWHERE,
        f"/triage/reports/{report.reference}",
        f"/triage/reports/{report.reference}/notes",
        "/triage/account",
        "/triage/users",
        "/triage/login",
        "/triage/static/triage.css",
    ]


def test_a_method_a_staff_address_does_not_serve_gets_the_same_404_never_a_405(app, people):
    report = make_report(region="east-midlands")
    for role, user in people.items():
        client = app.test_client()
        sign_in(client, user)
        client.get("/triage/")
        expected = _pages_seen_by(client, [NOWHERE])[NOWHERE]
        for method in UNSERVED:
            for path, page in _pages_seen_by(client, _staff_addresses(report), method).items():
                assert page == expected, (role, method, path)  # status, page and headers
        # What the addresses do serve, they still do.
        assert client.get("/triage/").status_code == 200
        assert client.head("/triage/").status_code == 200
        assert client.get(f"/triage/reports/{report.reference}").status_code == 200
        for method in ("GET", "POST"):
            moved = client.open("/triage", method=method)
            assert_redirects(moved, "/triage/", 308)


def test_signed_out_a_method_no_staff_address_serves_asks_to_sign_in(client):
    report = make_report()
    posted = client.post(NOWHERE)  # only a GET is sent back after sign-in, so no `next`
    assert_redirects(posted, "/triage/login")
    for method in UNSERVED:
        for path in _staff_addresses(report):
            if path == "/triage/static/triage.css":
                continue  # open to all, but only to GET: the answer below still holds
            response = client.open(path, method=method)
            assert_redirects(response, "/triage/login")
            assert response.headers["Location"] == "/triage/login", (method, path)
    response = client.open("/triage/static/triage.css", method="PROPFIND")
    assert_redirects(response, "/triage/login")


def test_a_nul_in_a_request_of_any_method_is_a_bad_request(app, people):
    client = app.test_client()
    sign_in(client, people["officer"])
    refused = client.get(NOWHERE + "?q=%00")
    assert refused.status_code == 400
    for method in UNSERVED:
        response = client.open(NOWHERE + "?q=%00", method=method)
        assert response.status_code == 400, method
        assert same_page(response) == same_page(refused), method


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/report", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("/api/v1/reports", {"OPTIONS", "POST"}),
        ("/api/v1/guidance", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_outside_the_staff_area_an_unserved_method_is_still_a_405_with_allow(client, path, allowed):
    response = client.open(path, method="PROPFIND")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allowed
    assert client.options(path).status_code == 200  # answered by Flask outside the staff area


def test_the_audit_logs_page_position_ignores_numbers_it_cannot_use(client, people):
    sign_in(client, people["admin"])
    for before in ("99999999999999999999999", "²", "-5", "1e9", "12"):
        assert client.get(f"/triage/audit?before={before}").status_code == 200, before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "01/01/0001", "31/12/9999"])
def test_dates_at_the_ends_of_the_calendar_are_explained_not_a_500(client, people, day):
    sign_in(client, people["admin"])
    for path in ("/triage/", "/triage/trends", "/triage/audit", "/triage/export.csv"):
        for field in ("date_from", "date_to"):
            response = client.get(f"{path}?{field}={day}")
            assert response.status_code in (200, 400), (path, field, response.status_code)
    assert "as a date" in client.get(f"/triage/?date_from={day}").get_data(as_text=True)
