"""Record changes in the audit log (one call for every feature)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import update

from coworking.audit.models import AuditEntry
from coworking.database import rows_changed
from coworking.extensions import db


def record(
    action: str,
    obj: object | None = None,
    summary: str = "",
    *,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
) -> AuditEntry:
    """Add an audit entry for an action on an object; flushed, committed by the caller."""
    if actor is None:
        actor = _current_actor()
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        actor=actor,
        action=action,
        object_type=object_type or "",
        object_id=None if object_id is None else str(object_id),
        summary=summary[:2000],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def forget_object(object_type: str, object_id: object) -> int:
    """Remove the summaries naming an erased person, keeping that an action happened."""
    entries = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id)
        )
    ).all()
    for entry in entries:
        entry.summary = ""
    db.session.flush()
    return len(entries)


def forget_objects(object_type: str, object_ids: Iterable[object]) -> int:
    """Remove the summaries of entries about several objects (GDPR erasure).

    One UPDATE per 500 ids; returns the number of entries changed.
    """
    keys = sorted({str(object_id) for object_id in object_ids})
    changed = 0
    for start in range(0, len(keys), 500):
        result = db.session.execute(
            update(AuditEntry)
            .where(
                AuditEntry.object_type == object_type,
                AuditEntry.object_id.in_(keys[start : start + 500]),
            )
            .values(summary="")
            .execution_options(synchronize_session="fetch")
        )
        changed += rows_changed(result)
    db.session.flush()
    return changed


def _current_actor() -> str:
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.display_name
    return "cli"
