"""Staff accounts: passwords (argon2id), roles and regions, the TOTP second factor.

Every change that alters what a person may do (deactivation, role, regions, second factor,
password) also ends their sessions, so it takes effect on their next request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from reporter.codes import Role
from reporter.crypto import runtime_cipher
from reporter.extensions import db
from reporter.models import StaffRegion, StaffUser, utcnow
from reporter.reference import REGION_IDS
from reporter.services.accounts import audit
from reporter.services.accounts.sessions import revoke_session, revoke_user_sessions, start_session
from reporter.services.transaction import rolled_back_on_error

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
TOTP_ISSUER = "LookCloser triage"
TOTP_WINDOW = 1  # one 30-second step either side, for phone clocks that drift

_hasher = PasswordHasher()  # argon2id with the RFC 9106 low-memory parameters


class StaffError(ValueError):
    """A change to a staff account that the rules refuse; the message says why, and `field`
    which answer it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so that an unknown address takes as
    long to refuse as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


def check_password_rules(password: str, email: str | None = None) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise StaffError(
            f"The password must be at least {PASSWORD_MIN_LENGTH} characters.", "new_password"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise StaffError(
            f"The password must be {PASSWORD_MAX_LENGTH} characters or fewer.", "new_password"
        )
    if email and password.strip().lower() == normalise_email(email):
        raise StaffError("The password must not be the email address.", "new_password")


def new_password() -> str:
    """A password to hand over once, in person or by phone: five short words' worth of entropy."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def find_user(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def check_credentials(email: str, password: str) -> tuple[StaffUser | None, str | None]:
    """(user, None) when the password is right and the account active, else (user or None,
    reason). Always runs one argon2 verification, whatever the outcome."""
    user = find_user(email)
    ok: bool
    try:
        ok = _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        ok = False
    if user is None:
        return None, "unknown_account"
    if not ok:
        return user, "bad_password"
    if not user.active:
        return user, "inactive"
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user, None


def password_matches(user: StaffUser, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- roles and regions -------------------------------------------------------------------


def check_role(role: str, regions: list[str]) -> list[str]:
    """The regions to store for a role: officers need at least one, others have none."""
    if role not in tuple(Role):
        raise StaffError(f"Unknown role {role!r}.", "role")
    unknown = sorted(set(regions) - set(REGION_IDS))
    if unknown:
        raise StaffError(f"Unknown region {', '.join(unknown)}.", "regions")
    if role == Role.OFFICER and not regions:
        raise StaffError("An officer needs at least one region.", "regions")
    if role != Role.OFFICER and regions:
        raise StaffError(
            "Only officers have regions: admins and national staff see them all.", "regions"
        )
    return sorted(set(regions))


@dataclass(frozen=True)
class NewUser:
    email: str
    role: str
    password: str
    regions: tuple[str, ...] = ()
    name: str | None = None
    totp_required: bool = False


@rolled_back_on_error
def create_user(new: NewUser, actor: StaffUser | None = None) -> StaffUser:
    email = normalise_email(new.email)
    if "@" not in email or len(email) > 254:
        raise StaffError("Enter an email address like name@example.org.", "email")
    if find_user(email):
        raise StaffError("There is already an account with that email address.", "email")
    regions = check_role(new.role, list(new.regions))
    check_password_rules(new.password, email)
    user = StaffUser(
        email=email,
        name=(new.name or "").strip() or None,
        role=new.role,
        password_hash=hash_password(new.password),
        totp_required=new.totp_required,
        region_links=[StaffRegion(region_id=r) for r in regions],
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user_created",
        actor=actor,
        subject=user,
        detail={"role": new.role, "regions": regions, "totp_required": new.totp_required},
    )
    db.session.commit()
    return user


def change_access(
    user: StaffUser,
    *,
    role: str,
    regions: list[str],
    totp_required: bool,
    actor: StaffUser | None,
    name: str | None = None,
) -> bool:
    """Change role, regions or the second-factor rule. Ends the user's sessions when anything
    that governs access changed. Returns whether anything changed."""
    regions = check_role(role, regions)
    if actor is not None and user.id == actor.id and role != Role.ADMIN:
        raise StaffError("You cannot take away your own admin role.", "role")
    before = (user.role, user.region_ids, user.totp_required)
    after = (role, regions, totp_required)
    name = (name or "").strip() or None
    if before == after and name == user.name:
        return False
    user.name = name
    if before != after:
        user.role, user.totp_required = role, totp_required
        user.region_links = [StaffRegion(region_id=r) for r in regions]
        revoke_user_sessions(user.id)
    audit.record(
        "user_changed",
        actor=actor,
        subject=user,
        detail={
            "role": [before[0], role],
            "regions": [before[1], regions],
            "totp_required": [before[2], totp_required],
        },
    )
    db.session.commit()
    return True


def set_active(user: StaffUser, active: bool, actor: StaffUser | None) -> None:
    if actor is not None and user.id == actor.id and not active:
        raise StaffError("You cannot deactivate your own account.")
    if user.active == active:
        return
    user.active = active
    if not active:
        revoke_user_sessions(user.id)
    audit.record("user_reactivated" if active else "user_deactivated", actor=actor, subject=user)
    db.session.commit()


def change_password(user: StaffUser, current: str, new: str) -> None:
    if not password_matches(user, current):
        raise StaffError("Your current password is not right.", "current_password")
    check_password_rules(new, user.email)
    user.password_hash = hash_password(new)
    revoke_user_sessions(user.id)
    audit.record("password_changed", actor=user, subject=user)
    db.session.commit()


def reset_password(user: StaffUser, actor: StaffUser | None) -> str:
    """A new random password, returned once for the admin to hand over."""
    password = new_password()
    user.password_hash = hash_password(password)
    revoke_user_sessions(user.id)
    audit.record("password_reset", actor=actor, subject=user)
    db.session.commit()
    return password


def get_user(user_id: int | None) -> StaffUser | None:
    return db.session.get(StaffUser, user_id) if user_id is not None else None


def all_users() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


# --- signing in and out (each one transaction with its audit row) -------------------------


def sign_in(user: StaffUser, *, second_factor: bool) -> str:
    """Start a session for a user who passed every check; returns the cookie's token."""
    token = start_session(user.id)
    user.last_login_at = utcnow()
    audit.record("sign_in", actor=user, detail={"second_factor": second_factor})
    db.session.commit()
    return token


def sign_out(user: StaffUser, token: str | None) -> None:
    revoke_session(token)
    audit.record("sign_out", actor=user)
    db.session.commit()


# --- second factor (TOTP, RFC 6238) -------------------------------------------------------


def _seal(user: StaffUser, secret: str) -> bytes | None:
    cipher = runtime_cipher()
    return cipher.encrypt(secret, f"staff:{user.id}:totp")


def totp_secret(user: StaffUser) -> str | None:
    cipher = runtime_cipher()
    return cipher.decrypt(user.totp_secret_enc, f"staff:{user.id}:totp")


def pending_totp_secret(user: StaffUser) -> str:
    """The secret to enrol with: made once and kept (encrypted) until the user confirms it."""
    if user.totp_enabled:
        raise StaffError("The second factor is already on.")
    secret = totp_secret(user)
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret_enc = _seal(user, secret)
        db.session.commit()
    return secret


def totp_uri(user: StaffUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    # `now` is naive UTC: make it an aware moment before asking for its step.
    step = totp.timecode(now.replace(tzinfo=UTC))
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def verify_totp(user: StaffUser, code: str) -> bool:
    """Check a code and use it up: the same code (or an older one) never works twice."""
    secret = totp_secret(user)
    if secret is None:
        return False
    step = _matching_step(secret, code, utcnow())
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def confirm_totp(user: StaffUser, code: str, *, commit: bool = True) -> bool:
    """Turn the second factor on once the user shows a code from the pending secret."""
    if user.totp_enabled or not verify_totp(user, code):
        return False
    user.totp_enabled = True
    audit.record("totp_enabled", actor=user, subject=user)
    if commit:
        db.session.commit()
    return True
