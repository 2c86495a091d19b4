"""The services own their transactions: a change they refuse leaves nothing in the session, and
a lookup the database does not answer is an answer of its own, so no view touches the session."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from reporter.extensions import db
from reporter.models import Partner
from reporter.services.partnerships import partner_keys, partners
from reporter.services.transaction import rolled_back_on_error
from tests.factories import make_partner


@pytest.fixture(autouse=True)
def _context(app):
    with app.app_context():
        yield


def test_a_change_refused_half_way_leaves_nothing_for_the_next_commit():
    @rolled_back_on_error
    def half_done() -> None:
        db.session.add(Partner(name="Half done", sector="rail", language="en"))
        db.session.flush()
        raise partners.PartnerError("refused after the row was added")

    with pytest.raises(partners.PartnerError):
        half_done()
    db.session.commit()  # what the next change of the same request would do
    assert partners.find_partner("Half done") is None


def _database_down(*_args, **_kwargs):
    raise OperationalError("SELECT", {}, Exception("database is down"))


def test_an_entry_code_the_database_does_not_answer_is_no_site_and_says_so(monkeypatch, caplog):
    site_code = partners.new_code()
    monkeypatch.setattr(db.session, "scalar", _database_down)
    with caplog.at_level(logging.WARNING):
        assert partners.look_up_site(site_code) == (None, False)
    assert "entry code not looked up: OperationalError" in caplog.text
    assert site_code not in caplog.text


def test_an_api_key_the_database_does_not_answer_is_no_key_and_says_so(monkeypatch, caplog):
    _row, key = partner_keys.create_key(make_partner(), "Rider app")
    assert partner_keys.look_up_key(key)[1] is True
    monkeypatch.setattr(db.session, "scalar", _database_down)
    with caplog.at_level(logging.WARNING):
        assert partner_keys.look_up_key(key) == (None, False)
    assert "API key not checked: OperationalError" in caplog.text
    assert key not in caplog.text


def test_a_partners_site_or_key_is_not_found_through_another_partner():
    mine, theirs = make_partner(), make_partner()
    site = partners.add_site(theirs, label="Depot")
    row, _key = partner_keys.create_key(theirs, "Rider app")
    assert partners.site_of(theirs, site.id) is site
    assert partners.site_of(mine, site.id) is None
    assert partner_keys.key_of(theirs, row.id) is row
    assert partner_keys.key_of(mine, row.id) is None
    assert partners.partner_by_id(theirs.id) is theirs
