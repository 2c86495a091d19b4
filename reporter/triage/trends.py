"""GET /triage/trends: counts by region, setting, sign and week, as charts and as tables.

Everyone sees the trends of the reports they may see, and nothing else: the counts are made
inside the same scope as the queue. Staff who see more than one queue can narrow to one.
"""

from __future__ import annotations

from datetime import timedelta

from flask import request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import Optional

from reporter import charts
from reporter.campaign import campaign_data
from reporter.services.casework import trends as trends_service
from reporter.triage import bp
from reporter.triage.auth import current_staff
from reporter.triage.common import add_error, audited_page, read_day, region_choices
from reporter.triage.forms import ChoiceField, choices
from reporter.uktime import uk_today


class TrendsForm(FlaskForm):
    """Read from the query string (GET): no CSRF token."""

    class Meta:
        csrf = False

    weeks = ChoiceField(
        "Period",
        choices=[Choice(str(n), f"The last {n} weeks") for n in trends_service.WEEK_CHOICES],
        default=str(trends_service.WEEK_CHOICES[0]),
    )
    date_from = StringField("Received from", validators=[Optional()])
    date_to = StringField("Received up to", validators=[Optional()])
    region = ChoiceField("Region", choices=[], default="")


def _trend_filter(form: TrendsForm) -> trends_service.TrendFilter:
    """The period and region asked for; a field in error is explained and left out."""
    form.validate()
    first, last = read_day(form.date_from), read_day(form.date_to)
    today = uk_today()
    if first and first > (last or today):
        add_error(form.date_from, "Received from must be on or before received up to (or today).")
        first = None
    if first and (last or today) - first > timedelta(weeks=trends_service.MAX_WEEKS - 1):
        add_error(form.date_from, "Choose a period of two years or less.")
        first = None
    weeks = int(form.weeks.data) if not form.weeks.errors else trends_service.WEEK_CHOICES[0]
    queue = form.region.data or None if not form.region.errors else None
    return trends_service.TrendFilter.for_days(first, last, weeks=weeks, today=today, queue=queue)


def _day(day) -> str:
    return f"{day.day} {day:%b %Y}"


def _charts(result: trends_service.Trends, period: str) -> dict:
    same = f"{period}. The table after the chart gives the same numbers."
    # Every week of the table, those with no report too: a column of nothing on the axis.
    weeks = [(f"{day.day} {day:%b}", n) for day, n in result.by_week]
    return {
        "region": charts.bar_chart(
            result.by_region,
            chart_id="chart-by-region",
            title="Reports by region",
            desc=same,
        ),
        "sector": charts.bar_chart(
            result.by_sector,
            chart_id="chart-by-sector",
            title="Reports by setting",
            desc=same,
        ),
        "sign": charts.bar_chart(
            result.by_sign,
            chart_id="chart-by-sign",
            title=f"The {trends_service.TOP_SIGNS} signs reported most",
            desc=f"{same} A report may have several signs.",
        ),
        "week": charts.column_chart(
            weeks,
            chart_id="chart-by-week",
            title="Reports by week",
            desc=f"{same} Weeks start on Monday; each column is labelled with its Monday.",
        ),
    }


@bp.get("/trends")
def trends():
    staff = current_staff()
    ref = campaign_data()
    regions = region_choices(staff, ref)
    form = TrendsForm(request.args)
    form.region.choices = choices([("", "All my regions"), *regions])
    chosen = _trend_filter(form)
    result = trends_service.trends(staff, chosen, ref)
    period = f"Reports received from {_day(chosen.first_day)} to {_day(chosen.last_day)}"
    return audited_page(
        "triage/trends.html",
        "trends_viewed",
        actor=staff,
        audit_detail=chosen.describe(),
        form=form,
        show_regions=len(regions) > 1,
        period=period,
        result=result,
        weeks=[(f"Week beginning {_day(day)}", n) for day, n in result.by_week],
        charts=_charts(result, period),
    )
