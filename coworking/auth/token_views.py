"""The admin page for API tokens (kiosks, scripts): create, see last use, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coworking.auth import services
from coworking.auth.forms import TokenForm
from coworking.auth.models import ApiToken, User
from coworking.auth.views import bp
from coworking.extensions import db
from coworking.forms import EmptyForm, service_call
from coworking.roles import Role
from coworking.security import requires


def _page(form: TokenForm, clear: str | None = None, status: int = 200):
    tokens = db.session.scalars(
        select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    ).all()
    return (
        render_template(
            "admin/tokens.html", tokens=tokens, form=form, clear=clear, button_form=EmptyForm()
        ),
        status,
    )


@bp.get("/admin/tokens")
@requires(Role.ADMIN)
def tokens():
    return _page(TokenForm())


@bp.post("/admin/tokens")
@requires(Role.ADMIN)
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        creator = current_user._get_current_object()
        with service_call(form, field="name") as call:
            token, clear = services.create_api_token(
                form.name.data,
                form.role.data,
                created_by=creator if isinstance(creator, User) else None,
            )
        if call.ok:
            flash(
                _(
                    "Jeton %(name)s créé : copiez-le maintenant, il ne sera plus affiché.",
                    name=token.name,
                ),
                "success",
            )
            # Shown once, on this response only; never stored in clear.
            return _page(TokenForm(formdata=None), clear=clear)
    return _page(form, status=400)


@bp.post("/admin/tokens/<int:token_id>/revoke")
@requires(Role.ADMIN)
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            services.revoke_api_token(token)
        if call.ok:
            flash(_("Jeton %(name)s révoqué.", name=token.name), "success")
    return redirect(url_for("auth.tokens"))
