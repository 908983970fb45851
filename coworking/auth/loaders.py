"""How Flask-Login finds who makes a request: an account from its session, a token from its header."""

from __future__ import annotations

from typing import Any

from flask import g

from coworking.auth import services
from coworking.auth.models import User
from coworking.error_pages import is_api_request
from coworking.extensions import db, login_manager
from coworking.security import bearer_token


def load_user_from_session(user_id: str) -> Any:
    """Load the account named in the session, if still active and of the same version."""
    ident, _sep, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def load_principal_from_request(req: Any) -> Any:
    """Authenticate API calls carrying 'Authorization: Bearer <token>'."""
    clear = bearer_token()
    # Tokens are for the JSON API (kiosks, scripts); the HTML pages need a person's session.
    if not clear or not is_api_request():
        return None
    token = services.find_active_token(clear)
    if token is not None:
        g.api_token = token
    return token


def init_loaders() -> None:
    """Give Flask-Login the two loaders."""
    login_manager.user_loader(load_user_from_session)
    login_manager.request_loader(load_principal_from_request)
