"""Retention that a person can see and stop: the purge across a change of the UK clocks,
counted table by table; legal holds; the admins' digest of what is due."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from reporter.extensions import db
from reporter.models import OutboxMessage, Report, ReportEvent
from reporter.services.casework import triage
from reporter.services.casework.triage import WorkflowError
from reporter.services.data_protection import holds, retention
from tests.factories import data_context, make_report, make_user

DAYS = 730
# UK clocks went forward at 01:00 UTC on Sunday 28 March 2027 (GMT to BST).
SPRING_FORWARD = datetime(2027, 3, 28, 1, 0)
# ... and back at 01:00 UTC on Sunday 31 October 2027 (BST to GMT).
FALL_BACK = datetime(2027, 10, 31, 1, 0)


@pytest.fixture(autouse=True)
def _context(app):
    with data_context(app):
        yield


def closed_at(moment: datetime, **kw) -> Report:
    """A report with a place (so search tokens) and a note, closed at `moment` (naive UTC)."""
    officer = make_user(role="national")
    report = make_report(place="Platform 4 by the lifts", postcode="LE1 6RN", **kw)
    triage.add_note(report, officer, "Spoke to the station manager")
    triage.close(report, officer, "Referred to police, nothing more for us")
    db.session.execute(
        update(ReportEvent).where(ReportEvent.report_id == report.id).values(created_at=moment)
    )
    db.session.commit()
    return report


def row_counts() -> dict[str, int]:
    """The number of rows in every table the app has."""
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def report_rows(ids: list[int]) -> list[tuple]:
    db.session.expire_all()
    table = Report.__table__
    return [tuple(row) for row in db.session.execute(select(table).where(table.c.id.in_(ids)))]


@pytest.mark.parametrize("change", [SPRING_FORWARD, FALL_BACK], ids=["gmt-to-bst", "bst-to-gmt"])
def test_the_purge_removes_exactly_what_is_due_across_a_change_of_the_clocks(change):
    """Run half an hour after the clocks change: retention is exact elapsed time, so a report
    closed a minute more than 730 days before is purged and one closed a minute less is kept,
    whichever way the clocks went. Every table's rows are counted before and after."""
    now = change + timedelta(minutes=30)
    boundary = now - timedelta(days=DAYS)
    due = closed_at(boundary - timedelta(minutes=1))
    not_yet = closed_at(boundary + timedelta(minutes=1))
    held = closed_at(boundary - timedelta(days=100))
    holds.place_hold(held, make_user(role="admin"), "Evidence in a prosecution")
    still_open = make_report(created_at=boundary - timedelta(days=300), place="Bus station")
    kept_ids = [not_yet.id, held.id, still_open.id]
    due_tokens = row_counts()["report_search_tokens"]

    before, kept_before = row_counts(), report_rows(kept_ids)
    assert retention.purge_closed(DAYS, dry_run=True, now=now) == 1
    assert retention.purge_closed(DAYS, now=now) == 1
    after, kept_after = row_counts(), report_rows(kept_ids)

    tokens_of_due = before["report_search_tokens"] - after["report_search_tokens"]
    assert tokens_of_due > 0 and due_tokens == before["report_search_tokens"]
    changed = {name: after[name] - before[name] for name in before if after[name] != before[name]}
    assert changed == {"audit_events": 1, "report_search_tokens": -tokens_of_due}
    assert kept_after == kept_before  # not a column of the others moved
    purged = db.session.get(Report, due.id)
    assert purged.content_purged_at == now
    assert purged.description_enc is purged.place_enc is purged.postcode_enc is None
    events = db.session.scalars(select(ReportEvent).where(ReportEvent.report_id == due.id))
    assert [e.text_enc for e in events] == [None, None]
    # Nothing is left for a second run at the same moment.
    assert retention.purge_closed(DAYS, now=now) == 0


def test_a_legal_hold_keeps_a_report_until_it_is_lifted():
    admin = make_user(role="admin")
    report = closed_at(datetime(2020, 1, 1))
    holds.place_hold(report, admin, "An inquiry has asked for it")
    assert retention.purge_closed(DAYS) == 0
    assert [d.reference for d in retention.due_for_purge(DAYS)] == []
    holds.lift_hold(report, admin, "The inquiry has what it needs")
    assert [d.reference for d in retention.due_for_purge(DAYS)] == [report.reference]
    assert retention.purge_closed(DAYS) == 1


def test_only_admins_place_holds_each_with_a_reason_and_never_on_purged_content():
    report = closed_at(datetime(2020, 1, 1))
    with pytest.raises(WorkflowError, match="Only an admin"):
        holds.place_hold(report, make_user(role="national"), "Because")
    admin = make_user(role="admin")
    with pytest.raises(WorkflowError, match="Enter a reason for the legal hold"):
        holds.place_hold(report, admin, "   ")
    with pytest.raises(WorkflowError, match="not on legal hold"):
        holds.lift_hold(report, admin, "Done")
    retention.purge_closed(DAYS)
    with pytest.raises(WorkflowError, match="removed under retention already"):
        holds.place_hold(report, admin, "Too late")
    assert db.session.get(Report, report.id).legal_hold_since is None


# --- the admins' digest ---------------------------------------------------------------------


def digests() -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == holds.RETENTION_DIGEST)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_each_active_admin_gets_one_digest_a_day_of_what_is_due_in_30_days():
    now = SPRING_FORWARD + timedelta(hours=12)
    first = make_user(role="admin", email="ada@staff.example")
    make_user(role="admin", email="gone@staff.example", active=False)
    make_user(role="national", email="nat@staff.example")
    soon = closed_at(now - timedelta(days=DAYS - 3), description="Two boys at the barriers")
    closed_at(now - timedelta(days=DAYS - 40))  # due in 40 days: not yet
    assert holds.warn_admins(DAYS, now=now) == 1
    assert holds.warn_admins(DAYS, now=now + timedelta(hours=2)) == 0  # once a day
    [digest] = digests()
    assert digest.recipients == [first.email]
    assert digest.subject == "1 report due for purge"
    assert "1 report will have its content removed under retention in the next 30 days" in (
        digest.body
    )
    # Removed from 31 March 2027, UK time (BST by then), and never what the report says.
    assert f"{soon.reference}  removed from 31 March 2027" in digest.body
    assert "Two boys" not in digest.body and "Platform 4" not in digest.body
    assert "/triage/retention" in digest.body
    assert holds.warn_admins(DAYS, now=now + timedelta(days=1)) == 1
    assert len(digests()) == 2


def test_nothing_due_sends_nothing(runner):
    make_user(role="admin")
    closed_at(datetime.now() - timedelta(days=10))
    result = runner.invoke(args=["retention", "warn"])
    assert result.exit_code == 0 and "for 0 admins" in result.output
    assert digests() == []
