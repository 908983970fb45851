"""The press pages: articles with their clippings."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from coworking.community import services
from coworking.community.forms import NewPressForm, PressForm
from coworking.community.models import PressArticle
from coworking.community.views import bp, store_upload, uploaded
from coworking.documents.models import IMAGE_TYPES
from coworking.documents.services import DocumentError
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.pagination import paginate
from coworking.roles import Role
from coworking.security import requires

PRESS_FIELDS = ("title", "outlet", "author", "published_on", "url", "excerpt")


@bp.get("/press")
@requires(Role.VIEWER)
def press():
    total = db.session.scalar(select(func.count(PressArticle.id)))
    page = paginate(services.press_query(), total or 0)
    return render_template("community/press.html", page=page, image_types=IMAGE_TYPES)


def _save_press(article: PressArticle | None):
    form = PressForm(obj=article) if article is not None else NewPressForm()
    if form.validate_on_submit():
        with service_call(form) as call:
            data = {name: getattr(form, name).data for name in PRESS_FIELDS}
            upload = uploaded("clipping")
            if upload is not None:
                try:
                    data["clipping"] = store_upload(
                        upload, title=form.title.data or "", kind="press_clipping"
                    )
                except DocumentError as error:  # the file is this form's « clipping » field
                    raise DocumentError(error.message, "clipping", error.status) from None
            saved = services.save_press_article(article, data)
        if call.ok:
            flash(_("Article « %(title)s » enregistré.", title=saved.title), "success")
            return redirect(url_for("community.press"))
        status = getattr(call.error, "status", 400)
        return render_template("community/press_form.html", form=form, article=article), status
    status = 400 if request.method == "POST" else 200
    return render_template("community/press_form.html", form=form, article=article), status


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
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            services.delete_press_article(article)
        if call.ok:
            flash(_("Article supprimé ; sa coupure reste dans les documents."), "success")
    return redirect(url_for("community.press"))
