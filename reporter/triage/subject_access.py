"""Subject access requests: an admin finds every report that holds a person's email address or
phone number, and exports them. Searched by POST only: what is searched for never reaches a
web address (access logs, history), nor the audit log."""

from __future__ import annotations

from flask import abort

from reporter.services.data_protection import subject_access
from reporter.triage import bp
from reporter.triage.auth import admin_only, current_staff
from reporter.triage.common import form_page, refusal_shown
from reporter.triage.export import csv_download
from reporter.triage.forms import SubjectAccessForm
from reporter.uktime import uk_today


@bp.route("/subject-access", methods=["GET", "POST"])
@admin_only
def subject_access_search():
    form = SubjectAccessForm()
    found = None
    if form.validate_on_submit():
        with refusal_shown(form, subject_access.SubjectAccessError, "email"):
            found = subject_access.find(current_staff(), form.email.data, form.phone.data)
    return form_page("triage/subject_access.html", form, found=found)


@bp.post("/subject-access/export.csv")
@admin_only
def subject_access_export():
    form = SubjectAccessForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        prepared = subject_access.start_export(current_staff(), form.email.data, form.phone.data)
    except subject_access.SubjectAccessError:
        abort(400)
    name = f"lookcloser-subject-access-{uk_today():%Y-%m-%d}.csv"
    return csv_download(prepared.chunks(), name)
