"""Command-line tasks: `flask --app wsgi demo-data` and `demo-data show` (development only)."""

from __future__ import annotations

import logging
import random
import signal
import threading
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select, update

from reporter.campaign import campaign_data
from reporter.crypto import new_key
from reporter.extensions import db
from reporter.models import Report, utcnow
from reporter.plurals import counted
from reporter.routing import Facts
from reporter.services.data_protection import holds, key_rotation, retention
from reporter.services.mail import notify, outbox
from reporter.services.partnerships import poster_bundles
from reporter.services.reporting import follow_up
from reporter.services.reporting.guidance import guidance_for
from reporter.services.reporting.reports import Contact, NewReport, store
from reporter.triage.cli import development_only, echo_demo_accounts
from reporter.triage.poster_pages import PosterZip

DEMO_PLACES = [
    ("rail", None, "LEI", "Two boys on the platform, told what to do by an older man."),
    ("delivery", "S40 1AA", None, "Shouting heard, child with bruises answered the door."),
    ("hotel", "M1 1AE", None, "Girl checked in by a much older man paying cash, no luggage."),
    ("taxi", "L1 8JQ", None, "Child alone on a long late-night journey, many phone calls."),
    ("food-service", "NG1 5FW", None, "Adults buying food for a group of children at midnight."),
    ("bus-coach", "LE1 1AA", None, "Young person hanging round the coach station all day."),
    ("rail", None, "EUS", "Teenager avoiding staff, two phones, paying cash."),
    ("roadside-services", "CF10 1EP", None, "Boy made to work at the car wash in school hours."),
]


DEMO_WEEKS = 8

notify_cli = AppGroup("notify", help="Email alerts to staff (no report content).")


@notify_cli.command("daily-summary")
def daily_summary_command() -> None:
    """Tell each member of staff how many reports are still new (run daily from cron)."""
    click.echo(f"Queued {notify.daily_summary()} summaries; the outbox worker sends them.")


outbox_cli = AppGroup(
    "outbox", help="The worker that sends staff emails, with retries, and builds poster zips."
)


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
def outbox_work_command(once: bool) -> None:
    """Send queued emails, and build the poster zips staff asked for, until stopped (SIGTERM or
    Ctrl-C end it after the current email or slice of a zip)."""
    if once:
        click.echo(f"Sent {outbox.deliver_due()} messages.")
        click.echo(
            f"Built {poster_bundles.build_due(outbox.worker_name(), PosterZip)} poster zips."
        )
        return
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    outbox.work(stop, slices=[poster_bundles.Builder(outbox.worker_name(), PosterZip).step])


@outbox_cli.command("retry-failed")
def outbox_retry_failed_command() -> None:
    """Queue again every message that failed for good (after fixing the mail settings)."""
    click.echo(f"Queued {outbox.retry_failed()} failed messages again.")


@outbox_cli.command("prune")
@click.option(
    "--days",
    type=click.IntRange(min=retention.MIN_SENT_MESSAGE_DAYS),
    default=None,
    help="Default: OUTBOX_RETENTION_DAYS.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; change nothing.")
def outbox_prune_command(days: int | None, dry_run: bool) -> None:
    """Delete emails sent more than DAYS ago (the worker does it too, every
    OUTBOX_PRUNE_SECONDS). Emails not sent yet, or failed, are kept."""
    days = days if days is not None else current_app.config["OUTBOX_RETENTION_DAYS"]
    if days < retention.MIN_SENT_MESSAGE_DAYS:
        raise click.ClickException(
            f"OUTBOX_RETENTION_DAYS must be at least {retention.MIN_SENT_MESSAGE_DAYS}"
        )
    count = retention.prune_sent_messages(days, dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {count} emails sent more than {days} days ago.")


retention_cli = AppGroup("retention", help="Remove what closed reports say, once kept long enough.")


@retention_cli.command("purge")
@click.option("--days", type=int, default=None, help="Default: REPORT_RETENTION_DAYS.")
@click.option("--dry-run", is_flag=True, help="Count what would be purged; change nothing.")
def purge_command(days: int | None, dry_run: bool) -> None:
    """Remove the content of reports closed more than DAYS ago (run daily from cron)."""
    days = days if days is not None else current_app.config["REPORT_RETENTION_DAYS"]
    count = retention.purge_closed(days, dry_run=dry_run)
    verb = "Would purge" if dry_run else "Purged"
    reports = "report" if count == 1 else "reports"
    click.echo(f"{verb} the content of {count} {reports} closed more than {days} days ago.")


@retention_cli.command("warn")
def warn_command() -> None:
    """Email each admin, once a day, the reports due for purge in the next 30 days (daily)."""
    queued = holds.warn_admins(current_app.config["REPORT_RETENTION_DAYS"])
    click.echo(f"Queued the retention digest for {queued} {'admin' if queued == 1 else 'admins'}.")


keys_cli = AppGroup("keys", help="The REPORTER_DATA_KEY keys that encrypt stored data.")


@keys_cli.command("new")
def new_key_command() -> None:
    """Print a new random key, to put first in REPORTER_DATA_KEY."""
    click.echo(new_key())


@keys_cli.command("rotate")
@click.option("--batch-size", type=click.IntRange(min=1), default=key_rotation.BATCH)
def rotate_command(batch_size: int) -> None:
    """Re-encrypt everything under the first (newest) key, in batches; safe to run again."""

    def progress(what: str, done: int, total: int) -> None:
        click.echo(f"{what}: {done} of {total}")

    done = key_rotation.rotate(batch_size, progress)
    left = {what: n for what, n in key_rotation.pending().items() if n}
    summary = ", ".join(f"{n} {what}" for what, n in done.items())
    click.echo(f"Re-encrypted under the newest key: {summary}.")
    if left:
        raise click.ClickException(f"Still under an older key: {left}. Run it again.")
    click.echo("Nothing is left under an older key: the older keys can be removed.")
    if codes := follow_up.codes_under_older_keys():
        click.echo(
            f"But {counted(codes, 'report has', 'reports have')} a follow-up code made under an "
            "older key (a code is never stored, so it cannot be moved to the new key): removing "
            "that key ends those codes. Keep it until those reports are purged to keep them."
        )


def init_app(app: Flask) -> None:
    app.cli.add_command(keys_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(retention_cli)

    @app.cli.group("demo-data", invoke_without_command=True)
    @click.option("--count", default=40, show_default=True)
    @click.option("--if-empty", is_flag=True, help="Only when there are no reports yet.")
    @click.pass_context
    @with_appcontext  # a group's own callback gets no app context from Flask by itself
    def demo_data(context: click.Context, count: int, if_empty: bool) -> None:
        """Add made-up reports and partners for development (`show` lists the demo accounts and
        entry links). Refused outside development."""
        development_only()
        if context.invoked_subcommand:
            return
        if if_empty and db.session.scalar(select(func.count(Report.id))):
            click.echo("Demo data: reports already present, none added.")
            return
        ref = campaign_data()
        rng = random.Random(7)  # noqa: S311 (repeatable demo data, not security)
        now = utcnow()
        for i in range(count):
            sector, postcode, station, text = DEMO_PLACES[i % len(DEMO_PLACES)]
            signs = rng.sample([s.id for s in ref.signs_for(sector)], k=rng.randint(1, 3))
            facts = Facts(
                sector=sector,
                signs=frozenset(signs),
                danger=i % 9 == 0,
                postcode=postcode,
                station=station,
            )
            new = NewReport(facts=facts, description=text, contact=Contact(), source="form")
            stored = store(new, guidance_for(facts)).report
            # Spread over the last DEMO_WEEKS weeks, so that trends show a bar for each week.
            created = now - timedelta(minutes=rng.randint(0, DEMO_WEEKS * 7 * 24 * 60))
            db.session.execute(
                update(Report).where(Report.id == stored.id).values(created_at=created)
            )
        db.session.commit()
        click.echo(f"Demo data: added {count} reports over the last {DEMO_WEEKS} weeks.")
        _demo_partners()

    @demo_data.command("show")
    def show_demo() -> None:
        """Print the demo staff accounts and the demo partners' entry links: `make run` does, on
        every start, so that a restart does not lose them."""
        echo_demo_accounts()
        _echo_entry_links()


# name, setting, language, home region, sites (label, station, postcode)
DEMO_PARTNERS: list[tuple[str, str, str, str | None, list[tuple[str, str | None, str | None]]]] = [
    ("Demo Rail Operator", "rail", "pl", None, [("Leeds station, staff room", "LDS", None)]),
    ("Demo Couriers", "delivery", "ro", "east-midlands", [("Riders anywhere", None, None)]),
    ("Demo Hotels", "hotel", "es", None, [("Manchester Piccadilly hotel", None, "M1 1AE")]),
]


def _demo_partners() -> None:
    """A few partners with sites, so that entry links and posters can be tried at once."""
    from reporter.services.partnerships import partners

    for name, sector, language, region, sites in DEMO_PARTNERS:
        if partners.find_partner(name):
            continue
        partner = partners.create_partner(
            partners.PartnerDetails(name=name, sector=sector, language=language, region_id=region)
        )
        for label, station, postcode in sites:
            partners.add_site(partner, label=label, station=station, postcode=postcode)
        click.echo(f"Demo data: added the partner {name}.")


def _echo_entry_links() -> None:
    """The live sites of the demo partners there are: open a link to see the form preset."""
    from reporter.services.partnerships import partners, posters

    found = [(name, partners.find_partner(name)) for name, *_rest in DEMO_PARTNERS]
    links = [
        f"Demo entry link ({name}, {site.label}): {posters.entry_url(site)}"
        for name, partner in found
        if partner and partner.active
        for site in partner.sites
        if site.active
    ]
    for line in links or ["No demo entry links: `flask demo-data` adds the demo partners."]:
        click.echo(line)
