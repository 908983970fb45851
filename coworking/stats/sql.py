"""SQL building blocks shared by the indicators, the monthly series and the mixes.

Everything here works the same on SQLite and PostgreSQL. Months are Paris
months: rather than asking each database to convert UTC to Europe/Paris (SQLite
cannot), a small derived table lists the months of the period with their bounds
as dates and as UTC instants, and rows are joined to it by range.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Subquery

from coworking.database import UTCDateTime
from coworking.dates import local_midnight_utc
from coworking.events.models import Attendance, Event
from coworking.extensions import db
from coworking.members.models import Membership
from coworking.periods import Month, Period
from coworking.space.models import CheckIn


def dialect_name() -> str:
    """Return the name of the database in use (``sqlite`` or ``postgresql``)."""
    return db.session.get_bind().dialect.name


def membership_covers(period: Period) -> ColumnElement[bool]:
    """Return the condition: a membership covers at least one day of the period."""
    return and_(Membership.starts_on <= period.end, Membership.ends_on >= period.start)


def events_held(period: Period) -> ColumnElement[bool]:
    """Return the condition: an event starts in the period and is not cancelled."""
    start, end = period.utc_bounds()
    return and_(Event.starts_at >= start, Event.starts_at < end, Event.cancelled.is_(False))


def checkins_in(period: Period) -> ColumnElement[bool]:
    return CheckIn.day.between(period.start, period.end)


def attendee_key() -> ColumnElement[str]:
    """Return who attended: a member, a named guest (by folded name), or an unnamed guest."""
    return case(
        (Attendance.member_id.is_not(None), literal("m") + cast(Attendance.member_id, String)),
        (
            and_(Attendance.guest_name.is_not(None), func.trim(Attendance.guest_name) != ""),
            literal("g") + func.lower(func.trim(Attendance.guest_name)),
        ),
        else_=literal("a") + cast(Attendance.id, String),
    )


def visitor_key() -> ColumnElement[str]:
    """Return who visited: a member, a one-off visitor by folded name, or an unnamed visitor."""
    return case(
        (CheckIn.member_id.is_not(None), literal("m") + cast(CheckIn.member_id, String)),
        (
            and_(CheckIn.visitor_name.is_not(None), func.trim(CheckIn.visitor_name) != ""),
            literal("v") + func.lower(func.trim(CheckIn.visitor_name)),
        ),
        else_=literal("a") + cast(CheckIn.id, String),
    )


def clipped_months(period: Period) -> list[tuple[Month, date, date]]:
    """Return each month of the period with its first and last day inside the period."""
    return [
        (month, max(month.first_day, period.start), min(month.last_day, period.end))
        for month in period.months()
    ]


def months_table(period: Period) -> Subquery:
    """Return a derived table of the period's months, clipped to the period.

    Columns: ``month`` (``YYYY-MM``), ``first_day`` and ``last_day`` (dates),
    ``next_day`` (the day after ``last_day``), ``start_utc`` and ``end_utc``
    (the Paris-midnight bounds as UTC instants, end excluded).
    """
    selects = []
    for month, first, last in clipped_months(period):
        after = last + timedelta(days=1)
        selects.append(
            select(
                literal(month.key, String).label("month"),
                literal(first, Date).label("first_day"),
                literal(last, Date).label("last_day"),
                literal(after, Date).label("next_day"),
                literal(local_midnight_utc(first), UTCDateTime()).label("start_utc"),
                literal(local_midnight_utc(after), UTCDateTime()).label("end_utc"),
            )
        )
    if len(selects) == 1:
        return selects[0].subquery("months")
    return union_all(*selects).subquery("months")


def weekday_of(column: Any) -> ColumnElement[int]:
    """Return the weekday of a date column, 0 = Sunday … 6 = Saturday, on either database."""
    if dialect_name() == "sqlite":
        return cast(func.strftime("%w", column), Integer)
    return cast(extract("dow", column), Integer)


def overlaps(start_column: Any, end_column: Any, period: Period) -> ColumnElement[bool]:
    """Return: [start_column, end_column] (NULL = open) overlaps the period."""
    return and_(
        or_(start_column.is_(None), start_column <= period.end),
        or_(end_column.is_(None), end_column >= period.start),
    )
