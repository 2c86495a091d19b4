"""What the form's own steps read from a request, besides sending a report: the answers carried
to another setting ("Change where you work"), and the answers of a body too large to take (a
long paste), so that neither step loses what was typed."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import request
from werkzeug.datastructures import ImmutableMultiDict

# A form over MAX_CONTENT_LENGTH (a long paste) is still read back up to this, so the answers
# stay on the page and the long one is named; a body larger still gets the plain 413 page.
OVERSIZED_FORM_READ_LIMIT = 1024 * 1024
# Not answers: the form's machinery, and the choice the chooser itself makes.
NOT_CARRIED = frozenset(
    {"csrf_token", "sector", "change_setting", "changed_from", "switch_lang", "website"}
)


def carried_answers() -> list[tuple[str, str]]:
    """Every answer given, for the chooser to carry to the new setting's form, and the setting
    it came from (the phone moves its draft along)."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in NOT_CARRIED and value
    ] + [("changed_from", request.form["sector"])]


def oversized_answers() -> ImmutableMultiDict[str, str] | None:
    """The form's answers from a body over MAX_CONTENT_LENGTH, read from the WSGI input (which
    Flask has left unread), up to OVERSIZED_FORM_READ_LIMIT."""
    length = request.content_length
    if request.mimetype != "application/x-www-form-urlencoded" or not length:
        return None
    if length > OVERSIZED_FORM_READ_LIMIT:
        return None
    body = request.environ["wsgi.input"].read(length)
    return ImmutableMultiDict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
