"""The staff side at /triage: sign-in, the queue, reports and their workflow, users, audit."""

from flask import Blueprint, Flask

bp = Blueprint(
    "triage",
    __name__,
    url_prefix="/triage",
    static_folder="static",
    static_url_path="/static",
)

from reporter.triage import (  # noqa: E402,F401
    account,
    admin,
    auth,
    common,
    export,
    partners,
    routes,
    trends,
)


def init_app(app: Flask) -> None:
    from reporter.services import search
    from reporter.triage.cli import triage_cli, users_cli
    from reporter.triage.partners_cli import partners_cli

    search.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    app.cli.add_command(triage_cli)
    app.cli.add_command(partners_cli)
