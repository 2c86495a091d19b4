"""Follow up a report: with its reference and follow-up code, the reporter sees where it is.

A wrong code and an unknown reference get the same page; too many wrong attempts from one
address, or at one reference, get the same "try again later" (services/follow_up.py).
"""

from __future__ import annotations

import math

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from reporter.public import bp
from reporter.services import follow_up

NOT_FOUND = _l(
    "We could not find a report with that reference and follow-up code. Check both and try again."
)


class FollowUpForm(FlaskForm):
    reference = StringField(
        _l("Your reference"), validators=[InputRequired(_l("Enter the reference of your report."))]
    )
    code = StringField(
        _l("Follow-up code"), validators=[InputRequired(_l("Enter your follow-up code."))]
    )


def _no_store(page: str, status: int = 200, headers: dict | None = None):
    """A report's status is for whoever holds the code: no cache keeps it."""
    return page, status, {"Cache-Control": "no-store", **(headers or {})}


@bp.route("/follow-up", methods=["GET", "POST"])
def follow_up_report():
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _no_store(render_template("public/follow_up.html", form=form))
    found = follow_up.look_up(form.reference.data, form.code.data, get_remote_address())
    if found.retry_after:
        page = render_template(
            "public/follow_up.html", form=form, retry_minutes=math.ceil(found.retry_after / 60)
        )
        return _no_store(page, 429, {"Retry-After": str(found.retry_after)})
    if found.report is None:
        form.code.errors = [NOT_FOUND]
        form.code.data = ""
        return _no_store(render_template("public/follow_up.html", form=form))
    report = found.report
    words = follow_up.status_words(report)
    page = render_template("public/follow_up_status.html", report=report, status_words=words)
    return _no_store(page)
