"""Posters (A4) and cards (A6) for a partner's sites: the QR code of the entry link, the code to
type, the call to action and the danger line, in the partner's language and English.

The QR code uses error correction level H (a third of it may be worn, torn or written on and it
still scans) and a quiet zone of four modules, the standard's minimum, white even on a coloured
page.

This module gives plain values (`sheet_values`); the pages and PDFs are drawn from them by
triage/poster_pages.py, for the staff pages and for the partner's zip, which the outbox worker
builds a site at a time (services/partnerships/poster_bundles.py): minutes for 5,000 sites.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import segno
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from reporter.bidi import isolated_text
from reporter.i18n import DEFAULT_LOCALE, native_name, text_direction
from reporter.models import Site
from reporter.services.casework.export import guard_cell

QR_ERROR = "h"
QR_BORDER = 4  # modules of quiet zone around the code
PNG_SCALE = 12  # pixels a module: about 4 cm across at 300 dpi for a short link
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


@dataclass(frozen=True)
class SheetValues:
    """What a site's poster and card show, as plain values: the rendering (HTML and PDF) is the
    staff side's (triage/poster_pages.py), never a service's."""

    partner_id: int
    partner_name: str
    site_id: int
    label: str
    code: str
    url: str
    texts: tuple[Words, ...]  # the partner's language first, then English when it differs
    svg: str

    @property
    def first(self) -> Words:
        return self.texts[0]


def sheet_values(site: Site, qr: segno.QRCode | None = None) -> SheetValues:
    """The words and QR code of a site's sheets. `qr` is the site's QR code when the caller has
    encoded it already (a zip encodes it once for the poster, the card and the PNG)."""
    partner = site.partner
    languages = [partner.language]
    if partner.language != DEFAULT_LOCALE:
        languages.append(DEFAULT_LOCALE)
    url = entry_url(site)
    return SheetValues(
        partner_id=partner.id,
        partner_name=partner.name,
        site_id=site.id,
        label=site.label,
        code=site.code,
        url=url,
        texts=tuple(words(lang, site) for lang in languages),
        svg=qr_svg(site, f"QR code: {url}", qr),
    )


def file_stem(site: Site) -> str:
    """The start of a site's file names in the zip and in downloads: its code, then its label."""
    return f"{site.code}-{_slug(site.label)}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40] or "site"


def link_row(site: Site) -> list[str]:
    """A site's row in links.csv: a label is the partner's words, so a spreadsheet must show it,
    never run it."""
    return [guard_cell(isolated_text(site.label)), site.code, entry_url(site)]
