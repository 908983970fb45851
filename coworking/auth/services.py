"""Account operations: create, authenticate, change roles, deactivate, reset, API tokens.

Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from coworking.audit import services as audit
from coworking.auth.models import ApiToken, User
from coworking.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from coworking.database import utcnow
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.roles import Role


class AccountError(ServiceError):
    """A user-caused problem with an account operation, with a translated message."""


def normalize_email(email: str) -> str:
    """Return the e-mail trimmed and lower-cased (e-mails are unique case-insensitively)."""
    return (email or "").strip().lower()


def password_problem(password: str) -> str | None:
    """Return why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Le mot de passe doit contenir au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Le mot de passe est trop long.")
    if not password.strip():
        return _("Le mot de passe ne peut pas être fait que d'espaces.")
    return None


def parse_role(value: str) -> Role:
    """Return the Role named by value, or raise AccountError."""
    try:
        return Role(value)
    except ValueError:
        raise AccountError(
            _("Rôle inconnu : %(role)s (admin, manager ou viewer).", role=value), "role"
        ) from None


def find_user_by_email(email: str) -> User | None:
    """Return the account with this e-mail, case-insensitively."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, password: str, role: Role | str) -> User:
    """Create an account after checking the e-mail, the role and the password."""
    email = normalize_email(email)
    if not email or "@" not in email or len(email) > 254:
        raise AccountError(_("Adresse e-mail invalide."), "email")
    role = parse_role(role) if isinstance(role, str) else role
    if find_user_by_email(email) is not None:
        raise AccountError(_("Un compte existe déjà avec cette adresse e-mail."), "email")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, "password")
    user = User(email=email, password_hash=hash_password(password), role=role.value, active=True)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, f"{email} ({role.value})")
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active account matching these credentials, else None."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def change_role(user: User, role: Role | str, *, by: User | None = None) -> None:
    """Give an account another role; the last active admin keeps theirs."""
    role = parse_role(role) if isinstance(role, str) else role
    if user.role == Role.ADMIN.value and role != Role.ADMIN and _is_last_admin(user):
        raise AccountError(_("Impossible : c'est le dernier administrateur actif."), "role")
    old = user.role
    user.role = role.value
    db.session.flush()
    audit.record("user.role", user, f"{old} → {role.value}")


def set_active(user: User, active: bool) -> None:
    """Activate or deactivate an account; deactivation ends its sessions."""
    if not active and user.role == Role.ADMIN.value and _is_last_admin(user):
        raise AccountError(_("Impossible : c'est le dernier administrateur actif."), "active")
    user.active = active
    end_sessions(user)
    audit.record("user.activate" if active else "user.deactivate", user, user.email)


def end_sessions(user: User) -> None:
    """End every session of the account: its cookies, "remember me" included, stop working."""
    user.session_version += 1
    db.session.flush()


def reset_password(user: User, password: str) -> None:
    """Set a new password; the account's other sessions stop working."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record("user.password_reset", user, user.email)


_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105


def generate_password(length: int = 20) -> str:
    """Return a random password that meets the policy (about 115 bits, no look-alike characters)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def _is_last_admin(user: User) -> bool:
    admins = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
    )
    return user.active and (admins or 0) <= 1


# --- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "cw_"  # noqa: S105 (a prefix, not a secret)


def _token_hash(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough (no dictionary to resist).
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    name: str, role: Role | str, *, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token; return it with its clear value, which is shown once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise AccountError(_("Donnez un nom au jeton (100 caractères au plus)."), "name")
    role = parse_role(role) if isinstance(role, str) else role
    if role == Role.ADMIN:
        raise AccountError(_("Un jeton ne peut être que gestionnaire ou lecteur."), "role")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        role=role.value,
        token_hash=_token_hash(clear),
        prefix=clear[:10],
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record("token.create", token, f"{name} ({role.value})")
    return token, clear


def find_active_token(clear: str) -> ApiToken | None:
    """Return the unrevoked token with this clear value."""
    if not clear.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(clear)))
    if token is None or token.revoked_at is not None:
        return None
    return token


def touch_token(token: ApiToken) -> None:
    """Record a use of the token, at most once a minute to keep kiosk writes short."""
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.flush()


def revoke_api_token(token: ApiToken) -> None:
    """Revoke a token: it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record("token.revoke", token, token.name)
