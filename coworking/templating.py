"""Template globals: the navigation, and links that exist only once their feature does."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coworking.auth.forms import EmptyForm
from coworking.auth.roles import Role

# (endpoint, label, role needed to see the link, path prefix that marks it current)
NAVIGATION = (
    ("space.dashboard", _l("Tableau de bord"), Role.VIEWER, "/"),
    ("members.index", _l("Membres"), Role.VIEWER, "/members"),
    ("checkins.index", _l("Présences"), Role.VIEWER, "/checkins"),
    ("events.index", _l("Événements"), Role.VIEWER, "/events"),
    ("community.index", _l("Communauté"), Role.VIEWER, "/community"),
    ("label.readiness", _l("Label"), Role.VIEWER, "/label"),
    ("auth.users", _l("Administration"), Role.ADMIN, "/admin"),
)


def navigation() -> list[dict[str, object]]:
    """Return the links of the main navigation this user may see."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    links = []
    for endpoint, label, role, prefix in NAVIGATION:
        if endpoint not in current_app.view_functions or not current_user.can(role):
            continue
        current = request.path == "/" if prefix == "/" else request.path.startswith(prefix)
        links.append({"url": url_for(endpoint), "label": label, "current": current})
    return links


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def can(role_name: str) -> bool:
    """Tell templates whether the current user has at least this role."""
    return bool(getattr(current_user, "is_authenticated", False)) and current_user.can(
        Role(role_name)
    )


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        navigation=navigation, has_endpoint=has_endpoint, can=can, button_form=EmptyForm
    )

    @app.context_processor
    def user_object() -> dict[str, object]:
        # Flask-Login gives templates `current_user` as a proxy, which finds the user again at
        # every attribute read; the object itself is the same user and reads directly.
        return {"current_user": current_user._get_current_object()}  # type: ignore[attr-defined]

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
