"""Read the values of iCalendar components: text, lists, starts, ends and instants in UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from icalendar import Component

from coworking.dates import space_zone
from coworking.events.ical_refusal import IcalImportError

LINE_BREAK = re.compile(r"\r\n|\n|\r")


def safe_text(component: Component, name: str) -> str:
    """Return the (first) value of a text property, stripped; empty when absent."""
    value: Any = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return ""
    return str(value).strip()


def as_list(value: Any) -> list[Any]:
    """Return a property's values as a list (icalendar gives a list when repeated)."""
    return value if isinstance(value, list) else [value]


def is_cancelled(component: Component) -> bool:
    """Return whether the event or occurrence has STATUS:CANCELLED."""
    return safe_text(component, "STATUS").upper() == "CANCELLED"


def when(component: Component, name: str) -> Any:
    """Return the value of a date-time property (DTSTART, DTEND, RECURRENCE-ID…).

    Checked when the file is read (ical_checks): a date or a datetime here. icalendar types
    a component's properties as any of its value classes, hence Any.
    """
    return cast(Any, component[name]).dt


def raw_end(component: Component, label: Any) -> date | datetime:
    """Return DTEND, or DTSTART + DURATION, or the RFC 5545 default end."""
    start = when(component, "DTSTART")
    if component.get("DTEND") is not None:
        return when(component, "DTEND")
    duration_prop = component.get("DURATION")
    if duration_prop is not None:
        duration = duration_prop.dt
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            raise IcalImportError(_l("durée (DURATION) invalide ou négative."), label)
        if not isinstance(start, datetime) and duration % timedelta(days=1):
            raise IcalImportError(
                _l("durée en heures pour un événement sur journée entière."), label
            )
        try:
            return start + duration
        except OverflowError:
            raise IcalImportError(_l("durée (DURATION) trop longue."), label) from None
    if isinstance(start, datetime):
        return start
    return start + timedelta(days=1)


def comparable(value: date | datetime) -> datetime:
    """Return a value comparable with any other date or datetime of the file."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=space_zone())
    if value.tzinfo is None:
        return value.replace(tzinfo=space_zone())
    return value


def to_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Return aware UTC (dates: midnight in Paris; floating times: in zone)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=space_zone()).astimezone(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def local_date(value: date | datetime, zone: ZoneInfo) -> date:
    """Return the calendar date of a value, seen in the floating zone."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.date()
    return value.astimezone(zone).date()
