"""The queue: most urgent then newest, filters, search over encrypted places, keyset pages."""

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from sqlalchemy import select, text

from reporter.extensions import db
from reporter.models import ReportSearchToken, utcnow
from reporter.services.casework import search
from reporter.services.casework.queue import Cursor
from reporter.services.casework.search import reindex_all, words
from tests.factories import make_report, make_user
from tests.pages import assert_redirects, read
from tests.triage.conftest import audit_rows, sign_in


def listed(client, query: str = "") -> list[str]:
    """The references the queue lists for `query`; a search (q) is posted, as the page does."""
    args = dict(parse_qsl(query))
    if "q" in args:
        response = client.post("/triage/", data=args)
    else:
        response = client.get(f"/triage/?{query}")
    assert response.status_code == 200
    return re.findall(r'class="ref">(LC-[A-Z0-9-]+)<', response.get_data(as_text=True))


def test_most_urgent_first_then_newest(client):
    now = utcnow()
    old_urgent = make_report(priority="urgent", created_at=now - timedelta(days=3))
    new_normal = make_report(priority="normal", created_at=now)
    high = make_report(priority="high", created_at=now - timedelta(days=1))
    new_urgent = make_report(priority="urgent", created_at=now - timedelta(hours=1))
    sign_in(client, make_user())
    assert listed(client) == [
        new_urgent.reference,
        old_urgent.reference,
        high.reference,
        new_normal.reference,
    ]


def test_the_queue_shows_open_reports_unless_asked(client):
    open_ = [make_report(status=s) for s in ("new", "triaged", "referred")]
    closed = make_report(status="closed")
    sign_in(client, make_user())
    assert set(listed(client)) == {r.reference for r in open_}
    assert listed(client, "status=closed") == [closed.reference]
    assert len(listed(client, "status=any")) == 4
    assert listed(client, "status=triaged") == [open_[1].reference]


def test_filters_by_priority_setting_sign_date_and_assignee(client):
    officer = make_user()
    now = utcnow()
    hotel = make_report(sector="hotel", signs=("room-paid-cash",), priority="high")
    rail = make_report(sector="rail", signs=("no-ticket", "travelling-alone"), assigned_to=officer)
    old = make_report(created_at=now - timedelta(days=40))
    sign_in(client, officer)
    assert listed(client, "priority=high") == [hotel.reference]
    assert listed(client, "sector=hotel") == [hotel.reference]
    assert listed(client, "sign=no-ticket") == [rail.reference]
    assert listed(client, "mine=y") == [rail.reference]
    day = (now - timedelta(days=40)).strftime("%Y-%m-%d")
    assert listed(client, f"date_from={day}&date_to={day}") == [old.reference]
    assert old.reference not in listed(client, f"date_from={now:%d/%m/%Y}")


def test_a_bad_filter_is_explained_and_the_others_still_apply(client):
    make_report(priority="high")
    sign_in(client, make_user())
    page = read(client.get("/triage/?date_from=yesterday&priority=high"))
    assert page.error_summary_links() == ["#date_from"]
    assert "Enter received from as a date" in page.text
    assert len(re.findall(r'class="ref"', page.html)) == 1


def filter_panel(page) -> tuple[bool, str]:
    """Whether the queue's filters are unfolded, and what their summary says."""
    [details] = page.find_all("details", class_="filter-panel")
    summary = re.search(r"<summary>(.*?)</summary>", page.html, re.S)
    return "open" in details, summary.group(1)


def test_the_filters_are_folded_until_one_is_set_and_say_how_many_are(client):
    sign_in(client, make_user())
    assert filter_panel(read(client.get("/triage/"))) == (False, "Filter reports")
    # The form sends every field; those left at their default are not counted.
    defaults = "status=open&priority=&sector=&sign=&date_from=&date_to="
    assert filter_panel(read(client.get(f"/triage/?{defaults}"))) == (False, "Filter reports")
    assert filter_panel(read(client.get("/triage/?status=any&priority=high&mine=y"))) == (
        True,
        "Filter reports (3 active)",
    )
    searched = read(client.post("/triage/", data={"q": "kiosk"}))
    assert filter_panel(searched) == (True, "Filter reports (1 active)")


def test_a_filter_in_error_unfolds_the_filters_and_is_not_counted(client):
    sign_in(client, make_user())
    page = read(client.get("/triage/?date_from=yesterday"))
    assert page.error_summary_links() == ["#date_from"]
    assert filter_panel(page) == (True, "Filter reports")


def test_national_staff_filter_by_region_including_the_national_queue(client):
    wales = make_report(region="wales")
    national = make_report(region=None)
    make_report(region="london")
    sign_in(client, make_user(role="national"))
    assert listed(client, "region=wales") == [wales.reference]
    assert listed(client, "region=national") == [national.reference]


def test_search_by_reference_with_or_without_dashes(client):
    wanted = make_report()
    make_report()
    sign_in(client, make_user())
    compact = wanted.reference.replace("-", "").lower()
    for query in (wanted.reference, compact, wanted.reference[3:].lower()):
        assert listed(client, f"q={query}") == [wanted.reference], query


def test_search_finds_words_of_the_encrypted_place(client):
    chip_shop = make_report(place="Outside the chip shop on Granby Street")
    make_report(place="Chip and PIN machine at the café")
    cafe = make_report(place="Café Rouge, Market Square")
    sign_in(client, make_user())
    assert listed(client, "q=granby+street") == [chip_shop.reference]
    assert set(listed(client, "q=chip")) == {chip_shop.reference, listed(client, "q=pin")[0]}
    assert listed(client, "q=CAFE+rouge") == [cafe.reference]  # accents and case do not matter
    assert listed(client, "q=granby+rouge") == []  # every word must be there


def test_search_works_with_few_or_many_matches(client, monkeypatch):
    """Few matches: the queue is built from their ids; many: the queue is filtered in order."""
    monkeypatch.setattr(search, "FEW_MATCHES", 2)
    busy = [make_report(station="LEI") for _ in range(3)]
    quiet = make_report(station="NOT")
    sign_in(client, make_user())
    assert set(listed(client, "q=LEI")) == {r.reference for r in busy}
    assert listed(client, "q=NOT") == [quiet.reference]
    assert listed(client, "q=nowhere+at+all") == []


def test_search_finds_stations_by_name_or_code_and_postcodes_by_district(client):
    leicester = make_report(station="LEI")
    euston = make_report(station="EUS", region="london")
    chesterfield = make_report(postcode="S40 1AA")
    sheffield = make_report(postcode="S1 2HE")
    sign_in(client, make_user(role="national"))
    assert listed(client, "q=LEI") == [leicester.reference]
    assert listed(client, "q=leicester") == [leicester.reference]
    assert listed(client, "q=Euston") == [euston.reference]
    assert listed(client, "q=s40") == [chesterfield.reference]
    assert listed(client, "q=s401aa") == [chesterfield.reference]
    assert listed(client, "q=S1") == [sheffield.reference]


def test_the_search_index_holds_no_words_in_clear(app):
    report = make_report(place="Outside the chip shop", postcode="LE1 6RN")
    rows = db.session.execute(
        text("SELECT token FROM report_search_tokens WHERE report_id = :id"), {"id": report.id}
    ).scalars()
    tokens = set(rows)
    assert len(tokens) == len(words("Outside the chip shop")) + 1  # and the postcode
    for token in tokens:
        assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert not {"outside", "chip", "shop", "LE1 6RN"} & tokens


def test_the_index_can_be_rebuilt(app):
    report = make_report(place="Granby Street")
    before = set(db.session.scalars(select(ReportSearchToken.token)))
    db.session.execute(ReportSearchToken.__table__.delete())
    assert reindex_all() == 1
    after = set(db.session.scalars(select(ReportSearchToken.token).where(
        ReportSearchToken.report_id == report.id
    )))  # fmt: skip
    assert before == after and len(after) == 2


def test_the_index_is_rebuilt_batch_by_batch_over_every_report(app, monkeypatch):
    monkeypatch.setattr(search, "REINDEX_BATCH", 2)
    ids = {make_report(place=f"Granby Street {n}").id for n in range(5)}
    before = set(db.session.scalars(select(ReportSearchToken.token)))
    db.session.execute(ReportSearchToken.__table__.delete())
    assert reindex_all() == 5
    assert set(db.session.scalars(select(ReportSearchToken.token))) == before
    assert set(db.session.scalars(select(ReportSearchToken.report_id))) == ids


def test_keyset_pages_cover_every_report_once_and_keep_the_filters(client):
    start = datetime(2026, 11, 1, 12, 0)
    made = [
        make_report(
            priority=("urgent", "high", "normal")[i % 3],
            created_at=start - timedelta(minutes=i % 7),
        )
        for i in range(120)
    ]
    make_report(priority="normal", status="closed")
    sign_in(client, make_user())
    seen, url, pages = [], "/triage/?status=open", 0
    while url:
        response = client.get(url)
        body = response.get_data(as_text=True)
        seen += re.findall(r'class="ref">(LC-[A-Z0-9-]+)<', body)
        found = re.search(r'href="([^"]+)" rel="next"', body)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert "status=open" in url
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 120
    assert set(seen) == {r.reference for r in made}
    urgency = {"urgent": 2, "high": 1, "normal": 0}
    keys = [
        (urgency[r.priority], r.created_at, r.id)
        for r in sorted(made, key=lambda r: seen.index(r.reference))
    ]
    assert keys == sorted(keys, reverse=True)


def test_a_damaged_cursor_starts_from_the_first_page(client):
    report = make_report()
    sign_in(client, make_user())
    assert listed(client, "after=2.nonsense.1") == [report.reference]
    assert Cursor.decode("2.20261101120000000000.5") == Cursor(2, datetime(2026, 11, 1, 12), 5)
    assert Cursor.decode("9.20261101120000000000.5") is None


def test_every_view_of_the_queue_is_audited_without_the_search_words(client):
    officer = make_user()
    sign_in(client, officer)
    client.post("/triage/", data={"q": "granby street", "priority": "high"})
    [row] = audit_rows("queue_viewed")
    assert row.actor_id == officer.id
    assert row.detail == {"status": "open", "priority": "high", "search": True, "later_page": False}
    assert "granby" not in str(row.detail).lower()


def test_a_search_is_posted_and_never_reaches_a_web_address(client):
    """Words searched for would land in access logs and browser history: the form posts them,
    the pages that follow carry them in their bodies, and no link or redirect holds them."""
    made = [make_report(place="Granby Street kiosk") for _ in range(55)]
    sign_in(client, make_user())
    page = read(client.get("/triage/"))
    [search_form] = [f for f in page.find_all("form") if f.get("action") == "/triage/"]
    assert search_form["method"] == "post"
    first = client.post("/triage/", data={"q": "granby", "status": "open"})
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    for address in re.findall(r'(?:href|action)="([^"]*)"', body):
        assert "granby" not in address.lower(), address
    # The next page is a posted form carrying the search and the position.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
    assert hidden["q"] == "granby" and hidden["after"]
    second = client.post(
        "/triage/", data={"q": "granby", "status": "open", "after": hidden["after"]}
    )
    seen = re.findall(r'class="ref">(LC-[A-Z0-9-]+)<', body)
    seen += re.findall(r'class="ref">(LC-[A-Z0-9-]+)<', second.get_data(as_text=True))
    assert sorted(seen) == sorted(r.reference for r in made)
    assert "First page" in second.get_data(as_text=True)


def test_filters_without_a_search_go_back_to_an_address_to_bookmark(client):
    sign_in(client, make_user())
    response = client.post("/triage/", data={"q": "  ", "priority": "high", "status": "any"})
    assert_redirects(response, "/triage/?status=any&priority=high")
    assert response.headers["Location"] == "/triage/?status=any&priority=high"


def test_a_search_in_an_address_is_ignored_and_an_export_of_one_refused(client):
    kiosk = make_report(place="Behind the kiosk")
    other = make_report(place="Bus shelter")
    sign_in(client, make_user())
    response = client.get("/triage/?q=kiosk")
    assert response.status_code == 200
    found = re.findall(r'class="ref">(LC-[A-Z0-9-]+)<', response.get_data(as_text=True))
    assert set(found) == {kiosk.reference, other.reference}  # not searched: the box is empty
    assert 'value="kiosk"' not in response.get_data(as_text=True)
    assert client.get("/triage/export.csv?q=kiosk").status_code == 400


def test_the_where_column_shows_the_station_the_district_or_the_place_described(client):
    make_report(station="LEI")
    make_report(postcode="S40 1AA")
    make_report(place="Car park of the   Drovers Arms, behind the bins " + "x" * 80)
    make_report(place=None)
    sign_in(client, make_user())
    page = read(client.get("/triage/"))
    cells = re.findall(r'data-label="Where"><span class="cell"[^>]*>([^<]*)<', page.html)
    assert sorted(cells) == sorted(
        [
            "Leicester (LEI)",
            "S40",
            "Car park of the Drovers Arms, behind the bins xxxxxxxxxxxxx…",
            "Not given",
        ]
    )
    assert "–" not in re.findall(r'<span class="cell">([^<]*)<', page.html)  # no bare dashes
