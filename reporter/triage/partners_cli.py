"""Command-line tasks for partners (the same services, and audit, as the admin pages).

flask --app wsgi partners create NAME --sector rail --language pl [--region R] [--contact C]
flask --app wsgi partners import PARTNER FILE.csv [--dry-run]
flask --app wsgi partners list [PARTNER]
flask --app wsgi partners retire PARTNER
flask --app wsgi partners key PARTNER NAME   (an API key for the partner's app, shown once)

PARTNER is the partner's id or its name (any case).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from reporter.i18n import LOCALES
from reporter.models import Partner, Site
from reporter.plurals import counted
from reporter.reference import REGION_IDS, SECTOR_IDS
from reporter.services.partnerships import partner_keys, posters, site_import
from reporter.services.partnerships import partners as service

partners_cli = AppGroup("partners", help="Partners, their sites and entry links.")


def _partner(key: str) -> Partner:
    partner = service.find_partner(key)
    if partner is None:
        raise click.ClickException(f"No partner {key!r}: give its id or name (partners list).")
    return partner


@partners_cli.command("create")
@click.argument("name")
@click.option("--sector", required=True, type=click.Choice(SECTOR_IDS))
@click.option("--language", required=True, type=click.Choice(LOCALES))
@click.option("--region", default=None, type=click.Choice(REGION_IDS), help="Home region.")
@click.option("--contact", default=None, help="Who the programme talks to at the partner.")
def create(name, sector, language, region, contact):
    """Add a partner."""
    try:
        partner = service.create_partner(
            service.PartnerDetails(
                name=name, sector=sector, language=language, contact=contact, region_id=region
            )
        )
    except service.PartnerError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(
        f"Created partner {partner.id}: {partner.name} ({partner.sector}, {partner.language})."
    )


def _echo_row(row: service.SiteDraft) -> None:
    region = row.region.name if row.region else "-"
    where = row.place if row.kind != "anywhere" else "anywhere"
    outcome = "ERROR: " + " ".join(row.errors) if row.errors else f"ok, region {region}"
    click.echo(f"line {row.line}: {row.label or '(no label)'} | {where} | {outcome}")


@partners_cli.command("import")
@click.argument("partner_key", metavar="PARTNER")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check and show every line; create nothing.")
def import_command(partner_key, file, dry_run):
    """Import sites from a CSV file (columns label,station,postcode[,sector]). Every line is
    checked first; nothing is imported unless the whole file is valid."""
    partner = _partner(partner_key)
    data = file.read(site_import.IMPORT_MAX_BYTES + 1)
    sites: list[Site] = []
    if dry_run:
        preview = site_import.preview_import(partner, data)
    else:
        try:
            preview, sites = site_import.import_sites(partner, data)
        except service.PartnerError as refused:
            raise click.ClickException(str(refused)) from refused
    for problem in preview.problems:
        click.echo(f"file: {problem}")
    for row in preview.rows:
        _echo_row(row)
    if not preview.valid:
        raise click.ClickException(
            f"{preview.error_count} problem(s): nothing imported. Correct the file and run again."
        )
    if dry_run:
        click.echo(
            f"The file is valid: {counted(len(preview.rows), 'site', 'sites')} would be created"
            " (dry run)."
        )
        return
    for site in sites:
        click.echo(f"{site.code}  {posters.entry_url(site)}  {site.label}")
    click.echo(f"Imported {counted(len(sites), 'site', 'sites')} for {partner.name}.")


@partners_cli.command("list")
@click.argument("partner_key", metavar="[PARTNER]", required=False)
def list_command(partner_key):
    """List partners; with PARTNER, its sites and their entry links."""
    if partner_key:
        partner = _partner(partner_key)
        for site in partner.sites:
            status = "live" if site.live else "retired"
            place = site.station_crs or site.postcode or "anywhere"
            click.echo(
                f"{site.code}  {status:7}  {place:8}  {posters.entry_url(site)}  {site.label}"
            )
        return
    for partner in service.all_partners():
        live = sum(1 for site in partner.sites if site.active)
        status = "active" if partner.active else "retired"
        click.echo(
            f"{partner.id:>4}  {status:7}  {partner.sector:18}  {partner.language:4}  "
            f"{live:>4} live sites  {partner.name}"
        )


@partners_cli.command("retire")
@click.argument("partner_key", metavar="PARTNER")
def retire(partner_key):
    """Retire a partner: its links open the plain form, with a gentle note."""
    partner = _partner(partner_key)
    if service.set_partner_active(partner, False):
        click.echo(f"Retired {partner.name}.")
    else:
        click.echo(f"{partner.name} was already retired.")


@partners_cli.command("key")
@click.argument("partner_key", metavar="PARTNER")
@click.argument("name")
def key_command(partner_key, name):
    """Make an API key for the partner's app. It is printed once and never stored."""
    partner = _partner(partner_key)
    try:
        _row, key = partner_keys.create_key(partner, name)
    except service.PartnerError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(key)
