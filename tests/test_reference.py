"""The campaign's data is complete and consistent, and the app refuses inconsistent data."""

import shutil

import pytest

from reporter.reference import (
    AUTHORITY_IDS,
    DATA_DIR,
    REGION_IDS,
    SECTOR_IDS,
    ReferenceError,
    get_reference,
    load_reference,
)

ref = get_reference()


def test_the_stable_ids_are_exactly_those_of_the_api():
    assert tuple(ref.sectors) == SECTOR_IDS
    assert set(ref.regions) == set(REGION_IDS)
    assert set(ref.authorities) == set(AUTHORITY_IDS)


def test_every_setting_has_its_own_signs_first_then_the_general_checklist():
    general = [s.id for s in ref.signs.values() if s.general]
    assert len(general) == 9  # the #LookCloser checklist
    for sector in ref.sectors:
        checklist = [s.id for s in ref.signs_for(sector)]
        assert checklist[len(checklist) - len(general) :] == general
        if sector != "other":
            assert len(checklist) > len(general), f"{sector} has no signs of its own"


def test_every_sign_points_somewhere_and_serious_signs_exist():
    assert all(sign.tags for sign in ref.signs.values())
    assert any(sign.serious for sign in ref.signs.values())


def test_every_region_has_forces_and_every_force_a_region():
    for region in ref.regions:
        assert any(f.region == region for f in ref.forces.values()), region
    assert ref.forces["kent"].region == "eastern"
    assert ref.forces["north-wales"].region == "wales"
    assert ref.forces["city-of-london"].region == "london"


def test_every_authority_can_be_reached_with_one_tap_or_a_page():
    for authority in ref.authorities.values():
        assert authority.link and authority.link.startswith(("tel:", "sms:", "https://"))
        assert authority.when and authority.tell
    assert ref.authorities["emergency-999"].link == "tel:999"
    assert ref.authorities["btp-text-61016"].link == "sms:61016"
    assert ref.authorities["police-101"].link == "tel:101"


def test_every_station_names_a_known_force():
    assert len(ref.stations) > 300
    assert all(s.force in ref.forces for s in ref.stations.values())


def test_stations_are_found_by_code_or_name_in_any_case():
    assert ref.find_station("lei").name == "Leicester"
    assert ref.find_station("  leicester ").crs == "LEI"
    assert ref.find_station("Nowhere Parkway") is None
    assert ref.find_station("abbey wood").crs == "ABW"  # "Abbey Wood (London)"
    assert any(s.crs == "LEI" for s in ref.station_suggestions("Leicestr"))


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_sign_for_an_unknown_setting_is_refused(data_copy):
    _edit(
        data_copy / "signs.toml", 'sectors = ["rail", "bus-coach"]', 'sectors = ["rail", "boats"]'
    )
    with pytest.raises(ReferenceError, match="unknown sectors"):
        load_reference(data_copy)


def test_a_route_to_an_unknown_authority_is_refused(data_copy):
    _edit(data_copy / "routing.toml", 'offer = ["crimestoppers"]', 'offer = ["ghostbusters"]')
    with pytest.raises(ReferenceError, match="unknown authorities"):
        load_reference(data_copy)


def test_a_force_in_an_unknown_region_is_refused(data_copy):
    _edit(data_copy / "regions.toml", 'region = "eastern" }', 'region = "atlantis" }')
    with pytest.raises(ReferenceError, match="unknown region"):
        load_reference(data_copy)


def test_an_undialable_number_is_refused(data_copy):
    _edit(data_copy / "authorities.toml", 'phone = "101"', 'phone = "call us"')
    with pytest.raises(ReferenceError, match="not dialable"):
        load_reference(data_copy)


def test_a_missing_authority_is_refused(data_copy):
    path = data_copy / "authorities.toml"
    text = path.read_text()
    path.write_text(text[: text.index('[[authority]]\nid = "childline"')])
    with pytest.raises(ReferenceError):
        load_reference(data_copy)
