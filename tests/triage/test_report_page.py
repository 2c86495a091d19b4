"""A report page: everything the reporter gave, decrypted for staff who may see it, the routing
and why, related reports and the timeline. Whatever anyone wrote is shown as text, never HTML."""

from datetime import timedelta

from reporter.models import utcnow
from reporter.services.casework import triage
from tests.factories import make_report, make_user
from tests.pages import read
from tests.triage.conftest import audit_rows, sign_in

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_the_page_shows_what_the_reporter_gave_decrypted(client):
    report = make_report(
        sector="hotel",
        signs=("room-paid-cash", "no-luggage-or-id"),
        description="Girl checked in by a much older man paying cash.",
        place="Room 12, back stairs",
        postcode="LE1 6RN",
        consent="confidential",
        contact={"name": "Sam Desk", "phone": "07700 900123", "email": None},
        danger=True,
        priority="urgent",
    )
    sign_in(client, make_user())
    page = read(client.get(f"/triage/reports/{report.reference}"))
    for shown in (
        "Girl checked in by a much older man paying cash.",
        "Room 12, back stairs",
        "LE1 6RN",
        "Sam Desk",
        "07700 900123",
        "The reporter said a child was in danger right now.",
        "Confidential: only the programme team may contact them",
    ):
        assert shown in page.text, shown
    assert page.title.startswith(f"Report {report.reference}")
    [row] = audit_rows("report_viewed")
    assert row.report_reference == report.reference and row.detail is None


def test_the_page_explains_the_routing(client):
    report = make_report(
        sector="rail",
        station="LEI",
        signs=("travelling-alone",),
        authorities=("btp-text-61016", "police-101"),
    )
    sign_in(client, make_user())
    page = read(client.get(f"/triage/reports/{report.reference}"))
    assert "The region came from: the postcode" in page.text
    assert "British Transport Police" in page.text
    decision = triage.report_detail(report, client.application.extensions["reporter_reference"])
    assert decision.decision.reasons and all(why in page.text for why in decision.decision.reasons)


def test_related_reports_are_near_in_place_and_time_and_visible_to_the_user(client):
    now = utcnow()
    report = make_report(station="LEI", created_at=now)
    same_station = make_report(station="LEI", created_at=now - timedelta(days=13))
    same_district = make_report(postcode="LE1 1AA", created_at=now - timedelta(days=2))
    with_district = make_report(station="LEI", postcode="LE1 6RN", created_at=now)
    too_old = make_report(station="LEI", created_at=now - timedelta(days=15))
    other_region = make_report(station="LEI", region="london", created_at=now)
    sign_in(client, make_user(regions=("east-midlands",)))
    body = client.get(f"/triage/reports/{report.reference}").get_data(as_text=True)
    assert same_station.reference in body and with_district.reference in body
    assert same_district.reference not in body  # the report itself has no postcode
    assert too_old.reference not in body and other_region.reference not in body
    body = client.get(f"/triage/reports/{with_district.reference}").get_data(as_text=True)
    assert same_district.reference in body and report.reference in body


def test_the_timeline_tells_the_story(client):
    officer = make_user(name="Pat Officer")
    report = make_report()
    sign_in(client, officer)
    client.post(f"/triage/reports/{report.reference}/triaged")
    client.post(f"/triage/reports/{report.reference}/notes", data={"note": "Rang BTP control."})
    client.post(
        f"/triage/reports/{report.reference}/refer",
        data={"agency": "btp", "their_reference": "BTP/2026/77"},
    )
    client.post(f"/triage/reports/{report.reference}/assign", data={"assignee": str(officer.id)})
    page = read(client.get(f"/triage/reports/{report.reference}"))
    timeline = page.text.split("Timeline", 1)[1].split("Actions", 1)[0]
    order = [
        "Report received",
        "Status changed from new to triaged",
        "Note",
        "Rang BTP control.",
        "Referred to British Transport Police",
        "Their reference: BTP/2026/77",
        "Assigned to Pat Officer",
    ]
    positions = [timeline.index(step) for step in order]
    assert positions == sorted(positions)
    assert "by Pat Officer" in timeline


def test_what_anyone_wrote_is_shown_escaped_everywhere(client):
    officer = make_user()
    report = make_report(
        description=SCRIPT,
        place=SCRIPT,
        consent="share",
        contact={"name": SCRIPT, "phone": "07700 900123", "email": None},
    )
    sign_in(client, officer)
    base = f"/triage/reports/{report.reference}"
    client.post(f"{base}/triaged")
    client.post(f"{base}/notes", data={"note": SCRIPT})
    client.post(f"{base}/refer", data={"agency": "police", "their_reference": SCRIPT})
    client.post(f"{base}/close", data={"close_reason": SCRIPT})
    body = client.get(base).get_data(as_text=True)
    assert "<script>" not in body and "onerror=alert(1)>" not in body
    # description, place, contact name, note, their reference, close reason
    assert body.count(ESCAPED) == 6
    assert f"Their reference:</span> {ESCAPED}" in body
    # ... and a reroute reason, which shows on the page of the region it went to.
    other = make_report()
    client.post(
        f"/triage/reports/{other.reference}/reroute",
        data={"queue": "london", "reroute_reason": SCRIPT},
    )
    sign_in(client, make_user(role="national"))
    body = client.get(f"/triage/reports/{other.reference}").get_data(as_text=True)
    assert "<script>" not in body and ESCAPED in body


def test_a_script_in_the_search_box_is_escaped(client):
    sign_in(client, make_user())
    body = client.get("/triage/", query_string={"q": SCRIPT[:90]}).get_data(as_text=True)
    assert "<script>" not in body
