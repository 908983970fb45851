"""One place for access control, CSRF and security headers.

Every view declares who may use it with @public or @requires(role); a view that declares
nothing is refused (fail closed), and tests/test_security.py walks app.url_map to prove it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coworking.database import set_immediate_writes
from coworking.error_pages import is_api_request, render_error
from coworking.extensions import csrf, login_manager
from coworking.json_bounds import API_MAX_CONTENT_LENGTH
from coworking.roles import Role

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_STATIC_ENDPOINTS = frozenset({"static"})


def public(view: F) -> F:
    """Mark a view as reachable without a login."""
    view.access = None  # type: ignore[attr-defined]  # a marker read by enforce_access
    return view


def requires(role: Role, *, self_service: bool = False) -> Callable[[F], F]:
    """Mark a view as needing at least this role.

    State-changing methods need at least the manager role (viewers change nothing), unless
    the view is self-service (logging out, choosing one's language).
    """

    def decorate(view: F) -> F:
        view.access = role  # type: ignore[attr-defined]  # a marker read by enforce_access
        view.self_service = self_service  # type: ignore[attr-defined]  # idem
        return view

    return decorate


_MISSING = object()


def required_role(view: Callable[..., Any], method: str) -> Role | None | object:
    """Return the role a request needs for this view and method (None: public)."""
    access = getattr(view, "access", _MISSING)
    if not isinstance(access, Role):
        return access  # _MISSING (no rule declared) or None (public)
    if method not in SAFE_METHODS and not getattr(view, "self_service", False):
        return access if access.allows(Role.MANAGER) else Role.MANAGER
    return access


def bearer_token() -> str | None:
    """Return the bearer token of the Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def safe_next_url(target: str | None) -> str | None:
    """Return target when it is a path on this site, else None (no open redirect)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


def enforce_access() -> Any:
    """Check login, role and CSRF for the current request, before the view runs."""
    set_immediate_writes(request.method not in SAFE_METHODS)
    if is_api_request():
        # Before anything reads the body (the NUL check below does): the API takes small JSON.
        request.max_content_length = API_MAX_CONTENT_LENGTH
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_STATIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    needed = required_role(view, request.method)
    if needed is _MISSING:
        current_app.logger.error("view %s declares no access rule; refused", endpoint)
        abort(403)
    refused = refuse_nul_bytes()
    if refused is not None:
        return refused

    token_auth = getattr(current_user, "is_api_token", False)
    if needed is not None and not current_user.is_authenticated and is_api_request():
        # An API call without a valid token is told so (401), not that a CSRF token is missing.
        return _json_error(401, _("Authentification requise."))
    if request.method not in SAFE_METHODS and not token_auth:
        csrf.protect()
    if needed is None:
        return None
    if not current_user.is_authenticated:
        if is_api_request() or bearer_token():
            return _json_error(401, _("Authentification requise."))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.can(needed):
        abort(403)
    return None


def refuse_nul_bytes() -> Any:
    """Refuse a request whose parameters hold a NUL character (PostgreSQL cannot store it)."""
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if "\x00" in value or "\x00" in name:
                return _bad_input(name)
    if request.is_json:
        raw = request.get_data(cache=True)
        if b"\\u0000" in raw or b"\x00" in raw:
            return _bad_input("json")
    for name, upload in request.files.items(multi=True):
        if upload.filename and "\x00" in upload.filename:
            return _bad_input(name)
    return None


def _bad_input(field: str) -> Any:
    message = _("Le champ « %(field)s » contient un caractère invalide (octet nul).", field=field)
    if is_api_request():
        response = jsonify({"error": message, "field": field})
        response.status_code = 400
        return response
    return render_error(400, message)


def _json_error(status: int, message: str) -> Any:
    response = jsonify({"error": message})
    response.status_code = status
    return response


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response: Any) -> Any:
    """Add the security headers to every response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and getattr(current_user, "is_authenticated", False):
        # Pages with personal data are not kept by shared caches nor the back button.
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_security(app: Flask) -> None:
    """Wire the access checks, the token loader and the headers into the app."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.before_request(enforce_access)
    app.after_request(set_security_headers)
