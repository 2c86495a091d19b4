"""Routing rules, case by case: region, queue, priority and who to contact, in order."""

import pytest

from reporter.postcodes import PostcodeIndex
from reporter.reference import get_reference
from reporter.routing import Facts, decide

ref = get_reference()
postcodes = PostcodeIndex.from_file()


def route(**facts):
    facts.setdefault("sector", "other")
    return decide(Facts(**facts), ref, postcodes)


def region_of(**facts):
    decision = route(**facts)
    return decision.region.id if decision.region else None


@pytest.mark.parametrize(
    ("postcode", "region"),
    [
        ("CH1 2HT", "north-west"),  # Chester, Cheshire
        ("CH5 1NS", "wales"),  # Deeside, Flintshire: North Wales Police
        ("S1 2GH", "yorkshire-humber"),  # Sheffield
        ("S40 1AA", "east-midlands"),  # Chesterfield, Derbyshire
        ("KT1 1EU", "london"),  # Kingston upon Thames
        ("KT22 7DL", "south-east"),  # Leatherhead, Surrey
        ("LE1 6RN", "east-midlands"),
        ("ME1 1AA", "eastern"),  # Kent is in the Eastern region here
        ("EC2M 7PY", "london"),  # City of London
    ],
)
def test_postcodes_near_borders_resolve_to_the_right_region(postcode, region):
    decision = route(postcode=postcode)
    assert decision.region.id == region
    assert decision.region_source == "postcode"
    assert decision.queue == region


def test_a_postcode_outside_england_and_wales_has_no_region_but_full_guidance():
    decision = route(postcode="EH1 1YZ", sector="rail")
    assert decision.region is None
    assert decision.region_source == "outside"
    assert decision.queue == "national"
    assert decision.authority_ids[0] == "btp-text-61016"
    assert "crimestoppers" in decision.authority_ids


def test_postcode_wins_over_station():
    assert region_of(postcode="S40 1AA", station="LDS") == "east-midlands"


def test_station_gives_the_region_when_there_is_no_postcode():
    decision = route(station="EUS", sector="rail")
    assert (decision.region.id, decision.region_source) == ("london", "station")
    assert region_of(station="LEI") == "east-midlands"
    assert region_of(station="CDF") == "wales"


def test_a_place_naming_a_postcode_or_station_gives_the_region():
    assert region_of(place="outside the chip shop, le1 6rn") == "east-midlands"
    assert region_of(place="on the bridge at Nottingham station") == "east-midlands"
    assert route(place="a car park").region is None


def test_the_partner_region_is_the_last_resort():
    decision = route(place="a car park", partner_region="wales")
    assert (decision.region.id, decision.region_source) == ("wales", "partner")


def test_999_comes_first_whenever_a_child_is_in_danger():
    for sector in ref.sectors:
        assert route(sector=sector, danger=True).authority_ids[0] == "emergency-999"


def test_999_is_never_offered_first_without_immediate_danger():
    for sector in ref.sectors:
        ids = route(sector=sector, danger=False, signs=frozenset({"controlled"})).authority_ids
        assert ids[0] != "emergency-999"


def test_rail_report_points_to_btp_text_service_first():
    ids = route(sector="rail", station="LEI").authority_ids
    assert ids[:2] == ["btp-text-61016", "btp-phone"]
    assert "police-101" in ids


def test_naming_a_station_counts_as_the_railway_in_any_setting():
    assert route(sector="food-service", station="LEI").authority_ids[0] == "btp-text-61016"


def test_off_the_railway_without_danger_101_comes_first():
    assert route(sector="taxi").authority_ids[0] == "police-101"


def test_an_anonymous_route_is_always_offered():
    for danger in (True, False):
        for sector in ref.sectors:
            assert "crimestoppers" in route(sector=sector, danger=danger).authority_ids


def test_trafficking_signs_point_to_the_modern_slavery_helpline():
    assert "modern-slavery-helpline" in route(signs=frozenset({"made-to-work"})).authority_ids
    assert "modern-slavery-helpline" not in route(signs=frozenset({"no-ticket"})).authority_ids


def test_abuse_signs_point_to_the_nspcc():
    ids = route(sector="delivery", signs=frozenset({"injuries"})).authority_ids
    assert "nspcc-helpline" in ids
    assert "children-services" in ids


def test_childline_only_when_the_reporter_is_young():
    assert "childline" in route(young=True).authority_ids
    assert "childline" not in route().authority_ids


@pytest.mark.parametrize(
    ("facts", "priority"),
    [
        ({"danger": True}, "urgent"),
        ({"danger": True, "signs": frozenset()}, "urgent"),
        ({"signs": frozenset({"controlled"})}, "high"),  # a serious sign
        ({"signs": frozenset({"lost", "several-phones", "begging"})}, "high"),  # three signs
        ({"signs": frozenset({"lost", "several-phones"})}, "normal"),
        ({}, "normal"),
    ],
)
def test_priority_comes_from_danger_and_the_signs(facts, priority):
    assert route(**facts).priority == priority


def test_every_decision_explains_itself():
    decision = route(sector="rail", danger=True)
    assert any("999" in reason for reason in decision.reasons)
