"""The space profile: identity, venue, governance, budget, logo (admins)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from coworking.dates import today
from coworking.documents.models import Document
from coworking.extensions import db
from coworking.forms import service_call
from coworking.roles import Role
from coworking.security import requires
from coworking.space import profile as profiles
from coworking.space.forms import (
    BoardMemberForm,
    BudgetLineForm,
    GeneralAssemblyForm,
    LogoForm,
    ProfileForm,
)
from coworking.space.models import BoardMember, BudgetLine, GeneralAssembly

bp = Blueprint("space", __name__)


# --- space profile (admins) ---------------------------------------------------------------


def _render_profile(status: int = 200, **forms):
    """Render the profile page with fresh forms, except those given (carrying errors)."""
    profile = profiles.get_profile()
    if "profile_form" not in forms:
        form = ProfileForm(formdata=None)
        if profile is not None:
            form.fill_from(profile)
        forms["profile_form"] = form
    forms.setdefault("board_form", BoardMemberForm(formdata=None))
    forms.setdefault("assembly_form", GeneralAssemblyForm(formdata=None))
    forms.setdefault("budget_form", BudgetLineForm(formdata=None, year=today().year))
    forms.setdefault("logo_form", LogoForm(formdata=None))
    return (
        render_template(
            "space/profile.html",
            profile=profile,
            board=profiles.board_members(),
            assemblies=profiles.general_assemblies(),
            lines=profiles.budget_lines(),
            totals=profiles.budget_totals(),
            weekdays=profiles.WEEKDAYS,
            sources=profiles.INCOME_SOURCES,
            directions=profiles.BUDGET_DIRECTIONS,
            **forms,
        ),
        status,
    )


@bp.get("/admin/space")
@requires(Role.ADMIN)
def profile():
    return _render_profile()


@bp.post("/admin/space")
@requires(Role.ADMIN)
def profile_update():
    form = ProfileForm()
    if form.validate_on_submit():
        with service_call(form, field="name") as call:
            profiles.update_profile(profiles.get_or_create_profile(), form.values())
        if call.ok:
            flash(_("Profil de l'espace enregistré."), "success")
            return redirect(url_for("space.profile"))
    return _render_profile(400, profile_form=form)


@bp.post("/admin/space/logo")
@requires(Role.ADMIN)
def logo_upload():
    form = LogoForm()
    upload = request.files.get("logo")
    if form.validate_on_submit() and upload is not None and upload.filename:
        with service_call(form, field="logo") as call:
            profiles.set_logo(
                profiles.get_or_create_profile(), upload.read(), upload.filename or "logo"
            )
        if call.ok:
            flash(_("Logo enregistré."), "success")
            return redirect(url_for("space.profile"))
    elif not form.errors:
        form.logo.errors = [_("Choisissez un fichier image.")]
    return _render_profile(400, logo_form=form)


@bp.post("/admin/space/logo/delete")
@requires(Role.ADMIN)
def logo_remove():
    profile = profiles.get_profile()
    if profile is not None:
        with service_call() as call:
            profiles.remove_logo(profile)
        if call.ok:
            flash(_("Logo retiré."), "success")
    return redirect(url_for("space.profile"))


@bp.get("/space/logo")
@requires(Role.VIEWER)
def logo():
    profile = profiles.get_profile()
    if profile is None or profile.logo_document_id is None:
        abort(404)
    document = db.get_or_404(Document, profile.logo_document_id)
    response = send_file(
        io.BytesIO(document.data),
        mimetype=document.content_type,
        download_name=document.filename,
        etag=document.sha256,
        max_age=300,
    )
    return response


def _add_row(
    form: Any, add: Callable[[], object], *, field: str, done: str, anchor: str, slot: str
):
    """Add a board member, assembly or budget line from its form; errors next to the field."""
    if form.validate_on_submit():
        with service_call(form, field=field) as call:
            add()
        if call.ok:
            flash(done, "success")
            return redirect(url_for("space.profile", _anchor=anchor))
    return _render_profile(400, **{slot: form})


def _remove_row(remove: Callable[[Any], None], row: object, *, done: str, anchor: str):
    with service_call() as call:
        remove(row)
    if call.ok:
        flash(done, "success")
    return redirect(url_for("space.profile", _anchor=anchor))


@bp.post("/admin/space/board")
@requires(Role.ADMIN)
def board_add():
    form = BoardMemberForm()
    return _add_row(
        form,
        lambda: profiles.add_board_member(form.name.data, form.role.data),
        field="name",
        done=_("Membre du bureau ajouté."),
        anchor="board",
        slot="board_form",
    )


@bp.post("/admin/space/board/<int:member_id>/delete")
@requires(Role.ADMIN)
def board_remove(member_id: int):
    return _remove_row(
        profiles.remove_board_member,
        db.get_or_404(BoardMember, member_id),
        done=_("Membre du bureau retiré."),
        anchor="board",
    )


@bp.post("/admin/space/assemblies")
@requires(Role.ADMIN)
def assembly_add():
    form = GeneralAssemblyForm()
    return _add_row(
        form,
        lambda: profiles.add_general_assembly(
            form.held_on.data,
            form.members_present.data,
            form.members_represented.data,
            form.notes.data,
        ),
        field="held_on",
        done=_("Assemblée générale enregistrée."),
        anchor="assemblies",
        slot="assembly_form",
    )


@bp.post("/admin/space/assemblies/<int:assembly_id>/delete")
@requires(Role.ADMIN)
def assembly_remove(assembly_id: int):
    return _remove_row(
        profiles.remove_general_assembly,
        db.get_or_404(GeneralAssembly, assembly_id),
        done=_("Assemblée générale retirée."),
        anchor="assemblies",
    )


@bp.post("/admin/space/budget")
@requires(Role.ADMIN)
def budget_add():
    form = BudgetLineForm()
    return _add_row(
        form,
        lambda: profiles.add_budget_line(
            form.year.data,
            form.direction.data,
            form.category.data,
            form.source.data or None,
            form.amount.cents,
        ),
        field="category",
        done=_("Ligne de budget ajoutée."),
        anchor="budget",
        slot="budget_form",
    )


@bp.post("/admin/space/budget/<int:line_id>/delete")
@requires(Role.ADMIN)
def budget_remove(line_id: int):
    return _remove_row(
        profiles.remove_budget_line,
        db.get_or_404(BudgetLine, line_id),
        done=_("Ligne de budget retirée."),
        anchor="budget",
    )
