"""Member pages: list, profile, create/edit/leave, memberships, CSV, GDPR; admin plans, retention."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coworking.auth.roles import Role
from coworking.csvio import iter_csv
from coworking.database import outside_write_lock
from coworking.extensions import db
from coworking.forms import EmptyForm, show_error
from coworking.ids import parse_id
from coworking.members import services
from coworking.members.csv_import import MemberCsvError, member_csv_header, parse_members_csv
from coworking.members.forms import (
    ImportConfirmForm,
    ImportForm,
    LeaveForm,
    MemberForm,
    MembershipForm,
    PlanForm,
    RetentionForm,
    consent_dates,
)
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.pagination import paginate
from coworking.security import requires

bp = Blueprint("members", __name__)

PER_PAGE = 50


def _plans(active_only: bool = False) -> list[MembershipPlan]:
    query = select(MembershipPlan).order_by(MembershipPlan.name)
    if active_only:
        query = query.where(MembershipPlan.active)
    return list(db.session.scalars(query))


# --- list and export --------------------------------------------------------------------------


@bp.get("/members")
@requires(Role.VIEWER)
def index():
    filters = services.MemberFilters.from_args(request.args)
    query = services.filtered_members(filters)
    total = services.count_matching(filters, query)
    today = services.today()
    categories = services.profession_labels()
    page = paginate(
        services.list_rows(services.sorted_members(query, filters.sort), today),
        total,
        per_page=PER_PAGE,
        rows=True,
    )
    return render_template(
        "members/list.html",
        page=page,
        members=services.listed_members(page.items, today, categories),
        filters=filters,
        args=filters.as_args(),
        plans=services.plan_names(),
        categories=categories,
    )


@bp.get("/members/export.csv")
@requires(Role.MANAGER)  # every member's contact details and notes, as the GDPR export needs
def export_csv():
    filters = services.MemberFilters.from_args(request.args)
    query = services.sorted_members(services.filtered_members(filters), filters.sort)
    rows = services.export_rows(query)
    filename = f"membres-{services.today().isoformat()}.csv"
    return Response(
        stream_with_context(iter_csv(rows, member_csv_header())),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- create, show, edit, leave ----------------------------------------------------------------


def _fill_consents(form: MemberForm, member: Member) -> None:
    from coworking.i18n import PARIS

    for name in services.CONSENTS:
        given = getattr(member, f"consent_{name}_at")
        getattr(form, f"consent_{name}").data = given is not None
        getattr(form, f"consent_{name}_on").data = given.astimezone(PARIS).date() if given else None


def _member_fields(form: MemberForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in services.MEMBER_FIELDS}


@bp.route("/members/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def create():
    form = MemberForm()
    if request.method == "GET":
        form.joined_on.data = services.today()
        return render_template("members/form.html", form=form, member=None)
    if form.validate_on_submit():
        try:
            member = services.create_member(consents=consent_dates(form), **_member_fields(form))
        except services.MemberError as error:
            db.session.rollback()
            show_error(form, error.message, error.field, "last_name")
        else:
            db.session.commit()
            flash(_("Membre %(name)s créé.", name=member.full_name), "success")
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/form.html", form=form, member=None), 400


@bp.get("/members/<int:member_id>")
@requires(Role.VIEWER)
def show(member_id: int):
    from coworking.community.models import Outcome, outcome_member
    from coworking.events.models import Attendance, Event
    from coworking.space import checkins

    member = db.get_or_404(Member, member_id)
    statuses = services.membership_statuses(member)
    visit_count, visits = checkins.member_visits(member.id)
    attended = db.session.execute(
        select(Attendance, Event)
        .join(Event, Event.id == Attendance.event_id)
        .where(Attendance.member_id == member.id, Attendance.status == "attended")
        .order_by(Event.starts_at.desc())
        .limit(50)
    ).all()
    outcomes = db.session.scalars(
        select(Outcome)
        .join(outcome_member, outcome_member.c.outcome_id == Outcome.id)
        .where(outcome_member.c.member_id == member.id)
        .order_by(Outcome.happened_on.desc())
    ).all()
    membership_form = MembershipForm()
    membership_form.plan_id.choices = [(p.id, p.name) for p in _plans(active_only=True)]
    membership_form.starts_on.data = services.today()
    leave_form = LeaveForm()
    leave_form.left_on.data = services.today()
    return render_template(
        "members/show.html",
        member=member,
        statuses=statuses,
        visit_count=visit_count,
        visits=visits,
        attended=attended,
        outcomes=outcomes,
        membership_form=membership_form,
        leave_form=leave_form,
        kinds=services.plan_kind_labels(),
        categories=services.profession_labels(),
        ages=services.age_bracket_labels(),
        active_today=any(s.current for s in statuses),
        today=services.today(),
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit(member_id: int):
    member = db.get_or_404(Member, member_id)
    if member.erased_at is not None:
        flash(_("Ce membre a été effacé : sa fiche ne peut plus changer."), "error")
        return redirect(url_for("members.show", member_id=member.id))
    form = MemberForm(obj=member)
    if request.method == "GET":
        _fill_consents(form, member)
        return render_template("members/form.html", form=form, member=member)
    if form.validate_on_submit():
        try:
            services.update_member(member, consents=consent_dates(form), **_member_fields(form))
        except services.MemberError as error:
            db.session.rollback()
            show_error(form, error.message, error.field, "last_name")
        else:
            db.session.commit()
            flash(_("Fiche de %(name)s enregistrée.", name=member.full_name), "success")
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/form.html", form=form, member=member), 400


@bp.post("/members/<int:member_id>/leave")
@requires(Role.MANAGER)
def leave(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = LeaveForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("members.show", member_id=member.id))
    try:
        services.mark_left(member, form.left_on.data)
    except services.MemberError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Départ de %(name)s enregistré.", name=member.full_name), "success")
    return redirect(url_for("members.show", member_id=member.id))


# --- memberships ------------------------------------------------------------------------------


@bp.post("/members/<int:member_id>/memberships")
@requires(Role.MANAGER)
def add_membership(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = MembershipForm()
    form.plan_id.choices = [(p.id, p.name) for p in _plans(active_only=True)]
    if form.validate_on_submit():
        plan = db.session.get(MembershipPlan, form.plan_id.data)
        try:
            amount = (
                services.parse_euros(form.amount.data, "amount")
                if (form.amount.data or "").strip()
                else None
            )
            services.add_membership(
                member,
                plan,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                amount_paid_cents=amount,
                paid_on=form.paid_on.data,
            )
        except services.MemberError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Adhésion enregistrée."), "success")
    else:
        for name, errors in form.errors.items():
            for message in errors:
                label = getattr(form, name).label.text if hasattr(form, name) else name
                flash(f"{label} : {message}", "error")
    return redirect(url_for("members.show", member_id=member.id) + "#memberships")


@bp.post("/members/<int:member_id>/memberships/<int:membership_id>/delete")
@requires(Role.MANAGER)
def delete_membership(member_id: int, membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    if membership.member_id != member_id:
        return redirect(url_for("members.show", member_id=member_id))
    if EmptyForm().validate_on_submit():
        services.delete_membership(membership)
        db.session.commit()
        flash(_("Adhésion supprimée."), "success")
    return redirect(url_for("members.show", member_id=member_id) + "#memberships")


# --- GDPR -------------------------------------------------------------------------------------


@bp.get("/members/<int:member_id>/export.json")
@requires(Role.MANAGER)
def export_member(member_id: int):
    member = db.get_or_404(Member, member_id)
    data = services.export_member_data(member)
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
        services.erase_member(member)
        db.session.commit()
        services.purge_deleted_bytes()
        flash(_("Les données personnelles du membre n°%(id)s ont été effacées.", id=member.id))
        return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/erase.html", member=member, form=form)


# --- CSV import -------------------------------------------------------------------------------


def _read_upload(form: ImportForm) -> bytes | None:
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors.append(_("Choisissez un fichier CSV."))
        return None
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        form.file.errors.append(
            _(
                "Fichier trop volumineux : %(size)s Mo au plus.",
                size=limit // (1024 * 1024),
            )
        )
        return None
    return data


def _refused(error: MemberCsvError, form: ImportForm):
    """Render the refusal: the first problems of the file, and how many more there are."""
    return (
        render_template(
            "members/import.html",
            form=form,
            errors=[str(row_error) for row_error in error.errors],
            unlisted_errors=error.unlisted,
        ),
        400,
    )


@bp.route("/members/import", methods=["GET", "POST"])
@requires(Role.MANAGER)
def import_csv():
    form = ImportForm()
    if request.method == "GET":
        return render_template("members/import.html", form=form)
    if not form.validate_on_submit():
        return render_template("members/import.html", form=form), 400
    data = _read_upload(form)
    if data is None:
        return render_template("members/import.html", form=form), 400
    user_id = current_user.id
    # Reading the file and finding who exists only read: kiosks and other writers go on.
    with outside_write_lock():
        try:
            parsed = parse_members_csv(data)
        except MemberCsvError as error:
            return _refused(error, form)
        report = services.plan_import(parsed)
        imported_at = services.last_import_of(data)
    preview = services.save_import_preview(data, user_id)
    db.session.commit()
    confirm = ImportConfirmForm()
    confirm.preview.data = preview.id
    return render_template(
        "members/import.html",
        form=form,
        confirm=confirm,
        parsed=parsed,
        report=report,
        imported_at=imported_at,
        filename=form.file.data.filename,
    )


@bp.post("/members/import/confirm")
@requires(Role.MANAGER)
def import_confirm():
    confirm = ImportConfirmForm()
    if not confirm.validate_on_submit():
        return render_template("members/import.html", form=ImportForm()), 400
    preview_id, user_id = confirm.preview.data or "", current_user.id
    with outside_write_lock():
        try:
            parsed = parse_members_csv(services.import_preview_data(preview_id, user_id))
        except services.ImportPreviewError as error:
            flash(error.message, "error")
            return redirect(url_for("members.import_csv"))
        except MemberCsvError as error:  # the file was checked at its preview; not expected
            return _refused(error, ImportForm())
        prepared = services.prepare_import(parsed)
    # One short transaction: the preview is confirmed once, and the rows are written in bulk.
    try:
        services.confirm_import_preview(preview_id, user_id)
        report = services.import_members(prepared)
        db.session.commit()
    except services.ImportPreviewError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("members.import_csv"))
    except IntegrityError:  # PostgreSQL: a member with one of these e-mails was saved meanwhile
        db.session.rollback()
        flash(
            _("Un membre a été enregistré pendant l'import : rien n'a été écrit, réessayez."),
            "error",
        )
        return redirect(url_for("members.import_csv"))
    flash(
        _(
            "Import terminé : %(created)s membres créés, %(updated)s mis à jour.",
            created=report.created,
            updated=report.updated,
        ),
        "success",
    )
    return redirect(url_for("members.index"))


# --- administration: plans --------------------------------------------------------------------


@bp.get("/admin/plans")
@requires(Role.ADMIN)
def plans(form: PlanForm | None = None, status: int = 200):
    return (
        render_template(
            "admin/plans.html",
            plans=_plans(),
            form=form or PlanForm(),
            kinds=services.plan_kind_labels(),
        ),
        status,
    )


@bp.post("/admin/plans")
@requires(Role.ADMIN)
def create_plan():
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = services.save_plan(
                None,
                name=form.name.data,
                kind=form.kind.data,
                price_cents=services.parse_euros(form.price.data),
                active=form.active.data,
            )
        except services.MemberError as error:
            db.session.rollback()
            show_error(form, error.message, error.field, "name")
        else:
            db.session.commit()
            flash(_("Formule %(name)s créée.", name=plan.name), "success")
            return redirect(url_for("members.plans"))
    return plans(form, 400)


@bp.post("/admin/plans/<int:plan_id>")
@requires(Role.ADMIN)
def update_plan(plan_id: int):
    plan = db.get_or_404(MembershipPlan, plan_id)
    form = PlanForm()
    if form.validate_on_submit():
        try:
            services.save_plan(
                plan,
                name=form.name.data,
                kind=form.kind.data,
                price_cents=services.parse_euros(form.price.data),
                active=form.active.data,
            )
        except services.MemberError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Formule %(name)s enregistrée.", name=plan.name), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("members.plans"))


# --- administration: retention ----------------------------------------------------------------


def _retention_page(form: RetentionForm, years: int, status: int = 200):
    query = services.members_past_retention(years)
    total = services.count_of(query)
    page = paginate(query, total, per_page=200)
    return (
        render_template(
            "members/retention.html",
            form=form,
            years=years,
            page=page,
            cutoff=services.retention_cutoff(years),
            saved_years=services.retention_years(),
        ),
        status,
    )


@bp.get("/admin/retention")
@requires(Role.ADMIN)
def retention():
    years = services.retention_years()
    form = RetentionForm(years=years)
    return _retention_page(form, years)


@bp.post("/admin/retention")
@requires(Role.ADMIN)
def save_retention():
    form = RetentionForm()
    if not form.validate_on_submit():
        return _retention_page(form, services.retention_years(), 400)
    services.set_retention_years(form.years.data)
    db.session.commit()
    flash(_("Durée de conservation enregistrée."), "success")
    return redirect(url_for("members.retention"))


@bp.post("/admin/retention/erase")
@requires(Role.ADMIN)
def apply_retention():
    form = EmptyForm()
    if not form.validate_on_submit() or request.form.get("confirm") != "yes":
        flash(_("Cochez la case pour confirmer l'effacement."), "error")
        return redirect(url_for("members.retention"))
    years = services.retention_years()
    # Erase only who the page listed and who is still past the limit now.
    shown = {parse_id(value) for value in request.form.getlist("member_id")} - {None}
    members = [
        m for m in db.session.scalars(services.members_past_retention(years)) if m.id in shown
    ]
    for member in members:
        services.erase_member(member)
    db.session.commit()
    services.purge_deleted_bytes()
    flash(_("%(n)s membres effacés.", n=len(members)), "success")
    return redirect(url_for("members.retention"))


@bp.app_template_filter("member_name")
def member_name(member: Member | None) -> str:
    """Show a member's name, or that the member was erased."""
    if member is None:
        return ""
    if member.erased_at is not None:
        return _("Membre effacé n°%(id)s", id=member.id)
    return member.full_name or _("(sans nom)")
