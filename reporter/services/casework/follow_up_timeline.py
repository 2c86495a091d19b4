"""What follow-up adds to a report's timeline: each sighting, each question the team asked,
each answer. Plain tuples (when, who, summary, text, label), made into timeline entries by
services/casework/triage.py."""

from __future__ import annotations

from datetime import datetime

from reporter.models import Report
from reporter.reference import Reference
from reporter.services.casework import questions
from reporter.services.reporting import sightings
from reporter.templating import uk_datetime

Entry = tuple[datetime, str | None, str, str | None, str | None]
REPORTER = "the reporter"


def entries(report: Report, ref: Reference) -> list[Entry]:
    found: list[Entry] = []
    for sighting in sightings.of_report(report):
        summary = f"Seen again at {sightings.where(report, sighting, ref)}"
        if sighting.seen_at:
            summary += f", {uk_datetime(sighting.seen_at)}"
        if sighting.danger:
            summary += ": A CHILD IN DANGER NOW (staff alerted, report made urgent)"
        details = sightings.text_of(report, sighting, "details")
        found.append((sighting.created_at, REPORTER, summary, details, "What is different"))
    for question in questions.of_report(report):
        asked_by = question.asked_by.label if question.asked_by else None
        text = questions.text_of(report, question, "question")
        found.append((question.asked_at, asked_by, "Asked the reporter", text, "Question"))
        if question.answered_at:
            answer = questions.text_of(report, question, "answer")
            found.append(
                (question.answered_at, REPORTER, "The reporter answered", answer, "Answer")
            )
    return found
