"""Submitting a report: the one path that the form and the JSON API both take.

The views parse the request and present the outcome; this service does everything between:
1. **enrich**: a report sent through a partner's site (an entry link) or with a partner's API
   key records the partner (and the site), and routing falls back to the site's region, then
   the partner's, when the report names no place that routes;
2. **guide**: the routing decision, which is the reporter's guidance whatever happens next;
3. **limit**: a place in the sender's allowance of stored reports (its address's, or its API
   key's), which the request took before its view ran (reporter/report_posts.py), kept when
   the report is stored and given back when it is not (report_limits.py);
4. **store** once per sender, idempotency key and body (reports.py);
5. **give a follow-up code**, shown to the sender once: only its hash is stored
   (follow_up.py). A report sent again under the same key gets a new code, since the
   answer with the first one never reached the sender.

Whatever the outcome, it carries the decision: a report that is not stored is still answered
with who to call.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reporter.models import Partner, Report, Site
from reporter.routing import Decision
from reporter.services.partnerships import partners
from reporter.services.reporting import follow_up, idempotency, report_limits
from reporter.services.reporting.guidance import guidance_for
from reporter.services.reporting.reports import (
    KeyReused,
    NewReport,
    StorageError,
    decision_of,
    store,
)


@dataclass(frozen=True)
class Sender:
    """Who sends a report. `identity` owns its idempotency keys: a partner's API key
    ("key:12") or the client's address ("address:203.0.113.9"), so a key someone else used
    first is a different key. `limit_key` and `limits` name its allowance (`limits` None: the
    app's REPORT_RATE_LIMIT)."""

    identity: str
    limit_key: str
    limits: str | None = None

    @classmethod
    def from_address(cls, address: str) -> Sender:
        """A sender known only by its address: the address owns its keys and its allowance."""
        return cls(identity=f"address:{address}", limit_key=address)


@dataclass(frozen=True)
class Submitted:
    """What became of a report. `report` is set when it is stored (now, or before under the
    same sender, key and body: `again`); otherwise one of the reasons says why not."""

    decision: Decision
    report: Report | None = None
    again: bool = False
    retry_after: int | None = None  # over the sender's allowance
    unavailable: bool = False  # the database did not answer
    key_reused: bool = False  # the key was used before by this sender for another report
    # Shown to the sender once, with the reference; None when the report was not stored (or
    # stored before, and a new code could not be written).
    follow_up_code: str | None = None


def through_partner(
    new: NewReport, *, site: Site | None = None, partner: Partner | None = None
) -> NewReport:
    """The report as sent through a partner's `site` (an entry link) or by the `partner`
    (its API key): it records the partner and the site, and routing falls back to the site's
    region, then the partner's, when the report names no place of its own."""
    if site is not None:
        partner = site.partner
    if partner is None:
        return new
    site_region = partners.site_region(site) if site is not None else None
    facts = replace(
        new.facts,
        site_region=site_region.id if site_region else None,
        partner_region=partner.region_id,
    )
    return replace(
        new,
        facts=facts,
        partner=partner.name,
        partner_id=partner.id,
        site_id=site.id if site is not None else None,
    )


def submit(
    new: NewReport,
    sender: Sender,
    place: report_limits.Place,
    *,
    key: str | None = None,
    reused_key_is_new: bool = False,
) -> Submitted:
    """Guide, limit and store a report sent by `sender` with idempotency `key`, in the `place`
    its request took in the sender's allowance (report_limits.take_place).

    A key sent again by the same sender with the same answers gives the report stored the
    first time (`again`), never a second one. With other answers it is `key_reused` and
    nothing is stored, unless `reused_key_is_new` (the form: a person who changed the answers
    means them, so they are stored as a report of their own, in the same place)."""
    decision = guidance_for(new.facts)
    if place.retry_after:
        return Submitted(decision, retry_after=place.retry_after)
    if key is not None:
        new = replace(
            new,
            idempotency_key=idempotency.scoped(key, sender.identity, new.source),
            idempotency_fingerprint=idempotency.fingerprint(new),
        )
    code = follow_up.new_code()
    try:
        stored = store(new, decision, follow_up.hash_code(code))
    except StorageError:
        report_limits.settle(place, stored=False)
        return Submitted(decision, unavailable=True)
    except KeyReused:
        if not reused_key_is_new:
            report_limits.settle(place, stored=False)
            return Submitted(decision, key_reused=True)
        return submit(replace(new, idempotency_key=None), sender, place)
    report_limits.settle(place, stored=not stored.again)
    if stored.again:
        code_again = follow_up.reissue(stored.report)
        return Submitted(
            decision_of(stored.report), stored.report, again=True, follow_up_code=code_again
        )
    return Submitted(decision, stored.report, follow_up_code=code)
