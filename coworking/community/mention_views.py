"""The mention pages: the list and its export, importing an archive, linking posts to events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
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
from flask_babel import ngettext

from coworking.community import mention_import
from coworking.community import mentions as mention_services
from coworking.community.archives import ArchiveImportError
from coworking.community.choices import PLATFORMS
from coworking.community.forms import MentionImportForm
from coworking.community.models import Mention
from coworking.community.views import bp, date_arg, megabytes
from coworking.csvio import CSV_MIMETYPE, iter_csv
from coworking.database import outside_write_lock
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.pagination import paginate
from coworking.roles import Role
from coworking.security import requires, safe_next_url


def _mention_filters(errors: list[str] | None = None) -> mention_services.MentionFilters:
    platform = request.args.get("platform", "")
    return mention_services.MentionFilters(
        platform=platform if platform in PLATFORMS else "",
        hashtag=request.args.get("hashtag", "").strip()[:100],
        start=date_arg("start", errors),
        end=date_arg("end", errors),
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
                    archive = mention_import.check_archive(
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
                    for _step in mention_import.write_archive(archive):
                        db.session.commit()  # one short transaction a batch (see mentions.py)
                flash(_import_summary(archive.result), "success")
                return redirect(url_for("community.mentions"))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "community/mention_import.html",
            form=form,
            max_archive_label=megabytes(current_app.config["COWORKING_MAX_ARCHIVE_BYTES"]),
        ),
        status,
    )


def _import_summary(result: mention_import.ImportResult) -> str:
    parts = [
        _("Publications importées : %(num)d", num=result.total),
        _("%(new)d nouvelles, %(known)d déjà connues", new=result.created, known=result.updated),
        _("liens vers un événement suggérés : %(num)d", num=result.suggested),
    ]
    stats = result.stats
    if stats.filtered_out:
        parts.append(
            ngettext(
                "%(num)d écartée par le filtre de hashtags",
                "%(num)d écartées par le filtre de hashtags",
                stats.filtered_out,
            )
        )
    if stats.skipped_reposts:
        parts.append(
            ngettext(
                "%(num)d partage d'un autre compte ignoré",
                "%(num)d partages d'autres comptes ignorés",
                stats.skipped_reposts,
            )
        )
    return " · ".join(parts) + "."


def _mention_action(mention_id: int, action: Callable[[Mention], None]) -> Any:
    mention = db.get_or_404(Mention, mention_id)
    form = EmptyForm()
    if form.validate_on_submit():
        with service_call() as call:
            action(mention)
        if call.ok:
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
