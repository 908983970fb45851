"""The programme: the list of events, its filters and periods, the month grid, what comes next."""

from __future__ import annotations

import calendar as pycalendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from coworking.database import utcnow
from coworking.dates import MAX_YEAR, MIN_YEAR, DateRangeError, check_year
from coworking.events.errors import EventError
from coworking.events.models import Attendance, Event
from coworking.events.services import (
    ISO_DATE,
    local_datetime,
    local_span,
    midnight_after,
)
from coworking.extensions import db
from coworking.ids import parse_id

# --- the list ------------------------------------------------------------------------------------


@dataclass
class EventFilters:
    """Filters of the event list: period (Paris dates, inclusive), kind, public, venue."""

    start: date | None = None
    end: date | None = None
    kind: str = ""
    public: str = ""  # "", "1" public, "0" members only
    venue: str = ""  # "", "space", or a partner id
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """Return the filters as query-string arguments (empty ones left out)."""
        values = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "kind": self.kind,
            "public": self.public,
            "venue": self.venue,
        }
        return {key: value for key, value in values.items() if value}


def parse_date(value: str | None) -> date | None:
    """Return an ISO date (YYYY-MM-DD), None when empty; ValueError when malformed.

    Years outside coworking.dates' range raise DateRangeError (a ValueError).
    """
    value = (value or "").strip()
    if not value:
        return None
    if not ISO_DATE.match(value):
        raise ValueError(value)
    return check_year(date.fromisoformat(value), "date")


def parse_period(args: Any) -> tuple[date | None, date | None]:
    """Return the ?from=&to= period; EventError for a malformed or reversed range."""
    try:
        start = parse_date(args.get("from"))
    except DateRangeError as error:
        raise EventError(_("Date de début : %(error)s", error=error.message), "from") from None
    except ValueError:
        raise EventError(_("Date de début invalide (AAAA-MM-JJ attendu)."), "from") from None
    try:
        end = parse_date(args.get("to"))
    except DateRangeError as error:
        raise EventError(_("Date de fin : %(error)s", error=error.message), "to") from None
    except ValueError:
        raise EventError(_("Date de fin invalide (AAAA-MM-JJ attendu)."), "to") from None
    if start and end and end < start:
        raise EventError(_("La période est inversée : « to » est avant « from »."), "to")
    return start, end


def parse_filters(args: Any) -> EventFilters:
    """Read the list filters from the query string; bad values are reported, not fatal."""
    filters = EventFilters(
        kind=(args.get("kind") or "").strip()[:32],
        public=args.get("public") if args.get("public") in ("0", "1") else "",
        venue=(args.get("venue") or "").strip(),
    )
    try:
        filters.start, filters.end = parse_period(args)
    except EventError as error:
        filters.errors[error.field or "from"] = error.message
    if filters.venue not in ("", "space") and parse_id(filters.venue) is None:
        filters.venue = ""
    return filters


def period_condition(start: date | None, end: date | None) -> Any:
    """Return the SQL condition of events overlapping the Paris dates (inclusive)."""
    # Users' dates are bounded when parsed (parse_period); dates computed from them (a
    # month grid's first Monday) may step just outside: clamp them, no event lies beyond.
    conditions = []
    if start is not None:
        start = max(start, date(MIN_YEAR, 1, 1))
        conditions.append(Event.ends_at > local_datetime(start, None, date_field="from"))
    if end is not None:
        end = min(end, date(MAX_YEAR, 12, 31))
        conditions.append(Event.starts_at < midnight_after(end))
    return and_(*conditions) if conditions else and_(True)


def filtered_query(filters: EventFilters) -> Select[Any]:
    """Return the select of events matching the filters (no order, no loading options)."""
    query = select(Event).where(period_condition(filters.start, filters.end))
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.public:
        query = query.where(Event.is_public == (filters.public == "1"))
    if filters.venue == "space":
        query = query.where(Event.venue_partner_id.is_(None))
    elif filters.venue:
        query = query.where(Event.venue_partner_id == parse_id(filters.venue))
    return query


def list_options() -> list[Any]:
    """Loading options for showing events in lists (constant number of queries)."""
    return [
        selectinload(Event.kind_ref),
        selectinload(Event.venue_partner),
        selectinload(Event.partners),
    ]


def attendance_counts(event_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Return {event id: {status: count}} in one query."""
    if not event_ids:
        return {}
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(Attendance.event_id, Attendance.status, func.count())
        .where(Attendance.event_id.in_(list(event_ids)))
        .group_by(Attendance.event_id, Attendance.status)
    )
    for event_id, status, count in rows:
        counts.setdefault(event_id, {})[status] = count
    return counts


def month_grid(year: int, month: int) -> list[list[date]]:
    """Return the weeks (Monday first) covering a month."""
    return pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def events_by_day(events: Iterable[Event], first: date, last: date) -> dict[date, list[Event]]:
    """Place events on each Paris day they cover, within first..last."""
    days: dict[date, list[Event]] = {}
    for event in events:
        start_day, _start, end_day, _end = local_span(event)
        day = max(start_day, first)
        while day <= min(end_day, last):
            days.setdefault(day, []).append(event)
            day += timedelta(days=1)
    return days


def display_location(event: Event, space_name: str = "") -> str:
    """Return where the event happens, as a line of text."""
    if event.location:
        return event.location
    if event.venue_partner is not None:
        partner = event.venue_partner
        return ", ".join(part for part in (partner.name, partner.address) if part)
    return space_name


def upcoming_events(limit: int) -> list[Event]:
    """Return the next events not cancelled, soonest first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.starts_at >= utcnow(), Event.cancelled.is_(False))
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )
