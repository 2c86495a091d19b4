"""An officer's question to the reporter, and the answer: asked from the report page (audited),
shown to the reporter at follow-up, answered there. The answer is on the report's timeline and
the assigned officer is told (or, with no one assigned, whoever covers the report)."""

from __future__ import annotations

from reporter.crypto import runtime_cipher
from reporter.extensions import db
from reporter.models import OfficerQuestion, Report, StaffUser, utcnow
from reporter.services.accounts import audit
from reporter.services.accounts.access import can_act
from reporter.services.mail import notify, outbox
from reporter.services.transaction import rows_of_report

QUESTION_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 2000
ANSWER_ALERT = "reporter-answer"


class QuestionError(ValueError):
    """A question or answer the rules refuse; the message says why."""


def _context(report: Report, question: OfficerQuestion, name: str) -> str:
    return f"{report.reference}:question:{question.id}:{name}"


def text_of(report: Report, question: OfficerQuestion, name: str) -> str | None:
    sealed = getattr(question, f"{name}_enc")
    return runtime_cipher().decrypt(sealed, _context(report, question, name))


def _clean(text: str | None, limit: int) -> str | None:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text or len(text) > limit:
        return None
    return text


def can_ask(report: Report) -> bool:
    """Only a reporter given a follow-up code can come back to read a question."""
    return report.follow_up_hash is not None and report.content_purged_at is None


def ask(report: Report, actor: StaffUser, text: str | None) -> OfficerQuestion:
    if not can_act(actor, report):
        raise QuestionError("You cannot work on this report.")
    if not can_ask(report):
        raise QuestionError("This reporter has no follow-up code, so they cannot see a question.")
    cleaned = _clean(text, QUESTION_MAX_LENGTH)
    if cleaned is None:
        raise QuestionError(f"Enter a question of {QUESTION_MAX_LENGTH} characters or fewer.")
    question = OfficerQuestion(report_id=report.id, asked_by_id=actor.id, asked_at=utcnow())
    db.session.add(question)
    db.session.flush()  # the id binds the ciphertext to this question
    question.question_enc = runtime_cipher().encrypt(
        cleaned, _context(report, question, "question")
    )
    audit.record("question_asked", actor=actor, report=report)
    db.session.commit()
    return question


def of_report(report: Report) -> list[OfficerQuestion]:
    return rows_of_report(OfficerQuestion, report, OfficerQuestion.asked_at)


def waiting(report: Report) -> OfficerQuestion | None:
    """The oldest question the reporter has not answered yet."""
    return next((q for q in of_report(report) if q.answered_at is None), None)


def answer(report: Report, question_id: int | None, text: str | None) -> OfficerQuestion:
    question = db.session.get(OfficerQuestion, question_id) if question_id else None
    if question is None or question.report_id != report.id or question.answered_at is not None:
        raise QuestionError("no such question waiting")
    cleaned = _clean(text, ANSWER_MAX_LENGTH)
    if cleaned is None:
        raise QuestionError("no answer")
    question.answer_enc = runtime_cipher().encrypt(cleaned, _context(report, question, "answer"))
    question.answered_at = utcnow()
    assignee = report.assigned_to
    to = [assignee.email] if assignee and assignee.active else notify.recipients_for(report)
    if to:
        outbox.enqueue(
            f"{ANSWER_ALERT}:{report.reference}:{question.id}",
            ANSWER_ALERT,
            to,
            f"The reporter answered your question on report {report.reference}",
            "The reporter has answered a question on this report.\n\n"
            f"Read it after signing in: {notify.report_link(report.reference)}\n\n"
            "This message holds no report content. Do not forward it.",
            report=report,
        )
    db.session.commit()
    return question
