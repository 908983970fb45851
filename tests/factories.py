"""Test data factories: small functions that build valid objects with overridable fields.

They add and flush; the test commits when it needs to.
"""

from __future__ import annotations

import itertools

from coworking.auth.models import User
from coworking.auth.passwords import hash_password
from coworking.extensions import db

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)
_password_hashes: dict[str, str] = {}


def next_number() -> int:
    return next(_sequence)


def make_user(
    role: str = "manager", email: str | None = None, password: str = PASSWORD, **fields
) -> User:
    """Create an account (the password hash is computed once per password, for speed)."""
    if password not in _password_hashes:
        _password_hashes[password] = hash_password(password)
    user = User(
        email=(email or f"user{next_number()}@example.org").lower(),
        password_hash=_password_hashes[password],
        role=role,
        active=fields.pop("active", True),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user
