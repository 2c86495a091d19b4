"""The server's side of the form's steps (issue 17): "Change where you work" carries the answers
through the chooser; a body over the limit keeps them and names the long field; the outcome is
for its sender, right after sending. The phone's side is in tests/browser/."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from reporter.extensions import db
from reporter.models import Report
from reporter.public import routes, steps
from tests.factories import report_answers
from tests.pages import assert_redirects, read

RAIL = report_answers(
    danger="yes",
    signs=["hiding", "travelling-alone"],
    postcode="LE1 6RN",
    station="LEI",
    idempotency_key="k" * 24,
)


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


def textarea(page, field_id: str) -> str:
    return re.search(rf'<textarea id="{field_id}"[^>]*>(.*?)</textarea>', page.html, re.S).group(1)


def test_change_where_you_work_offers_every_setting_carrying_the_answers(client, app):
    page = read(client.post("/report", data={**RAIL, "change_setting": "1"}))
    assert len(page.find_all("form", id="sector-form")) == 1
    carried = [(i["name"], i["value"]) for i in page.find_all("input", type="hidden")]
    assert ("description", RAIL["description"]) in carried
    assert ("signs", "hiding") in carried and ("signs", "travelling-alone") in carried
    assert ("changed_from", "rail") in carried and ("danger", "yes") in carried
    assert not [name for name, _value in carried if name in ("sector", "change_setting")]
    buttons = [b["value"] for b in page.find_all("button", name="sector")]
    assert buttons == list(app.extensions["reporter_reference"].sectors)
    assert stored_count(app) == 0


def test_the_new_setting_s_form_holds_what_it_also_asks_and_nothing_is_sent(client, app):
    ref = app.extensions["reporter_reference"]
    hotel_signs = {s.id for s in ref.signs_for("hotel")}
    data = {**RAIL, "sector": "hotel", "changed_from": "rail"}
    page = read(client.post("/report", data=data))
    assert page.find_all("input", name="sector")[0]["value"] == "hotel"
    assert textarea(page, "description") == RAIL["description"]
    assert page.find_all("input", id="postcode")[0]["value"] == "LE1 6RN"
    assert "checked" in page.find_all("input", name="danger", value="yes")[0]
    assert page.find_all("input", name="station") == []  # hotels are not asked
    ticked = {i["value"] for i in page.find_all("input", name="signs") if "checked" in i}
    assert ticked == {"hiding", "travelling-alone"} & hotel_signs
    assert page.find_all("div", id="error-summary") == []
    assert page.find_all("span", id="changed-from")[0]["data-sector"] == "rail"
    assert stored_count(app) == 0


def test_a_body_over_the_limit_keeps_the_answers_and_names_the_long_field(client, app):
    long = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1000)
    page = read(client.post("/report", data={**RAIL, "description": long}), 413)
    summary = re.search(r'id="error-summary".*?</div>', page.html, re.S).group(0)
    assert "What did you see: write 2,000 characters or fewer" in summary
    assert re.findall(r'href="(#[^"]+)"', summary) == ["#description"]
    assert textarea(page, "description") == long
    assert page.find_all("input", id="postcode")[0]["value"] == "LE1 6RN"
    assert page.find_all("a", class_="call-999")[0]["href"] == "tel:999"  # danger: 999 first
    assert stored_count(app) == 0


def test_a_body_far_over_the_limit_gets_the_plain_page_with_the_numbers(client, app):
    huge = "x" * (steps.OVERSIZED_FORM_READ_LIMIT + 1)
    page = read(client.post("/report", data={**RAIL, "description": huge}), 413)
    assert "tel:999" in page.links()
    assert page.find_all("textarea") == []
    assert stored_count(app) == 0


def test_the_outcome_is_shown_right_after_sending_and_not_later(client, monkeypatch):
    response = client.post("/report", data={**RAIL, "danger": "no"})
    assert_redirects(response, "/report/done")
    reference = re.search(r"LC-[0-9A-Z]{4}-[0-9A-Z]{4}", client.get("/report/done").text)
    assert reference and reference.group(0) in read(client.get("/report/done")).text  # reload
    later = time.time() + routes.OUTCOME_SHOWN_SECONDS + 1
    monkeypatch.setattr(routes.time, "time", lambda: later)
    response = client.get("/report/done")
    assert_redirects(response, "/report", 302)
    assert reference.group(0) not in client.get("/report/done", follow_redirects=True).text


def test_without_danger_the_outcome_says_plainly_who_else_to_call_and_what_happens_when(client):
    client.post("/report", data={**RAIL, "danger": "no"})
    page = read(client.get("/report/done"))
    assert "You do not have to call anyone: your report is sent." in page.text
    assert "also contact the first one on this list now: they can act sooner" in page.text
    assert "told about your report within a day" in page.text
    assert "no one will contact you about this report" in page.text  # stayed anonymous
    assert "Contact the first one on this list" not in page.text


def test_with_danger_the_outcome_says_the_officer_is_told_at_once(client):
    details = {"consent": "share", "name": "Sam", "phone": "07700 900123"}
    client.post("/report", data={**RAIL, **details})
    page = read(client.get("/report/done"))
    assert "told about your report at once" in page.text
    assert "You do not have to call anyone" not in page.text
    assert "may contact you about this report, using the details you gave" in page.text
