"""Trends: counts by region, setting, sign and week, of the reports the user may see and no
others; made by the database; drawn as SVG with every label escaped, and given as tables."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from html import unescape
from itertools import pairwise

import pytest
from markupsafe import Markup
from sqlalchemy import event

from reporter import charts
from reporter.extensions import db
from reporter.models import utcnow
from reporter.reference import Region, get_reference
from reporter.services.casework.trends import TrendFilter, trends
from reporter.uktime import UK_TIME
from tests.factories import make_report, make_user
from tests.triage.conftest import audit_rows, sign_in
from tests.triage.test_pages import check_page

SVG = "{http://www.w3.org/2000/svg}"
SECTIONS = ("by-week", "by-region", "by-sector", "by-sign")


def section(html: str, name: str) -> str:
    found = re.search(
        rf'<section class="trend" aria-labelledby="{name}-heading">(.*?)</section>', html, re.S
    )
    assert found, name
    return found.group(1)


def table(html: str, name: str) -> dict[str, int]:
    """A breakdown's table, as a person reads it: label and count, zeros included."""
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(\d+)</td></tr>', section(html, name))
    return {unescape(label): int(count) for label, count in rows}


def counted(rows: dict[str, int]) -> dict[str, int]:
    return {label: n for label, n in rows.items() if n}


def page(client, query: str = "") -> str:
    response = client.get(f"/triage/trends?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_officer_never_sees_another_regions_reports_counted(client):
    make_report(region="east-midlands", sector="rail", signs=("no-ticket",))
    make_report(region="east-midlands", sector="hotel", signs=("room-paid-cash", "no-ticket"))
    for _ in range(3):
        make_report(region="london", sector="taxi", signs=("travelling-alone",))
    make_report(region=None, sector="taxi")
    sign_in(client, make_user(role="officer", regions=("east-midlands",)))
    html = page(client)
    assert ": 2 reports." in html
    assert table(html, "by-region") == {"East Midlands": 2}  # no other region, not even a zero
    assert counted(table(html, "by-sector")) == {
        "Trains and stations": 1,
        "Hotels and short-stay lets": 1,
    }
    signs = get_reference().signs
    assert table(html, "by-sign") == {signs["no-ticket"].label: 2, signs["room-paid-cash"].label: 1}
    assert sum(table(html, "by-week").values()) == 2
    # London as a region, anywhere (the "London Underground, ..." setting is a setting).
    assert (
        not re.search(r">\s*London\s*<", html)
        and "National queue" not in html
        and "Taxis" not in section(html, "by-sign")
    )


def test_an_officer_cannot_narrow_to_another_region(client):
    make_report(region="east-midlands")
    make_report(region="london")
    sign_in(client, make_user(role="officer", regions=("east-midlands", "wales")))
    html = page(client, "region=london")
    assert read_errors(html) == ["#region"]
    assert counted(table(html, "by-region")) == {"East Midlands": 1}


def read_errors(html: str) -> list[str]:
    block = re.search(r'class="error-summary".*?</div>', html, re.S)
    return re.findall(r'href="(#[^"]+)"', block.group(0)) if block else []


@pytest.mark.parametrize("role", ["national", "admin"])
def test_national_staff_see_every_region_and_can_narrow_to_one(client, role):
    for region in ("wales", "wales", "london", None):
        make_report(region=region)
    sign_in(client, make_user(role=role))
    html = page(client)
    regions = table(html, "by-region")
    assert counted(regions) == {"Wales": 2, "London": 1, "National queue (no region)": 1}
    assert len(regions) == 11  # every region and the national queue, zeros included
    assert list(regions)[:1] == ["Wales"]  # most first
    narrowed = page(client, "region=wales")
    assert table(narrowed, "by-region") == {"Wales": 2}
    assert sum(table(narrowed, "by-sector").values()) == 2
    assert table(page(client, "region=national"), "by-region") == {"National queue (no region)": 1}


def test_only_the_ten_signs_reported_most_are_shown(client):
    ref = get_reference()
    rail = [s.id for s in ref.signs_for("rail")]
    assert len(rail) > 10
    for i, sign in enumerate(rail):
        for _ in range(i + 1):
            make_report(signs=(sign,))
    sign_in(client, make_user(role="national"))
    shown = table(page(client), "by-sign")
    assert list(shown.values()) == list(range(len(rail), len(rail) - 10, -1))


def test_counts_by_week_over_the_last_12_or_26_weeks(client):
    now = utcnow()
    for weeks_ago in (0, 0, 3, 13, 20, 30):
        make_report(created_at=now - timedelta(weeks=weeks_ago))
    sign_in(client, make_user())
    twelve = table(page(client), "by-week")
    assert len(twelve) == 12 and list(twelve.values())[-1] == 2 and sum(twelve.values()) == 3
    assert list(twelve.values())[-4] == 1
    twenty_six = table(page(client, "weeks=26"), "by-week")
    assert len(twenty_six) == 26 and sum(twenty_six.values()) == 5
    assert re.fullmatch(r"Week beginning \d{1,2} \w{3} \d{4}", next(iter(twenty_six)))


def test_a_date_range_sets_the_period(client):
    make_report(created_at=datetime(2026, 3, 2, 12))
    make_report(created_at=datetime(2026, 3, 20, 12))
    make_report(created_at=datetime(2026, 5, 1, 12))
    sign_in(client, make_user())
    html = page(client, "date_from=2026-03-01&date_to=2026-03-31")
    assert "from 1 Mar 2026 to 31 Mar 2026: 2 reports" in html
    weeks = table(html, "by-week")
    assert next(iter(weeks)) == "Week beginning 23 Feb 2026" and len(weeks) == 6
    assert sum(weeks.values()) == 2


@pytest.mark.parametrize(
    "query",
    [
        "date_from={tomorrow}&date_to={today}",
        "date_from={tomorrow}",
        "date_from=2020-01-01",
        "date_from=soon",
    ],
)
def test_a_wrong_start_date_is_explained_and_the_default_used(client, query):
    make_report()
    sign_in(client, make_user())
    today = datetime.now(UK_TIME).date()
    html = page(client, query.format(today=today, tomorrow=today + timedelta(days=1)))
    assert read_errors(html) == ["#date_from"]
    assert sum(table(html, "by-region").values()) == 1


def test_uk_weeks_start_at_midnight_on_monday_across_the_clock_change(app):
    officer = make_user()
    # The clocks went forward at 01:00 UTC on Sunday 29 March 2026. Monday 30 March began at
    # 23:00 UTC on the Sunday.
    make_report(created_at=datetime(2026, 3, 29, 22, 59))  # Sunday 29 March, 23:59 UK
    make_report(created_at=datetime(2026, 3, 29, 23, 1))  # Monday 30 March, 00:01 UK
    make_report(created_at=datetime(2026, 4, 5, 23, 30))  # Monday 6 April, 00:30 UK
    make_report(created_at=datetime(2026, 3, 15, 0, 30))  # before the period
    chosen = TrendFilter.for_days(None, None, weeks=3, today=date(2026, 4, 7))
    assert chosen.first_day == date(2026, 3, 23)
    found = trends(officer, chosen, get_reference())
    assert found.by_week == [(date(2026, 3, 23), 1), (date(2026, 3, 30), 1), (date(2026, 4, 6), 1)]
    assert found.total == 3


def test_counts_are_made_by_the_database_in_a_fixed_number_of_queries(app):
    officer = make_user()
    chosen = TrendFilter.for_days(None, None, weeks=26, today=utcnow().date())
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def run() -> int:
        assert officer.region_ids  # loaded now, not counted below
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            trends(officer, chosen, get_reference())
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        return len(statements)

    few = run()
    for _ in range(30):
        make_report(signs=("no-ticket", "travelling-alone"))
    assert run() == few == 5
    grouped = [s for s in statements if "GROUP BY" in s]
    assert len(grouped) == 4  # region, setting, sign, week; and one count


def test_the_trends_view_is_audited_without_content(client):
    officer = make_user(email="o@staff.example")
    sign_in(client, officer)
    page(client, "date_from=2026-03-01&date_to=2026-03-31")
    [row] = audit_rows("trends_viewed")
    assert row.actor_id == officer.id
    assert row.detail == {"from": "2026-03-01", "to": "2026-03-31"}


def test_the_page_is_well_formed_and_each_chart_is_named_and_has_its_table(client):
    make_report()
    sign_in(client, make_user(role="national"))
    response = client.get("/triage/trends")
    checked = check_page(response)
    assert checked.title.startswith("Trends")
    html = response.get_data(as_text=True)
    for name in SECTIONS:
        part = section(html, name)
        svg = ET.fromstring(re.search(r"<svg.*?</svg>", part, re.S).group(0))
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id
        assert svg.find(f"{SVG}desc").get("id") == desc_id
        assert "<table>" in part and "<caption" in part
    assert "<script" not in re.sub(r'<script src="[^"]+" defer></script>', "", html)
    assert 'href="/triage/trends"' in html  # in the staff navigation


XSS = "<script>alert('x')</script>"


def test_labels_from_the_data_are_escaped_in_the_charts_and_tables(client, monkeypatch):
    ref = get_reference()
    monkeypatch.setitem(ref.regions, "wales", Region(id="wales", name=XSS))
    make_report(region="wales", signs=("<img src=x onerror=alert(1)>",), sector="<b>x</b>")
    sign_in(client, make_user(role="national"))
    html = page(client)
    assert XSS not in html and "<img src=x" not in html and "<b>x</b>" not in html
    for name in ("by-region", "by-sign", "by-sector"):
        svg = re.search(r"<svg.*?</svg>", section(html, name), re.S).group(0)
        ET.fromstring(svg)  # still well-formed XML
        assert "&lt;" in svg, name
    assert table(html, "by-region")[XSS] == 1
    assert table(html, "by-sign")["<img src=x onerror=alert(1)>"] == 1


# --- the charts on their own ------------------------------------------------------------------


@pytest.mark.parametrize("draw", [charts.bar_chart, charts.column_chart])
def test_a_chart_escapes_every_label_title_and_description(draw):
    svg = draw(
        [(XSS, 3), ('" onload="alert(1)', 1), ("A & B", 0)],
        chart_id="chart-x",
        title="<b>title</b>",
        desc="<i>desc</i>",
    )
    assert isinstance(svg, Markup)
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert '" onload=' not in svg
    parsed = ET.fromstring(str(svg))
    texts = [t.text for t in parsed.iter(f"{SVG}title")]
    assert texts[:2] == ["<b>title</b>", f"{XSS}: 3"]
    assert " style=" not in svg and "<style" not in svg  # the page's CSP allows no inline style


def percent(length: str) -> float:
    assert length.endswith("%"), length  # in percent of the width, so bars shrink with it
    return float(length.removesuffix("%"))


def test_bars_are_as_long_as_their_counts_say_in_percent_of_the_charts_width():
    svg = ET.fromstring(
        str(charts.bar_chart([("a", 4), ("b", 2), ("c", 0)], chart_id="c", title="t", desc="d"))
    )
    widths = [percent(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert widths == [charts.BAR_SHARE, charts.BAR_SHARE / 2, 0]
    assert [t.text for t in svg.iter(f"{SVG}text")][1::2] == ["4", "2", "0"]  # numbers, not colour
    assert svg.get("viewBox") is None  # a viewBox would shrink the text with the chart


def test_a_long_label_is_wrapped_above_its_bar_shortened_and_whole_in_its_tooltip():
    label = (
        "Asks for a room out of the way, or for a certain room, when the booking is not in "
        "their name"
    )
    svg = ET.fromstring(str(charts.bar_chart([(label, 1)], chart_id="c", title="t", desc="d")))
    assert svg.find(f"{SVG}g/{SVG}title").text == f"{label}: 1"
    lines = [t.text for t in svg.iter(f"{SVG}tspan")]
    assert len(lines) == charts.LABEL_LINES and lines[-1].endswith("…")
    assert all(len(line) <= charts.LINE_CHARS for line in lines)
    assert " ".join(lines).removesuffix("…") in label
    bar_top = float(svg.find(f"{SVG}g/{SVG}rect").get("y"))
    assert bar_top >= charts.LINE_HEIGHT * len(lines)  # under every line


def test_a_label_that_fits_its_lines_is_kept_whole():
    label = "Travelling alone, especially in school hours, late at night or often"
    assert " ".join(charts.label_lines(label)) == label
    assert charts.label_lines("Wales") == ["Wales"]


def week_labels(rows) -> tuple[dict[str, float], dict[str, float]]:
    """The labels under the columns on every screen, and those shown on wide screens only,
    each with its place in percent of the columns' width."""
    svg = ET.fromstring(str(charts.column_chart(rows, chart_id="c", title="t", desc="d")))
    texts = [t for t in svg.iter(f"{SVG}text") if not t.text.isdigit()]
    every = {t.text: percent(t.get("x")) for t in texts if t.get("class") is None}
    wide = {t.text: percent(t.get("x")) for t in texts if t.get("class") == charts.WIDE_ONLY}
    return every, wide


def apart(places, width: float) -> float:
    """The least distance in px between labels at `places` (percent) on `width` px."""
    ordered = sorted(places)
    return min((b - a) * width / 100 for a, b in pairwise(ordered))


def test_a_long_series_labels_fewer_columns_on_a_phone_and_always_the_newest():
    rows = [(f"w{i}", i) for i in range(26)]
    every, wide = week_labels(rows)
    assert list(every)[-1] == "w25" and wide and not set(every) & set(wide)
    assert apart(every.values(), charts.NARROW_PLOT) >= charts.COLUMN_LABEL_WIDTH
    assert apart([*every.values(), *wide.values()], charts.WIDE_PLOT) >= charts.COLUMN_LABEL_WIDTH
    svg = ET.fromstring(str(charts.column_chart(rows, chart_id="c", title="t", desc="d")))
    lefts = [percent(rect.get("x")) for rect in svg.iter(f"{SVG}rect")]
    assert lefts == sorted(lefts) and lefts[0] > 0 and lefts[-1] < 100


def test_a_short_series_labels_every_column_on_every_screen():
    every, wide = week_labels([("1 Jun", 1), ("8 Jun", 0), ("15 Jun", 2), ("22 Jun", 1)])
    assert list(every) == ["1 Jun", "8 Jun", "15 Jun", "22 Jun"] and not wide


def test_a_chart_with_nothing_to_show_says_so():
    svg = charts.column_chart([], chart_id="c", title="t", desc="d")
    assert "No reports" in svg and 'role="img"' in svg


def test_a_chart_id_must_be_a_plain_name():
    with pytest.raises(ValueError):
        charts.bar_chart([("a", 1)], chart_id='x" onload="', title="t", desc="d")


def chart_columns(html: str) -> list[tuple[str, float]]:
    """The weekly chart's columns, oldest first: each one's tooltip and height."""
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", section(html, "by-week"), re.S).group(0))
    return [
        (group.find(f"{SVG}title").text, float(group.find(f"{SVG}rect").get("height")))
        for group in svg.iter(f"{SVG}g")
    ]


def test_the_weekly_chart_has_a_column_for_every_week_of_its_table_empty_ones_too(client):
    """From Monday 2 March 2026: nothing in the first week, 2 in the second, none in the third
    (the middle), 1 in the fourth."""
    make_report(created_at=datetime(2026, 3, 10, 12))
    make_report(created_at=datetime(2026, 3, 12, 12))
    make_report(created_at=datetime(2026, 3, 25, 12))
    sign_in(client, make_user())
    html = page(client, "date_from=2026-03-02&date_to=2026-03-29")
    weeks = table(html, "by-week")
    assert list(weeks.values()) == [0, 2, 0, 1]
    columns = chart_columns(html)
    assert len(columns) == len(weeks)  # the chart shows every week of the table
    assert [title for title, _height in columns] == [
        "2 Mar: 0",
        "9 Mar: 2",
        "16 Mar: 0",
        "23 Mar: 1",
    ]
    heights = [height for _title, height in columns]
    assert heights[0] == heights[2] == 0 and heights[1] == 2 * heights[3] > 0
    assert "<line " in section(html, "by-week")  # the axis the empty weeks stand on
    assert 'class="chart chart-columns"' in html  # padded by the stylesheet for its labels
