from flask import Blueprint, current_app, request
from flask_babel import get_locale

from reporter.i18n import LANGUAGE_ARG

bp = Blueprint("public", __name__)
# The outcome page is in the language its report was sent in (kept with it in the session):
# its address stays /report/done, which the phone's script and worker look for.
SAYS_ITS_OWN_LANGUAGE = frozenset({"public.outcome"})


@bp.url_defaults
def carry_the_language(endpoint: str, values: dict) -> None:
    """Every public address the app makes says its language (`?lang=`): the pages keep no
    session, so the address is what carries the reporter's choice from page to page."""
    if LANGUAGE_ARG not in values and endpoint not in SAYS_ITS_OWN_LANGUAGE and request:
        values[LANGUAGE_ARG] = str(get_locale())


@bp.before_request
def refuse_cross_site_posts():
    """A post from another site's page is refused by its own headers (cross_origin.py): the
    public pages carry no CSRF token."""
    if not cross_origin.allowed(
        request.method, request.headers, request.host, current_app.config["TRUSTED_ORIGINS"]
    ):
        return render_error(403)
    return None


from reporter.errors import render_error  # noqa: E402
from reporter.public import cross_origin, entry, follow_up, info, routes  # noqa: E402,F401
