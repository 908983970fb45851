"""Periods of time for the indicators: inclusive days, in Europe/Paris.

A period runs from its first day 00:00 to the end of its last day, Paris time.
Datetimes are stored in UTC, so the bounds are converted to UTC instants
(`utc_bounds`): an event at 23:30 Paris time on the last day is inside, even
though it is already the next day in UTC in winter (22:30 UTC in summer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import gettext

from coworking.dates import MAX_YEAR, MIN_YEAR, in_range

__all__ = [
    "MAX_DAYS",
    "PARIS",
    "PRESETS",
    "Month",
    "Period",
    "PeriodError",
    "paris_today",
]

PARIS = ZoneInfo("Europe/Paris")
# Ten years of history and a little more: enough for any dossier or benchmark.
MAX_DAYS = 366 * 12
PRESETS = ("year", "12m", "last_year")


class PeriodError(ValueError):
    """A period that cannot be used: a French msgid, its parameters and the bad field."""

    def __init__(self, msgid: str, field: str = "from", **params: object) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params
        self.field = field

    @property
    def message(self) -> str:
        """Return the message in the user's language (French outside an application)."""
        if has_app_context():
            return gettext(self.msgid, **self.params)
        return self.msgid % self.params if self.params else self.msgid


def paris_today() -> date:
    """Return today's date in Europe/Paris."""
    return datetime.now(PARIS).date()


def paris_midnight_utc(day: date) -> datetime:
    """Return the UTC instant of 00:00 Paris time on this day."""
    return datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)


def _same_day_years_before(day: date, years: int) -> date:
    """Return the same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


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
        return _month_end(self.year, self.month)

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
            raise PeriodError("Les dates de début et de fin sont obligatoires.")
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise PeriodError("Une période se donne en jours, pas en heures.")
        if self.end < self.start:
            raise PeriodError("La date de fin précède la date de début.", "to")
        if self.days > MAX_DAYS:
            raise PeriodError("La période dépasse douze ans.", "to")

    # -- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Period:
        """Read a period from two ISO dates (``2024-01-31``), with French errors."""
        return cls(_parse_day(start, "from"), _parse_day(end, "to"))

    @classmethod
    def this_year(cls, today: date | None = None) -> Period:
        """Return 1 January of this year to today."""
        today = today or paris_today()
        return cls(date(today.year, 1, 1), today)

    @classmethod
    def last_12_months(cls, today: date | None = None) -> Period:
        """Return the 365 (or 366) days ending today: the same day a year ago excluded."""
        today = today or paris_today()
        return cls(_same_day_years_before(today, 1) + timedelta(days=1), today)

    @classmethod
    def last_year(cls, today: date | None = None) -> Period:
        """Return the previous calendar year, 1 January to 31 December."""
        today = today or paris_today()
        return cls(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))

    @classmethod
    def preset(cls, name: str, today: date | None = None) -> Period:
        """Return a preset period by name: ``year``, ``12m`` or ``last_year``."""
        builders = {"year": cls.this_year, "12m": cls.last_12_months, "last_year": cls.last_year}
        if name not in builders:
            raise PeriodError("Période prédéfinie inconnue.", "preset")
        return builders[name](today)

    # -- derived values -----------------------------------------------------------------

    @property
    def days(self) -> int:
        """Return the number of days, both ends included."""
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """Return [start, end) as UTC instants: Paris midnight of start and of the day after end."""
        return paris_midnight_utc(self.start), paris_midnight_utc(self.end + timedelta(days=1))

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
            return Period(
                _same_day_years_before(self.start, 1), _same_day_years_before(self.end, 1)
            )
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

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
            raise PeriodError("La date de début est obligatoire.", field)
        raise PeriodError("La date de fin est obligatoire.", field)
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        shown = str(value)[:20]
        if field == "from":
            raise PeriodError(
                "La date de début « %(value)s » n'est pas une date AAAA-MM-JJ.", field, value=shown
            ) from None
        raise PeriodError(
            "La date de fin « %(value)s » n'est pas une date AAAA-MM-JJ.", field, value=shown
        ) from None
    if not in_range(day):
        if field == "from":
            raise PeriodError(
                "Date de début : l'année doit être comprise entre %(min)s et %(max)s.",
                field,
                min=MIN_YEAR,
                max=MAX_YEAR,
            )
        raise PeriodError(
            "Date de fin : l'année doit être comprise entre %(min)s et %(max)s.",
            field,
            min=MIN_YEAR,
            max=MAX_YEAR,
        )
    return day
