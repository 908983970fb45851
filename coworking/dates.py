"""The range of dates users may type: years 1900 to 2200.

Python dates stop at year 9999 and UTC conversions overflow near both ends, so a
date typed in a form, a query string or an imported file is bounded here before
anything computes with it (months added, Paris midnight in UTC, a series of
dates). Errors carry a French msgid and the name of the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from flask import has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

__all__ = ["MAX_YEAR", "MIN_YEAR", "DateRangeError", "YearInRange", "check_year", "parse_iso_date"]

MIN_YEAR = 1900
MAX_YEAR = 2200

D = TypeVar("D", date, datetime)

OUT_OF_RANGE = "L'année doit être comprise entre %(min)s et %(max)s."
INVALID = "Date invalide (AAAA-MM-JJ attendu)."


class DateRangeError(ValueError):
    """A date that cannot be used: a French msgid and the field it came from."""

    def __init__(self, msgid: str, field: str) -> None:
        super().__init__(msgid % {"min": MIN_YEAR, "max": MAX_YEAR})
        self.msgid = msgid
        self.field = field

    @property
    def message(self) -> str:
        """Return the message in the user's language (French outside an application)."""
        if has_app_context():
            return gettext(self.msgid, min=MIN_YEAR, max=MAX_YEAR)
        return str(self)


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
