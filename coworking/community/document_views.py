"""The document pages: upload, list, serve (images inline, the rest as attachments), delete."""

from __future__ import annotations

import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from coworking.community.forms import DocumentForm
from coworking.community.views import bp, megabytes, store_upload, uploaded
from coworking.documents import services as document_services
from coworking.documents.models import DOCUMENT_KINDS, IMAGE_TYPES, SERVED_TYPES, Document
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.ids import parse_id
from coworking.pagination import paginate
from coworking.partners.services import partner_choices
from coworking.roles import Role
from coworking.security import requires, safe_next_url


def _document_form(form: DocumentForm | None = None) -> DocumentForm:
    form = form or DocumentForm()
    form.partner_id.choices = [("", _("— aucun —"))] + partner_choices()
    return form


def _documents_page(form: DocumentForm, status: int = 200):
    kind = request.args.get("kind", "")
    query = document_services.documents_query(kind=kind)
    total = db.session.scalar(
        select(func.count(Document.id)).where(
            *([Document.kind == kind] if kind in DOCUMENT_KINDS else [])
        )
    )
    page = paginate(query, total or 0)
    return (
        render_template(
            "community/documents.html",
            page=page,
            form=form,
            kind=kind if kind in DOCUMENT_KINDS else "",
            kinds=DOCUMENT_KINDS,
            max_upload_label=megabytes(current_app.config["COWORKING_MAX_UPLOAD_BYTES"]),
        ),
        status,
    )


@bp.get("/documents")
@requires(Role.VIEWER)
def documents():
    form = _document_form()
    partner_id = request.args.get("partner_id", "")
    if parse_id(partner_id) is not None:
        form.partner_id.data = parse_id(partner_id)
    if request.args.get("new_kind") in DOCUMENT_KINDS:
        form.kind.data = request.args["new_kind"]
    return _documents_page(form)


@bp.post("/documents")
@requires(Role.MANAGER)
def upload_document():
    form = _document_form()
    if not form.validate_on_submit():
        return _documents_page(form, 400)
    upload = uploaded("file")
    if upload is None:
        form.file.errors = [_("Choisissez un fichier.")]
        return _documents_page(form, 400)
    with service_call(form) as call:
        document = store_upload(
            upload,
            title=form.title.data or "",
            kind=form.kind.data,
            partner_id=form.partner_id.data,
        )
    if not call.ok:
        return _documents_page(form, getattr(call.error, "status", 400))
    flash(_("Document « %(title)s » enregistré.", title=document.title), "success")
    target = safe_next_url(request.form.get("next"))
    return redirect(target or url_for("community.documents"))


def _file_response(data: bytes, content_type: str, filename: str, *, inline: bool) -> Response:
    if content_type not in SERVED_TYPES:
        content_type, inline = "application/octet-stream", False
    response = send_file(
        io.BytesIO(data),
        mimetype=content_type,
        as_attachment=not inline,
        download_name=filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Even opened directly, the file runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/documents/<int:document_id>/file")
@requires(Role.VIEWER)
def document_file(document_id: int):
    document = db.get_or_404(Document, document_id)
    return _file_response(
        document.data,
        document.content_type,
        document.filename,
        inline=document.content_type in IMAGE_TYPES,
    )


@bp.get("/documents/<int:document_id>/thumbnail")
@requires(Role.VIEWER)
def document_thumbnail(document_id: int):
    document = db.get_or_404(Document, document_id)
    if document.thumbnail is None:
        abort(404)
    stem = document.filename.rsplit(".", 1)[0]
    return _file_response(document.thumbnail, "image/jpeg", f"{stem}-vignette.jpg", inline=True)


@bp.post("/documents/<int:document_id>/delete")
@requires(Role.MANAGER)
def delete_document(document_id: int):
    document = db.get_or_404(Document, document_id)
    title = document.title
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("community.documents")), 303
    with service_call() as call:
        document_services.delete_document(document)
    if not call.ok:
        return redirect(url_for("community.documents")), 303
    flash(_("Document « %(title)s » supprimé.", title=title), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("community.documents"))
