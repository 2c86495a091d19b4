"""GET /triage/export.csv: the queue as it is filtered, as a CSV download, streamed.

The filters are the queue's own (same form, same parsing, same query and scope). Contact details
are a separate ask (`?contact=1`) that only admins and national staff may make: for anyone else
it is the app's usual 404, as for any page that is not theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, abort, request, stream_with_context, url_for
from werkzeug.exceptions import NotFound

from reporter.campaign import campaign_data
from reporter.services.casework import export
from reporter.triage import bp
from reporter.triage.auth import current_staff
from reporter.triage.common import queue_filter, queue_form
from reporter.uktime import uk_today


def filename(contact: bool) -> str:
    today = uk_today()
    kind = "reports-with-contact-details" if contact else "reports"
    return f"lookcloser-{kind}-{today:%Y-%m-%d}.csv"


@bp.route("/export.csv", methods=["GET", "POST"])
def export_csv():
    """GET for filters alone; POST when there is a search, which never goes in an address."""
    staff = current_staff()
    source = request.form if request.method == "POST" else request.args
    contact = source.get("contact") == "1"
    if contact and not export.may_export_contact(staff):
        raise NotFound()
    if request.method == "GET" and "q" in request.args:
        abort(400)  # a search is posted; without it this export would hold more than asked
    ref = campaign_data()
    form = queue_form(staff, ref)
    chosen = queue_filter(form, staff)
    if form.errors:
        # The queue page says what is wrong and offers no export until it is put right: an
        # export must never silently hold more than the filters asked for.
        abort(400)
    prepared = export.start_export(staff, chosen, ref, contact=contact)
    return csv_download(prepared.chunks(), filename(contact))


def csv_download(chunks: Iterator[str], name: str) -> Response:
    """A CSV file streamed as it is made, saved as `name`, kept by no cache."""
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.app_template_global()
def queue_export_url(filters: dict[str, Any], contact: bool = False) -> str:
    """The export of the queue page being shown: its filters (no search), not its position."""
    args = {**filters, "contact": "1"} if contact else filters
    return url_for("triage.export_csv", **args)


@bp.context_processor
def export_context():
    return {"may_export_contact": export.may_export_contact}
