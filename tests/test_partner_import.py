"""Partners and sites from the command line, and the CSV import: every error case, and nothing
imported unless the whole file is valid."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reporter.extensions import db
from reporter.models import AuditEvent, Partner, Site
from reporter.services.partnerships import partners, site_import
from tests.factories import data_context, make_partner, make_site

GOOD = (
    "label,station,postcode,sector\n"
    "Leeds station staff room,LDS,,\n"
    "Leicester depot,,LE1 6RN,delivery\n"
    "Riders anywhere,,,\n"
)


@pytest.fixture(autouse=True)
def _context(app):
    with data_context(app):
        yield


def site_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Site))


def preview(text: str | bytes, partner=None):
    partner = partner or make_partner(sector="rail")
    data = text.encode("utf-8") if isinstance(text, str) else text
    return site_import.preview_import(partner, data)


def test_a_valid_file_shows_each_row_with_its_place_and_region():
    result = preview(GOOD)
    assert result.valid and not result.problems
    rows = {r.label: r for r in result.rows}
    assert [r.line for r in result.rows] == [2, 3, 4]
    assert rows["Leeds station staff room"].kind == "station"
    assert rows["Leeds station staff room"].region.id == "yorkshire-humber"
    assert (rows["Leicester depot"].kind, rows["Leicester depot"].region.id) == (
        "postcode",
        "east-midlands",
    )
    assert rows["Leicester depot"].sector == "delivery"
    assert (rows["Riders anywhere"].kind, rows["Riders anywhere"].region) == ("anywhere", None)
    assert site_count() == 0  # a preview changes nothing


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Somewhere,XXQ,,", "Unknown station “XXQ”"),
        ("Somewhere,,LE99 9ZZZ,", "is not a postcode"),
        ("Somewhere,,ZZ9 9ZZ,", "is not a postcode"),
        ("Somewhere,,LE98 1AA,", "Unknown postcode “LE98 1AA”"),
        ("Somewhere,LDS,LE1 6RN,", "Give a station or a postcode, not both"),
        ("Somewhere,,,banking-hall", "Unknown setting “banking-hall”"),
        (",LDS,,", "The label is empty"),
        (f"{'x' * 121},LDS,,", "longer than 120"),
        ("Leeds station staff room,LDS,,", "is used twice"),
        ("LEEDS STATION  STAFF ROOM,LDS,,", "is used twice"),  # case and spaces do not hide it
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_imported(line, expected):
    partner = make_partner(sector="rail")
    data = (GOOD + line + "\n").encode()
    result, sites = site_import.import_sites(partner, data)
    assert not result.valid and sites == []
    bad = [r for r in result.rows if r.errors]
    assert len(bad) == 1 and bad[0].line == 5
    assert expected in " ".join(bad[0].errors)
    assert site_count() == 0


def test_a_label_the_partner_already_has_is_a_duplicate():
    partner = make_partner()
    make_site(partner, label="Leeds station staff room", station="LDS")
    result = preview(GOOD, partner)
    assert "is used twice" in " ".join(result.rows[0].errors)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        (b"label,station,postcode\n", "no sites"),
        (b"label,station\nDepot,LDS\n", "Missing column(s): postcode"),
        (b"name,place\nDepot,LDS\n", "Missing column(s): label, station, postcode"),
        (b"label,station,postcode,colour\nA,LDS,,red\n", "Unknown column(s): colour"),
        (b"label,station,postcode\nA,LDS,,extra\n", "more values than there are columns"),
        ("label,station,postcode\nGare,LDS,\n".encode("latin-1") + b"\xe9\n", "not UTF-8"),
        (b"label,station,postcode\n" + b"A,LDS,\n" * 10, "is used twice"),
    ],
)
def test_a_bad_file_is_refused_whole_with_a_clear_message(data, expected):
    result = preview(data)
    messages = result.problems + [e for r in result.rows for e in r.errors]
    assert not result.valid
    assert any(expected in m for m in messages), messages


def test_a_file_from_a_spreadsheet_with_a_byte_order_mark_and_crlf_is_read():
    data = b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    assert preview(data).valid


def test_a_too_large_file_is_refused():
    data = b"label,station,postcode\n" + b"x" * site_import.IMPORT_MAX_BYTES
    assert "larger than" in preview(data).problems[0]


def test_a_valid_import_creates_every_site_at_once_and_is_audited():
    partner = make_partner(sector="rail")
    result, sites = site_import.import_sites(partner, GOOD.encode())
    assert result.valid and len(sites) == 3 and site_count() == 3
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sites_imported")
    ).all()
    assert event.detail["count"] == 3 and sorted(event.detail["codes"]) == sorted(
        s.code for s in sites
    )


# --- the command line -----------------------------------------------------------------------


def test_cli_create_import_list_and_retire(runner, tmp_path):
    result = runner.invoke(
        args=["partners", "create", "Speedy Couriers", "--sector", "delivery", "--language", "ro"]
    )
    assert result.exit_code == 0, result.output
    partner = db.session.scalar(select(Partner))
    assert (partner.name, partner.sector, partner.language) == ("Speedy Couriers", "delivery", "ro")

    csv_file = tmp_path / "sites.csv"
    csv_file.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["partners", "import", "speedy couriers", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 sites" in result.output and "/p/" in result.output
    assert site_count() == 3

    listed = runner.invoke(args=["partners", "list"])
    assert "Speedy Couriers" in listed.output and "3 live sites" in listed.output
    sites = runner.invoke(args=["partners", "list", str(partner.id)])
    assert sites.output.count("/p/") == 3

    assert runner.invoke(args=["partners", "retire", "Speedy Couriers"]).exit_code == 0
    db.session.expire_all()
    assert not db.session.get(Partner, partner.id).active
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["partner_created", "sites_imported", "partner_retired"]


def test_cli_import_of_a_bad_file_shows_every_line_and_imports_nothing(runner, tmp_path):
    make_partner(name="Northern Trains", sector="rail")
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text(GOOD + "Platform 1,XXQ,,\nPlatform 2,,NOT A CODE,\n", encoding="utf-8")
    result = runner.invoke(args=["partners", "import", "Northern Trains", str(csv_file)])
    assert result.exit_code == 1
    assert "line 5: Platform 1" in result.output and "Unknown station" in result.output
    assert "line 6: Platform 2" in result.output and "is not a postcode" in result.output
    assert "line 2: Leeds station staff room | Leeds (LDS) | ok" in result.output
    assert "2 problem(s): nothing imported" in result.output
    assert site_count() == 0


def test_cli_dry_run_creates_nothing(runner, tmp_path):
    make_partner(name="Northern Trains")
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(
        args=["partners", "import", "Northern Trains", str(csv_file), "--dry-run"]
    )
    assert result.exit_code == 0 and "3 sites would be created" in result.output
    assert site_count() == 0


def test_cli_refuses_an_unknown_partner_and_a_duplicate_name(runner):
    make_partner(name="Northern Trains")
    result = runner.invoke(args=["partners", "retire", "Southern"])
    assert result.exit_code == 1 and "No partner 'Southern'" in result.output
    result = runner.invoke(
        args=["partners", "create", "northern trains", "--sector", "rail", "--language", "en"]
    )
    assert result.exit_code == 1 and "already a partner called Northern Trains" in result.output


def test_cli_key_prints_a_key_once_and_stores_only_its_hash(runner):
    from reporter.models import PartnerKey

    partner = make_partner(name="Speedy Couriers")
    result = runner.invoke(args=["partners", "key", "Speedy Couriers", "Rider app"])
    key = result.output.strip()
    assert result.exit_code == 0 and key.startswith("lck_") and len(key) > 40
    row = db.session.scalar(select(PartnerKey))
    assert row.partner_id == partner.id and key not in (row.key_hash, row.prefix)
    assert row.key_hash == partners_key_hash(key)


def partners_key_hash(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


def test_demo_data_adds_partners_with_entry_links(make_app):
    app = make_app(ENV_NAME="development")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo-data", "--count", "1"])
        assert result.exit_code == 0, result.output
        shown = app.test_cli_runner().invoke(args=["demo-data", "show"])
        assert shown.output.count("/p/") == 3
        assert {p.name for p in partners.all_partners()} >= {"Demo Rail Operator", "Demo Couriers"}
