"""Command-line tasks for staff accounts and the search index.

flask --app wsgi users create EMAIL --role officer --region east-midlands [--password-stdin]
flask --app wsgi users setup-link EMAIL [--reset-factor]
flask --app wsgi users deactivate EMAIL
flask --app wsgi users list
flask --app wsgi users demo [--quiet]   (development only; `flask demo-data show` lists them)
flask --app wsgi triage reindex-search  (after the first REPORTER_DATA_KEY key changes)
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from reporter.codes import Role
from reporter.models import StaffUser
from reporter.plurals import counted
from reporter.reference import REGION_IDS
from reporter.services.accounts import enrolment, staff
from reporter.services.casework import search
from reporter.services.data_protection import subject_access
from reporter.services.mail import coverage

users_cli = AppGroup("users", help="Staff accounts for /triage.")
triage_cli = AppGroup("triage", help="Maintenance of the staff side.")

# Demo accounts for development only; `users demo` refuses anywhere else. One officer for each
# region, so that every urgent demo report alerts its own region's officer (services/mail/coverage).
DEMO_USERS = [
    ("admin@lookcloser.example", Role.ADMIN, (), "admin-demo-password"),
    ("national@lookcloser.example", Role.NATIONAL, (), "national-demo-password"),
    *[
        (f"{region}@lookcloser.example", Role.OFFICER, (region,), "officer-demo-password")
        for region in REGION_IDS
    ],
]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(sorted(role.value for role in Role)), required=True)
@click.option("--region", "regions", multiple=True, type=click.Choice(REGION_IDS))
@click.option("--name", default=None, help="The person's name, shown to colleagues.")
@click.option("--require-totp", is_flag=True, help="They must set up a second factor.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, regions, name, require_totp, password_stdin):
    """Create a staff account. Officers need at least one --region."""
    try:
        staff.check_role(role, list(regions))
        password = _read_password(password_stdin)
        user = staff.create_user(
            staff.NewUser(
                email=email,
                role=role,
                password=password,
                regions=tuple(regions),
                name=name,
                totp_required=require_totp,
            )
        )
    except staff.StaffError as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"Created {user.email} ({user.role}{_regions(user)}).")
    if enrolment.second_factor_required(user):
        _echo_setup_link(user, reset_factor=False)


def _echo_setup_link(user: StaffUser, *, reset_factor: bool) -> None:
    token = enrolment.issue_setup_link(user, None, reset_factor=reset_factor)
    hours = int(enrolment.link_lifetime().total_seconds() // 3600)
    click.echo("They must set up a second factor before they can sign in. Give them this link")
    click.echo(f"(it works once, for {hours} {'hour' if hours == 1 else 'hours'}):")
    click.echo(enrolment.setup_url(token))


@users_cli.command("setup-link")
@click.argument("email")
@click.option("--reset-factor", is_flag=True, help="Forget their second factor (a lost phone).")
def setup_link(email, reset_factor):
    """Make a one-time set-up link: they choose a password and set up their second factor."""
    user = staff.find_user(email)
    if user is None:
        raise click.ClickException(f"No account {email}.")
    _echo_setup_link(user, reset_factor=reset_factor)


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user(email):
    """Deactivate an account: it can no longer sign in, and its sessions end now."""
    user = staff.find_user(email)
    if user is None:
        raise click.ClickException(f"No account {email}.")
    staff.set_active(user, False, actor=None)
    click.echo(f"Deactivated {user.email}.")


def _regions(user: StaffUser) -> str:
    return f", {' '.join(user.region_ids)}" if user.region_ids else ""


@users_cli.command("list")
def list_users():
    """List every account."""
    for user in staff.all_users():
        state = "active" if user.active else "deactivated"
        factor = "2FA on" if user.totp_enabled else ("2FA required" if user.totp_required else "")
        last = f"last sign-in {user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else ""
        parts = [user.email, user.role + _regions(user), state, factor, last]
        click.echo("  ".join(p for p in parts if p))


@users_cli.command("demo")
@click.option("--quiet", is_flag=True, help="Create them only (`make run` lists them after).")
def demo_users(quiet: bool):
    """Create the demo accounts (development only). Safe to run again."""
    development_only()
    for email, role, regions, password in DEMO_USERS:
        if staff.find_user(email) is None:
            staff.create_user(
                staff.NewUser(email=email, role=role, password=password, regions=regions)
            )
    if not quiet:
        echo_demo_accounts()


def development_only() -> None:
    """The demo's accounts print their passwords: never anywhere but development."""
    if current_app.config["ENV_NAME"] != "development":
        raise click.ClickException("the demo accounts and data are for development only")


def echo_demo_accounts() -> None:
    """Each demo account with its demo password, as long as that password still signs it in (a
    password changed since is not printed); then the regions no active officer covers."""
    development_only()
    base = current_app.config["REPORTER_BASE_URL"].rstrip("/")
    click.echo(f"Demo staff accounts for {base}/triage/ (development only):")
    for email, role, regions, password in DEMO_USERS:
        user = staff.find_user(email)
        if user is None:
            shown = "(not made: flask users demo)"
        elif not user.active:
            shown = "(deactivated)"
        elif not staff.password_matches(user, password):
            shown = "(password changed)"
        else:
            shown = password
        click.echo(f"  {email:36} {shown:24} {role}{' ' + ' '.join(regions) if regions else ''}")
    uncovered = coverage.uncovered_regions()
    if uncovered:
        click.echo(f"No active officer in: {coverage.region_names(uncovered)}.")
    else:
        click.echo("Every region has an active officer.")


@triage_cli.command("reindex-search")
def reindex_search():
    """Rebuild the blind search index over places and postcodes, and the contact hashes."""
    count = search.reindex_all()
    subject_access.reindex_contacts()
    click.echo(f"Indexed {counted(count, 'report', 'reports')}.")
