"""Periods of time for the indicators, pages and dossiers: inclusive days in the space's zone.

A period runs from its first day 00:00 to the end of its last day, local time.
Datetimes are stored in UTC, so the bounds are converted to UTC instants
(`utc_bounds`): an event at 23:30 Paris time on the last day is inside, even
though it is already the next day in UTC in winter (22:30 UTC in summer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import request
from flask_babel import lazy_gettext as _l

from coworking.dates import (
    MAX_YEAR,
    MIN_YEAR,
    add_years,
    in_range,
    local_midnight_utc,
    month_end,
)
from coworking.dates import today as local_today
from coworking.errors import ServiceError

__all__ = [
    "MAX_DAYS",
    "PRESETS",
    "Month",
    "Period",
    "PeriodError",
    "period_from_args",
]

# Ten years of history and a little more: enough for any dossier or benchmark.
MAX_DAYS = 366 * 12
PRESETS = ("year", "12m", "last_year")


class PeriodError(ServiceError):
    """A period that cannot be used: the message and the bad field (``from`` by default)."""

    def __init__(self, message: object, field: str = "from") -> None:
        super().__init__(message, field)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month (Paris time)."""

    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return month_end(self.year, self.month)

    @property
    def key(self) -> str:
        """Return ``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), self.month % 12 + 1)


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included (Europe/Paris days)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise PeriodError(_l("Les dates de début et de fin sont obligatoires."))
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise PeriodError(_l("Une période se donne en jours, pas en heures."))
        if self.end < self.start:
            raise PeriodError(_l("La date de fin précède la date de début."), "to")
        if self.days > MAX_DAYS:
            raise PeriodError(_l("La période dépasse douze ans."), "to")

    # -- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Period:
        """Read a period from two ISO dates (``2024-01-31``), with French errors."""
        return cls(_parse_day(start, "from"), _parse_day(end, "to"))

    @classmethod
    def this_year(cls, today: date | None = None) -> Period:
        """Return 1 January of this year to today."""
        today = today or local_today()
        return cls(date(today.year, 1, 1), today)

    @classmethod
    def last_12_months(cls, today: date | None = None) -> Period:
        """Return the twelve whole calendar months ending with this one (1 Dec. – 30 Nov.).

        Whole months, so that a monthly chart has twelve full bars and the period reads
        as a year; the current month is counted to its end.
        """
        today = today or local_today()
        first = date(today.year - (today.month < 12), today.month % 12 + 1, 1)
        return cls(first, month_end(today.year, today.month))

    @classmethod
    def last_year(cls, today: date | None = None) -> Period:
        """Return the previous calendar year, 1 January to 31 December."""
        today = today or local_today()
        return cls(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))

    @classmethod
    def preset(cls, name: str, today: date | None = None) -> Period:
        """Return a preset period by name: ``year``, ``12m`` or ``last_year``."""
        builders = {"year": cls.this_year, "12m": cls.last_12_months, "last_year": cls.last_year}
        if name not in builders:
            raise PeriodError(_l("Période prédéfinie inconnue."), "preset")
        return builders[name](today)

    # -- derived values -----------------------------------------------------------------

    @property
    def days(self) -> int:
        """Return the number of days, both ends included."""
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """Return [start, end) as UTC instants: local midnight of start and of the day after end."""
        return local_midnight_utc(self.start), local_midnight_utc(self.end + timedelta(days=1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        """Return the period before this one, of the same length.

        Whole calendar months (a year, a quarter) are compared with the same
        number of whole months just before; a year to date with the same dates a
        year earlier (like for like); any other period with the same number of
        days just before it.
        """
        months = self.months()
        if self.start.day == 1 and self.end == months[-1].last_day:
            count = len(months)
            first = self.start
            for _ in range(count):
                first = (first - timedelta(days=1)).replace(day=1)
            return Period(first, self.start - timedelta(days=1))
        year_to_date = (
            self.start == date(self.start.year, 1, 1) and self.end.year == self.start.year
        )
        if year_to_date:
            return Period(add_years(self.start, -1), add_years(self.end, -1))
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def month_days(self, month: Month) -> tuple[date, date]:
        """Return the first and last days of a month inside the period."""
        return max(month.first_day, self.start), min(month.last_day, self.end)

    def cuts(self, month: Month) -> bool:
        """Tell whether the period holds only part of a month."""
        return self.month_days(month) != (month.first_day, month.last_day)

    def months(self) -> list[Month]:
        """Return the calendar months the period touches, in order."""
        month = Month(self.start.year, self.start.month)
        last = Month(self.end.year, self.end.month)
        result = [month]
        while month < last:
            month = month.next()
            result.append(month)
        return result

    def day_count_by_weekday(self) -> list[int]:
        """Return how many Mondays, Tuesdays… (index 0 = Monday) the period holds."""
        weeks, extra = divmod(self.days, 7)
        counts = [weeks] * 7
        for offset in range(extra):
            counts[(self.start.weekday() + offset) % 7] += 1
        return counts

    def as_dict(self) -> dict[str, object]:
        """Return the JSON form used by the API, the CLI and the dossier snapshot."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days}


def _parse_day(value: str | None, field: str) -> date:
    if value is None or not str(value).strip():
        if field == "from":
            raise PeriodError(_l("La date de début est obligatoire."), field)
        raise PeriodError(_l("La date de fin est obligatoire."), field)
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        shown = str(value)[:20]
        if field == "from":
            raise PeriodError(
                _l("La date de début « %(value)s » n'est pas une date AAAA-MM-JJ.", value=shown),
                field,
            ) from None
        raise PeriodError(
            _l("La date de fin « %(value)s » n'est pas une date AAAA-MM-JJ.", value=shown), field
        ) from None
    if not in_range(day):
        if field == "from":
            raise PeriodError(
                _l(
                    "Date de début : l'année doit être comprise entre %(min)s et %(max)s.",
                    min=MIN_YEAR,
                    max=MAX_YEAR,
                ),
                field,
            )
        raise PeriodError(
            _l(
                "Date de fin : l'année doit être comprise entre %(min)s et %(max)s.",
                min=MIN_YEAR,
                max=MAX_YEAR,
            ),
            field,
        )
    return day


def period_from_args(args: Mapping[str, str] | None = None) -> Period:
    """Read ``from``/``to`` (or ``preset``) from query arguments; this year when absent."""
    args = request.args if args is None else args
    start, end = args.get("from"), args.get("to")
    if start or end:
        return Period.parse(start, end)
    if args.get("preset"):
        return Period.preset(args["preset"])
    return Period.this_year()
