"""The staff side at /triage: sign-in, the queue, reports and their workflow, users, audit."""

from typing import Any

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App
from flask.typing import RouteCallable


class StaffSetupState(BlueprintSetupState):
    """Staff routes, the static files' included, answer only the methods their views take.
    Flask would answer OPTIONS on every route by itself (200, with the route's methods) before
    any view checks who is asking; here OPTIONS is one more method a staff address does not
    serve, answered like an unknown address (see common.py)."""

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        **options: Any,
    ) -> None:
        if options.get("provide_automatic_options") is None:
            options["provide_automatic_options"] = False
        super().add_url_rule(rule, endpoint, view_func, **options)


class StaffBlueprint(Blueprint):
    def make_setup_state(
        self, app: App, options: dict[str, Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        return StaffSetupState(self, app, options, first_registration)


bp = StaffBlueprint(
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
    hotspots,
    partners,
    retention,
    routes,
    setup,
    subject_access,
    trends,
)


def init_app(app: Flask) -> None:
    from reporter.services.casework import search
    from reporter.services.data_protection import subject_access as contact_index
    from reporter.triage.cli import triage_cli, users_cli
    from reporter.triage.partners_cli import partners_cli

    search.init_app(app)
    contact_index.init_app(app)
    app.register_blueprint(bp)
    # After the blueprint's routes: at one address, Werkzeug tries rules in the order added.
    common.route_what_staff_pages_do_not_serve(app)
    app.cli.add_command(users_cli)
    app.cli.add_command(triage_cli)
    app.cli.add_command(partners_cli)
