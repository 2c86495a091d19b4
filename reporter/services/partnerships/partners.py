"""Partners and their sites: creating, retiring, importing sites from a CSV file, entry codes.

A partner (a delivery company, a train operator, a hotel chain) has sites; each site has an
entry link /p/<code> that opens the form set for it. Every change is audited in the same
transaction. Messages here are for programme staff (English only).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from reporter.bidi import shown_safely, text_problem
from reporter.campaign import postcode_index
from reporter.extensions import db
from reporter.i18n import LOCALES
from reporter.models import Partner, Site, StaffUser, utcnow
from reporter.postcodes import normalise_postcode
from reporter.reference import Reference, Region, Station
from reporter.routing import Facts, resolve_region
from reporter.services.accounts import audit
from reporter.services.reference_admin import effective_reference
from reporter.services.reporting.reports import REFERENCE_ALPHABET
from reporter.services.transaction import answered, rolled_back_on_error

log = logging.getLogger(__name__)

# 27 letters and digits to the 7th: about 10^10 codes. With 10,000 live sites a guess finds one
# once in a million tries, and a guess that misses learns nothing (it opens the plain form).
CODE_LENGTH = 7
CODE_ATTEMPTS = 10
NAME_MAX_LENGTH = 64
CONTACT_MAX_LENGTH = 200
LABEL_MAX_LENGTH = 120
KINDS = {"station": "Station", "postcode": "Fixed place (postcode)", "anywhere": "Anywhere"}


class PartnerError(ValueError):
    """A change refused; the message is for the member of staff, `field` the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- codes ----------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str | None:
    """A code as typed or scanned: any case, spaces and dashes ignored. None if it cannot be
    one (so a malformed code never reaches the database)."""
    code = "".join((raw or "").split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in REFERENCE_ALPHABET for c in code):
        return None
    return code


def free_codes(count: int) -> list[str]:
    """`count` codes that no site has, and that differ from each other."""
    chosen: set[str] = set()
    for _ in range(CODE_ATTEMPTS):
        wanted = count - len(chosen)
        if not wanted:
            break
        fresh = {new_code() for _ in range(wanted)} - chosen
        taken = set(db.session.scalars(select(Site.code).where(Site.code.in_(sorted(fresh)))))
        chosen |= fresh - taken
    if len(chosen) < count:
        raise PartnerError("Could not find free entry codes. Try again.")
    return sorted(chosen)


def find_site(raw_code: str | None) -> Site | None:
    """The site whose entry code this is, live or retired; None for no such code."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    return db.session.scalar(select(Site).where(Site.code == code))


def look_up_site(raw_code: str | None) -> tuple[Site | None, bool]:
    """The site of a code (see find_site) and whether the database answered. A database that
    does not answer must never keep anyone from the form: the answer is then (None, False)."""
    return answered(lambda: find_site(raw_code), "entry code not looked up", log)


def live_site(raw_code: str | None) -> Site | None:
    site = find_site(raw_code)
    return site if site is not None and site.live else None


# --- partners -------------------------------------------------------------------------------


def find_partner(key: str) -> Partner | None:
    """By id, or by name in any case (the CLI's PARTNER argument)."""
    key = key.strip()
    if key.isdigit():
        return db.session.get(Partner, int(key))
    return db.session.scalar(select(Partner).where(func.lower(Partner.name) == key.lower()))


def partner_by_id(partner_id: int) -> Partner | None:
    return db.session.get(Partner, partner_id)


def site_of(partner: Partner, site_id: int) -> Site | None:
    """The partner's site with this id; None when there is none, or it is another partner's."""
    site = db.session.get(Site, site_id)
    return site if site is not None and site.partner_id == partner.id else None


def all_partners() -> list[Partner]:
    return list(db.session.scalars(select(Partner).order_by(Partner.active.desc(), Partner.name)))


@dataclass(frozen=True)
class PartnerDetails:
    name: str
    sector: str
    language: str
    contact: str | None = None
    region_id: str | None = None


def _check_details(details: PartnerDetails, ref: Reference, partner: Partner | None) -> None:
    name = details.name.strip()
    if not name:
        raise PartnerError("Enter the partner's name.", "name")
    if len(name) > NAME_MAX_LENGTH:
        raise PartnerError(f"The name must be {NAME_MAX_LENGTH} characters or fewer.", "name")
    if name.isdigit():
        raise PartnerError("A name cannot be only digits (the CLI reads digits as an id).", "name")
    if problem := text_problem(name, "The name"):
        raise PartnerError(problem, "name")
    same = find_partner(name)
    if same is not None and same is not partner:
        raise PartnerError(f"There is already a partner called {same.name}.", "name")
    if details.sector not in ref.sectors:
        raise PartnerError("Choose a setting from the list.", "sector")
    if details.language not in LOCALES:
        raise PartnerError("Choose a language from the list.", "language")
    if details.region_id and details.region_id not in ref.regions:
        raise PartnerError("Choose a region from the list.", "region_id")
    if details.contact and len(details.contact) > CONTACT_MAX_LENGTH:
        raise PartnerError(
            f"The contact must be {CONTACT_MAX_LENGTH} characters or fewer.", "contact"
        )
    if details.contact and (problem := text_problem(details.contact, "The contact")):
        raise PartnerError(problem, "contact")


@rolled_back_on_error
def create_partner(details: PartnerDetails, actor: StaffUser | None = None) -> Partner:
    _check_details(details, effective_reference(), None)
    partner = Partner(
        name=details.name.strip(),
        sector=details.sector,
        language=details.language,
        contact=(details.contact or "").strip() or None,
        region_id=details.region_id or None,
    )
    db.session.add(partner)
    db.session.flush()
    audit.record("partner_created", actor=actor, detail=_partner_codes(partner))
    db.session.commit()
    return partner


@rolled_back_on_error
def change_partner(partner: Partner, details: PartnerDetails, actor: StaffUser) -> bool:
    _check_details(details, effective_reference(), partner)
    before = _partner_codes(partner)
    partner.name = details.name.strip()
    partner.sector = details.sector
    partner.language = details.language
    partner.contact = (details.contact or "").strip() or None
    partner.region_id = details.region_id or None
    after = _partner_codes(partner)
    if before == after and not db.session.is_modified(partner):
        return False
    audit.record("partner_changed", actor=actor, detail={"before": before, "after": after})
    db.session.commit()
    return True


def _partner_codes(partner: Partner) -> dict:
    """For the audit log: the partner's id and codes. Its name is the programme's, not a
    reporter's, so it may be logged."""
    return {
        "partner_id": partner.id,
        "partner": partner.name,
        "sector": partner.sector,
        "language": partner.language,
        "region": partner.region_id,
    }


def set_partner_active(partner: Partner, active: bool, actor: StaffUser | None = None) -> bool:
    """Retire a partner (every link of theirs then opens the plain form) or bring it back."""
    if partner.active == active:
        return False
    partner.active = active
    partner.retired_at = None if active else utcnow()
    action = "partner_reactivated" if active else "partner_retired"
    audit.record(action, actor=actor, detail={"partner_id": partner.id, "partner": partner.name})
    db.session.commit()
    return True


# --- sites ----------------------------------------------------------------------------------


@dataclass
class SiteDraft:
    """A site as asked for, checked: what the import preview shows row by row."""

    label: str
    station: Station | None = None
    postcode: str | None = None
    sector: str | None = None
    region: Region | None = None
    line: int | None = None
    errors: list[str] = field(default_factory=list)
    asked: str = ""  # the station or postcode as written, shown beside its errors

    @property
    def kind(self) -> str:
        return "station" if self.station else "postcode" if self.postcode else "anywhere"

    @property
    def place(self) -> str:
        if self.station:
            return f"{self.station.name} ({self.station.crs})"
        return self.postcode or "Anywhere"


def region_of_place(
    station_crs: str | None, postcode: str | None, sector: str, ref: Reference | None = None
) -> Region | None:
    """A site's region, by the same routing code as a report's (postcode, then station)."""
    region, _source = resolve_region(
        Facts(sector=sector, postcode=postcode, station=station_crs),
        ref or effective_reference(),
        postcode_index(),
    )
    return region


def site_region(site: Site, ref: Reference | None = None) -> Region | None:
    return region_of_place(site.station_crs, site.postcode, site.sector_id, ref)


def check_site(
    partner: Partner,
    *,
    label: str | None,
    station: str | None = None,
    postcode: str | None = None,
    sector: str | None = None,
    taken: set[str] | None = None,
    ref: Reference | None = None,
) -> SiteDraft:
    """Every problem with one site, in `draft.errors`. `taken` holds the labels (casefolded)
    already used: the partner's sites and earlier rows of the same file. `ref`: the effective
    reference data, read once for a whole file."""
    ref = ref or effective_reference()
    draft = SiteDraft(label=" ".join((label or "").split()))
    # A control character (a NUL) can be none of these: shown as U+FFFD, it is simply unknown.
    station, postcode, sector = (
        shown_safely((v or "").strip()) or None for v in (station, postcode, sector)
    )  # fmt: skip
    draft.asked = " / ".join(v for v in (station, postcode) if v)
    if not draft.label:
        draft.errors.append("The label is empty: give each site a name the partner knows.")
    elif len(draft.label) > LABEL_MAX_LENGTH:
        draft.errors.append(f"The label is longer than {LABEL_MAX_LENGTH} characters.")
    elif problem := text_problem(draft.label, "The label"):
        draft.errors.append(problem)
        draft.label = shown_safely(draft.label)
    elif taken is not None and draft.label.casefold() in taken:
        draft.errors.append(f"The label “{draft.label}” is used twice: each site needs its own.")
    if station and postcode:
        draft.errors.append("Give a station or a postcode, not both.")
    elif station:
        draft.station = ref.find_station(station)
        if draft.station is None:
            draft.errors.append(f"Unknown station “{station}”: use its 3-letter code or name.")
    elif postcode:
        draft.postcode = normalise_postcode(postcode)
        known = draft.postcode and postcode_index().force_for(draft.postcode)
        if not draft.postcode:
            draft.errors.append(f"“{postcode}” is not a postcode, like LS1 4DY.")
        elif not known or not known.known:
            draft.errors.append(f"Unknown postcode “{draft.postcode}”.")
    if sector:
        if sector in ref.sectors:
            draft.sector = None if sector == partner.sector else sector
        else:
            draft.errors.append(
                f"Unknown setting “{sector}”: use one of {', '.join(ref.sectors)}, "
                "or leave it empty for the partner's."
            )
    if not draft.errors:
        draft.region = region_of_place(
            draft.station.crs if draft.station else None,
            draft.postcode,
            draft.sector or partner.sector,
            ref,
        )
    return draft


def taken_labels(partner: Partner) -> set[str]:
    labels = db.session.scalars(select(Site.label).where(Site.partner_id == partner.id))
    return {label.casefold() for label in labels}


def new_site(partner: Partner, draft: SiteDraft, code: str) -> Site:
    return Site(
        partner_id=partner.id,
        label=draft.label,
        code=code,
        station_crs=draft.station.crs if draft.station else None,
        postcode=draft.postcode,
        sector=draft.sector,
    )


def _site_codes(site: Site) -> dict:
    return {
        "partner_id": site.partner_id,
        "site_id": site.id,
        "code": site.code,
        "station": site.station_crs,
        "postcode": site.postcode,
    }


@rolled_back_on_error
def add_site(
    partner: Partner,
    *,
    label: str,
    station: str | None = None,
    postcode: str | None = None,
    sector: str | None = None,
    actor: StaffUser | None = None,
) -> Site:
    draft = check_site(
        partner,
        label=label,
        station=station,
        postcode=postcode,
        sector=sector,
        taken=taken_labels(partner),
    )
    if draft.errors:
        raise PartnerError(" ".join(draft.errors))
    site = new_site(partner, draft, free_codes(1)[0])
    db.session.add(site)
    commit_new_sites([site], "site_created", actor, lambda: _site_codes(site))
    return site


def commit_new_sites(sites: list[Site], action: str, actor, detail) -> None:
    """Flush, audit and commit; a label or code taken meanwhile (by a request at the same
    moment) refuses the whole change."""
    try:
        db.session.flush()
        audit.record(action, actor=actor, detail=detail())
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise PartnerError(
            "Another change to this partner's sites was made at the same moment. Try again."
        ) from exc


def set_site_active(site: Site, active: bool, actor: StaffUser | None = None) -> bool:
    """Retire a site (its link then opens the plain form, with a gentle note) or bring it
    back with the same code, so posters already up work again."""
    if site.active == active:
        return False
    site.active = active
    site.retired_at = None if active else utcnow()
    audit.record(
        "site_reactivated" if active else "site_retired", actor=actor, detail=_site_codes(site)
    )
    db.session.commit()
    return True
