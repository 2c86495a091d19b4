"""Search over reports without storing what reporters wrote in clear.

The place a reporter describes is encrypted, so it is searched through a blind index: each
normalised word of it, and the full postcode, becomes HMAC-SHA256 under a key derived from the
first REPORTER_DATA_KEY key, truncated to 128 bits, stored in report_search_tokens. A query's
words are hashed the same way and must all be present. Station names and CRS codes, postcode
districts and references are plaintext columns and are matched directly.

What this leaks to someone who reads the database: which reports share a word, and how common
a word is. It does not give the words. After the first data key changes, rebuild the index with
`flask --app wsgi triage reindex-search`.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Flask, current_app, has_app_context
from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    event,
    exists,
    false,
    insert,
    or_,
    select,
    union_all,
)

from reporter.crypto import derived_key, keyed_token
from reporter.extensions import db
from reporter.models import Report, ReportSearchToken
from reporter.postcodes import normalise_postcode
from reporter.reference import Reference
from reporter.services.transaction import every_report

WORDS = re.compile(r"[a-z0-9]+")
MIN_WORD = 2
MAX_WORDS = 64  # per report: enough for any place description
MAX_STATIONS = 50
FEW_MATCHES = 2000  # up to this many matches, the queue is built from their ids
# LC-ABCD-EFGH, LCABCDEFGH or ABCD-EFGH; eight letters alone are more likely a word.
REFERENCE = re.compile(r"^(?:LC-?([2-9A-Z]{4})-?([2-9A-Z]{4})|([2-9A-Z]{4})-([2-9A-Z]{4}))$")


def derive_index_key(data_key_text: str) -> bytes:
    return derived_key(data_key_text, b"lookcloser search index v1")


def init_app(app: Flask) -> None:
    app.extensions["reporter_search_key"] = derive_index_key(app.config["REPORTER_DATA_KEY"])


def words(text: str | None) -> list[str]:
    """Lower case, accents off, split on anything that is not a letter or digit."""
    if not text:
        return []
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    seen = dict.fromkeys(w for w in WORDS.findall(plain) if len(w) >= MIN_WORD)
    return list(seen)[:MAX_WORDS]


def tokens_for(place: str | None, postcode: str | None, key: bytes) -> set[str]:
    tokens = {keyed_token(key, "word", w) for w in words(place)}
    if postcode:
        tokens.add(keyed_token(key, "postcode", postcode))
    return tokens


def tokens_of_new_report(place: str | None, postcode: str | None) -> list[str]:
    """The index tokens of a report about to be stored, from what the reporter wrote (none
    outside an app, or without the index key)."""
    key = current_app.extensions.get("reporter_search_key") if has_app_context() else None
    return sorted(tokens_for(place, postcode, key)) if key is not None else []


def _report_tokens(report: Report, key: bytes) -> set[str]:
    from reporter.services.reporting.reports import decrypt_field

    return tokens_for(decrypt_field(report, "place"), decrypt_field(report, "postcode"), key)


@event.listens_for(Report, "after_insert")
def _index_new_report(_mapper, connection, report: Report) -> None:
    """A report added through the ORM is indexed in its own transaction: no caller has to
    remember. (services/reporting/reports.py writes a report's rows itself, tokens included.)"""
    key = current_app.extensions.get("reporter_search_key") if has_app_context() else None
    if key is None:
        return
    tokens = _report_tokens(report, key)
    if tokens:
        connection.execute(
            insert(ReportSearchToken),
            [{"token": t, "report_id": report.id} for t in sorted(tokens)],
        )


REINDEX_BATCH = 500  # reports read, and tokens written, at a time


def reindex_all() -> int:
    """Rebuild the whole index (after a change of the first data key). Returns reports done."""
    key = current_app.extensions["reporter_search_key"]
    db.session.execute(delete(ReportSearchToken))
    done = 0
    for reports in every_report(REINDEX_BATCH):
        rows = [{"token": t, "report_id": r.id} for r in reports for t in _report_tokens(r, key)]
        if rows:
            db.session.execute(insert(ReportSearchToken), rows)
        done += len(reports)
    db.session.commit()
    return done


def _stations_matching(query: str, ref: Reference) -> list[str]:
    exact = ref.find_station(query)
    if exact:
        return [exact.crs]
    key = " ".join(query.split()).casefold()
    if len(key) < 3:
        return []
    crs = [s.crs for s in ref.stations.values() if key in s.name.casefold()]
    return crs[:MAX_STATIONS]


def _readings(query: str, ref: Reference) -> list[ColumnElement[bool]]:
    """Each way the query can match: reference, station, postcode district or full postcode,
    every word of the place."""
    key = current_app.extensions["reporter_search_key"]
    matches: list[ColumnElement[bool]] = []
    compact = query.upper().replace(" ", "")
    if m := REFERENCE.match(compact):
        first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        matches.append(Report.reference == f"LC-{first}-{second}")
    if stations := _stations_matching(query, ref):
        matches.append(Report.station_crs.in_(stations))
    postcode = normalise_postcode(query)
    if postcode and " " in postcode:
        matches.append(_all_tokens({keyed_token(key, "postcode", postcode)}))
    elif postcode:
        matches.append(Report.postcode_district == postcode)
    if place_words := words(query):
        matches.append(_all_tokens({keyed_token(key, "word", w) for w in place_words}))
    return matches


def search_clause(query: str, ref: Reference) -> ColumnElement[bool]:
    """A WHERE clause for the reports matching the query.

    Two plans, chosen by a quick count: when few reports match (a reference, a rare word), the
    queue is built from their ids; when many do (a busy station, a common word), the queue is
    read in order and each report tested, which finds a page of matches at once. Either alone
    is slow at a million reports for the other kind of query.
    """
    matches = _readings(query.strip(), ref) if query.strip() else []
    if not matches:
        return false()
    readings = union_all(*(select(Report.id.label("id")).where(m) for m in matches)).subquery()
    found = list(db.session.scalars(select(readings.c.id).limit(FEW_MATCHES + 1)))
    if len(found) <= FEW_MATCHES:  # every match is in hand (a report may be there twice)
        return Report.id.in_(sorted(set(found))) if found else false()
    return or_(*matches)


def _all_tokens(tokens: set[str]) -> ColumnElement[bool]:
    """One EXISTS per token: the planner can start from a rare word's rows, or walk the queue
    in order and probe the (token, report_id) key for a common one."""
    return and_(
        *(
            exists().where(ReportSearchToken.token == t, ReportSearchToken.report_id == Report.id)
            for t in sorted(tokens)
        )
    )
