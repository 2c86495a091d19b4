"""API keys for partners' apps. A key is shown once, when made; only its SHA-256 is stored (a
key is 32 random bytes, so a fast hash is enough: there is nothing to guess). Keys are named,
revocable and audited."""

from __future__ import annotations

import hashlib
import logging
import secrets

from sqlalchemy import select

from reporter.bidi import text_problem
from reporter.extensions import db
from reporter.models import Partner, PartnerKey, StaffUser, utcnow
from reporter.services.accounts import audit
from reporter.services.partnerships.partners import PartnerError
from reporter.services.transaction import answered, rolled_back_on_error

log = logging.getLogger(__name__)

KEY_PREFIX = "lck_"
NAME_MAX_LENGTH = 64
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@rolled_back_on_error
def create_key(
    partner: Partner, name: str, actor: StaffUser | None = None
) -> tuple[PartnerKey, str]:
    """A new key for `partner`: the row, and the key itself (shown once, never stored)."""
    name = " ".join((name or "").split())
    if not name:
        raise PartnerError("Name the key after the app that will use it.", "name")
    if len(name) > NAME_MAX_LENGTH:
        raise PartnerError(f"The name must be {NAME_MAX_LENGTH} characters or fewer.", "name")
    if problem := text_problem(name, "The name"):
        raise PartnerError(problem, "name")
    if not partner.active:
        raise PartnerError("This partner is retired: bring it back before making a key.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = PartnerKey(
        partner_id=partner.id,
        name=name,
        key_hash=key_hash(key),
        prefix=key[:SHOWN_PREFIX_LENGTH],
    )
    db.session.add(row)
    db.session.flush()
    audit.record("partner_key_created", actor=actor, detail=_codes(row))
    db.session.commit()
    return row, key


def revoke_key(row: PartnerKey, actor: StaffUser | None = None) -> bool:
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record("partner_key_revoked", actor=actor, detail=_codes(row))
    db.session.commit()
    return True


def _codes(row: PartnerKey) -> dict:
    return {"partner_id": row.partner_id, "key_id": row.id, "name": row.name, "key": row.prefix}


def key_of(partner: Partner, key_id: int) -> PartnerKey | None:
    """The partner's key with this id; None when there is none, or it is another partner's."""
    row = db.session.get(PartnerKey, key_id)
    return row if row is not None and row.partner_id == partner.id else None


def keys_of(partner: Partner) -> list[PartnerKey]:
    return list(
        db.session.scalars(
            select(PartnerKey)
            .where(PartnerKey.partner_id == partner.id)
            .order_by(PartnerKey.revoked_at.is_not(None), PartnerKey.created_at.desc())
        )
    )


def key_for_request(key: str) -> PartnerKey | None:
    """The live key this is (not revoked, its partner not retired), or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    row = db.session.scalar(select(PartnerKey).where(PartnerKey.key_hash == key_hash(key)))
    if row is None or row.revoked_at is not None or not row.partner.active:
        return None
    return row


def look_up_key(key: str) -> tuple[PartnerKey | None, bool]:
    """The live key this is (see key_for_request) and whether the database answered: when it
    does not, (None, False), and the report goes on without the key."""
    return answered(lambda: key_for_request(key), "API key not checked", log)
