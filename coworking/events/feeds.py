"""What the public feeds and the .ics exports publish: events as the exporter and the API see them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import false, select

from coworking.dates import space_zone
from coworking.dates import today as local_today
from coworking.events import kinds as event_kinds
from coworking.events import programme
from coworking.events.ical_export import build_calendar
from coworking.events.models import Event, EventKind
from coworking.extensions import db
from coworking.space.models import SpaceProfile

DEFAULT_CALENDAR_NAME = "coworking"


@dataclass(frozen=True)
class FeedEvent:
    """One event as published (the shape build_calendar reads)."""

    id: int
    title: str
    start: datetime
    end: datetime | None
    all_day: bool
    location: str | None
    description: str | None
    url: str | None
    kind: str | None
    external_uid: str | None
    # None for a single event: its own UID can be reused; an occurrence needs ours.
    external_recurrence_id: str | None
    is_public: bool
    hashtags: tuple[str, ...]
    updated_at: datetime


def space_identity() -> tuple[str, str]:
    """Return the space's name and its address line (empty when not configured)."""
    profile = db.session.scalar(select(SpaceProfile).limit(1))
    if profile is None:
        return DEFAULT_CALENDAR_NAME, ""
    name = profile.short_name or profile.name or DEFAULT_CALENDAR_NAME
    address = ", ".join(part for part in (profile.name, profile.address, profile.city) if part)
    return name, address


def feed_event(event: Event, space_address: str = "") -> FeedEvent:
    """Return the published form of an event (venue partner loaded)."""
    return FeedEvent(
        id=event.id,
        title=event.title,
        start=event.starts_at,
        end=event.ends_at,
        all_day=event.all_day,
        location=programme.display_location(event, space_address) or None,
        description=event.description or None,
        url=event.url,
        kind=event.kind,
        external_uid=event.external_uid,
        external_recurrence_id=event.external_recurrence_id or None,
        is_public=event.is_public,
        hashtags=tuple(event.hashtags.split()),
        updated_at=event.updated_at,
    )


def default_start(today: date | None = None) -> date:
    """Return the default start of the feeds: the same day twelve months ago."""
    today = today or local_today()
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def public_events(start: date | None, end: date | None) -> list[FeedEvent]:
    """Return the public, not cancelled events of the period, oldest first."""
    _name, address = space_identity()
    events = db.session.scalars(
        select(Event)
        .where(
            Event.is_public,
            Event.cancelled == false(),
            programme.period_condition(start, end),
        )
        .options(*programme.list_options())
        .order_by(Event.starts_at, Event.id)
    )
    return [feed_event(event, address) for event in events]


def kind_labels(locale: str = "fr") -> dict[str, str]:
    """Return the labels of every kind (admins' kinds included)."""
    return {
        kind.slug: event_kinds.kind_label(kind, locale)
        for kind in db.session.scalars(select(EventKind))
    }


def last_modified(events: Iterable[FeedEvent]) -> datetime | None:
    """Return the latest change among the events, to the second."""
    latest = max((event.updated_at for event in events), default=None)
    return latest.replace(microsecond=0) if latest else None


def calendar_bytes(
    events: Iterable[FeedEvent], url_for_event: Callable[[Any], str] | None, host: str
) -> bytes:
    """Return the events as an iCalendar file named after the space."""
    name, _address = space_identity()
    return build_calendar(
        events,
        calendar_name=name,
        url_for_event=url_for_event,
        uid_domain=host or "coworking.invalid",
        kind_labels=kind_labels(),
        now=_stamp(events),
    )


def _stamp(events: Iterable[FeedEvent]) -> datetime:
    # A stable DTSTAMP keeps the body (and its ETag) stable while nothing changes.
    return last_modified(events) or datetime(2000, 1, 1, tzinfo=UTC)


def api_event(event: FeedEvent, labels: dict[str, str]) -> dict[str, Any]:
    """Return the JSON object of one event (ISO 8601 times with their offset)."""
    # Always datetimes with their offset; an all-day event runs from midnight to the
    # midnight after its last day (exclusive end, as in iCalendar).
    start_text = event.start.astimezone(space_zone()).isoformat()
    end_text = (event.end or event.start).astimezone(space_zone()).isoformat()
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "kind_label": labels.get(event.kind or "", event.kind),
        "start": start_text,
        "end": end_text,
        "all_day": event.all_day,
        "location": event.location,
        "url": event.url,
        "description": event.description or "",
        "hashtags": list(event.hashtags),
    }
