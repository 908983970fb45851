"""Import an iCalendar file into events: upsert by (UID, recurrence id), all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coworking.audit import services as audit
from coworking.database import utcnow
from coworking.errors import ServiceError
from coworking.events import kinds as event_kinds
from coworking.events import services
from coworking.events.ical_import import (
    IcalImportError,
    ImportedEvent,
    parse_calendar,
    with_kinds,
)
from coworking.events.models import Event
from coworking.extensions import db

MAX_UID = 300
MAX_URL = 500
_CHUNK = 500


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class EventImportError(ServiceError):
    """The whole file is refused; nothing was written. The message may be a lazy translation."""

    def __init__(self, message: Any) -> None:
        super().__init__(message, "file")


def import_calendar(
    data: bytes, *, expand_from: date | None = None, expand_to: date | None = None
) -> ImportReport:
    """Read an iCalendar file, then create or update its events; all or nothing.

    Callers that hold SQLite's write lock read the file first, inside
    ``outside_write_lock()``, with :func:`read_calendar`, then call :func:`save_events`.
    """
    return save_events(read_calendar(data, expand_from=expand_from, expand_to=expand_to))


def read_calendar(
    data: bytes, *, expand_from: date | None = None, expand_to: date | None = None
) -> list[ImportedEvent]:
    """Parse and check an iCalendar file without the database; refuse the whole file on any error.

    Series are expanded from ``expand_from`` to ``expand_to`` (by default, from five years
    before today to two years after it), within the limits of :func:`parse_calendar`.
    """
    try:
        records = parse_calendar(data, expand_from=expand_from, expand_to=expand_to)
    except IcalImportError as error:
        raise EventImportError(_l("Fichier refusé : %(reason)s", reason=error)) from None
    _check_records(records)
    return records


def save_events(records: Sequence[ImportedEvent]) -> ImportReport:
    """Create or update the events read from a file.

    Events are identified by their UID and, for occurrences of a series, their recurrence id
    ("" for a single event): importing the same file twice changes nothing. The kind comes from
    CATEGORIES (admins' kinds included); an event whose categories name no kind keeps the kind
    a manager gave it, and a new one gets "autre". Flushes; the caller commits or rolls back.
    """
    event_kinds.ensure_default_kinds()
    records = with_kinds(records, event_kinds.admin_kinds())
    existing = _existing_events(records)
    created = updated = unchanged = 0
    for record in records:
        key = (record.uid, record.recurrence_id or "")
        event = existing.get(key)
        if event is None:
            event = Event(
                external_uid=record.uid,
                external_recurrence_id=record.recurrence_id or "",
                kind=record.kind or "autre",
                hashtags="",
            )
            _copy(record, event)
            db.session.add(event)
            existing[key] = event
            created += 1
        elif _copy(record, event):
            event.updated_at = utcnow()
            updated += 1
        else:
            unchanged += 1
    db.session.flush()
    report = ImportReport(created=created, updated=updated, unchanged=unchanged)
    audit.record(
        "event.import",
        None,
        f"{report.created} créés, {report.updated} mis à jour, {report.unchanged} inchangés",
        object_type="event",
    )
    return report


def _check_records(records: Sequence[ImportedEvent]) -> None:
    for record in records:
        if not record.uid:
            raise EventImportError(
                _l("Fichier refusé : l'événement « %(title)s » n'a pas d'UID.", title=record.title)
            )
        if len(record.uid) > MAX_UID:
            raise EventImportError(
                _l(
                    "Fichier refusé : l'UID de l'événement « %(title)s » dépasse %(max)s caractères.",
                    title=record.title[:80],
                    max=MAX_UID,
                )
            )


def _existing_events(records: Sequence[ImportedEvent]) -> dict[tuple[str, str], Event]:
    uids = sorted({record.uid for record in records})
    found: dict[tuple[str, str], Event] = {}
    for start in range(0, len(uids), _CHUNK):
        chunk = uids[start : start + _CHUNK]
        for event in db.session.scalars(select(Event).where(Event.external_uid.in_(chunk))):
            found[(event.external_uid or "", event.external_recurrence_id or "")] = event
    return found


def _copy(record: ImportedEvent, event: Event) -> bool:
    """Copy the record's fields onto the event; return whether anything changed."""
    url = record.url if len(record.url) <= MAX_URL else ""
    values = {
        "title": record.title[: services.MAX_TITLE],
        "description": record.description[: services.MAX_DESCRIPTION],
        "location": record.location[: services.MAX_LOCATION] or None,
        "url": url or None,
        "starts_at": record.start,
        "ends_at": record.end,
        "all_day": record.all_day,
        "is_public": record.is_public,
    }
    if record.kind:
        values["kind"] = record.kind
    changed = False
    for name, value in values.items():
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed = True
    return changed
