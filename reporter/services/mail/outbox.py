"""The outbox: every email to staff is a row written in the same transaction as what it is about
(services/mail/notify.py composes them), and a worker sends it: `flask --app wsgi outbox work`.

Claiming. A worker takes one due message by setting its lease (owner and time) with an UPDATE
whose condition only one worker can meet: the row is pending, due, and not leased by anyone
else. On PostgreSQL the candidate is first picked with SELECT ... FOR UPDATE SKIP LOCKED, so
workers pass over each other's rows instead of queueing behind them; SQLite, which has one
writer at a time, relies on the conditional UPDATE alone. The result (sent, or the error's type
and the next try, doubling each time) is recorded only while the worker still holds the lease.

A worker that dies mid-send leaves its row leased: when the lease has passed, another worker
takes it. So nothing is lost and live workers never send the same message twice. The edge that
SMTP leaves (it has no idempotent send): a worker that dies after the mail server accepted a
message and before the row is marked sent, or a send that outlasts OUTBOX_LEASE_SECONDS, means
the message is sent again. That is at-least-once for that window, and README says so.

Pruning. Sent messages are deleted OUTBOX_RETENTION_DAYS after they were sent (the rules are in
services/data_protection/retention.py). The worker prunes when it starts and then every
OUTBOX_PRUNE_SECONDS, one batch per turn of its loop between sends, so a long backlog never holds up
an urgent alert and no transaction holds many rows.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from reporter.extensions import db, rows_changed
from reporter.models import OutboxMessage, OutboxStatus, Report, utcnow
from reporter.resilience import states
from reporter.services.data_protection import retention

log = logging.getLogger(__name__)


def message_row(key: str, kind: str, recipients: list[str], subject: str, body: str) -> dict:
    """A new message's columns, defaults included: for an INSERT written by hand (a report's
    alert, stored in the same statement as the report: services/reporting/reports.py)."""
    now = utcnow()
    return {
        "key": key,
        "kind": kind,
        "recipients": recipients,
        "subject": subject,
        "body": body,
        "status": OutboxStatus.PENDING.value,
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }


def enqueue(
    key: str,
    kind: str,
    recipients: list[str],
    subject: str,
    body: str,
    report: Report | None = None,
) -> OutboxMessage:
    """Add a message to the caller's transaction: it exists if and only if that commits."""
    message = OutboxMessage(**message_row(key, kind, recipients, subject, body), report=report)
    db.session.add(message)
    return message


def exists(key: str) -> bool:
    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None


def send_email(to: list[str], subject: str, body: str) -> None:
    """One email over SMTP, or into MAIL_OUTBOX_DIR when there is no MAIL_SERVER (development)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    if not config["MAIL_SERVER"]:
        folder = Path(config["MAIL_OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        (folder / f"{stamp}-{secrets.token_hex(2)}.eml").write_bytes(bytes(message))
        return
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    with smtplib.SMTP(server, port, timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


# --- the worker -----------------------------------------------------------------------------


def worker_name() -> str:
    """Who holds a lease: host, process and a random part (a pid can be reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Claimed:
    id: int
    recipients: list[str]
    subject: str
    body: str
    attempts: int
    lease_until: datetime


def _due(now: datetime):
    return (
        (OutboxMessage.status == OutboxStatus.PENDING)
        & (OutboxMessage.next_attempt_at <= now)
        & or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now)
    )


def claim(owner: str) -> Claimed | None:
    """Take the next due message for `owner`, or None. Commits: no transaction stays open while
    the message is sent."""
    for _ in range(3):  # another worker may win a candidate; then try the next one
        now = utcnow()
        candidate = db.session.scalar(
            select(OutboxMessage.id)
            .where(_due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            db.session.commit()
            return None
        lease_until = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
        won = rows_changed(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate, _due(now))
            .values(
                lease_owner=owner,
                lease_until=lease_until,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if won != 1:
            db.session.rollback()
            continue
        row = db.session.get(OutboxMessage, candidate, populate_existing=True)
        assert row is not None  # just claimed under our lease
        claimed = Claimed(
            row.id, list(row.recipients), row.subject, row.body, row.attempts, lease_until
        )
        db.session.commit()
        return claimed
    return None


def _finish(claimed: Claimed, owner: str, **values) -> bool:
    """Record a result, only while `owner` still holds the lease."""
    done = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == claimed.id, OutboxMessage.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return done == 1


def retry_delay(attempts: int) -> float:
    """Seconds before the next try: doubling from OUTBOX_RETRY_SECONDS, capped."""
    config = current_app.config
    return min(
        config["OUTBOX_RETRY_MAX_SECONDS"], config["OUTBOX_RETRY_SECONDS"] * 2 ** (attempts - 1)
    )


def deliver(claimed: Claimed, owner: str) -> bool:
    """Send a claimed message and record what happened. True when it was sent."""
    try:
        send_email(claimed.recipients, claimed.subject, claimed.body)
    except Exception as exc:  # any failure to send is recorded and retried, never fatal
        error = type(exc).__name__[:64]
        if claimed.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            log.error("outbox message %s failed for good: %s", claimed.id, error)
            _finish(claimed, owner, status=OutboxStatus.FAILED, last_error=error)
        else:
            delay = retry_delay(claimed.attempts)
            log.warning(
                "outbox message %s not sent (%s); next try in %.0f s", claimed.id, error, delay
            )
            next_at = utcnow() + timedelta(seconds=delay)
            _finish(claimed, owner, last_error=error, next_attempt_at=next_at)
        return False
    _record_sent(claimed, owner)
    return True


def _record_sent(claimed: Claimed, owner: str) -> None:
    """Mark the message sent. If the database fails just now, keep trying while the lease lasts:
    once it has passed, another worker would send the message again."""
    while True:
        try:
            if not _finish(claimed, owner, status=OutboxStatus.SENT, sent_at=utcnow()):
                log.warning("outbox message %s sent after its lease ended", claimed.id)
            return
        except SQLAlchemyError as exc:
            db.session.rollback()
            if utcnow() >= claimed.lease_until:
                log.error(
                    "outbox message %s sent but not recorded: %s", claimed.id, type(exc).__name__
                )
                return
            threading.Event().wait(current_app.config["OUTBOX_POLL_SECONDS"])


def deliver_due(owner: str | None = None) -> int:
    """Send every message that is due now, one at a time. Returns how many were sent."""
    owner = owner or worker_name()
    sent = 0
    while (claimed := claim(owner)) is not None:
        sent += deliver(claimed, owner)
    return sent


class Pruning:
    """When the worker prunes sent messages: when it starts, then every `every` seconds; after
    a full batch, at its next turn, so a backlog goes a batch at a time between sends."""

    def __init__(self, days: int, every: float) -> None:
        self.days = days
        self.every = every
        self.due = 0.0
        self.pruned = 0  # in this run of batches, for one log line at its end
        if days < retention.MIN_SENT_MESSAGE_DAYS:
            # Sending matters more: the worker goes on, without pruning.
            log.error(
                "OUTBOX_RETENTION_DAYS is %s, under %s: sent messages are not pruned",
                days,
                retention.MIN_SENT_MESSAGE_DAYS,
            )
            self.due = float("inf")

    def step(self) -> bool:
        """Prune one batch if it is time. True when there may be more to prune at once."""
        if time.monotonic() < self.due:
            return False
        count = retention.prune_sent_batch(self.days)
        self.pruned += count
        more = count == retention.BATCH
        if not more:
            if self.pruned:
                log.info(
                    "outbox: deleted %s messages sent more than %s days ago",
                    self.pruned,
                    self.days,
                )
            self.pruned = 0
        self.due = time.monotonic() + (0 if more else self.every)
        return more


def work(stop: threading.Event, slices: Sequence[Callable[[], bool]] = ()) -> None:
    """The worker's loop until `stop` is set: prune now and then, send what is due, run one
    slice of each of `slices` (building a partner's posters:
    services/partnerships/poster_bundles.py; each says whether it has more to do), then wait
    OUTBOX_POLL_SECONDS if nothing is left. A slice is short, so an urgent alert waits at most one
    slice behind them. A database that fails is logged once and tried again with a growing pause."""
    config = current_app.config
    owner = worker_name()
    poll = config["OUTBOX_POLL_SECONDS"]
    pause = poll
    pruning = Pruning(config["OUTBOX_RETENTION_DAYS"], config["OUTBOX_PRUNE_SECONDS"])
    log.info("outbox worker %s started", owner)
    while not stop.is_set():
        more_to_prune = more_to_do = False
        try:
            more_to_prune = pruning.step()
            claimed = claim(owner)
            if claimed is not None:
                deliver(claimed, owner)
            more_to_do = any([run_slice() for run_slice in slices])
            states.observe("database", True, "")
            pause = poll
        except SQLAlchemyError:
            db.session.rollback()
            states.observe("database", False, "outbox messages wait until it returns")
            claimed = None
            pause = min(pause * 2, 30 * poll)
        if claimed is None and not more_to_prune and not more_to_do:
            stop.wait(pause)
    log.info("outbox worker %s stopped", owner)


# --- what operators see ---------------------------------------------------------------------


def backlog(now: datetime | None = None) -> dict:
    """Pending and failed messages, and how long the oldest pending one has waited."""
    now = now or utcnow()
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status != OutboxStatus.SENT)
        .group_by(OutboxMessage.status)
    ).all()
    found = {status: (count, oldest) for status, count, oldest in rows}
    pending, oldest = found.get(OutboxStatus.PENDING, (0, None))
    return {
        "pending": pending,
        "failed": found.get(OutboxStatus.FAILED, (0, None))[0],
        "oldest_pending_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }


def retry_failed() -> int:
    """Put every failed message back in the queue, due now. Returns how many."""
    count = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return count
