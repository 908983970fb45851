"""Member pages: the list and its export, a member's page, create/edit/leave, memberships, GDPR.

The CSV import is in `import_views`, plans and retention in `admin_views`: all on this blueprint.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from coworking.collation import french_sorted
from coworking.csvio import iter_csv
from coworking.dates import to_local, today
from coworking.extensions import db
from coworking.forms import EmptyForm, flash_form_errors, service_call
from coworking.members import personal_data, search, services
from coworking.members.csv_columns import member_csv_header
from coworking.members.forms import (
    LeaveForm,
    MemberForm,
    MembershipForm,
    NewMemberForm,
    consent_dates,
)
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.members.page_sections import sections_for
from coworking.pagination import paginate
from coworking.roles import Role
from coworking.security import requires

bp = Blueprint("members", __name__)

PER_PAGE = 50


def active_plans() -> list[MembershipPlan]:
    """Return the plans a membership can be given with, by name."""
    query = select(MembershipPlan).where(MembershipPlan.active)
    return french_sorted(db.session.scalars(query), lambda plan: plan.name)


# --- list and export --------------------------------------------------------------------------


@bp.get("/members")
@requires(Role.VIEWER)
def index():
    filters = search.MemberFilters.from_args(request.args)
    query = search.filtered_members(filters)
    total = search.count_matching(filters, query)
    day = today()
    categories = services.profession_labels()
    page = paginate(
        search.list_rows(search.sorted_members(query, filters.sort), day),
        total,
        per_page=PER_PAGE,
        rows=True,
    )
    return render_template(
        "members/list.html",
        page=page,
        members=search.listed_members(page.items, day, categories),
        filters=filters,
        args=filters.as_args(),
        plans=search.plan_names(),
        categories=categories,
    )


@bp.get("/members/export.csv")
@requires(Role.MANAGER)  # every member's contact details and notes, as the GDPR export needs
def export_csv():
    filters = search.MemberFilters.from_args(request.args)
    query = search.sorted_members(search.filtered_members(filters), filters.sort)
    filename = f"membres-{today().isoformat()}.csv"
    return Response(
        stream_with_context(iter_csv(search.export_rows(query), member_csv_header())),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- create, show, edit, leave ----------------------------------------------------------------


def _fill_consents(form: MemberForm, member: Member) -> None:
    for name in services.CONSENTS:
        given = getattr(member, f"consent_{name}_at")
        getattr(form, f"consent_{name}").data = given is not None
        getattr(form, f"consent_{name}_on").data = to_local(given).date() if given else None


def _member_fields(form: MemberForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in services.MEMBER_FIELDS}


@bp.route("/members/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def create():
    form = NewMemberForm()
    if request.method == "GET":
        form.joined_on.data = today()
        return render_template("members/form.html", form=form, member=None)
    if form.validate_on_submit():
        with service_call(form, field="last_name") as call:
            member = services.create_member(consents=consent_dates(form), **_member_fields(form))
        if call.ok:
            flash(_("Membre %(name)s créé.", name=member.full_name), "success")
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/form.html", form=form, member=None), 400


@bp.get("/members/<int:member_id>")
@requires(Role.VIEWER)
def show(member_id: int):
    member = db.get_or_404(Member, member_id)
    statuses = services.membership_statuses(member)
    membership_form = MembershipForm()
    membership_form.plan_id.choices = [(p.id, p.name) for p in active_plans()]
    membership_form.starts_on.data = today()
    leave_form = LeaveForm()
    leave_form.left_on.data = today()
    return render_template(
        "members/show.html",
        member=member,
        statuses=statuses,
        sections=sections_for(member),
        membership_form=membership_form,
        leave_form=leave_form,
        kinds=services.plan_kind_labels(),
        categories=services.profession_labels(),
        ages=services.age_bracket_labels(),
        active_today=any(s.current for s in statuses),
        today=today(),
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit(member_id: int):
    member = db.get_or_404(Member, member_id)
    if member.erased_at is not None:
        flash(_("Ce membre a été effacé : sa fiche ne peut plus changer."), "error")
        return redirect(url_for("members.show", member_id=member.id))
    form = MemberForm(obj=member)
    form.member_id = member.id
    if request.method == "GET":
        _fill_consents(form, member)
        return render_template("members/form.html", form=form, member=member)
    if form.validate_on_submit():
        with service_call(form, field="last_name") as call:
            services.update_member(member, consents=consent_dates(form), **_member_fields(form))
        if call.ok:
            flash(_("Fiche de %(name)s enregistrée.", name=member.full_name), "success")
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/form.html", form=form, member=member), 400


@bp.post("/members/<int:member_id>/leave")
@requires(Role.MANAGER)
def leave(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = LeaveForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("members.show", member_id=member.id))
    with service_call() as call:
        services.mark_left(member, form.left_on.data)
    if call.ok:
        flash(_("Départ de %(name)s enregistré.", name=member.full_name), "success")
    return redirect(url_for("members.show", member_id=member.id))


# --- memberships ------------------------------------------------------------------------------


@bp.post("/members/<int:member_id>/memberships")
@requires(Role.MANAGER)
def add_membership(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = MembershipForm()
    form.plan_id.choices = [(p.id, p.name) for p in active_plans()]
    if not form.validate_on_submit():
        flash_form_errors(form, with_labels=True)
        return redirect(url_for("members.show", member_id=member.id) + "#memberships")
    with service_call(form) as call:
        amount = (form.amount.data or "").strip()
        services.add_membership(
            member,
            db.get_or_404(MembershipPlan, form.plan_id.data),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            amount_paid_cents=services.parse_euros(amount, "amount") if amount else None,
            paid_on=form.paid_on.data,
        )
    if call.ok:
        flash(_("Adhésion enregistrée."), "success")
    else:
        flash_form_errors(form, with_labels=True)
    return redirect(url_for("members.show", member_id=member.id) + "#memberships")


@bp.post("/members/<int:member_id>/memberships/<int:membership_id>/delete")
@requires(Role.MANAGER)
def delete_membership(member_id: int, membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    if membership.member_id != member_id:
        return redirect(url_for("members.show", member_id=member_id))
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            services.delete_membership(membership)
        if call.ok:
            flash(_("Adhésion supprimée."), "success")
    return redirect(url_for("members.show", member_id=member_id) + "#memberships")


# --- GDPR -------------------------------------------------------------------------------------


@bp.get("/members/<int:member_id>/export.json")
@requires(Role.MANAGER)
def export_member(member_id: int):
    member = db.get_or_404(Member, member_id)
    data = personal_data.export_member_data(member)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="membre-{member.id}.json"'},
    )


@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
@requires(Role.ADMIN)
def erase(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("confirm") != "yes":
            flash(_("Cochez la case pour confirmer l'effacement."), "error")
            return render_template("members/erase.html", member=member, form=form), 400
        with service_call() as call:
            personal_data.erase_member(member)
        if call.ok:
            personal_data.purge_deleted_bytes()
            flash(_("Les données personnelles du membre n°%(id)s ont été effacées.", id=member.id))
        return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/erase.html", member=member, form=form)


@bp.app_template_filter("member_name")
def member_name(member: Member | None) -> str:
    """Show a member's name, or that the member was erased."""
    if member is None:
        return ""
    if member.erased_at is not None:
        return _("Membre effacé n°%(id)s", id=member.id)
    return member.full_name or _("(sans nom)")
