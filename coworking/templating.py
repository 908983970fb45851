"""Template globals: the navigation, and links that exist only once their feature does."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from coworking.forms import EmptyForm
from coworking.i18n import N_, current_translations
from coworking.roles import Role
from coworking.submissions import new_token

# (endpoint, label, role needed to see the link, path prefix that marks it current)
NAVIGATION = (
    ("stats.dashboard", N_("Tableau de bord"), Role.VIEWER, "/"),
    ("checkins.index", N_("Accueil"), Role.VIEWER, "/checkins"),
    ("members.index", N_("Membres"), Role.VIEWER, "/members"),
    ("events.index", N_("Événements"), Role.VIEWER, "/events"),
    ("community.index", N_("Communauté"), Role.VIEWER, "/community"),
    ("label.readiness", N_("Label"), Role.VIEWER, "/label"),
    ("auth.users", N_("Administration"), Role.ADMIN, "/admin"),
)
# The sections of the desk and of the evening: on a phone, the bar at the bottom of the screen
# shows them, and « Plus » opens the others.
PHONE_BAR = frozenset({"/checkins", "/members", "/events", "/community"})


def _navigation_urls() -> list[tuple[str, str, Role, str]]:
    """Return NAVIGATION with each endpoint's URL, built once per application and script root
    (every page shows the navigation)."""
    built = current_app.extensions.setdefault("coworking.navigation", {})
    links = built.get(request.script_root)
    if links is None:
        links = [
            (url_for(endpoint), label, role, prefix)
            for endpoint, label, role, prefix in NAVIGATION
            if endpoint in current_app.view_functions
        ]
        built[request.script_root] = links
    return links


def navigation() -> list[dict[str, object]]:
    """Return the links of the main navigation this user may see: its URL, its label, whether
    it is the current section, and whether a phone shows it in its bar (else under « Plus »)."""
    user = current_user._get_current_object()
    if not getattr(user, "is_authenticated", False):
        return []
    translate = current_translations().ugettext
    path = request.path
    return [
        {
            "url": url,
            "label": translate(label),
            "current": path == "/" if prefix == "/" else _within(path, prefix),
            "on_bar": prefix in PHONE_BAR,
        }
        for url, label, role, prefix in _navigation_urls()
        if user.can(role)
    ]


def _within(path: str, prefix: str) -> bool:
    """Tell whether a path is the section's page or one under it (/events/3, not /eventsx)."""
    return path == prefix or path.startswith(prefix + "/")


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def can(role_name: str) -> bool:
    """Tell templates whether the current user has at least this role."""
    return bool(getattr(current_user, "is_authenticated", False)) and current_user.can(
        Role(role_name)
    )


def file_size(size: int | None) -> str:
    """Write a file's size for people: « 262 octets », « 1,2 ko », « 3,4 Mo »."""
    size = size or 0
    if size < 1024:
        return ngettext("%(size)s octet", "%(size)s octets", size, size=format_decimal(size))
    if size < 1024 * 1024:
        return _("%(size)s ko", size=format_decimal(round(size / 1024, 1)))
    return _("%(size)s Mo", size=format_decimal(round(size / 1024 / 1024, 1)))


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        navigation=navigation,
        has_endpoint=has_endpoint,
        can=can,
        button_form=EmptyForm,
        new_submission_token=new_token,
    )

    @app.context_processor
    def user_object() -> dict[str, object]:
        # Flask-Login gives templates `current_user` as a proxy, which finds the user again at
        # every attribute read; the object itself is the same user and reads directly.
        return {"current_user": current_user._get_current_object()}

    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
