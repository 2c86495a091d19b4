"""The campaign's data is complete and consistent, and the app refuses inconsistent data."""

import shutil

import pytest

from reporter.reference import DATA_DIR, ReferenceDataError, get_reference, load_reference

ref = get_reference()


def test_the_form_asks_for_a_station_in_the_railway_underground_and_bus_settings_only():
    asks = [s.id for s in ref.sectors.values() if s.asks_station]
    assert asks == ["rail", "underground-metro", "bus-coach"]
    assert [s.id for s in ref.sectors.values() if s.railway] == ["rail", "underground-metro"]


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


def test_forces_that_people_get_wrong_are_in_the_right_region():
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


def test_stations_are_found_by_code_or_name_in_any_case():
    assert ref.find_station("lei").name == "Leicester"
    assert ref.find_station("  leicester ").crs == "LEI"
    assert ref.find_station("Nowhere Parkway") is None
    assert ref.find_station("abbey wood london").crs == "ABW"  # "Abbey Wood (London)"
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
        data_copy / "signs.toml",
        'sectors = ["rail", "underground-metro", "bus-coach"]',
        'sectors = ["rail", "boats"]',
    )
    with pytest.raises(ReferenceDataError, match="unknown sectors"):
        load_reference(data_copy)


def test_a_route_to_an_unknown_authority_is_refused(data_copy):
    _edit(data_copy / "routing.toml", 'offer = ["crimestoppers"]', 'offer = ["ghostbusters"]')
    with pytest.raises(ReferenceDataError, match="unknown authorities"):
        load_reference(data_copy)


def test_a_force_in_an_unknown_region_is_refused(data_copy):
    _edit(data_copy / "regions.toml", 'region = "eastern" }', 'region = "atlantis" }')
    with pytest.raises(ReferenceDataError, match="unknown region"):
        load_reference(data_copy)


def test_an_undialable_number_is_refused(data_copy):
    _edit(data_copy / "authorities.toml", 'phone = "101"', 'phone = "call us"')
    with pytest.raises(ReferenceDataError, match="not dialable"):
        load_reference(data_copy)


def test_a_missing_authority_is_refused(data_copy):
    path = data_copy / "authorities.toml"
    text = path.read_text()
    path.write_text(text[: text.index('[[authority]]\nid = "childline"')])
    with pytest.raises(ReferenceDataError):
        load_reference(data_copy)


def test_a_missing_or_unexpected_setting_is_refused(data_copy):
    """The sector ids are part of the API: one more or one fewer is a mistake in the file."""
    path = data_copy / "sectors.toml"
    path.write_text(path.read_text() + '\n[[sector]]\nid = "boats"\nname = "Boats"\n')
    with pytest.raises(ReferenceDataError, match=r"unexpected \['boats'\]"):
        load_reference(data_copy)


def test_a_station_flag_that_is_not_true_or_false_is_refused(data_copy):
    _edit(data_copy / "sectors.toml", "\nasks_station = true", '\nasks_station = "yes"')
    with pytest.raises(ReferenceDataError, match="asks_station must be true or false"):
        load_reference(data_copy)


def test_an_unknown_setting_field_is_refused(data_copy):
    _edit(data_copy / "sectors.toml", "\nrailway = true", "\nrailways = true")
    with pytest.raises(ReferenceDataError, match="unknown keys"):
        load_reference(data_copy)


def test_a_region_without_a_force_is_refused(data_copy):
    path = data_copy / "regions.toml"
    path.write_text(path.read_text().replace('region = "wales" }', 'region = "eastern" }'))
    with pytest.raises(ReferenceDataError, match=r"regions without a force: \['wales'\]"):
        load_reference(data_copy)


def test_a_station_of_an_unknown_force_is_refused(data_copy):
    _edit(data_copy / "stations.csv", ",leicestershire\n", ",atlantis\n")
    with pytest.raises(ReferenceDataError, match="names unknown force 'atlantis'"):
        load_reference(data_copy)
