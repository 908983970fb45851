"""The partner pages: list, create, show (with their events, documents, outcomes), edit, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from coworking.community import services
from coworking.community.forms import NewPartnerForm, PartnerForm
from coworking.community.views import bp
from coworking.documents.services import partner_documents
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.kinds import PARTNER_KINDS, PARTNER_ROLES
from coworking.pagination import paginate
from coworking.partners import services as partner_services
from coworking.partners.models import Partner
from coworking.roles import Role
from coworking.security import requires


@bp.get("/partners")
@requires(Role.VIEWER)
def partners():
    filters = {
        "kind": request.args.get("kind", ""),
        "role": request.args.get("role", ""),
        "status": request.args.get("status", ""),
        "q": request.args.get("q", "")[:100],
    }
    total = db.session.scalar(
        partner_services.filter_partners(select(func.count(Partner.id)), **filters)
    )
    query = services.partners_query(**filters)
    page = paginate(query, total or 0)
    rows = db.session.execute(query.limit(page.per_page).offset((page.page - 1) * page.per_page))
    return render_template(
        "community/partners.html",
        page=page,
        rows=rows.all(),
        filters=filters,
        args={key: value for key, value in filters.items() if value},
        kinds=PARTNER_KINDS,
        roles=PARTNER_ROLES,
    )


def _partner_form_data(form: PartnerForm) -> dict:
    return {name: getattr(form, name).data for name in partner_services.PARTNER_FIELDS} | {
        "roles": form.roles.data or []
    }


@bp.route("/partners/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def new_partner():
    form = NewPartnerForm()
    if form.validate_on_submit():
        with service_call(form) as call:
            partner = partner_services.save_partner(None, _partner_form_data(form))
        if call.ok:
            flash(_("Partenaire « %(name)s » ajouté.", name=partner.name), "success")
            return redirect(url_for("community.partner", partner_id=partner.id))
    status = 400 if request.method == "POST" else 200
    return render_template("community/partner_form.html", form=form, partner=None), status


@bp.get("/partners/<int:partner_id>")
@requires(Role.VIEWER)
def partner(partner_id: int):
    item = db.get_or_404(Partner, partner_id)
    return render_template(
        "community/partner.html",
        partner=item,
        events=services.partner_events(item),
        documents=partner_documents(item),
        outcomes=services.partner_outcomes(item),
        roles=partner_services.partner_roles(item),
    )


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit_partner(partner_id: int):
    item = db.get_or_404(Partner, partner_id)
    form = PartnerForm(obj=item)
    if request.method == "GET":
        form.roles.data = partner_services.partner_roles(item)
    if form.validate_on_submit():
        with service_call(form) as call:
            partner_services.save_partner(item, _partner_form_data(form))
        if call.ok:
            flash(_("Partenaire « %(name)s » enregistré.", name=item.name), "success")
            return redirect(url_for("community.partner", partner_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("community/partner_form.html", form=form, partner=item), status


@bp.post("/partners/<int:partner_id>/delete")
@requires(Role.MANAGER)
def delete_partner(partner_id: int):
    item = db.get_or_404(Partner, partner_id)
    name = item.name
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            partner_services.delete_partner(item)
        if call.ok:
            flash(_("Partenaire « %(name)s » supprimé.", name=name), "success")
            return redirect(url_for("community.partners"))
    return redirect(url_for("community.partner", partner_id=partner_id))
