"""Community pages: partners, press, mentions, outcomes, documents and the summary page."""

from __future__ import annotations

import io
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from coworking.auth.roles import Role
from coworking.community import mentions as mention_services
from coworking.community import services
from coworking.community.archives import ArchiveImportError
from coworking.community.choices import (
    DOCUMENT_KINDS,
    IMAGE_TYPES,
    OUTCOME_KINDS,
    PARTNER_KINDS,
    PARTNER_ROLES,
    PLATFORMS,
    SERVED_TYPES,
)
from coworking.community.forms import (
    DocumentForm,
    MentionImportForm,
    OutcomeForm,
    PartnerForm,
    PressForm,
)
from coworking.community.models import Document, Mention, Outcome, Partner, PressArticle
from coworking.community.services import CommunityError
from coworking.csvio import CSV_MIMETYPE, iter_csv
from coworking.database import outside_write_lock
from coworking.dates import INVALID, DateRangeError, parse_iso_date
from coworking.extensions import db
from coworking.forms import EmptyForm, show_error
from coworking.i18n import to_paris
from coworking.ids import parse_id
from coworking.pagination import paginate
from coworking.security import requires, safe_next_url

bp = Blueprint("community", __name__, url_prefix="/community")


@bp.context_processor
def labels() -> dict[str, object]:
    """Give the community templates the French labels of every fixed list."""
    return {
        "partner_kinds": PARTNER_KINDS,
        "partner_roles": PARTNER_ROLES,
        "outcome_kinds": OUTCOME_KINDS,
        "document_kinds": DOCUMENT_KINDS,
        "platforms": PLATFORMS,
        "image_types": IMAGE_TYPES,
    }


def _date_arg(name: str, errors: list[str] | None = None) -> date | None:
    """Return the ISO date of a query argument; None when empty or malformed.

    A year outside 1900..2200 is reported in ``errors`` (French, naming the field).
    """
    try:
        return parse_iso_date(request.args.get(name, ""), name)
    except DateRangeError as error:
        if error.msgid != INVALID and errors is not None:
            label = _("Du") if name == "start" else _("Au")
            errors.append(_("%(field)s : %(error)s", field=label, error=error.message))
        return None


def _uploaded(field_name: str) -> tuple[bytes, str] | None:
    """Return (bytes, name) of an uploaded file, reading at most the limit plus one byte."""
    storage = request.files.get(field_name)
    if storage is None or not storage.filename:
        return None
    limit = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    return storage.stream.read(limit + 1), storage.filename


def _store_upload(upload: tuple[bytes, str], **fields) -> Document:
    data, filename = upload
    max_bytes = current_app.config["COWORKING_MAX_UPLOAD_BYTES"]
    uploaded_by = getattr(current_user, "email", None)
    # Measuring a PDF takes a child process: do it without holding SQLite's write lock
    # (store_document checks again, and finds the measure kept).
    with outside_write_lock():
        services.check_upload(data, filename, kind=fields.get("kind", "other"), max_bytes=max_bytes)
    return services.store_document(
        data, filename, max_bytes=max_bytes, uploaded_by=uploaded_by, **fields
    )


# --- summary ----------------------------------------------------------------------------


@bp.get("")
@requires(Role.VIEWER)
def index():
    year = services.paris_today().year
    return render_template(
        "community/index.html",
        counts=services.year_counts(year),
        partners=services.latest_partners(),
        articles=services.latest(services.press_query()),
        mentions=services.latest(
            mention_services.mentions_query(mention_services.MentionFilters())
        ),
        outcomes=services.latest(services.outcomes_query()),
        testimonials=services.latest(
            services.outcomes_query().where(Outcome.consent_publish_at.is_not(None))
        ),
        documents=services.latest(services.documents_query(), 4),
    )


# --- partners ---------------------------------------------------------------------------


@bp.get("/partners")
@requires(Role.VIEWER)
def partners():
    filters = {
        "kind": request.args.get("kind", ""),
        "role": request.args.get("role", ""),
        "status": request.args.get("status", ""),
        "q": request.args.get("q", "")[:100],
    }
    total = db.session.scalar(services.filter_partners(select(func.count(Partner.id)), **filters))
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
    return {name: getattr(form, name).data for name in services.PARTNER_FIELDS} | {
        "roles": form.roles.data or []
    }


@bp.route("/partners/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def new_partner():
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            partner = services.save_partner(None, _partner_form_data(form))
        except CommunityError as error:
            db.session.rollback()
            show_error(form, error.message, error.field)
        else:
            db.session.commit()
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
        documents=services.partner_documents(item),
        outcomes=services.partner_outcomes(item),
        roles=services.partner_roles(item),
    )


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit_partner(partner_id: int):
    item = db.get_or_404(Partner, partner_id)
    form = PartnerForm(obj=item)
    if request.method == "GET":
        form.roles.data = services.partner_roles(item)
    if form.validate_on_submit():
        try:
            services.save_partner(item, _partner_form_data(form))
        except CommunityError as error:
            db.session.rollback()
            show_error(form, error.message, error.field)
        else:
            db.session.commit()
            flash(_("Partenaire « %(name)s » enregistré.", name=item.name), "success")
            return redirect(url_for("community.partner", partner_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("community/partner_form.html", form=form, partner=item), status


@bp.post("/partners/<int:partner_id>/delete")
@requires(Role.MANAGER)
def delete_partner(partner_id: int):
    item = db.get_or_404(Partner, partner_id)
    name = item.name
    services.delete_partner(item)
    db.session.commit()
    flash(_("Partenaire « %(name)s » supprimé.", name=name), "success")
    return redirect(url_for("community.partners"))


# --- press ------------------------------------------------------------------------------


@bp.get("/press")
@requires(Role.VIEWER)
def press():
    total = db.session.scalar(select(func.count(PressArticle.id)))
    page = paginate(services.press_query(), total or 0)
    return render_template("community/press.html", page=page, image_types=IMAGE_TYPES)


def _save_press(article: PressArticle | None):
    form = PressForm(obj=article)
    if form.validate_on_submit():
        try:
            data = {
                name: getattr(form, name).data
                for name in ("title", "outlet", "author", "published_on", "url", "excerpt")
            }
            upload = _uploaded("clipping")
            if upload is not None:
                data["clipping"] = _store_upload(
                    upload, title=form.title.data or "", kind="press_clipping"
                )
            saved = services.save_press_article(article, data)
        except CommunityError as error:
            db.session.rollback()
            show_error(form, error.message, _press_field(error))
            template = render_template("community/press_form.html", form=form, article=article)
            return template, error.status
        db.session.commit()
        flash(_("Article « %(title)s » enregistré.", title=saved.title), "success")
        return redirect(url_for("community.press"))
    status = 400 if request.method == "POST" else 200
    return render_template("community/press_form.html", form=form, article=article), status


def _press_field(error: CommunityError) -> str | None:
    return "clipping" if error.field == "file" else error.field


@bp.route("/press/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def new_press():
    return _save_press(None)


@bp.route("/press/<int:article_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit_press(article_id: int):
    return _save_press(db.get_or_404(PressArticle, article_id))


@bp.post("/press/<int:article_id>/delete")
@requires(Role.MANAGER)
def delete_press(article_id: int):
    article = db.get_or_404(PressArticle, article_id)
    services.delete_press_article(article)
    db.session.commit()
    flash(_("Article supprimé ; sa coupure reste dans les documents."), "success")
    return redirect(url_for("community.press"))


# --- mentions ---------------------------------------------------------------------------


def _mention_filters(errors: list[str] | None = None) -> mention_services.MentionFilters:
    platform = request.args.get("platform", "")
    return mention_services.MentionFilters(
        platform=platform if platform in PLATFORMS else "",
        hashtag=request.args.get("hashtag", "").strip()[:100],
        start=_date_arg("start", errors),
        end=_date_arg("end", errors),
    )


@bp.get("/mentions")
@requires(Role.VIEWER)
def mentions():
    errors: list[str] = []
    filters = _mention_filters(errors)
    for message in errors:
        flash(message, "error")
    total = mention_services.count_mentions(filters)
    page = paginate(mention_services.mentions_query(filters), total)
    return render_template(
        "community/mentions.html",
        page=page,
        filters=filters,
        months=[
            (date(int(month[:4]), int(month[5:7]), 1), *figures)
            for month, *figures in mention_services.monthly_counts(filters)
        ],
        platforms=PLATFORMS,
        button_form=EmptyForm(),
    ), 400 if errors else 200


@bp.get("/mentions.csv")
@requires(Role.VIEWER)
def mentions_csv():
    errors: list[str] = []
    filters = _mention_filters(errors)
    if errors:
        return Response("\n".join(errors) + "\n", status=400, mimetype="text/plain")
    rows = mention_services.export_rows(filters)
    body = stream_with_context(iter_csv(rows, mention_services.EXPORT_HEADER))
    response = Response(body, mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="mentions.csv"'
    return response


# Room in an archive import request for the other fields and the multipart framing.
ARCHIVE_FORM_MARGIN = 1024 * 1024


@bp.url_value_preprocessor
def _archive_request_limit(endpoint: str | None, _values: dict | None) -> None:
    """Let the mention import page take a request as big as an allowed archive.

    URL value preprocessors run before the before_request hooks, and one of them
    (``security.enforce_access``: NUL bytes, CSRF) reads the form, so raising the
    limit in the view itself would come too late. The archive's own limit is then
    checked while it is read (``COWORKING_MAX_ARCHIVE_BYTES``).
    """
    if endpoint != "community.import_mentions":
        return
    request_limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request_limit is not None:
        archive_limit = current_app.config["COWORKING_MAX_ARCHIVE_BYTES"] + ARCHIVE_FORM_MARGIN
        request.max_content_length = max(request_limit, archive_limit)


@bp.route("/mentions/import", methods=["GET", "POST"])
@requires(Role.MANAGER)
def import_mentions():
    form = MentionImportForm()
    status = 200
    if form.validate_on_submit():
        storage = request.files.get("archive")
        if storage is None or not storage.filename:
            form.archive.errors = [_("Choisissez un fichier.")]
            status = 400
        else:
            try:
                # Reading and checking a big archive takes seconds: not under the write lock.
                with outside_write_lock():
                    archive = mention_services.check_archive(
                        storage.stream,
                        filename=storage.filename,
                        hashtags=[form.hashtags.data or ""],
                        account=form.account.data or "",
                    )
            except ArchiveImportError as error:
                form.archive.errors = [_("Rien n'a été importé. %(reason)s", reason=str(error))]
                status = 400
            else:
                with archive:
                    for _step in mention_services.write_archive(archive):
                        db.session.commit()  # one short transaction a batch (see mentions.py)
                flash(_import_summary(archive.result), "success")
                return redirect(url_for("community.mentions"))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "community/mention_import.html",
            form=form,
            max_archive_label=_megabytes(current_app.config["COWORKING_MAX_ARCHIVE_BYTES"]),
        ),
        status,
    )


def _import_summary(result: mention_services.ImportResult) -> str:
    parts = [
        _("Publications importées : %(num)d", num=result.total),
        _("%(new)d nouvelles, %(known)d déjà connues", new=result.created, known=result.updated),
        _("liens vers un événement suggérés : %(num)d", num=result.suggested),
    ]
    stats = result.stats
    if stats.filtered_out:
        parts.append(_("%(n)d écartées par le filtre de hashtags", n=stats.filtered_out))
    if stats.skipped_reposts:
        parts.append(_("%(n)d partages d'autres comptes ignorés", n=stats.skipped_reposts))
    return " · ".join(parts) + "."


def _mention_action(mention_id: int, action) -> Response:
    mention = db.get_or_404(Mention, mention_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            action(mention)
        except CommunityError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Publication mise à jour."), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("community.mentions"))


@bp.post("/mentions/<int:mention_id>/confirm")
@requires(Role.MANAGER)
def confirm_mention(mention_id: int):
    return _mention_action(mention_id, mention_services.confirm_suggestion)


@bp.post("/mentions/<int:mention_id>/dismiss")
@requires(Role.MANAGER)
def dismiss_mention(mention_id: int):
    return _mention_action(mention_id, mention_services.dismiss_suggestion)


@bp.post("/mentions/<int:mention_id>/unlink")
@requires(Role.MANAGER)
def unlink_mention(mention_id: int):
    return _mention_action(mention_id, mention_services.unlink_event)


# --- outcomes ---------------------------------------------------------------------------


@bp.get("/outcomes")
@requires(Role.VIEWER)
def outcomes():
    kind = request.args.get("kind", "")
    items = db.session.scalars(services.outcomes_query(kind)).unique().all()
    return render_template(
        "community/outcomes.html",
        groups=services.outcomes_by_kind(items),
        kind=kind if kind in OUTCOME_KINDS else "",
        kinds=OUTCOME_KINDS,
    )


def _outcome_choices(form: OutcomeForm) -> None:
    form.member_ids.choices = services.member_choices()
    form.event_id.choices = [("", _("— aucun —"))] + [
        (event_id, f"{to_paris(starts_at):%d/%m/%Y} · {title}")
        for event_id, title, starts_at in services.event_choices()
    ]
    form.partner_id.choices = [("", _("— aucun —"))] + services.partner_choices()


def _outcome_page(form: OutcomeForm, outcome: Outcome | None, next_url: str | None):
    return render_template(
        "community/outcome_form.html", form=form, outcome=outcome, next_url=next_url
    )


def _save_outcome(outcome: Outcome | None, form: OutcomeForm, next_url: str | None):
    if form.validate_on_submit():
        data = {
            name: getattr(form, name).data
            for name in (
                "kind",
                "title",
                "description",
                "happened_on",
                "member_ids",
                "event_id",
                "partner_id",
                "testimonial",
                "testimonial_author",
                "consent",
                "consent_on",
            )
        }
        try:
            saved = services.save_outcome(outcome, data)
        except CommunityError as error:
            db.session.rollback()
            show_error(form, error.message, error.field)
        else:
            db.session.commit()
            flash(_("Réalisation « %(title)s » enregistrée.", title=saved.title), "success")
            return redirect(
                next_url or url_for("community.outcomes", _anchor=f"outcome-{saved.id}")
            )
        return _outcome_page(form, outcome, next_url), 400
    status = 400 if request.method == "POST" else 200
    return _outcome_page(form, outcome, next_url), status


@bp.route("/outcomes/new", methods=["GET", "POST"])
@requires(Role.MANAGER)
def new_outcome():
    form = OutcomeForm()
    _outcome_choices(form)
    next_url = safe_next_url(request.values.get("next"))
    if request.method == "GET":
        member_id = request.args.get("member_id", "")
        known = {choice[0] for choice in form.member_ids.choices}
        if parse_id(member_id) in known:
            form.member_ids.data = [parse_id(member_id)]
        form.happened_on.data = services.paris_today()
        form.consent_on.data = services.paris_today()
    return _save_outcome(None, form, next_url)


@bp.route("/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@requires(Role.MANAGER)
def edit_outcome(outcome_id: int):
    outcome = db.get_or_404(Outcome, outcome_id)
    form = OutcomeForm(obj=outcome)
    _outcome_choices(form)
    if request.method == "GET":
        form.member_ids.data = [member.id for member in outcome.members]
        form.consent.data = outcome.consent_publish_at is not None
        form.consent_on.data = (
            to_paris(outcome.consent_publish_at).date() if outcome.consent_publish_at else None
        )
    return _save_outcome(outcome, form, safe_next_url(request.values.get("next")))


@bp.post("/outcomes/<int:outcome_id>/delete")
@requires(Role.MANAGER)
def delete_outcome(outcome_id: int):
    outcome = db.get_or_404(Outcome, outcome_id)
    services.delete_outcome(outcome)
    db.session.commit()
    flash(_("Réalisation supprimée."), "success")
    return redirect(url_for("community.outcomes"))


# --- documents --------------------------------------------------------------------------


def _document_form(form: DocumentForm | None = None) -> DocumentForm:
    form = form or DocumentForm()
    form.partner_id.choices = [("", _("— aucun —"))] + services.partner_choices()
    return form


def _documents_page(form: DocumentForm, status: int = 200):
    kind = request.args.get("kind", "")
    query = services.documents_query(kind=kind)
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
            max_upload_label=_megabytes(current_app.config["COWORKING_MAX_UPLOAD_BYTES"]),
        ),
        status,
    )


def _megabytes(size: int) -> str:
    return _("%(n)s Mo", n=f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ","))


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
    upload = _uploaded("file")
    if upload is None:
        form.file.errors = [_("Choisissez un fichier.")]
        return _documents_page(form, 400)
    try:
        document = _store_upload(
            upload,
            title=form.title.data or "",
            kind=form.kind.data,
            partner_id=form.partner_id.data,
        )
    except CommunityError as error:
        db.session.rollback()
        show_error(form, error.message, error.field)
        return _documents_page(form, error.status)
    db.session.commit()
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
    try:
        services.delete_document(document)
    except CommunityError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("community.documents")), 303
    db.session.commit()
    flash(_("Document « %(title)s » supprimé.", title=title), "success")
    return redirect(safe_next_url(request.form.get("next")) or url_for("community.documents"))
