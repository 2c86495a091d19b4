"""Posters and cards as PDF, for a print shop, in every language the form is offered in: one page
of A4 or A6, its QR code read by zbarimg from the page drawn as an image (PDFium, as a print
shop's software draws it), nothing clipped or hidden, each script in its own Noto face with no
missing letter, and lines that break only between words (the Romanian title once broke "l-/ați").

The layout is WeasyPrint's own (its boxes, pinned version): the lines as they are printed."""

from __future__ import annotations

import dataclasses
import io
import logging

import pypdfium2
import pytest

from reporter.i18n import LOCALES
from reporter.models import Partner, Site
from reporter.services.partnerships import posters
from reporter.services.partnerships.partners import LABEL_MAX_LENGTH
from reporter.services.partnerships.posters import SIZES, SheetValues
from reporter.triage import poster_pages
from tests.factories import make_partner, make_site, make_user
from tests.triage.conftest import sign_in
from tests.triage.test_partners import decode_qr

PAPER_MM = {"poster": (210, 297), "card": (105, 148)}
# The face each script is set in (poster.css); every other language is in Noto Sans.
SCRIPT_FACES = {
    "ar": "Noto Sans Arabic", "ckb": "Noto Sans Arabic", "ur": "Noto Nastaliq Urdu",
    "bn": "Noto Sans Bengali", "pa": "Noto Sans Gurmukhi", "ti": "Noto Sans Ethiopic",
}  # fmt: skip
PX_PER_MM = 96 / 25.4  # CSS pixels, WeasyPrint's unit


@pytest.fixture
def admin(client):
    user = make_user(role="admin")
    sign_in(client, user)
    return user


def sheet_of(lang: str) -> SheetValues:
    """A site's words and QR code, from a partner writing `lang` (plain objects, no database),
    with the longest label a site may have."""
    partner = Partner(id=1, name="Partner", sector="delivery", language=lang)
    label = ("Motorway services, lorry park and staff canteen " * 3)[:LABEL_MAX_LENGTH]
    return posters.sheet_values(Site(id=1, partner=partner, label=label, code="K3MQ9TD"))


@dataclasses.dataclass
class LaidOut:
    document: object
    boxes: list
    warnings: list[str]


def lay_out(sheet: SheetValues, kind: str) -> LaidOut:
    """The sheet as WeasyPrint lays it out and draws it as PDF (which chooses the fonts), with
    what it warned of meanwhile (a letter no font has)."""
    caught: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: caught.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        document = poster_pages.sheet_document(sheet, kind)
        document.write_pdf()
    finally:
        logger.removeHandler(handler)
    return LaidOut(document, list(_walk(document.pages[0]._page_box)), caught)


def _walk(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def classes(box) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def kind_of(box) -> str:
    return type(box).__name__


def line_words(block) -> list[list[str]]:
    """The words on each printed line of a block, as its text boxes hold them."""
    return [
        [word for text in _walk(line) if kind_of(text) == "TextBox" for word in text.text.split()]
        for line in _walk(block)
        if kind_of(line) == "LineBox"
    ]


def text_blocks(laid: LaidOut) -> list:
    """Every paragraph of the sheet: headlines, the words under the code, the danger line."""
    return [
        box
        for box in laid.boxes
        if kind_of(box) == "BlockBox" and getattr(box, "element_tag", "") in ("h1", "p")
    ]


def words_kept_whole(block) -> tuple[bool, list[list[str]]]:
    """Whether the block's lines hold exactly the words of its text, none cut in two (in any
    order: a right-to-left line's boxes may stand in the order they are drawn)."""
    lines = line_words(block)
    printed = [word for line in lines for word in line]
    return sorted(printed) == sorted("".join(block.element.itertext()).split()), lines


@pytest.fixture(scope="module")
def sheets(_session_app) -> dict[tuple[str, str], LaidOut]:
    """Every language's poster and card, laid out once for the tests below."""
    with _session_app.test_request_context("/"):
        return {(lang, kind): lay_out(sheet_of(lang), kind) for lang in LOCALES for kind in SIZES}


@pytest.mark.parametrize("lang", LOCALES)
def test_each_pdf_is_one_page_of_its_paper_and_its_qr_code_scans_to_the_entry_link(
    client, admin, app, lang
):
    site = make_site(make_partner(language=lang), station="LDS")
    link = f"{app.config['REPORTER_BASE_URL']}/p/{site.code}"
    for kind, paper in PAPER_MM.items():
        response = client.get(f"/triage/partners/{site.partner_id}/sites/{site.id}/{kind}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        pdf = pypdfium2.PdfDocument(response.data)
        try:
            assert len(pdf) == 1, (lang, kind)
            width, height = pdf[0].get_size()  # points
            assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == paper
            photo = io.BytesIO()
            pdf[0].render(scale=150 / 72).to_pil().save(photo, format="PNG")  # 150 dpi
        finally:
            pdf.close()
        assert decode_qr(photo.getvalue()) == link, (lang, kind)


def test_the_pdf_is_offered_beside_the_print_links_and_downloads_as_a_file(client, admin):
    site = make_site(make_partner(language="ro"), label="Gara de Nord", station="LDS")
    page = client.get(f"/triage/partners/{site.partner_id}")
    assert page.status_code == 200
    for kind in SIZES:
        href = f"/triage/partners/{site.partner_id}/sites/{site.id}/{kind}.pdf?download=1"
        assert f'href="{href}"' in page.text
        response = client.get(href)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition == f"attachment; filename={site.code}-gara-de-nord-{kind}.pdf"
        sheet = client.get(f"/triage/partners/{site.partner_id}/sites/{site.id}/{kind}")
        assert f'href="{href.removesuffix("?download=1")}"' in sheet.text  # from the HTML too


@pytest.mark.parametrize("lang", LOCALES)
def test_every_line_of_every_sheet_breaks_between_words(sheets, lang):
    for kind in SIZES:
        laid = sheets[lang, kind]
        blocks = text_blocks(laid)
        assert len(blocks) >= 5
        for block in blocks:
            whole, lines = words_kept_whole(block)
            assert whole, (lang, kind, lines)


def test_a_hyphenated_word_at_the_end_of_a_line_moves_whole_to_the_next(app):
    """The title that broke "l-/ați", made long enough that some line ends in such a word."""
    with app.test_request_context("/"):
        sheet = sheet_of("ro")
        title = " ".join(["l-ați", "văzut"] * 12)
        first = dataclasses.replace(sheet.texts[0], headline=title)
        for kind in SIZES:
            laid = lay_out(dataclasses.replace(sheet, texts=(first, *sheet.texts[1:])), kind)
            [headline] = [box for box in text_blocks(laid) if box.element_tag == "h1"]
            lines = line_words(headline)
            assert len(lines) > 3
            assert [w for line in lines for w in line] == title.split(), lines


@pytest.mark.parametrize("lang", LOCALES)
def test_nothing_on_a_sheet_is_clipped_or_hidden_behind_the_danger_line(sheets, lang):
    """The sheet is clipped to its page (never a second page): so what it holds must fit."""
    for kind, (width_mm, height_mm) in PAPER_MM.items():
        laid = sheets[lang, kind]
        page_width, page_height = width_mm * PX_PER_MM, height_mm * PX_PER_MM
        printed = [b for b in laid.boxes if kind_of(b) in ("LineBox", "BlockReplacedBox")]
        for box in printed:
            assert box.position_x >= 0 and box.position_x + box.width <= page_width + 0.5
            assert box.position_y >= 0 and box.position_y + box.height <= page_height + 0.5
        [top] = [b for b in laid.boxes if "sheet-top" in classes(b)]
        [danger] = [b for b in laid.boxes if "danger" in classes(b)]
        above = max(b.position_y + b.height for b in _walk(top) if b in printed)
        assert above <= danger.position_y, (lang, kind, (above - danger.position_y) / PX_PER_MM)


@pytest.mark.parametrize("lang", LOCALES)
def test_each_script_is_set_in_its_noto_face_with_no_missing_letter(sheets, lang):
    for kind in SIZES:
        laid = sheets[lang, kind]
        assert not [w for w in laid.warnings if ".notdef" in w], laid.warnings
        faces = {font.family for font in laid.document.fonts.values()}
        assert SCRIPT_FACES.get(lang, "Noto Sans") in faces, (lang, kind, faces)
        assert "Noto Sans" in faces  # English, the address and the site's name
