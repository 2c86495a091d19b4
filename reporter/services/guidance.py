"""Guidance for a report: the routing decision, from the reference data with admins' moves of
police forces applied. Works when storage does not: without the database, the files alone."""

from __future__ import annotations

from flask import current_app

from reporter.routing import Decision, Facts, decide
from reporter.services.reference_admin import effective_reference


def guidance_for(facts: Facts) -> Decision:
    return decide(facts, effective_reference(), current_app.extensions["reporter_postcodes"])
