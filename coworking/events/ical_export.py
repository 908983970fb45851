"""Build an RFC 5545 iCalendar feed (VCALENDAR bytes) from our events."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import icalendar

from coworking.dates import space_zone
from coworking.kinds import EVENT_KIND_LABELS

PRODID = "-//coworking//Agenda//FR"
DEFAULT_UID_DOMAIN = "coworking.invalid"
REFRESH_INTERVAL = timedelta(hours=1)

# EU rules in force since 1996, as Google Calendar, Thunderbird and Meetup write them.
PARIS_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Paris\r\n"
    "X-LIC-LOCATION:Europe/Paris\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "TZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


class ExportableEvent(Protocol):
    """What the exporter reads from an event (the SQLAlchemy model or a dataclass)."""

    @property
    def id(self) -> Any: ...
    @property
    def title(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime | None: ...
    @property
    def all_day(self) -> bool: ...
    @property
    def location(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def external_uid(self) -> str | None: ...
    @property
    def is_public(self) -> bool: ...


def build_calendar(
    events: Iterable[ExportableEvent],
    *,
    calendar_name: str,
    url_for_event: Callable[[ExportableEvent], str] | None = None,
    uid_domain: str = DEFAULT_UID_DOMAIN,
    kind_labels: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> bytes:
    """Return a VCALENDAR (bytes, CRLF, folded) with one VEVENT per event."""
    stamp = _as_utc(now or datetime.now(UTC))
    labels = {**EVENT_KIND_LABELS, **(kind_labels or {})}
    calendar = _new_calendar(calendar_name)
    seen_uids: set[str] = set()
    for event in events:
        uid = event_uid(event, uid_domain, seen_uids)
        seen_uids.add(uid)
        calendar.add_component(_vevent(event, uid, stamp, labels, url_for_event))
    return calendar.to_ical()


def event_uid(event: ExportableEvent, uid_domain: str, taken: Collection[str] = frozenset()) -> str:
    """Return the external UID if it names this event alone, else our own UID."""
    external = (event.external_uid or "").strip()
    is_occurrence = getattr(event, "external_recurrence_id", None) is not None
    if external and not is_occurrence and external not in taken:
        return external
    return f"event-{event.id}@{uid_domain}"


def space_timezone() -> icalendar.Timezone:
    """Return a new VTIMEZONE component for the space's time zone.

    Europe/Paris is written with its two yearly rules, as calendar applications write it;
    another zone (COWORKING_TIMEZONE) with the transitions icalendar computes.
    """
    zone = space_zone()
    if zone.key != "Europe/Paris":
        return icalendar.Timezone.from_tzid(zone.key)
    timezone = icalendar.Timezone.from_ical(PARIS_VTIMEZONE)
    assert isinstance(timezone, icalendar.Timezone)  # our own constant, one VTIMEZONE
    return timezone


def _new_calendar(calendar_name: str) -> icalendar.Calendar:
    """Return an empty calendar with its headers and the space's VTIMEZONE."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", calendar_name)
    calendar.add("X-WR-CALNAME", calendar_name)
    calendar.add("X-WR-TIMEZONE", space_zone().key)
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH_INTERVAL))
    calendar.add_component(space_timezone())
    return calendar


def _vevent(
    event: ExportableEvent,
    uid: str,
    stamp: datetime,
    labels: Mapping[str, str],
    url_for_event: Callable[[ExportableEvent], str] | None,
) -> icalendar.Event:
    """Return the VEVENT of one event."""
    vevent = icalendar.Event()
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", stamp)
    start, end = _span(event)
    vevent.add("DTSTART", start)
    vevent.add("DTEND", end)
    vevent.add("SUMMARY", event.title)
    for name, value in (
        ("LOCATION", event.location),
        ("DESCRIPTION", event.description),
    ):
        if value and value.strip():
            vevent.add(name, value.strip())
    url = (event.url or "").strip() or (url_for_event(event) if url_for_event else "")
    if url:
        vevent.add("URL", url)
    if event.kind:
        vevent.add("CATEGORIES", [labels.get(event.kind, event.kind)])
    vevent.add("CLASS", "PUBLIC" if event.is_public else "PRIVATE")
    return vevent


def _span(event: ExportableEvent) -> tuple[date, date] | tuple[datetime, datetime]:
    """Return DTSTART and DTEND: Paris dates (end exclusive) or Paris datetimes."""
    start = _as_utc(event.start).astimezone(space_zone())
    end = _as_utc(event.end).astimezone(space_zone()) if event.end is not None else start
    end = max(end, start)
    if not event.all_day:
        return start, end
    first_day = start.date()
    after_last_day = end.date() if end.time() == time() else end.date() + timedelta(days=1)
    return first_day, max(after_last_day, first_day + timedelta(days=1))


def _as_utc(value: datetime) -> datetime:
    """Return an aware UTC datetime (naive values, as SQLite returns them, are UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
