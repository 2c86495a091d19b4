"""Factories for tests: plain keyword-only functions, one row each, committed. Call them inside an
app context. Everything a reporter or member of staff writes is encrypted exactly as the app
does it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache

from flask import g, request_started

from reporter.codes import NATIONAL_QUEUE
from reporter.crypto import runtime_cipher
from reporter.extensions import db
from reporter.models import (
    BundleStatus,
    Partner,
    PosterBundle,
    Report,
    ReportSign,
    Site,
    StaffRegion,
    StaffUser,
    utcnow,
)
from reporter.services.accounts.staff import hash_password, normalise_email
from reporter.services.data_protection.subject_access import contact_hashes
from reporter.services.partnerships.partners import new_code
from reporter.services.reporting.follow_up import hash_code
from reporter.services.reporting.reports import new_reference

PASSWORD = "a long staff password"  # every factory account's, unless given
_count = {"user": 0}

# One valid report, as the form sends it: a railway report with no child in danger now. Every
# test that sends a report starts from it and changes only what its promise is about.
_ANSWERS = {
    "sector": "rail",
    "danger": "no",
    "signs": ["controlled", "hiding"],
    "station": "Leicester",
    "description": "Two boys, about 14, told where to go by an older man.",
    "consent": "anonymous",
}
_CONTACT_FIELDS = ("consent", "name", "phone", "email")


def report_answers(**changes) -> dict:
    """The form's answers for a valid report, with `changes` made to them (None leaves a field
    out, as a form that does not send it)."""
    answers = {**_ANSWERS, **changes}
    return {name: value for name, value in answers.items() if value is not None}


def report_payload(**changes) -> dict:
    """The same report as the API's JSON body: `danger` a boolean, contact details nested under
    `contact`. `changes` are made to the form's answers first (`danger="yes"`, `consent="share"`,
    `name=...`), so both shapes come from one report."""
    return as_api_body(report_answers(**changes))


def as_api_body(answers: dict) -> dict:
    """A form's answers as the API's JSON body: yes/no as booleans, contact details nested."""
    given = {k: v for k, v in answers.items() if v is not None}
    body = {k: v for k, v in given.items() if k not in _CONTACT_FIELDS and k != "danger"}
    if given.get("danger") in ("yes", "no"):
        body["danger"] = given["danger"] == "yes"
    contact = {k: given[k] for k in _CONTACT_FIELDS if k in given}
    if contact:
        body["contact"] = contact
    return body


# A delivery courier's report as the form sends it: valid, no child in danger now.
DELIVERY_ANSWERS = report_answers(
    sector="delivery", signs=["controlled"], station=None, postcode="LE1 6RN", description=None
)


@contextmanager
def data_context(app) -> Iterator[None]:
    """An app context around a test, for the factories and queries: the one way tests reset `g`.
    Requests made inside it reuse this context, and so its `g`; each starts with `g` empty, as
    on a server, so that nothing (the language Flask-Babel chose, a cached CSRF token, a failed
    sign-in flag) leaks from one request or client to the next."""

    def fresh_g(_sender, **_extra) -> None:
        for name in list(g):
            g.pop(name)

    with app.app_context(), request_started.connected_to(fresh_g, app):
        yield


@cache
def _hashed(password: str) -> str:
    """argon2 is slow on purpose: hash each test password once per run."""
    return hash_password(password)


def make_user(
    *,
    email: str | None = None,
    role: str = "officer",
    regions: tuple[str, ...] | None = None,
    password: str = PASSWORD,
    name: str | None = None,
    active: bool = True,
    totp_required: bool = False,
    totp_secret: str | None = None,
) -> StaffUser:
    """An account; officers cover east-midlands unless told. `totp_secret` turns TOTP on."""
    _count["user"] += 1
    if regions is None:
        regions = ("east-midlands",) if role == "officer" else ()
    user = StaffUser(
        email=normalise_email(email or f"{role}{_count['user']}@staff.example"),
        name=name,
        role=role,
        password_hash=_hashed(password),
        active=active,
        totp_required=totp_required,
        region_links=[StaffRegion(region_id=r) for r in regions],
    )
    db.session.add(user)
    db.session.flush()
    if totp_secret:
        cipher = runtime_cipher()
        user.totp_secret_enc = cipher.encrypt(totp_secret, f"staff:{user.id}:totp")
        user.totp_enabled = True
    db.session.commit()
    return user


def make_report(
    *,
    region: str | None = "east-midlands",
    reference: str | None = None,
    sector: str = "rail",
    priority: str = "normal",
    status: str = "new",
    danger: bool = False,
    signs: tuple[str, ...] = ("travelling-alone",),
    description: str | None = "Two boys, about 14, told where to go by an older man.",
    place: str | None = None,
    postcode: str | None = None,
    district: str | None = None,
    station: str | None = None,
    consent: str = "anonymous",
    contact: dict | None = None,
    created_at: datetime | None = None,
    assigned_to: StaffUser | None = None,
    authorities: tuple[str, ...] = ("police-101",),
    language: str = "en",
    partner: Partner | None = None,
    follow_up_code: str | None = None,
) -> Report:
    """A report in `region`'s queue (None: the national queue), with the hash of
    `follow_up_code` when given."""
    reference = reference or new_reference()
    cipher = runtime_cipher()

    def seal(value: str | None, field: str) -> bytes | None:
        return cipher.encrypt(value, f"{reference}:{field}")

    report = Report(
        reference=reference,
        created_at=created_at or utcnow(),
        source="form",
        language=language,
        sector=sector,
        danger=danger,
        priority=priority,
        status=status,
        region_id=region,
        region_source="postcode" if region else "unknown",
        queue=region or NATIONAL_QUEUE,
        postcode_district=postcode.split(" ")[0] if postcode else district,
        station_crs=station,
        consent=consent,
        reporter_young=False,
        authorities=list(authorities),
        postcode_enc=seal(postcode, "postcode"),
        place_enc=seal(place, "place"),
        description_enc=seal(description, "description"),
        contact_enc=seal(json.dumps(contact) if contact else None, "contact"),
        **contact_hashes(contact),
        signs=[ReportSign(sign_id=s) for s in signs],
        assigned_to_id=assigned_to.id if assigned_to else None,
        partner_id=partner.id if partner else None,
        partner=partner.name if partner else None,
        follow_up_hash=hash_code(follow_up_code) if follow_up_code else None,
    )
    db.session.add(report)
    db.session.commit()
    return report


def make_partner(
    *,
    name: str | None = None,
    sector: str = "rail",
    language: str = "pl",
    region: str | None = None,
    active: bool = True,
) -> Partner:
    _count["partner"] = _count.get("partner", 0) + 1
    partner = Partner(
        name=name or f"Partner {_count['partner']}",
        sector=sector,
        language=language,
        region_id=region,
        active=active,
    )
    db.session.add(partner)
    db.session.commit()
    return partner


def make_site(
    partner: Partner,
    *,
    label: str | None = None,
    station: str | None = None,
    postcode: str | None = None,
    sector: str | None = None,
    code: str | None = None,
    active: bool = True,
) -> Site:
    _count["site"] = _count.get("site", 0) + 1
    site = Site(
        partner_id=partner.id,
        label=label or f"Site {_count['site']}",
        code=code or new_code(),
        station_crs=station,
        postcode=postcode,
        sector=sector,
        active=active,
    )
    db.session.add(site)
    db.session.commit()
    return site


def make_poster_zip(partner: Partner, *, data: bytes = b"PK\x05\x06" + bytes(18)) -> PosterBundle:
    """A partner's zip of posters as the worker leaves it, ready (an empty zip unless given)."""
    bundle = PosterBundle(
        partner_id=partner.id, status=BundleStatus.READY, data=data, size=len(data),
        finished_at=utcnow(),
    )  # fmt: skip
    db.session.add(bundle)
    db.session.commit()
    return bundle
