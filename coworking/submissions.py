"""One-time form tokens: a create form sent twice (back, then submit again) is recorded once.

A create form carries a random token drawn when the page is drawn (GET writes nothing). The
request that saves the form records the token in the same transaction as what it creates;
the token is the table's primary key, so a second request with the same token, even one
racing the first, is refused: « déjà enregistré ».
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from coworking.database import UTCDateTime, utcnow
from coworking.extensions import Model, db

TOKEN_BYTES = 16
MAX_TOKEN_LENGTH = 64
# A form left open longer than this in a tab can be sent once more; old tokens are dropped.
KEPT_FOR = timedelta(days=30)
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{16,{MAX_TOKEN_LENGTH}}}")


class FormSubmission(Model):
    """A create form already saved, known by the token it carried."""

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(MAX_TOKEN_LENGTH), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def new_token() -> str:
    """Return a fresh random token for a create form."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_well_formed(token: str | None) -> bool:
    """Tell whether a token could be one of ours (short, URL-safe characters)."""
    return token is not None and _TOKEN.fullmatch(token) is not None


def was_used(token: str) -> bool:
    """Tell whether a form with this token was already saved."""
    query = select(FormSubmission.token).where(FormSubmission.token == token)
    return db.session.scalar(query) is not None


def record(token: str) -> None:
    """Record that the form with this token is saved (flushes; IntegrityError if it was)."""
    db.session.execute(delete(FormSubmission).where(FormSubmission.used_at < utcnow() - KEPT_FOR))
    db.session.add(FormSubmission(token=token))
    db.session.flush()
