"""Guidance for a report: the routing decision, from the reference data loaded at start-up.
Needs no database, so it works when storage does not."""

from __future__ import annotations

from flask import current_app

from reporter.reference import Reference
from reporter.routing import Decision, Facts, decide


def reference() -> Reference:
    return current_app.extensions["reporter_reference"]


def guidance_for(facts: Facts) -> Decision:
    return decide(facts, reference(), current_app.extensions["reporter_postcodes"])
