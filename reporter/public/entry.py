"""Entry links /p/<code>: a partner's poster, card or app opens the form set for its site.

The link presets the setting, the place (station or postcode, still changeable) and the
partner's language (the reporter can still switch). The form carries the code as a hidden
field, so the stored report records the partner and the site. A retired or unknown code opens
the plain form with a gentle note: a poster on a staff-room wall outlives its campaign.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from reporter.campaign import campaign_data
from reporter.i18n import LANGUAGE_ARG, offered
from reporter.models import Site
from reporter.public import bp
from reporter.services.partnerships import entries, entry_limits, partners

_CACHE = "reporter.entry_site"


@bp.get("/p/<code>")
def entry(code: str):
    address = get_remote_address()
    # Too many codes that do not exist from this address: someone is guessing. Nothing is looked
    # up, and the answer is the form, as for an unknown code: a reporter can still report.
    if wait := entry_limits.seconds_until_lookups(address):
        notice = _("This code could not be checked just now, but you can still report here.")
        page = render_template("public/choose_sector.html", notice=notice)
        return page, 429, {"Retry-After": str(wait)}
    site, answered = partners.look_up_site(code)
    if site is None or not site.live:
        notice = None
        if answered:
            notice = _("This code is no longer in use, but you can still report here.")
            if site is None:
                entry_limits.count_miss(address)
        return render_template("public/choose_sector.html", notice=notice)
    # Link previews send HEAD: they are not scans. A client counts once per code per day.
    if request.method == "GET" and entry_limits.first_scan_today(address, site.code):
        entries.record_scan(site)
    # The partner's language, unless the link says another; the form's address carries it.
    language = request.args.get(LANGUAGE_ARG)
    if language not in offered():
        language = site.partner.language
    return redirect(
        url_for("public.report", sector=site.sector_id, entry=site.code, lang=language), code=303
    )


def entry_site() -> Site | None:
    """The live site whose code the request carries (`entry`, in the query or the form)."""
    environ = request.environ  # lives exactly as long as the request
    if _CACHE not in environ:
        raw = request.values.get("entry")
        site = partners.look_up_site(raw)[0] if raw else None
        environ[_CACHE] = site if site is not None and site.live else None
    return environ[_CACHE]


def entry_presets(site: Site | None) -> dict:
    """What the form starts with for this site: its station or postcode."""
    if site is None:
        return {}
    stations = campaign_data().stations
    if site.station_crs in stations:
        return {"station": stations[site.station_crs].name}
    return {"postcode": site.postcode} if site.postcode else {}


@bp.context_processor
def entry_context():
    return {"entry": entry_site()}
