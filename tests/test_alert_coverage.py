"""Someone is always alerted: an urgent report in any of the ten regions queues an alert in the
same transaction as the report, to the region's officers; when no active officer covers the
region, to national staff; when there are none of those either, to the admins. `/healthz` and
the Users page name each region with no active officer."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from reporter.campaign import campaign_data
from reporter.extensions import db
from reporter.models import OutboxMessage, Report
from reporter.services.mail import notify
from tests.factories import data_context, make_user, report_answers
from tests.pages import assert_redirects

REGIONS_FILE = Path(__file__).parent.parent / "reporter" / "reference" / "regions.toml"
REGIONS = [row["id"] for row in tomllib.loads(REGIONS_FILE.read_text("utf-8"))["region"]]


def urgent_report_at_a_station_in(region_id: str) -> dict:
    """The form's answers for a child in danger now at the first station the data puts in the
    region."""
    ref = campaign_data()
    station = next(
        s
        for s in ref.stations.values()
        if getattr(ref.region_of_force(s.force), "id", None) == region_id
    )
    return report_answers(danger="yes", signs=["controlled"], station=station.crs, description=None)


def stored_alert() -> tuple[Report, OutboxMessage | None]:
    db.session.expire_all()
    report = db.session.scalars(select(Report)).one()
    return report, db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.report_id == report.id)
    )


def test_the_data_has_the_ten_regions():
    assert len(REGIONS) == 10 and len(set(REGIONS)) == 10


@pytest.mark.parametrize("staffed", ["officer", "national only", "admin only"])
@pytest.mark.parametrize("region_id", REGIONS)
def test_an_urgent_report_in_every_region_alerts_someone(app, client, region_id, staffed):
    with data_context(app):
        if staffed == "officer":
            expected = make_user(role="officer", regions=(region_id,)).email
            make_user(role="national")  # not alerted: the region's own officer is
        elif staffed == "national only":
            # An officer elsewhere, or deactivated here, covers nothing of this region's.
            other = next(r for r in REGIONS if r != region_id)
            make_user(role="officer", regions=(other,))
            make_user(role="officer", regions=(region_id,), active=False)
            expected = make_user(role="national").email
            make_user(role="admin")
        else:
            expected = make_user(role="admin").email
            make_user(role="national", active=False)
        response = client.post("/report", data=urgent_report_at_a_station_in(region_id))
        assert_redirects(response, "/report/done")
        report, alert = stored_alert()
        assert (report.region_id, report.priority) == (region_id, "urgent")
        assert alert is not None, "an urgent report must queue an alert"
        assert alert.recipients == [expected]
        region_name = campaign_data().regions[region_id].name
        standing_in = f"No active prevention officer covers the {region_name} region"
        assert (standing_in in alert.body) is (staffed != "officer")


def test_an_urgent_report_in_the_national_queue_alerts_admins_when_no_national_staff(app, client):
    with data_context(app):
        admin = make_user(role="admin")
        make_user(role="officer", regions=("london",))
        answers = {**urgent_report_at_a_station_in("london"), "station": "", "place": "a car park"}
        assert_redirects(client.post("/report", data=answers), "/report/done")
        report, alert = stored_alert()
        assert report.queue == "national" and alert.recipients == [admin.email]
        assert "No active member of the national team works the national queue" in alert.body


def test_with_no_active_account_at_all_the_report_is_still_stored_and_the_gap_logged(
    app, client, caplog
):
    with data_context(app):
        make_user(role="admin", active=False)
        answers = urgent_report_at_a_station_in("wales")
        assert_redirects(client.post("/report", data=answers), "/report/done")
        report, alert = stored_alert()
        assert report.priority == "urgent" and alert is None
    assert [r.levelname for r in caplog.records if "no active staff" in r.getMessage()] == ["ERROR"]


def test_a_report_that_is_not_urgent_alerts_nobody_at_once(app, client):
    with data_context(app):
        make_user(role="national")
        answers = {**urgent_report_at_a_station_in("wales"), "danger": "no"}
        assert_redirects(client.post("/report", data=answers), "/report/done")
        assert stored_alert()[1] is None
        assert notify.report_alert(stored_alert()[0]) is None


# --- what operators see ------------------------------------------------------------------


def test_healthz_is_degraded_and_names_each_region_no_active_officer_covers(app, client):
    with data_context(app):
        make_user(role="officer", regions=tuple(r for r in REGIONS if r not in ("wales", "london")))
        make_user(role="officer", regions=("london",), active=False)
        make_user(role="national", regions=())
    response = client.get("/healthz")
    body = response.get_json()
    assert (response.status_code, body["status"]) == (200, "degraded")
    assert body["uncovered_regions"] == ["london", "wales"]  # in the order of regions.toml
    assert body["reasons"] == [
        "no active officer in: London, Wales (urgent reports there alert national staff, or admins)"
    ]


def test_healthz_is_ok_once_every_region_has_an_active_officer(app, client):
    with data_context(app):
        make_user(role="officer", regions=tuple(REGIONS[:5]))
        make_user(role="officer", regions=tuple(REGIONS[5:]))
    body = client.get("/healthz").get_json()
    assert (body["status"], body["uncovered_regions"], body["reasons"]) == ("ok", [], [])
