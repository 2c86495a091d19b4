"""The reporter's journey through the web form."""

import re

import pytest
from sqlalchemy import select, text

from reporter import create_app
from reporter.extensions import db
from reporter.models import URGENCY, Report, ReportSearchToken, ReportSign
from reporter.services.casework.search import tokens_for
from reporter.services.reporting import reports
from tests.factories import data_context, report_answers
from tests.fault_services import inserts_refused
from tests.pages import assert_redirects, read

VALID = report_answers()


@pytest.fixture(autouse=True)
def _context(app):
    with data_context(app):
        yield


def post_report(client, **changes):
    data = {**VALID, **changes}
    return client.post("/report", data={k: v for k, v in data.items() if v is not None})


def stored_reports():
    return db.session.scalars(select(Report)).all()


def test_the_start_page_asks_where_you_work_and_shows_999(client):
    page = read(client.get("/"))
    assert "tel:999" in page.links()
    for sector in ("delivery", "rail", "hotel", "taxi", "banking"):
        assert f"/report?sector={sector}&lang=en" in page.links()


def test_the_form_shows_the_checklist_for_the_setting_with_labels(client):
    page = read(client.get("/report?sector=hotel"))
    boxes = page.find_all("input", type="checkbox", name="signs")
    assert len(boxes) > 9
    labels = {a.get("for") for a in page.find_all("label")}
    assert all(box["id"] in labels for box in boxes)
    values = {box["value"] for box in boxes}
    assert {"travelling-alone", "room-paid-cash"} <= values
    assert "no-ticket" not in values  # a railway sign, not a hotel one
    assert not page.find_all("input", name="csrf_token")  # the same bytes for every visitor
    assert "2,000" in page.text  # the limit is stated


def test_only_railway_and_bus_settings_ask_for_a_station(client):
    assert read(client.get("/report?sector=rail")).find_all("input", name="station")
    assert not read(client.get("/report?sector=delivery")).find_all("input", name="station")


def test_a_valid_report_is_stored_and_the_outcome_shows_reference_and_guidance(client):
    response = post_report(client)
    assert_redirects(response, "/report/done")
    page = read(client.get(response.headers["Location"]))
    reference = re.search(r"LC-[2-9A-Z]{4}-[2-9A-Z]{4}", page.text).group(0)
    assert not set(reference[3:]) & set("01IOL58BS")  # no characters that are easy to misread
    [report] = stored_reports()
    assert report.reference == reference
    assert (report.region_id, report.station_crs, report.priority) == (
        "east-midlands",
        "LEI",
        "high",
    )
    assert sorted(report.sign_ids) == ["controlled", "hiding"]
    links = [link.split("?")[0] for link in page.links()]
    assert links.index("sms:61016") < links.index("tel:101")
    assert "Leicester" in page.text  # what to tell them: where


def test_danger_puts_999_first_on_the_outcome(client):
    post_report(client, danger="yes")
    page = read(client.get("/report/done"))
    call_links = [h for h in page.links() if h.startswith(("tel:", "sms:"))]
    assert call_links[:2] == ["tel:999", "tel:999"]  # the banner, then the first authority


def test_outcome_without_a_report_goes_back_to_the_form(client):
    assert_redirects(client.get("/report/done"), "/report", 302)


def test_errors_are_summarised_linked_and_keep_everything_typed(client):
    response = post_report(
        client, danger=None, postcode="NOT A CODE", description="x" * 2001,
        name="Sam", signs=["controlled"],
    )  # fmt: skip
    page = read(response)
    assert page.title.startswith("Error:")
    links = page.error_summary_links()
    assert links == ["#danger-0", "#postcode", "#description", "#consent-0"]
    for link in links:
        assert page.ids[link[1:]] == 1, f"{link} points nowhere"
    assert page.find_all("input", name="postcode", value="NOT A CODE")
    assert page.find_all("input", name="name", value="Sam")
    assert page.find_all("input", name="signs", value="controlled", checked="")
    assert "x" * 2001 in page.html
    assert not stored_reports()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"station": None, "postcode": None, "place": None}, "postcode"),
        ({"signs": [], "description": ""}, "description"),
        ({"signs": ["room-paid-cash"]}, "signs-0"),  # a hotel sign on the railway form
        ({"consent": "share"}, "consent-0"),  # sharing needs a way to reach you
        ({"consent": "share", "phone": "call me"}, "phone"),
        ({"consent": "share", "email": "nope"}, "email"),
        ({"seen_at": "yesterday-ish"}, "seen_at"),
        ({"seen_at": "2999-01-01T10:00"}, "seen_at"),
    ],
)
def test_each_bad_answer_gets_a_clear_error_on_its_field(client, changes, field):
    page = read(post_report(client, **changes))
    assert f"#{field}" in page.error_summary_links()
    assert not stored_reports()


def test_contact_details_and_text_are_encrypted_at_rest(client):
    post_report(
        client, consent="confidential", name="Pat Doorstep", phone="07700 900123",
        place="Platform 3 by the lifts", postcode="LE1 6RN",
    )  # fmt: skip
    row = db.session.execute(text("SELECT * FROM reports")).mappings().one()
    raw = " ".join(str(v) for v in row.values())
    for secret in ("Pat Doorstep", "07700", "Platform 3", "Two boys", "LE1 6RN"):
        assert secret not in raw
    assert row["postcode_district"] == "LE1"  # kept in clear for routing and related reports


def test_anonymous_reports_store_no_contact_details(client):
    post_report(client)
    assert stored_reports()[0].contact_enc is None


def test_the_honeypot_shows_an_outcome_but_stores_nothing(client, caplog):
    caplog.set_level("INFO")
    page = read(post_report(client, website="http://spam.example"))
    assert re.search(r"LC-[2-9A-Z]{4}-[2-9A-Z]{4}", page.text)
    assert not stored_reports()
    assert "honeypot field filled" in caplog.text  # the log is really captured
    assert "Two boys" not in caplog.text


def test_a_report_and_its_signs_are_one_transaction(client):
    """A failure while storing the signs leaves no report behind."""
    with inserts_refused("report_signs"):
        assert post_report(client).status_code == 503
    assert not stored_reports()
    assert not db.session.scalars(select(ReportSign)).all()


def test_a_stored_report_has_its_signs_and_its_search_tokens_once(client, app):
    place = "Waiting room by platform 4, near the cafe"
    assert_redirects(
        post_report(client, station=None, postcode="LE1 6RN", place=place), "/report/done"
    )
    [report] = stored_reports()
    assert sorted(s.sign_id for s in report.signs) == ["controlled", "hiding"]
    tokens = db.session.scalars(
        select(ReportSearchToken.token).where(ReportSearchToken.report_id == report.id)
    ).all()
    key = app.extensions["reporter_search_key"]
    assert sorted(tokens) == sorted(tokens_for(place, "LE1 6RN", key))
    assert len(tokens) == len(set(tokens)) == 8  # seven words ("4" is too short), the postcode
    assert (
        report.created_at
        and report.status == "new"
        and report.urgency == URGENCY[report.priority] > 0
    )


def test_a_reference_collision_is_retried_with_a_new_reference(client, monkeypatch):
    post_report(client)
    taken = stored_reports()[0].reference
    fresh = iter([taken, "LC-2222-3333"])
    monkeypatch.setattr(reports, "new_reference", lambda: next(fresh))
    assert_redirects(post_report(client, description="Another report"), "/report/done")
    assert sorted(r.reference for r in stored_reports()) == sorted([taken, "LC-2222-3333"])


def test_when_the_database_fails_the_reporter_still_sees_who_to_call(tmp_path, caplog):
    down = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/x.db"})
    response = post_report(down.test_client(), danger="yes")
    page = read(response, 503)
    assert page.links().count("tel:999") >= 2
    main = page.html.split('id="main"', 1)[1]
    assert main.index('class="call-999" href="tel:999"') < main.index("Your report was not sent")
    assert "tel:0800555111" in page.links()
    assert VALID["description"] in page.html  # kept, ready to send again
    assert page.find_all("form", id="report-form")
    assert "report not stored: OperationalError" in caplog.text
    assert VALID["description"] not in caplog.text


def test_a_post_from_another_sites_page_is_refused_with_who_to_call(make_app):
    """Issue 18: no token on the public form (CSRF protection on, as in production); a post
    that a browser says came from another site's page is refused, with our page and 999."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    refused = client.post(
        "/report", data=VALID, headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://x.test"}
    )
    page = read(refused, 403)
    assert "tel:999" in page.links()
    assert not stored_reports()


def test_a_post_from_our_own_page_needs_no_token(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = read(client.get("/report?sector=rail"))
    assert not page.find_all("input", name="csrf_token")
    own = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert_redirects(client.post("/report", data=VALID, headers=own), "/report/done")
    assert len(stored_reports()) == 1


def test_switching_language_mid_form_keeps_the_answers(client):
    english = read(client.get("/report?sector=rail"))
    assert english.find_all("html")[0]["lang"] == "en"
    response = post_report(client, switch_lang="pl", description="Still here")
    page = read(response)
    assert page.find_all("html")[0]["lang"] == "pl"
    assert "What did you see?" in english.text and "What did you see?" not in page.text
    assert "Still here" in page.html
    assert not page.error_summary_links()
    assert not stored_reports()


def test_unknown_pages_get_a_404_that_still_shows_who_to_call(client):
    response = client.get("/no-such-page")
    assert "tel:999" in read(response, 404).links()


def test_pages_with_answers_are_never_cached_and_none_allow_third_party_content(client):
    """The blank form may be kept by a proxy (the same bytes for everyone); a page with a
    reporter's answers never."""
    response = client.get("/report?sector=rail")
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert post_report(client, postcode="nowhere").headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    assert not re.search(r'(src|href)="https?://', response.get_data(as_text=True))


def test_data_sentences_with_a_percent_sign_render_as_written(client):
    """Authority sentences are data: they are translated but never %-formatted."""
    page = read(client.get("/no-such-page"), 404)
    assert "stay 100% anonymous" in page.text


def test_if_the_error_page_itself_fails_a_plain_page_still_shows_who_to_call(
    app, client, monkeypatch
):
    import reporter.errors as errors

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(errors, "render_template", broken)
    response = client.get("/no-such-page")
    assert {"tel:999", "tel:101", "tel:0800555111"} <= set(read(response, 404).links())
