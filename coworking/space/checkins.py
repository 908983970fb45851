"""Check-ins: the coworking attendance log (one visit per member per day).

Services flush and never commit. A second check-in of a member on the same day is the
same visit: the existing row is returned, also when two kiosks race (unique constraint).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from coworking.audit import services as audit
from coworking.dates import today
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.members.models import Member, Membership
from coworking.members.services import counts_card_days
from coworking.space.models import CheckIn

DURATIONS = ("full", "half")


class CheckInError(ServiceError):
    """A user-caused problem with a check-in, with a translated message and a field."""


def duration_labels() -> dict[str, str]:
    return {"full": _("Journée"), "half": _("Demi-journée")}


def _check_duration(duration: str) -> str:
    if duration not in DURATIONS:
        raise CheckInError(_("Durée inconnue : journée ou demi-journée."), "duration")
    return duration


def existing_check_in(member_id: int, day: dt.date) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(CheckIn.member_id == member_id, CheckIn.day == day)
    )


def check_in_member(
    member: Member, *, duration: str = "full", day: dt.date | None = None, by: str | None = None
) -> tuple[CheckIn, bool]:
    """Record a member's visit; return it and whether it is new (False: already in)."""
    _check_duration(duration)
    day = day or today()
    if member.erased_at is not None:
        raise CheckInError(_("Ce membre a été effacé."), "member_id")
    found = existing_check_in(member.id, day)
    if found is not None:
        return found, False
    check_in = CheckIn(member_id=member.id, day=day, duration=duration, created_by=by)
    try:
        # A savepoint: when another kiosk inserted the same visit first, only this insert
        # is undone and the visit already recorded is returned.
        with db.session.begin_nested():
            db.session.add(check_in)
    except IntegrityError:
        found = existing_check_in(member.id, day)
        if found is None:
            raise
        return found, False
    audit.record("checkin.create", check_in, f"membre {member.id}")
    return check_in, True


def check_in_visitor(
    name: str, *, duration: str = "full", day: dt.date | None = None, by: str | None = None
) -> CheckIn:
    """Record the visit of a one-off visitor known only by a name."""
    _check_duration(duration)
    name = " ".join((name or "").split())
    if not name:
        raise CheckInError(_("Donnez le nom du visiteur."), "visitor_name")
    if len(name) > 200:
        raise CheckInError(_("Nom trop long (200 caractères au plus)."), "visitor_name")
    check_in = CheckIn(visitor_name=name, day=day or today(), duration=duration, created_by=by)
    db.session.add(check_in)
    db.session.flush()
    audit.record("checkin.create", check_in, "visiteur")
    return check_in


def undo_check_in(check_in: CheckIn) -> None:
    """Delete a check-in recorded by mistake."""
    audit.record("checkin.delete", check_in, str(check_in.day))
    db.session.delete(check_in)
    db.session.flush()


def check_ins_on(day: dt.date) -> list[tuple[CheckIn, Member | None]]:
    """Return the day's check-ins with their member, latest first (one query)."""
    rows = db.session.execute(
        select(CheckIn, Member)
        .outerjoin(Member, Member.id == CheckIn.member_id)
        .where(CheckIn.day == day)
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
    )
    return [(row[0], row[1]) for row in rows]


def checked_in_member_ids(day: dt.date, member_ids: list[int]) -> set[int]:
    if not member_ids:
        return set()
    return set(
        db.session.scalars(
            select(CheckIn.member_id).where(CheckIn.day == day, CheckIn.member_id.in_(member_ids))
        )
    )


@dataclass
class MonthDay:
    day: dt.date
    in_month: bool
    visits: int = 0
    half_days: int = 0

    @property
    def visitor_days(self) -> int:
        """Return the visitor-days: one check-in is one, half day or full day.

        The same definition as the indicator ``checkins_visitor_days`` (stats).
        """
        return self.visits


def month_calendar(year: int, month: int) -> list[list[MonthDay]]:
    """Return the weeks (Monday first) of a month with visit counts per day (one query)."""
    first = dt.date(year, month, 1)
    start = first - dt.timedelta(days=first.weekday())
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    end = next_month + dt.timedelta(days=(7 - next_month.weekday()) % 7)
    half = db.case((CheckIn.duration == "half", 1), else_=0)
    counts: dict[Any, tuple[int, int]] = {
        row[0]: (int(row[1]), int(row[2] or 0))
        for row in db.session.execute(
            select(CheckIn.day, func.count(), func.sum(half))
            .where(CheckIn.day >= first, CheckIn.day < next_month)
            .group_by(CheckIn.day)
        )
    }
    weeks: list[list[MonthDay]] = []
    day = start
    while day < end:
        week = []
        for _offset in range(7):
            visits, half_days = counts.get(day, (0, 0))
            week.append(MonthDay(day, day.month == month, visits, half_days))
            day += dt.timedelta(days=1)
        weeks.append(week)
    return weeks


def member_visits(member_id: int, limit: int = 30) -> tuple[int, list[CheckIn]]:
    """Return the member's number of visits and the latest ones."""
    total = db.session.scalar(
        select(func.count()).select_from(CheckIn).where(CheckIn.member_id == member_id)
    )
    latest = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.member_id == member_id)
        .order_by(CheckIn.day.desc())
        .limit(limit)
    ).all()
    return total or 0, list(latest)


def check_in_json(check_in: CheckIn, member: Member | None = None) -> dict[str, Any]:
    """Return a check-in as the API shows it."""
    data: dict[str, Any] = {
        "id": check_in.id,
        "day": check_in.day.isoformat(),
        "duration": check_in.duration,
        "member_id": check_in.member_id,
        "visitor_name": check_in.visitor_name,
        "created_at": check_in.created_at.isoformat() if check_in.created_at else None,
    }
    if member is not None:
        data["member_name"] = member.full_name
    return data


def card_days_used(cards: list[Membership]) -> dict[int, float]:
    """Return the days used of 10-day cards, by membership id: a day per full-day check-in and
    half a day per half-day one, within the card's validity (one query for all the cards)."""
    weight = case((CheckIn.duration == "half", 0.5), else_=1.0)
    rows = db.session.execute(
        select(Membership.id, func.coalesce(func.sum(weight), 0))
        .join(
            CheckIn,
            and_(
                CheckIn.member_id == Membership.member_id,
                CheckIn.day >= Membership.starts_on,
                CheckIn.day <= Membership.ends_on,
            ),
        )
        .where(Membership.id.in_([card.id for card in cards]))
        .group_by(Membership.id)
    )
    return {membership_id: float(days) for membership_id, days in rows}


counts_card_days(card_days_used)
