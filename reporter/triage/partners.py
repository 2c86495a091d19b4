"""Admin pages for partners: their details, sites (one at a time or a CSV import with a preview),
posters and cards, API keys; and, for admins and national staff, scans and reports per site."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import flash, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from reporter.bidi import isolated_text
from reporter.campaign import campaign_data
from reporter.models import Partner, Site, utcnow
from reporter.plurals import counted
from reporter.services.accounts.access import sees_every_queue
from reporter.services.partnerships import (
    entries,
    feedback,
    partner_keys,
    poster_bundles,
    posters,
    site_import,
)
from reporter.services.partnerships import partners as service
from reporter.services.reference_admin import effective_reference
from reporter.triage import bp, poster_pages
from reporter.triage.auth import admin_only, current_staff
from reporter.triage.common import (
    add_error,
    asked_active,
    audited_page,
    form_page,
    refusal_shown,
)
from reporter.triage.forms import EmptyForm
from reporter.triage.partner_forms import ImportForm, KeyForm, PartnerForm, ResultsForm, SiteForm

POSTERS_REFRESH_SECONDS = 3  # how often the page of a zip being built looks again
WORKER_LATE_SECONDS = 60  # a zip still waiting after this: say the worker may not be running


def _partner_or_404(partner_id: int) -> Partner:
    partner = service.partner_by_id(partner_id)
    if partner is None:
        raise NotFound()
    return partner


def _site_or_404(partner: Partner, site_id: int) -> Site:
    site = service.site_of(partner, site_id)
    if site is None:
        raise NotFound()
    return site


def _back_to_partner(partner: Partner, message: str) -> Response:
    """After a change on the partner's page: say what happened, there."""
    flash(message)
    return redirect(url_for("triage.partner", partner_id=partner.id), code=303)


def _retire_or_bring_back(
    partner: Partner, set_active: Callable[..., object], *, retired: str, back: str
) -> Response:
    """A retire / bring-back button on the partner's page (the partner's own, or a site's):
    switch as the button asks, then say there what that means for the links."""
    active = asked_active()
    set_active(active, actor=current_staff())
    return _back_to_partner(partner, back if active else retired)


def _details(form: PartnerForm) -> service.PartnerDetails:
    return service.PartnerDetails(
        name=form.name.data or "",
        sector=form.sector.data,
        language=form.language.data,
        contact=form.contact.data,
        region_id=form.region_id.data or None,
    )


@bp.get("/partners")
@admin_only
def partners():
    return audited_page(
        "triage/partners.html",
        "partners_viewed",
        actor=current_staff(),
        partners=service.all_partners(),
    )


@bp.route("/partners/new", methods=["GET", "POST"])
@admin_only
def new_partner():
    form = PartnerForm(ref=campaign_data())
    if form.validate_on_submit():
        with refusal_shown(form, service.PartnerError, "name"):
            partner = service.create_partner(_details(form), actor=current_staff())
            return _back_to_partner(
                partner, f"{isolated_text(partner.name)} is added. Now add its sites."
            )
    return form_page("triage/partner_form.html", form)


def _render_partner(partner: Partner, status: int = 200, **forms):
    ref = campaign_data()
    routing_ref = effective_reference()  # read once for every site
    return render_template(
        "triage/partner.html",
        partner=partner,
        sites=[(site, service.site_region(site, routing_ref)) for site in partner.sites],
        keys=partner_keys.keys_of(partner),
        details=forms.get("details")
        or PartnerForm(
            ref=ref,
            formdata=None,
            data={
                "name": partner.name,
                "sector": partner.sector,
                "language": partner.language,
                "region_id": partner.region_id or "",
                "contact": partner.contact,
            },
        ),
        site_form=forms.get("site_form") or SiteForm(ref=ref, formdata=None),
        key_form=forms.get("key_form") or KeyForm(formdata=None),
        buttons=EmptyForm(formdata=None),
        kinds=service.KINDS,
        entry_url=posters.entry_url,
    ), status


@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@admin_only
def partner(partner_id: int):
    partner = _partner_or_404(partner_id)
    if request.method == "GET":
        return _render_partner(partner)
    form = PartnerForm(ref=campaign_data())
    if form.validate():
        with refusal_shown(form, service.PartnerError, "name"):
            changed = service.change_partner(partner, _details(form), actor=current_staff())
            return _back_to_partner(partner, "Changes saved." if changed else "Nothing changed.")
    return _render_partner(partner, 400, details=form)


@bp.post("/partners/<int:partner_id>/active")
@admin_only
def set_partner_active(partner_id: int):
    partner = _partner_or_404(partner_id)
    return _retire_or_bring_back(
        partner,
        partial(service.set_partner_active, partner),
        retired=f"{isolated_text(partner.name)} is retired: its links open the plain form "
        "with a note.",
        back=f"{isolated_text(partner.name)} is active again: its links open its form.",
    )


@bp.post("/partners/<int:partner_id>/sites")
@admin_only
def add_site(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = SiteForm(ref=campaign_data())
    if form.validate():
        with refusal_shown(form, service.PartnerError, "label"):
            site = service.add_site(
                partner,
                label=form.label.data,
                station=form.station.data,
                postcode=form.postcode.data,
                sector=form.site_sector.data,
                actor=current_staff(),
            )
            return _back_to_partner(
                partner, f"Site “{isolated_text(site.label)}” added with the code {site.code}."
            )
    return _render_partner(partner, 400, site_form=form)


@bp.post("/partners/<int:partner_id>/sites/<int:site_id>/active")
@admin_only
def set_site_active(partner_id: int, site_id: int):
    partner = _partner_or_404(partner_id)
    site = _site_or_404(partner, site_id)
    label = isolated_text(site.label)
    return _retire_or_bring_back(
        partner,
        partial(service.set_site_active, site),
        retired=f"“{label}” is retired: its code {site.code} opens the plain form with a note.",
        back=f"“{label}” is live again, with the same code {site.code}.",
    )


@bp.route("/partners/<int:partner_id>/import", methods=["GET", "POST"])
@admin_only
def import_sites(partner_id: int):
    """Upload a CSV file: every row is checked and shown; nothing is created until the whole
    file is valid and the admin confirms. The confirmation sends the same file again."""
    partner = _partner_or_404(partner_id)
    form = ImportForm()
    preview = None
    if request.method == "POST" and form.validate():
        if request.form.get("confirm") == "yes" and form.content.data:
            data = form.content.data.encode("utf-8")
            try:
                preview, sites = site_import.import_sites(partner, data, actor=current_staff())
            except service.PartnerError as refused:
                add_error(form.file, str(refused))
            else:
                if sites:
                    return _back_to_partner(
                        partner, f"Imported {counted(len(sites), 'site', 'sites')}."
                    )
        elif form.file.data:
            data = form.file.data.read()
            preview = site_import.preview_import(partner, data)
            if preview.valid:
                form.content.data = data.decode("utf-8-sig")
        else:
            add_error(form.file, "Choose a CSV file.")
    status = 400 if form.errors or (preview and not preview.valid) else 200
    return render_template(
        "triage/partner_import.html",
        partner=partner,
        form=form,
        preview=preview,
        kinds=service.KINDS,
        columns=site_import.CSV_COLUMNS,
    ), status


@bp.get("/partners/<int:partner_id>/sites/<int:site_id>/<any(poster, card):kind>")
@admin_only
def site_sheet(partner_id: int, site_id: int, kind: str):
    site = _site_or_404(_partner_or_404(partner_id), site_id)
    return poster_pages.render_sheet(posters.sheet_values(site), kind)


@bp.get("/partners/<int:partner_id>/sites/<int:site_id>/<any(poster, card):kind>.pdf")
@admin_only
def site_sheet_pdf(partner_id: int, site_id: int, kind: str):
    """The poster or card as a one-page PDF for a print shop (about 0.1 s to make)."""
    site = _site_or_404(_partner_or_404(partner_id), site_id)
    return send_file(
        _bytes(poster_pages.sheet_pdf(posters.sheet_values(site), kind)),
        mimetype="application/pdf",
        download_name=f"{posters.file_stem(site)}-{kind}.pdf",
        as_attachment=request.args.get("download") == "1",
    )


@bp.get("/partners/<int:partner_id>/sites/<int:site_id>/qr.png")
@admin_only
def site_qr(partner_id: int, site_id: int):
    site = _site_or_404(_partner_or_404(partner_id), site_id)
    return send_file(
        _bytes(posters.qr_png(site)),
        mimetype="image/png",
        download_name=f"{site.code}-qr.png",
        as_attachment=request.args.get("download") == "1",
    )


@bp.get("/partners/<int:partner_id>/posters")
@admin_only
def partner_posters(partner_id: int):
    """Where the partner's zip is: not asked for, waiting, being built (the page refreshes
    itself, no script needed), ready to download, or failed. Built by the outbox worker."""
    partner = _partner_or_404(partner_id)
    return render_template(
        "triage/posters.html",
        partner=partner,
        bundle=poster_bundles.latest_bundle(partner),
        refresh_seconds=POSTERS_REFRESH_SECONDS,
        worker_late_seconds=WORKER_LATE_SECONDS,
        now=utcnow(),
    )


@bp.post("/partners/<int:partner_id>/posters")
@admin_only
def request_posters(partner_id: int):
    poster_bundles.request_bundle(_partner_or_404(partner_id), current_staff())
    return redirect(url_for("triage.partner_posters", partner_id=partner_id), 303)


@bp.get("/partners/<int:partner_id>/posters/<int:bundle_id>.zip")
@admin_only
def download_posters(partner_id: int, bundle_id: int):
    partner = _partner_or_404(partner_id)
    archive = poster_bundles.ready_zip(partner, bundle_id, current_staff())
    if archive is None:
        raise NotFound()
    return send_file(
        _bytes(archive),
        mimetype="application/zip",
        download_name=f"lookcloser-{partner.id}-posters.zip",
        as_attachment=True,
    )


def _bytes(data: bytes):
    import io

    return io.BytesIO(data)


@bp.post("/partners/<int:partner_id>/keys")
@admin_only
def create_key(partner_id: int):
    partner = _partner_or_404(partner_id)
    form = KeyForm()
    if form.validate():
        with refusal_shown(form, service.PartnerError, "key_name"):
            row, key = partner_keys.create_key(partner, form.key_name.data, actor=current_staff())
            return render_template(
                "triage/partner_key_shown.html", partner=partner, row=row, key=key
            )
    return _render_partner(partner, 400, key_form=form)


@bp.post("/partners/<int:partner_id>/keys/<int:key_id>/revoke")
@admin_only
def revoke_key(partner_id: int, key_id: int):
    partner = _partner_or_404(partner_id)
    row = partner_keys.key_of(partner, key_id)
    if row is None:
        raise NotFound()
    partner_keys.revoke_key(row, actor=current_staff())
    return _back_to_partner(
        partner, f"The key “{row.name}” is revoked: requests with it now get 401."
    )


@bp.get("/partners/results")
def entry_results():
    """Scans and reports per partner and site: admins and national staff only."""
    staff = current_staff()
    if not sees_every_queue(staff):
        raise NotFound()
    form = ResultsForm(request.args)
    form.validate()
    weeks = int(form.weeks.data) if not form.weeks.errors else entries.WEEK_CHOICES[1]
    result = entries.results(weeks)
    return audited_page(
        "triage/entry_results.html",
        "entry_results_viewed",
        actor=staff,
        audit_detail={"weeks": weeks},
        form=form,
        result=result,
        weeks=weeks,
        feedback_shown=feedback.shown,
        suppress_under=feedback.SUPPRESS_UNDER,
    )
