"""The campaign's data (reporter/reference/) as the app loaded and checked it at start-up.

`campaign_data()` is the one accessor for it. Routing for a report reads it with admins' moves
of police forces applied: `services.reference_admin.effective_reference()`.
"""

from __future__ import annotations

from flask import current_app

from reporter.reference import Reference

EXTENSION = "reporter_reference"


def campaign_data() -> Reference:
    """Sectors, signs, authorities, regions, forces and stations, as the files say."""
    return current_app.extensions[EXTENSION]
