"""Posters (A4) and cards (A6) for a partner's sites: the QR code of the entry link, the code to
type, the call to action and the danger line, in the partner's language and English.

The QR code uses error correction level H (a third of it may be worn, torn or written on and it
still scans) and a quiet zone of four modules, the standard's minimum, white even on a coloured
page.

A partner's zip is written a site at a time by `PosterZip`: the outbox worker builds it between
sends (poster_bundles.py), because a site costs 12 to 18 ms (encoding the QR code and
drawing its PNG are most of it), minutes for 5,000 sites: far too long for a web request.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from reporter.bidi import isolated_text
from reporter.i18n import DEFAULT_LOCALE, native_name, text_direction
from reporter.models import Site
from reporter.services.casework.export import guard_cell

QR_ERROR = "h"
QR_BORDER = 4  # modules of quiet zone around the code
PNG_SCALE = 12  # pixels a module: about 4 cm across at 300 dpi for a short link
CSS_DIR = Path(__file__).parents[2] / "static" / "css"
SIZES = {"poster": "A4", "card": "A6"}


def entry_url(site: Site) -> str:
    """The entry link printed on the poster: the address staff use, then /p/<code>."""
    return f"{current_app.config['REPORTER_BASE_URL'].rstrip('/')}/p/{site.code}"


def short_address(site: Site) -> str:
    """The link without its scheme, for people to type: reporter.example.org/p/K3MQ9TD."""
    return re.sub(r"^https?://", "", entry_url(site))


def qr_code(site: Site) -> segno.QRCode:
    return segno.make_qr(entry_url(site), error=QR_ERROR, boost_error=False)


def qr_png(site: Site, scale: int = PNG_SCALE, qr: segno.QRCode | None = None) -> bytes:
    out = io.BytesIO()
    (qr or qr_code(site)).save(
        out, kind="png", scale=scale, border=QR_BORDER, dark="#000", light="#fff"
    )
    return out.getvalue()


def qr_svg(site: Site, label: str, qr: segno.QRCode | None = None) -> str:
    """The QR code as inline SVG, sized by the stylesheet, named for screen readers."""
    svg = (qr or qr_code(site)).svg_inline(
        scale=1, border=QR_BORDER, dark="#000", light="#fff", omitsize=True, svgclass="qr"
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(label)}" ', 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@dataclass(frozen=True)
class Words:
    """The poster's words in one language."""

    lang: str
    dir: str
    name: str
    headline: str
    scan: str
    no_camera: str
    danger: str


def words(lang: str, site: Site) -> Words:
    with force_locale(lang):
        return Words(
            lang=lang,
            dir=text_direction(lang),
            name=native_name(lang),
            # Translators: the headline of a poster in a staff room, above a QR code.
            headline=_("Worried about a child you saw at work?"),
            scan=_(
                "Scan the code with your phone camera to tell us. It takes about 2 minutes, "
                "and you can stay anonymous."
            ),
            # The address is isolated left to right, so a right-to-left sentence keeps it whole.
            no_camera=_(
                "No camera? Go to %(address)s", address=f"\u2066{short_address(site)}\u2069"
            ),
            danger=_("If a child is in immediate danger, call 999"),
        )


def render_sheet(
    site: Site, kind: str, *, standalone: bool = False, qr: segno.QRCode | None = None
) -> str:
    """The poster or card page. `standalone` inlines the stylesheet, for the zip; `qr` is the
    site's QR code when the caller has encoded it already."""
    partner = site.partner
    languages = [partner.language]
    if partner.language != DEFAULT_LOCALE:
        languages.append(DEFAULT_LOCALE)
    texts = [words(lang, site) for lang in languages]
    first = texts[0]
    stylesheets = ("poster.css", f"page-{SIZES[kind].lower()}.css")
    return render_template(
        "posters/sheet.html",
        site=site,
        partner=partner,
        kind=kind,
        size=SIZES[kind],
        texts=texts,
        first=first,
        svg=qr_svg(site, f"QR code: {entry_url(site)}", qr),
        url=entry_url(site),
        standalone=standalone,
        stylesheets=stylesheets,
        inline_css="\n".join((CSS_DIR / name).read_text("utf-8") for name in stylesheets)
        if standalone
        else None,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40] or "site"


class PosterZip:
    """Every poster and card of a partner's live sites, each site's QR code as PNG, and a list of
    the links (for a rider app or a newsletter), as one zip, written a site at a time."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._archive = zipfile.ZipFile(self._out, "w", zipfile.ZIP_DEFLATED)
        self._links = io.StringIO()
        self._table = csv.writer(self._links)
        self._table.writerow(["label", "code", "link"])

    def add(self, site: Site) -> None:
        """A site's A4 poster and A6 card (standalone HTML) and its QR code as PNG: the code
        encoded once for the three, which is most of a site's cost."""
        qr = qr_code(site)
        name = f"{site.code}-{_slug(site.label)}"
        for kind in SIZES:
            sheet = render_sheet(site, kind, standalone=True, qr=qr)
            self._archive.writestr(f"{name}-{kind}.html", sheet)
        self._archive.writestr(f"{name}-qr.png", qr_png(site, qr=qr))
        # A label is the partner's words: a spreadsheet must show it, never run it.
        self._table.writerow([guard_cell(isolated_text(site.label)), site.code, entry_url(site)])

    def finish(self) -> bytes:
        self._archive.writestr("links.csv", self._links.getvalue())
        self._archive.close()
        return self._out.getvalue()
