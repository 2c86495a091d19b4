"""Every staff page: well formed, titled, never indexed, every control labelled, every form
with its CSRF token, nothing the Content Security Policy would block."""

import pytest

from reporter.services.accounts import enrolment
from tests.factories import make_report, make_user
from tests.pages import read
from tests.triage.conftest import log_in, sign_in

STAFF_PAGES = [
    ("/triage/", 200),
    ("/triage/?status=any&priority=high&q=leicester", 200),
    ("/triage/reports/{reference}", 200),
    ("/triage/users", 200),
    ("/triage/users/new", 200),
    ("/triage/users/{user_id}", 200),
    ("/triage/audit", 200),
    ("/triage/retention", 200),
    ("/triage/subject-access", 200),
    ("/triage/reference", 200),
    ("/triage/trends", 200),
    ("/triage/account", 200),
    ("/triage/account/password", 200),
    ("/triage/account/totp", 200),
    ("/triage/reports/LC-2222-3333", 404),  # the staff 404 page
]


def check_page(response, status: int = 200):
    page = read(response, status)
    assert {"name": "robots", "content": "noindex, nofollow"} in page.find_all("meta")
    labelled = {label.get("for") for label in page.find_all("label")}
    for tag in ("input", "select", "textarea"):
        for control in page.find_all(tag):
            if control.get("type") in ("hidden", "submit"):
                continue
            assert control.get("id") in labelled, control
    for form in page.find_all("form"):
        assert form.get("method") in ("get", "post")
    assert page.html.count('name="csrf_token"') == len(page.find_all("form", method="post"))
    assert " style=" not in page.html and "<style" not in page.html
    assert "danger-line" not in page.html
    return page


@pytest.mark.parametrize(("path", "status"), STAFF_PAGES)
def test_every_staff_page_is_well_formed_and_labelled(client, path, status):
    admin = make_user(role="admin")
    report = make_report(station="LEI", contact={"name": "A"}, consent="share")
    sign_in(client, admin)
    page = check_page(client.get(path.format(reference=report.reference, user_id=admin.id)), status)
    assert ("Page not found" in page.title) == (status == 404)


def test_the_sign_in_pages_are_well_formed(app, client):
    check_page(client.get("/triage/login"))
    check_page(client.post("/triage/login", data={"email": "", "password": ""}))
    user = make_user(email="r@staff.example", totp_required=True)
    token = enrolment.issue_setup_link(user, None, reset_factor=False)
    check_page(client.get(f"/triage/setup?t={token}"))
    check_page(client.post(f"/triage/setup?t={token}", data={"new_password": "short"}), 400)
    make_user(email="t@staff.example", totp_secret="JBSWY3DPEHPK3PXP")
    other = app.test_client()
    log_in(other, "t@staff.example")
    check_page(other.post("/triage/login/code", data={"code": "12"}))


def test_errors_are_summarised_and_linked_to_their_field(client):
    sign_in(client, make_user())
    report = make_report(status="triaged")
    page = check_page(client.post(f"/triage/reports/{report.reference}/close", data={}), 400)
    assert page.error_summary_links() == ["#close_reason"]
    [summary] = page.find_all("div", id="error-summary")
    assert summary["tabindex"] == "-1" and summary["role"] == "alert"
    [box] = page.find_all("textarea", id="close_reason")
    assert box["aria-invalid"] == "true" and "close_reason-error" in box["aria-describedby"]
