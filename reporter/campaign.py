"""The campaign's data (reporter/reference/) as the app loaded and checked it at start-up.

`campaign_data()` is the one accessor for it, and `postcode_index()` for its postcode table.
Routing for a report reads it with admins' moves of police forces applied:
`services.reference_admin.effective_reference()`.
"""

from __future__ import annotations

from flask import current_app

from reporter.postcodes import PostcodeIndex
from reporter.reference import Reference

EXTENSION = "reporter_reference"
POSTCODES = "reporter_postcodes"


def campaign_data() -> Reference:
    """Sectors, signs, authorities, regions, forces and stations, as the files say."""
    return current_app.extensions[EXTENSION]


def postcode_index() -> PostcodeIndex:
    """Postcode areas and districts to police forces and councils (reference/postcodes.json)."""
    return current_app.extensions[POSTCODES]
