"""The members CSV import: upload and preview, then confirm once (routes of the members blueprint)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from coworking.database import outside_write_lock
from coworking.extensions import db
from coworking.members import imports
from coworking.members.csv_import import MemberCsvError, parse_members_csv
from coworking.members.forms import ImportConfirmForm, ImportForm
from coworking.members.views import bp
from coworking.roles import Role
from coworking.security import requires


def _read_upload(form: ImportForm) -> bytes | None:
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors.append(_("Choisissez un fichier CSV."))
        return None
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        form.file.errors.append(
            _("Fichier trop volumineux : %(size)s Mo au plus.", size=limit // (1024 * 1024))
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
        report = imports.plan_import(parsed)
        imported_at = imports.last_import_of(data)
    preview = imports.save_import_preview(data, user_id)
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
            parsed = parse_members_csv(imports.import_preview_data(preview_id, user_id))
        except imports.ImportPreviewError as error:
            flash(error.message, "error")
            return redirect(url_for("members.import_csv"))
        except MemberCsvError as error:  # the file was checked at its preview; not expected
            return _refused(error, ImportForm())
        prepared = imports.prepare_import(parsed)
    # One short transaction: the preview is confirmed once, and the rows are written in bulk.
    try:
        imports.confirm_import_preview(preview_id, user_id)
        report = imports.import_members(prepared)
        db.session.commit()
    except imports.ImportPreviewError as error:
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
