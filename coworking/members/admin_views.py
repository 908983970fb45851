"""Administration of members: plans, and the retention period (routes of the members blueprint)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from coworking.collation import french_sorted
from coworking.extensions import db
from coworking.forms import EmptyForm, flash_form_errors, service_call
from coworking.ids import parse_id
from coworking.members import personal_data, search, services
from coworking.members.forms import PlanForm, RetentionForm
from coworking.members.models import MembershipPlan
from coworking.members.views import bp
from coworking.pagination import paginate
from coworking.roles import Role
from coworking.security import requires

# --- plans ------------------------------------------------------------------------------------


def _plans_page(form: PlanForm, status: int = 200):
    plans = french_sorted(db.session.scalars(select(MembershipPlan)), lambda plan: plan.name)
    return (
        render_template(
            "admin/plans.html", plans=plans, form=form, kinds=services.plan_kind_labels()
        ),
        status,
    )


def _save_plan(plan: MembershipPlan | None, form: PlanForm) -> MembershipPlan:
    return services.save_plan(
        plan,
        name=form.name.data,
        kind=form.kind.data,
        price_cents=services.parse_euros(form.price.data),
        active=form.active.data,
    )


@bp.get("/admin/plans")
@requires(Role.ADMIN)
def plans():
    return _plans_page(PlanForm())


@bp.post("/admin/plans")
@requires(Role.ADMIN)
def create_plan():
    form = PlanForm()
    if form.validate_on_submit():
        with service_call(form, field="name") as call:
            plan = _save_plan(None, form)
        if call.ok:
            flash(_("Formule %(name)s créée.", name=plan.name), "success")
            return redirect(url_for("members.plans"))
    return _plans_page(form, 400)


@bp.post("/admin/plans/<int:plan_id>")
@requires(Role.ADMIN)
def update_plan(plan_id: int):
    plan = db.get_or_404(MembershipPlan, plan_id)
    form = PlanForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("members.plans"))
    with service_call() as call:
        _save_plan(plan, form)
    if call.ok:
        flash(_("Formule %(name)s enregistrée.", name=plan.name), "success")
    return redirect(url_for("members.plans"))


# --- retention --------------------------------------------------------------------------------


def _retention_page(form: RetentionForm, years: int, status: int = 200):
    query = personal_data.members_past_retention(years)
    page = paginate(query, search.count_of(query), per_page=200)
    return (
        render_template(
            "members/retention.html",
            form=form,
            years=years,
            page=page,
            cutoff=personal_data.retention_cutoff(years),
            saved_years=personal_data.retention_years(),
        ),
        status,
    )


@bp.get("/admin/retention")
@requires(Role.ADMIN)
def retention():
    years = personal_data.retention_years()
    return _retention_page(RetentionForm(years=years), years)


@bp.post("/admin/retention")
@requires(Role.ADMIN)
def save_retention():
    form = RetentionForm()
    if not form.validate_on_submit():
        return _retention_page(form, personal_data.retention_years(), 400)
    with service_call(form, field="years") as call:
        personal_data.set_retention_years(form.years.data)
    if not call.ok:
        return _retention_page(form, personal_data.retention_years(), 400)
    flash(_("Durée de conservation enregistrée."), "success")
    return redirect(url_for("members.retention"))


@bp.post("/admin/retention/erase")
@requires(Role.ADMIN)
def apply_retention():
    form = EmptyForm()
    if not form.validate_on_submit() or request.form.get("confirm") != "yes":
        flash(_("Cochez la case pour confirmer l'effacement."), "error")
        return redirect(url_for("members.retention"))
    years = personal_data.retention_years()
    # Erase only who the page listed and who is still past the limit now.
    shown = {parse_id(value) for value in request.form.getlist("member_id")} - {None}
    members = [
        member
        for member in db.session.scalars(personal_data.members_past_retention(years))
        if member.id in shown
    ]
    with service_call() as call:
        for member in members:
            personal_data.erase_member(member)
    if call.ok:
        personal_data.purge_deleted_bytes()
        flash(
            ngettext("%(num)s membre effacé.", "%(num)s membres effacés.", len(members)),
            "success",
        )
    return redirect(url_for("members.retention"))
