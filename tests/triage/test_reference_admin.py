"""Which region a police force belongs to is data an admin can change without a deploy. A move
routes new reports (the form, the API, the guidance) at once; reports already stored keep their
region. Every POST here runs with CSRF protection on, as in production."""

import re
import secrets

import pytest
from sqlalchemy import select

from reporter import create_app
from reporter.extensions import db
from reporter.models import AuditEvent, ForceRegion, Report
from reporter.services import reference_admin
from tests.factories import make_report, make_user, report_answers
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, sign_in

KENT_POSTCODE = "ME1 1AA"
REASON = "Its organised crime work moves to the South East unit"


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def admin(client):
    user = make_user(role="admin")
    sign_in(client, user)
    return user


def token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def move(client, force: str, region: str, reason: str = REASON, **extra):
    data = {"force": force, "region": region, "reason": reason, **extra}
    data.setdefault("csrf_token", token(client, "/triage/reference"))
    return client.post("/triage/reference", data=data)


def guidance_region(client, postcode: str = KENT_POSTCODE) -> str | None:
    response = client.get("/api/v1/guidance", query_string={"sector": "rail", "postcode": postcode})
    assert response.status_code == 200
    region = response.get_json()["region"]
    return region["id"] if region else None


def send_report(client, postcode: str = KENT_POSTCODE) -> Report:
    data = report_answers(
        sector="delivery",
        signs=["controlled"],
        station=None,
        postcode=postcode,
        description="A girl, about 13, dropped off at the depot by an older man.",
        idempotency_key=secrets.token_urlsafe(18),  # as the phone's script makes it
    )
    response = client.post("/report", data=data)
    assert_redirects(response, "/report/done")
    db.session.expire_all()
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first()


def overrides() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(r.force_id, r.region_id) for r in db.session.scalars(select(ForceRegion))]


def test_moving_kent_routes_new_reports_to_the_south_east_and_leaves_old_ones(client, admin):
    old = make_report(region="eastern", postcode=KENT_POSTCODE)
    assert guidance_region(client) == "eastern"

    response = move(client, "kent", "south-east")
    assert_redirects(response, "/triage/reference")
    assert response.headers["Location"] == "/triage/reference"

    assert guidance_region(client) == "south-east"
    new = send_report(client)
    assert (new.region_id, new.queue, new.region_source) == ("south-east", "south-east", "postcode")
    still = db.session.get(Report, old.id)
    assert (still.region_id, still.queue) == ("eastern", "eastern")
    assert overrides() == [("kent", "south-east")]

    page = read(client.get("/triage/reference"))
    assert "Kent Police is now in South East" in page.text
    assert "Reports already received keep the region" in page.text
    [moved] = re.findall(r'<tr class="moved">(.*?)</tr>', page.html, re.S)
    assert "Kent Police" in moved and "South East" in moved and REASON in moved


def test_moving_kent_back_removes_the_override(client, admin):
    assert_redirects(move(client, "kent", "south-east"), "/triage/reference")
    assert_redirects(move(client, "kent", "eastern", reason="Moved back"), "/triage/reference")
    assert overrides() == []
    assert guidance_region(client) == "eastern"
    moves = [row.detail for row in audit_rows("force_moved")]
    assert moves == [
        {"force": "kent", "from": "eastern", "to": "south-east"},
        {"force": "kent", "from": "south-east", "to": "eastern"},
    ]


def test_a_move_is_audited_with_codes_only(client, admin):
    client.get("/triage/reference")
    [viewed] = audit_rows("reference_viewed")
    assert viewed.actor_id == admin.id
    move(client, "kent", "south-east")
    [moved] = audit_rows("force_moved")
    assert (moved.actor_id, moved.report_id) == (admin.id, None)
    assert moved.detail == {"force": "kent", "from": "eastern", "to": "south-east"}
    for row in db.session.scalars(select(AuditEvent)):
        assert "organised crime" not in repr([getattr(row, c.key) for c in AuditEvent.__table__.c])
    [stored] = db.session.scalars(select(ForceRegion))
    assert b"organised crime" not in stored.reason_enc  # encrypted
    assert stored.changed_by_id == admin.id


@pytest.mark.parametrize(
    ("force", "region", "field"),
    [("atlantis", "south-east", "force"), ("kent", "mars", "region"), ("", "", "force")],
)
def test_an_unknown_force_or_region_is_refused_and_changes_nothing(
    client, admin, force, region, field
):
    response = move(client, force, region)
    page = read(response, 400)
    assert f"#{field}" in page.error_summary_links()
    assert overrides() == [] and audit_rows("force_moved") == []
    assert guidance_region(client) == "eastern"


def test_a_move_needs_a_reason(client, admin):
    response = move(client, "kent", "south-east", reason="  ")
    assert read(response, 400).error_summary_links() == ["#reason"]
    assert overrides() == []


def test_a_region_is_never_left_without_a_force(client, admin):
    assert_redirects(move(client, "city-of-london", "eastern"), "/triage/reference")
    response = move(client, "metropolitan", "south-east")
    assert "London would have no police force left" in read(response, 400).text
    assert overrides() == [("city-of-london", "eastern")]


def test_a_post_without_the_csrf_token_is_refused(client, admin):
    response = move(client, "kent", "south-east", csrf_token="forged")
    assert response.status_code == 400
    assert overrides() == []


@pytest.mark.parametrize("role", ["officer", "national"])
def test_the_page_does_not_exist_for_officers_or_national_staff(client, role):
    sign_in(client, make_user(role=role))
    assert client.get("/triage/reference").status_code == 404
    # A valid token (from the sign-out button), so only the role can refuse the move.
    data = {"force": "kent", "region": "south-east", "reason": "x"}
    response = client.post(
        "/triage/reference", data={**data, "csrf_token": token(client, "/triage/")}
    )
    assert response.status_code == 404
    assert overrides() == [] and audit_rows("reference_viewed") == []


def test_the_effective_reference_is_rebuilt_only_when_the_moves_change(app, admin):
    first = reference_admin.effective_reference()
    assert first is app.extensions["reporter_reference"]  # no moves: the files as they are
    reference_admin.move_force("kent", "south-east", actor=admin, reason=REASON)
    moved = reference_admin.effective_reference()
    assert moved.region_of_force("kent").id == "south-east"
    assert reference_admin.effective_reference() is moved
    assert first.region_of_force("kent").id == "eastern"  # the file's reference is untouched


def test_without_the_database_guidance_comes_from_the_files(tmp_path, caplog):
    down = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/x.db"})
    client = down.test_client()
    response = client.get(
        "/api/v1/guidance",
        query_string={"sector": "rail", "danger": "true", "postcode": KENT_POSTCODE},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["region"]["id"] == "eastern"
    assert body["authorities"][0]["link"] == "tel:999"
    assert "force regions not read, using the files: OperationalError" in caplog.text
