"""Importing a partner's sites from a CSV file (columns label, station, postcode and optionally
sector): every line is checked and shown first, and nothing is imported unless the whole file is
valid; then all of it is, in one transaction."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from reporter.extensions import db
from reporter.models import Partner, Site, StaffUser
from reporter.services.partnerships.partners import (
    PartnerError,
    SiteDraft,
    check_site,
    commit_new_sites,
    free_codes,
    new_site,
    taken_labels,
)
from reporter.services.reference_admin import effective_reference
from reporter.services.transaction import rolled_back_on_error

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 1024 * 1024
CSV_COLUMNS = ("label", "station", "postcode", "sector")
CSV_REQUIRED = ("label", "station", "postcode")


@dataclass
class ImportPreview:
    """What an import would create, row by row, and every problem: in the file as a whole
    (`problems`) or in a row (`row.errors`). Nothing is imported unless `valid`."""

    rows: list[SiteDraft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.problems) + sum(len(row.errors) for row in self.rows)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and self.error_count == 0


def _read_csv(data: bytes, preview: ImportPreview) -> list[dict[str, Any]] | None:
    if len(data) > IMPORT_MAX_BYTES:
        preview.problems.append(f"The file is larger than {IMPORT_MAX_BYTES // 1024} KiB.")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        preview.problems.append(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). In a spreadsheet, "
            "save it as “CSV UTF-8”."
        )
        return None
    if not text.strip():
        preview.problems.append("The file is empty: it needs a header line and one line a site.")
        return None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [c for c in CSV_REQUIRED if c not in header]
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if missing:
            preview.problems.append(
                f"Missing column(s): {', '.join(missing)}. The first line must name the columns "
                f"{', '.join(CSV_COLUMNS)} (sector may be left out)."
            )
        if unknown:
            preview.problems.append(
                f"Unknown column(s): {', '.join(c or '(empty)' for c in unknown)}. "
                f"Use only {', '.join(CSV_COLUMNS)}."
            )
        if missing or unknown:
            return None
        rows: list[dict[str, Any]] = []
        for row in reader:
            if None in row:
                preview.problems.append(
                    f"Line {reader.line_num} has more values than there are columns."
                )
                return None
            if any((v or "").strip() for v in row.values()):  # blank lines are skipped
                rows.append({**{k: (v or "") for k, v in row.items()}, "_line": reader.line_num})
            if len(rows) > IMPORT_MAX_ROWS:
                preview.problems.append(f"More than {IMPORT_MAX_ROWS} sites: split the file.")
                return None
    except csv.Error as exc:
        preview.problems.append(f"The file is not a readable CSV file: {exc}.")
        return None
    if not rows:
        preview.problems.append("The file has a header but no sites.")
    return rows


def preview_import(partner: Partner, data: bytes) -> ImportPreview:
    """Check a CSV file of sites (columns label, station, postcode and optionally sector) for
    `partner`, changing nothing."""
    preview = ImportPreview()
    rows = _read_csv(data, preview)
    taken = taken_labels(partner)
    ref = effective_reference()
    for row in rows or ():
        draft = check_site(
            partner,
            label=row.get("label"),
            station=row.get("station"),
            postcode=row.get("postcode"),
            sector=row.get("sector"),
            taken=taken,
            ref=ref,
        )
        draft.line = row["_line"]
        if draft.label:
            taken.add(draft.label.casefold())
        preview.rows.append(draft)
    return preview


@rolled_back_on_error
def import_sites(
    partner: Partner, data: bytes, actor: StaffUser | None = None
) -> tuple[ImportPreview, list[Site]]:
    """Create every site of the file in one transaction, or none: a file with any problem
    imports nothing. The file is checked again here, whatever a preview said before."""
    if not partner.active:
        raise PartnerError("This partner is retired: bring it back before adding sites.")
    preview = preview_import(partner, data)
    if not preview.valid:
        return preview, []
    codes = free_codes(len(preview.rows))
    sites = [
        new_site(partner, draft, code) for draft, code in zip(preview.rows, codes, strict=True)
    ]
    db.session.add_all(sites)
    commit_new_sites(
        sites,
        "sites_imported",
        actor,
        lambda: {"partner_id": partner.id, "count": len(sites), "codes": [s.code for s in sites]},
    )
    return preview, sites
