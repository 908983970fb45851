"""Login, logout, language choice, and the admin pages for accounts and the audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from coworking.audit.models import AuditEntry
from coworking.auth import services
from coworking.auth.forms import LoginForm, PasswordResetForm, RoleForm, UserCreateForm
from coworking.auth.models import User
from coworking.extensions import db, login_throttle
from coworking.forms import EmptyForm, flash_form_errors, service_call
from coworking.pagination import paginate
from coworking.roles import Role
from coworking.security import public, requires, safe_next_url

bp = Blueprint("auth", __name__)


def _throttle_keys(email: str) -> list[str]:
    """Name the counters a login attempt uses: its account and its address."""
    return [
        "login-email:" + services.normalize_email(email),
        "login-address:" + (request.remote_addr or ""),
    ]


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("stats.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        keys = _throttle_keys(form.email.data)
        # The check is taken before the password is verified, so that guesses sent in
        # parallel cannot all be verified before the count catches up.
        if not login_throttle.acquire(keys):
            abort(429)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            form.password.errors.append(_("E-mail ou mot de passe incorrect."))
            status = 401
        else:
            login_throttle.release(keys)  # a right password is not a guess
            lang = session.get("lang")
            # A new session at login: nothing from before survives (session fixation).
            session.clear()
            if lang and not user.locale:
                user.locale = lang
            login_user(user, remember=bool(form.remember.data))
            db.session.commit()
            return redirect(next_url or url_for("stats.dashboard"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, next=next_url), status


@bp.post("/logout")
@requires(Role.VIEWER, self_service=True)
def logout():
    user = current_user._get_current_object()
    lang = session.get("lang") or getattr(user, "locale", None)
    if isinstance(user, User):
        # Every session and "remember me" cookie issued before now stops working, even a
        # copy an attacker kept: they name the account's previous session version.
        services.end_sessions(user)
        db.session.commit()
    session.clear()
    # After clearing: logout_user() leaves the marker that tells Flask-Login to delete the
    # "remember me" cookie in this response.
    logout_user()
    if lang:
        session["lang"] = lang
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["COWORKING_LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and isinstance(current_user._get_current_object(), User):
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("stats.dashboard"))


# --- Administration: accounts ---------------------------------------------------------------


def _users_page(create_form: UserCreateForm, status: int = 200):
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return (
        render_template(
            "admin/users.html",
            users=accounts,
            create_form=create_form,
            role_form=RoleForm(),
            reset_form=PasswordResetForm(),
            button_form=EmptyForm(),
        ),
        status,
    )


@bp.get("/admin/users")
@requires(Role.ADMIN)
def users():
    return _users_page(UserCreateForm())


@bp.post("/admin/users")
@requires(Role.ADMIN)
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        with service_call(form, field="email") as call:
            user = services.create_user(form.email.data, form.password.data, form.role.data)
        if call.ok:
            flash(_("Compte %(email)s créé.", email=user.email), "success")
            return redirect(url_for("auth.users"))
    return _users_page(form, 400)


@bp.post("/admin/users/<int:user_id>/role")
@requires(Role.ADMIN)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Rôle invalide."), "error")
        return redirect(url_for("auth.users")), 303
    with service_call() as call:
        services.change_role(user, form.role.data)
    if call.ok:
        flash(_("Rôle de %(email)s modifié.", email=user.email), "success")
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<int:user_id>/active")
@requires(Role.ADMIN)
def toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        with service_call() as call:
            services.set_active(user, not user.active)
        if call.ok and user.active:
            flash(_("Compte %(email)s réactivé.", email=user.email), "success")
        elif call.ok:
            flash(_("Compte %(email)s désactivé.", email=user.email), "success")
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<int:user_id>/password")
@requires(Role.ADMIN)
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("auth.users"))
    with service_call() as call:
        services.reset_password(user, form.password.data)
    if call.ok:
        flash(_("Mot de passe de %(email)s réinitialisé.", email=user.email), "success")
    return redirect(url_for("auth.users"))


@bp.get("/admin/audit")
@requires(Role.ADMIN)
def audit_log():
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    page = paginate(query, total, per_page=100)
    return render_template("admin/audit.html", page=page)


# The API tokens page lives in its own module and adds its routes to this blueprint.
from coworking.auth import token_views  # noqa: E402, F401
