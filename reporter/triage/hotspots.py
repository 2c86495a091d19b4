"""GET /triage/hotspots: where reports and sightings gather over the last four weeks, for
tasking, as charts and tables; /triage/hotspots.csv the same as a download. Officers see their
regions, national staff every region (and may narrow to one)."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm

from reporter import charts
from reporter.campaign import campaign_data
from reporter.services.accounts import audit
from reporter.services.casework import hotspots as service
from reporter.triage import bp
from reporter.triage.auth import current_staff
from reporter.triage.common import audited_page, region_choices
from reporter.triage.forms import ChoiceField, choices
from reporter.uktime import uk_today


class HotspotsForm(FlaskForm):
    """Read from the query string (GET): no CSRF token."""

    class Meta:
        csrf = False

    region = ChoiceField("Region", choices=[], default="")
    sector = ChoiceField("Setting", choices=[], default="")
    sign = ChoiceField("Sign", choices=[], default="")


def _chosen(form: HotspotsForm) -> service.HotspotFilter:
    form.validate()

    def value(field) -> str | None:
        return field.data or None if not field.errors else None

    return service.HotspotFilter(
        queue=value(form.region), sector=value(form.sector), sign=value(form.sign)
    )


def _form():
    staff, ref = current_staff(), campaign_data()
    regions = region_choices(staff, ref)
    form = HotspotsForm(request.args)
    form.region.choices = choices([("", "All my regions"), *regions])
    form.sector.choices = choices(
        [("", "Any setting"), *((s.id, s.name) for s in ref.sectors.values())]
    )
    form.sign.choices = choices([("", "Any sign"), *((s.id, s.label) for s in ref.signs.values())])
    return staff, ref, form, len(regions) > 1


@bp.get("/hotspots")
def hotspots():
    staff, ref, form, show_regions = _form()
    chosen = _chosen(form)
    result = service.hotspots(staff, chosen, ref)
    drawn = {
        kind: charts.bar_chart(
            [(spot.label, spot.total) for spot in spots[:10]],
            chart_id=f"chart-{kind}",
            title=f"{service.KIND_LABELS[kind]}: reports and sightings, last 4 weeks",
            desc="The ten places with most; the table after the chart gives every number.",
        )
        for kind, spots in result.places.items()
    }
    return audited_page(
        "triage/hotspots.html",
        "hotspots_viewed",
        actor=staff,
        audit_detail=chosen.describe(),
        form=form,
        show_regions=show_regions,
        result=result,
        charts=drawn,
        kinds=service.KIND_LABELS,
        csv_args=request.args.to_dict(),
    )


@bp.get("/hotspots.csv")
def hotspots_csv():
    staff, ref, form, _show = _form()
    chosen = _chosen(form)
    body = service.as_csv(service.hotspots(staff, chosen, ref))
    audit.viewed("hotspots_exported", actor=staff, detail=chosen.describe())
    name = f"lookcloser-hotspots-{uk_today():%Y-%m-%d}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return body, 200, {"Content-Type": "text/csv; charset=utf-8", **headers}
