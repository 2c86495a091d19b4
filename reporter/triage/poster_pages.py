"""Posters (A4) and cards (A6), drawn from a site's plain values
(services/partnerships/posters.py): the HTML page staff print at a desk, the PDF a print shop
takes, and the partner's zip of PDFs that the outbox worker writes a site at a time.
`render_sheet` is the one drawing of a sheet: the staff
page shows it, and the PDF is that same page, without the staff tools, laid out by WeasyPrint.

WeasyPrint shapes every script through Pango and HarfBuzz with the fonts fontconfig finds
(Debian's fonts-noto-core, `make pdf-deps`; poster.css names the Noto face of each script), and
fetches nothing: the stylesheets are read from the app's own files, the QR code is inline SVG,
and its fetcher refuses every address, so a page can never make the server open one. WeasyPrint
is imported when a PDF is first made (`_Kept`): loading it (Pango through cffi) takes about a
second, which no other page or command should pay.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import render_template
from markupsafe import Markup, escape

from reporter.models import Site
from reporter.services.partnerships import posters
from reporter.services.partnerships.posters import SIZES, SheetValues

if TYPE_CHECKING:
    from weasyprint import Document

CSS_DIR = Path(__file__).parent.parent / "static" / "css"
# Characters after which a line may break inside a word: hyphens, dashes, a slash.
BREAKS_INSIDE_WORDS = re.compile("[-\u2010\u2012\u2013\u2014/]")
LTR_ISOLATE = "\u2066"


def unbroken(text: str) -> Markup:
    """`text` escaped, each word that holds a hyphen, a dash or a slash kept on one line: a
    poster's line breaks only between words (never "l-/ați"), in every language. An address
    (isolated left to right, see services/partnerships/posters.words) is also marked as
    English, so that it is set in Latin letters in a sentence of any script."""
    return Markup("").join(_word(part) for part in re.split(r"(\s+)", text))


def _word(part: str) -> Markup:
    if part.startswith(LTR_ISOLATE):
        return Markup('<span class="word" lang="en">{}</span>').format(part)
    if BREAKS_INSIDE_WORDS.search(part):
        return Markup('<span class="word">{}</span>').format(part)
    return escape(part)


def _stylesheets(kind: str) -> tuple[str, str]:
    return ("poster.css", f"page-{SIZES[kind].lower()}.css")


def render_sheet(sheet: SheetValues, kind: str, *, for_pdf: bool = False) -> str:
    """The poster or card page: the staff page, or (`for_pdf`) the same page without the staff
    tools and the links to its stylesheets, which WeasyPrint is given already parsed."""
    return render_template(
        "posters/sheet.html",
        sheet=sheet,
        kind=kind,
        size=SIZES[kind],
        unbroken=unbroken,
        for_pdf=for_pdf,
        stylesheets=_stylesheets(kind),
    )


class _Kept(threading.local):
    """What WeasyPrint made once, kept per thread: the font configuration (which holds the fonts
    it has loaded), a fetcher that refuses every address, and each size's stylesheets parsed
    (together two fifths of a sheet's cost when made anew)."""

    def __init__(self) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.html = weasyprint.HTML
        self.fonts = FontConfiguration()
        self.fetcher = weasyprint.URLFetcher(allowed_protocols=())
        self.css = {
            kind: [
                weasyprint.CSS(
                    filename=CSS_DIR / name, font_config=self.fonts, url_fetcher=self.fetcher
                )
                for name in _stylesheets(kind)
            ]
            for kind in SIZES
        }


@cache
def _kept() -> _Kept:
    return _Kept()


def sheet_document(sheet: SheetValues, kind: str) -> Document:
    """The sheet laid out by WeasyPrint: its pages and boxes (what tests measure), then its PDF."""
    kept = _kept()
    page = kept.html(string=render_sheet(sheet, kind, for_pdf=True), url_fetcher=kept.fetcher)
    return page.render(stylesheets=kept.css[kind], font_config=kept.fonts)


def sheet_pdf(sheet: SheetValues, kind: str) -> bytes:
    """The sheet as a one-page PDF on its paper size (A4 or A6), fonts embedded."""
    return sheet_document(sheet, kind).write_pdf()


class PosterZip:
    """The partner's zip: each live site's A4 poster and A6 card as PDF and its QR code as PNG
    (for the partner's own designs), and a list of the links (for a rider app or a
    newsletter), written a site at a time. The HTML pages stay on the staff side for printing
    at a desk: the PDFs are the same sheets, and print the same from any computer."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._archive = zipfile.ZipFile(self._out, "w", zipfile.ZIP_DEFLATED)
        self._links = io.StringIO()
        self._table = csv.writer(self._links)
        self._table.writerow(["label", "code", "link"])

    def add(self, site: Site) -> None:
        """A site's PDFs and PNG: its QR code encoded once for the three."""
        qr = posters.qr_code(site)
        sheet = posters.sheet_values(site, qr)
        stem = posters.file_stem(site)
        for kind in SIZES:  # PDFs and PNGs are compressed already: stored as they are
            self._archive.writestr(f"{stem}-{kind}.pdf", sheet_pdf(sheet, kind), zipfile.ZIP_STORED)
        self._archive.writestr(f"{stem}-qr.png", posters.qr_png(site, qr=qr), zipfile.ZIP_STORED)
        self._table.writerow(posters.link_row(site))

    def finish(self) -> bytes:
        self._archive.writestr("links.csv", self._links.getvalue())
        self._archive.close()
        return self._out.getvalue()
