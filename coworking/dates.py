"""Days in the space's time zone, calendar arithmetic, and the range of dates users may type.

The space lives in one time zone (``COWORKING_TIMEZONE``, Europe/Paris by default): its
« today », its midnights and its months are computed here and nowhere else. Datetimes are
stored in UTC; a day becomes the UTC instant of its local midnight with `local_midnight_utc`.

Python dates stop at year 9999 and UTC conversions overflow near both ends, so a
date typed in a form, a query string or an imported file is bounded to years 1900 to
2200 here before anything computes with it (months added, midnight in UTC, a series of
dates). Errors carry a French msgid and the name of the field.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from coworking.errors import ServiceError

__all__ = [
    "DEFAULT_TIMEZONE",
    "MAX_YEAR",
    "MIN_YEAR",
    "DateRangeError",
    "YearInRange",
    "add_months",
    "add_years",
    "check_year",
    "local_midnight_utc",
    "month_end",
    "now_local",
    "parse_iso_date",
    "space_zone",
    "to_local",
    "today",
]

MIN_YEAR = 1900
MAX_YEAR = 2200
DEFAULT_TIMEZONE = "Europe/Paris"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def space_zone() -> ZoneInfo:
    """Return the space's time zone: ``COWORKING_TIMEZONE``, Europe/Paris by default."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("COWORKING_TIMEZONE") or DEFAULT_TIMEZONE
    return _zone(name)


def now_local() -> datetime:
    """Return the current time, aware, in the space's time zone."""
    return datetime.now(UTC).astimezone(space_zone())


def today() -> date:
    """Return the space's date today."""
    return now_local().date()


def to_local(value: datetime) -> datetime:
    """Return an aware datetime in the space's time zone (a naive one is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(space_zone())


def local_midnight_utc(day: date) -> datetime:
    """Return the UTC instant of 00:00 on this day in the space's time zone."""
    return datetime.combine(day, time(0), tzinfo=space_zone()).astimezone(UTC)


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), kept within the month: 31 Jan + 1 → 28 Feb."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """Return the same day ``years`` later (or earlier): 29 February becomes 28 February."""
    return add_months(day, 12 * years)


D = TypeVar("D", date, datetime)

OUT_OF_RANGE = "L'année doit être comprise entre %(min)s et %(max)s."
INVALID = "Date invalide (AAAA-MM-JJ attendu)."


class DateRangeError(ServiceError):
    """A date that cannot be used: a French msgid and the field it came from."""

    def __init__(self, msgid: str, field: str) -> None:
        super().__init__(_l(msgid, min=MIN_YEAR, max=MAX_YEAR), field)
        self.msgid = msgid


def in_range(day: date | datetime) -> bool:
    """Tell whether the year of this date is within MIN_YEAR..MAX_YEAR."""
    return MIN_YEAR <= day.year <= MAX_YEAR


def check_year(day: D, field: str) -> D:
    """Return the date unchanged, or raise DateRangeError if its year is out of range."""
    if not in_range(day):
        raise DateRangeError(OUT_OF_RANGE, field)
    return day


def parse_iso_date(text: str | None, field: str) -> date | None:
    """Read ``AAAA-MM-JJ`` (None for an empty value), bounded to MIN_YEAR..MAX_YEAR."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise DateRangeError(INVALID, field) from None
    return check_year(day, field)


class YearInRange:
    """WTForms validator: the date's year is within MIN_YEAR..MAX_YEAR."""

    def __call__(self, form: object, field: object) -> None:
        data = getattr(field, "data", None)
        if isinstance(data, date) and not in_range(data):
            raise ValidationError(_l(OUT_OF_RANGE, min=MIN_YEAR, max=MAX_YEAR))
