"""The demo space's calendar: France's public holidays, the days it is closed, local times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def easter(year: int) -> date:
    """Return Easter Sunday (Gregorian, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def public_holidays(year: int) -> set[date]:
    """Return France's public holidays of a year."""
    sunday = easter(year)
    return {
        date(year, 1, 1),
        sunday + timedelta(days=1),
        date(year, 5, 1),
        date(year, 5, 8),
        sunday + timedelta(days=39),
        sunday + timedelta(days=50),
        date(year, 7, 14),
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 11, 11),
        date(year, 12, 25),
    }


def is_closed(day: date, holidays: set[date]) -> bool:
    """Tell whether the space is closed: weekends, public holidays, Christmas to New Year."""
    if day.weekday() >= 5 or day in holidays:
        return True
    return (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)


def first_weekday(year: int, month: int, weekday: int) -> date:
    """Return the month's first Monday (0), Tuesday (1)... Sunday (6)."""
    day = date(year, month, 1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def months(start: date, end: date) -> Iterator[tuple[int, int]]:
    """Yield (year, month) from the month of ``start`` to the month of ``end``, inclusive."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def wall_clock(zone: ZoneInfo, day: date, hour: int, minute: int = 0) -> datetime:
    """Return a time on the clocks of this time zone that day, as an aware UTC datetime.

    Not ``local_midnight_utc(day) + timedelta(hours=hour)``: on the two days a year the
    clocks change, that sum is an hour off.
    """
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
