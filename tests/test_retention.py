"""Retention: closed reports lose what people wrote after the retention period; codes stay."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from reporter.extensions import db
from reporter.models import AuditEvent, Report, ReportEvent, ReportSearchToken, utcnow
from reporter.services import retention, triage
from tests.factories import make_report, make_user


@pytest.fixture(autouse=True)
def _context(app):
    with app.app_context():
        yield


def closed_report(days_ago: int, **kw) -> Report:
    officer = make_user(role="national")
    report = make_report(place="Platform 4 by the lifts", postcode="LE1 6RN", **kw)
    triage.close(report, officer, "Referred to police, nothing more for us")
    db.session.execute(
        update(ReportEvent)
        .where(ReportEvent.report_id == report.id)
        .values(created_at=utcnow() - timedelta(days=days_ago))
    )
    db.session.commit()
    return report


def test_a_report_closed_long_ago_loses_its_content_but_keeps_its_codes():
    report = closed_report(800, signs=("controlled",))
    tokens = select(ReportSearchToken).where(ReportSearchToken.report_id == report.id)
    assert db.session.scalars(tokens).all()  # the place was searchable
    assert retention.purge_closed(730) == 1
    db.session.refresh(report)
    assert report.description_enc is report.place_enc is report.postcode_enc is None
    assert report.content_purged_at is not None
    assert (report.sector, report.sign_ids, report.status) == ("rail", ["controlled"], "closed")
    events = db.session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id))
    assert all(e.text_enc is None for e in events)
    assert not db.session.scalars(tokens).all()


def test_recently_closed_and_open_reports_are_kept():
    recent = closed_report(10)
    still_open = make_report(created_at=utcnow() - timedelta(days=1000))
    assert retention.purge_closed(730) == 0
    for report in (recent, still_open):
        db.session.refresh(report)
        assert report.description_enc is not None


def test_each_purge_is_audited_and_a_second_run_does_nothing():
    report = closed_report(800)
    retention.purge_closed(730)
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "content_purged"))
    assert [r.report_reference for r in rows] == [report.reference]
    assert retention.purge_closed(730) == 0


def test_a_dry_run_counts_without_changing_anything(runner):
    report = closed_report(800)
    result = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert "Would purge the content of 1 reports closed more than 730 days ago" in result.output
    db.session.refresh(report)
    assert report.description_enc is not None
    result = runner.invoke(args=["retention", "purge", "--days", "30"])
    assert "Purged the content of 1 reports" in result.output
