"""A partner's zip of posters is made by the outbox worker, never in the web request: asking for
it stores a request, the page refreshes itself until the zip is ready, and the download sends
the stored bytes. The worker builds it a slice at a time between sends, so an urgent report's
alert never waits behind it, and a report sent meanwhile is answered as usual."""

from __future__ import annotations

import csv
import io
import logging
import threading
import zipfile
from contextlib import contextmanager
from datetime import timedelta

import pypdfium2
import pytest
from sqlalchemy import select, update

from reporter.extensions import db
from reporter.models import OutboxMessage, PosterBundle, utcnow
from reporter.services.mail import outbox
from reporter.services.partnerships import poster_bundles, posters
from reporter.triage.poster_pages import PosterZip
from tests.factories import make_partner, make_site, make_user, report_answers
from tests.fault_services import wait_for
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, sign_in
from tests.triage.test_pages import check_page
from tests.triage.test_partners import decode_qr

URGENT = report_answers(danger="yes", signs=["controlled"], station="LEI", description=None)


@pytest.fixture
def admin(client):
    user = make_user(role="admin")
    sign_in(client, user)
    return user


def bundles() -> list[PosterBundle]:
    db.session.expire_all()
    return list(db.session.scalars(select(PosterBundle).order_by(PosterBundle.id)))


def ask_for_the_zip(client, partner) -> None:
    response = client.post(f"/triage/partners/{partner.id}/posters")
    assert_redirects(response, f"/triage/partners/{partner.id}/posters")


def posters_page(client, partner):
    return check_page(client.get(f"/triage/partners/{partner.id}/posters"))


def download_link(page) -> str:
    [link] = [href for href in page.links() if href.endswith(".zip")]
    return link


def test_asking_for_the_zip_makes_nothing_in_the_request(client, admin, monkeypatch):
    partner = make_partner()
    make_site(partner, station="LDS")

    def no_qr_code_here(site):
        raise AssertionError("a web request encoded a QR code")

    monkeypatch.setattr(posters, "qr_code", no_qr_code_here)
    ask_for_the_zip(client, partner)
    [bundle] = bundles()
    assert (bundle.status, bundle.lease_owner, bundle.requested_by_id) == (
        "pending",
        None,
        admin.id,
    )
    page = posters_page(client, partner)
    assert {"http-equiv": "refresh", "content": "3"} in page.find_all("meta")
    assert "Waiting to be made" in page.text
    ask_again = f"/triage/partners/{partner.id}/posters"
    assert not page.find_all("form", action=ask_again)  # nothing to click while it waits
    assert audit_rows("posters_requested")[0].detail == {"partner_id": partner.id}


def test_the_worker_makes_the_zip_and_the_page_offers_it(client, admin):
    partner = make_partner()
    live = [make_site(partner, station="LDS"), make_site(partner, postcode="LE1 6RN")]
    make_site(partner, active=False)
    page = posters_page(client, partner)
    assert "No zip has been made yet." in page.text and not page.find_all("meta", content="3")
    ask_for_the_zip(client, partner)
    assert poster_bundles.build_due("test-worker", PosterZip) == 1

    page = posters_page(client, partner)
    assert "Ready: 2 sites" in page.text
    assert not [m for m in page.find_all("meta") if m.get("http-equiv") == "refresh"]
    response = client.get(download_link(page))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    for site in live:
        assert sum(n.startswith(site.code) for n in names) == 3
        png = archive.read(next(n for n in names if n.startswith(site.code) and n.endswith(".png")))
        assert decode_qr(png).endswith(f"/p/{site.code}")
        for kind in ("poster", "card"):  # a one-page PDF each, for a print shop
            [sheet] = [n for n in names if n.startswith(site.code) and n.endswith(f"-{kind}.pdf")]
            pdf = pypdfium2.PdfDocument(archive.read(sheet))
            assert len(pdf) == 1
            pdf.close()
    assert len(names) == 3 * 2 + 1  # and links.csv
    assert audit_rows("posters_downloaded")[0].detail == {"partner_id": partner.id}


def test_links_csv_shows_labels_a_spreadsheet_would_run_as_text(client, admin):
    partner = make_partner()
    labels = ['=HYPERLINK("http://evil.example")', "+44 depot", "-1 floor", "@SUM(A1)", "Leeds"]
    for label in labels:
        make_site(partner, label=label)
    ask_for_the_zip(client, partner)
    poster_bundles.build_due("test-worker", PosterZip)
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(download_link(posters_page(client, partner))).data)
    )
    rows = list(csv.reader(io.StringIO(archive.read("links.csv").decode("utf-8"))))
    assert rows[0] == ["label", "code", "link"]
    shown = sorted(row[0] for row in rows[1:])
    assert shown == sorted(["'" + label for label in labels[:4]] + ["Leeds"])


def test_two_clicks_make_the_zip_once(client, admin):
    partner = make_partner()
    make_site(partner)
    ask_for_the_zip(client, partner)
    ask_for_the_zip(client, partner)
    assert len(bundles()) == 1
    assert poster_bundles.build_due("test-worker", PosterZip) == 1
    assert len(audit_rows("posters_requested")) == 2  # each click is still audited


def test_an_urgent_alert_is_sent_between_slices_of_a_big_zip(make_app, tmp_path):
    """With a slice of no time at all, the worker builds one site per turn of its loop: the
    alert of a report sent while the zip is half made goes out before the zip is finished."""
    app = make_app(POSTER_BUNDLE_SLICE_SECONDS=0, MAIL_OUTBOX_DIR=str(tmp_path))
    with app.app_context():
        make_user(role="officer", regions=("east-midlands",))
        admin = make_user(role="admin")
        partner = make_partner()
        for n in range(5):
            make_site(partner, label=f"Depot {n}")
        client = app.test_client()
        sign_in(client, admin)
        ask_for_the_zip(client, partner)
        builder = poster_bundles.Builder("test-worker", PosterZip)
        assert builder.step() and builder.step()  # two sites made
        page = read(client.get(f"/triage/partners/{partner.id}/posters"))
        assert "Being made: 2 of 5 sites done." in page.text  # recorded after each slice

        assert_redirects(client.post("/report", data=URGENT), "/report/done")  # answered meanwhile
        assert outbox.deliver_due("test-worker") == 1
        [alert] = db.session.scalars(select(OutboxMessage)).all()
        assert alert.status == "sent" and bundles()[0].status == "pending"
        while builder.step():
            pass
        assert bundles()[0].status == "ready" and bundles()[0].sites == 5


def test_a_zip_left_by_a_worker_that_stopped_is_made_by_another(client, admin, caplog):
    partner = make_partner()
    for n in range(3):
        make_site(partner, label=f"Depot {n}")
    ask_for_the_zip(client, partner)
    gone = poster_bundles.Builder("worker-that-died", PosterZip)
    gone.claimed = poster_bundles.claim("worker-that-died")
    assert gone.claimed is not None
    gone.steps = poster_bundles.build(gone.claimed, "worker-that-died", PosterZip)
    next(gone.steps)  # one site made, then the worker is killed
    assert poster_bundles.build_due("another-worker", PosterZip) == 0  # its lease still holds
    db.session.execute(update(PosterBundle).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert poster_bundles.build_due("another-worker", PosterZip) == 1
    [bundle] = bundles()
    assert (bundle.status, bundle.attempts, bundle.sites) == ("ready", 2, 3)
    with caplog.at_level(logging.WARNING):
        list(gone.steps)  # a worker that comes back cannot store over it
    assert bundles()[0].lease_owner is None and bundles()[0].status == "ready"


def test_a_zip_that_cannot_be_made_says_so_and_can_be_asked_for_again(client, admin, monkeypatch):
    partner = make_partner()
    make_site(partner)
    ask_for_the_zip(client, partner)

    def broken(self, site):
        raise ValueError("a secret label")

    monkeypatch.setattr(PosterZip, "add", broken)
    assert poster_bundles.build_due("test-worker", PosterZip) == 1
    page = posters_page(client, partner)
    assert "The zip could not be made (ValueError)." in page.text and "secret" not in page.text
    assert page.find_all("form", action=f"/triage/partners/{partner.id}/posters")
    monkeypatch.undo()
    ask_for_the_zip(client, partner)
    assert poster_bundles.build_due("test-worker", PosterZip) == 1
    assert [b.status for b in bundles()] == ["ready"]  # the failed one is gone with it


def test_a_build_that_keeps_stopping_its_worker_is_given_up(client, admin):
    partner = make_partner()
    make_site(partner)
    ask_for_the_zip(client, partner)
    db.session.execute(update(PosterBundle).values(attempts=3))
    db.session.commit()
    assert poster_bundles.build_due("test-worker", PosterZip) == 0
    assert [(b.status, b.last_error) for b in bundles()] == [("failed", "GaveUp")]


def test_a_new_zip_replaces_the_old_one_and_the_old_link_is_gone(client, admin):
    partner = make_partner()
    make_site(partner, label="First")
    ask_for_the_zip(client, partner)
    poster_bundles.build_due("test-worker", PosterZip)
    old = download_link(posters_page(client, partner))
    make_site(partner, label="Second")
    page = posters_page(client, partner)
    assert "Make the zip again (after sites changed)" in page.text
    ask_for_the_zip(client, partner)
    assert "Ready: 1 sites" not in posters_page(client, partner).text  # being made again
    poster_bundles.build_due("test-worker", PosterZip)
    assert client.get(old).status_code == 404
    page = posters_page(client, partner)
    assert "Ready: 2 sites" in page.text and client.get(download_link(page)).status_code == 200
    assert len(bundles()) == 1


def test_another_partners_zip_is_not_found_under_this_partner(client, admin):
    mine, theirs = make_partner(), make_partner()
    make_site(theirs)
    ask_for_the_zip(client, theirs)
    poster_bundles.build_due("test-worker", PosterZip)
    [bundle] = bundles()
    assert client.get(f"/triage/partners/{mine.id}/posters/{bundle.id}.zip").status_code == 404
    assert client.get(f"/triage/partners/{theirs.id}/posters/{bundle.id}.zip").status_code == 200


def test_a_zip_waiting_over_a_minute_says_the_worker_may_be_down(client, admin):
    partner = make_partner()
    make_site(partner)
    ask_for_the_zip(client, partner)
    db.session.execute(update(PosterBundle).values(requested_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    page = posters_page(client, partner)
    assert "It has waited more than a minute" in page.text
    assert "which also sends urgent alerts, may not be running" in page.text


@contextmanager
def running_worker(app):
    """`outbox work` in a thread, as the command runs it (emails, then a slice of a zip), stopped
    as SIGTERM stops it."""
    stop = threading.Event()

    def run():
        with app.app_context():
            outbox.work(stop, slices=[poster_bundles.Builder("test-worker", PosterZip).step])

    worker = threading.Thread(target=run)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(30)


def test_the_running_worker_sends_an_alert_before_it_finishes_a_zip_begun_earlier(
    make_app, tmp_path
):
    """`outbox work` as it runs: the zip asked for first is still being made when the alert of
    a report sent afterwards goes out."""
    app = make_app(MAIL_OUTBOX_DIR=str(tmp_path), OUTBOX_POLL_SECONDS=0.01)
    with app.app_context():
        make_user(role="officer", regions=("east-midlands",))
        partner = make_partner()
        for n in range(20):  # two PDFs a site: seconds of work, far past the alert
            make_site(partner, label=f"Depot {n:03}")
        client = app.test_client()
        sign_in(client, make_user(role="admin"))
        ask_for_the_zip(client, partner)
        with running_worker(app):
            wait_for(lambda: bundles()[0].done > 0, 30, "the worker to begin the zip")
            assert_redirects(client.post("/report", data=URGENT), "/report/done")
            wait_for(lambda: bundles()[0].status == "ready", 120, "the zip to be made")
        db.session.expire_all()
        [alert] = db.session.scalars(select(OutboxMessage)).all()
        assert alert.status == "sent" and alert.sent_at < bundles()[0].finished_at


def test_outbox_work_once_makes_the_zips_asked_for(client, admin, app):
    partner = make_partner()
    make_site(partner)
    ask_for_the_zip(client, partner)
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert "Built 1 poster zips." in result.output
    assert bundles()[0].status == "ready"
