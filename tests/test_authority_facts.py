"""The facts the contact cards state, read from the data files: who Childline is for, what the
Modern Slavery & Exploitation Helpline does with a caller's details, and where British Transport
Police's text service applies (the railway, and the Underground, DLR, London Trams and metros it
polices; not Manchester Metrolink)."""

from __future__ import annotations

import tomllib

from reporter.reference import DATA_DIR, get_reference
from reporter.routing import Facts, authorities_for

REF = get_reference()


def _data(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as f:
        return tomllib.load(f)


def _authority(authority_id: str) -> dict:
    return next(a for a in _data("authorities.toml")["authority"] if a["id"] == authority_id)


def test_childline_is_for_anyone_under_19_and_free_off_the_bill_from_most_networks():
    when = _authority("childline")["when"]
    assert "under 19" in when
    assert "Free" in when and "does not show on the bill from a landline or most mobile" in when


def test_the_helpline_card_never_promises_anonymity_without_saying_when_details_are_shared():
    helpline = _authority("modern-slavery-helpline")
    words = f"{helpline['when']} {helpline['tell']}"
    assert "without asking you when a child is at risk" in words
    assert "You can stay anonymous" not in words


def _offered(sector: str, **facts) -> list[str]:
    authorities, _reasons = authorities_for(Facts(sector=sector, **facts), REF)
    return [a.id for a in authorities]


def test_the_underground_dlr_trams_and_metros_btp_polices_get_the_btp_text_service():
    sector = REF.sectors["underground-metro"]
    for network in ("London Underground", "DLR", "London Trams", "West Midlands Metro"):
        assert network in sector.name
    assert "Tyne and Wear Metro" in sector.name
    assert sector.asks_station
    assert _offered("underground-metro")[:3] == ["btp-text-61016", "btp-phone", "police-101"]
    with_danger = _offered("underground-metro", danger=True)
    assert with_danger[:2] == ["emergency-999", "btp-text-61016"]


def test_buses_coaches_and_other_trams_get_101_not_btp():
    """Manchester Metrolink is Greater Manchester Police's: a tram that BTP does not police."""
    assert "other trams" in REF.sectors["bus-coach"].name
    offered = _offered("bus-coach")
    assert "btp-text-61016" not in offered and offered[0] == "police-101"
