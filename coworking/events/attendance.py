"""Attendance: registrations within the capacity, a waiting list, the roll call, first visits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coworking.audit import services as audit
from coworking.collation import sort_key
from coworking.csvio import fold_text
from coworking.database import utcnow
from coworking.errors import ServiceError
from coworking.events.models import Attendance, Event
from coworking.extensions import db
from coworking.members.models import Member

REGISTERED = "registered"
WAITING = "waiting"
ATTENDED = "attended"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
STATUSES = (REGISTERED, WAITING, ATTENDED, NO_SHOW, CANCELLED)
# Counted against the capacity: people holding a place.
HOLDING_PLACE = (REGISTERED, ATTENDED)
MAX_GUEST_NAME = 200
MAX_HEADCOUNT = 100_000
SEARCH_LIMIT = 10


class AttendanceError(ServiceError):
    """A roll-call change refused, with a French message and the field concerned."""


def places_held(event_id: int) -> int:
    """Return how many people hold a place (registered or attended)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Attendance)
            .where(Attendance.event_id == event_id, Attendance.status.in_(HOLDING_PLACE))
        )
        or 0
    )


def roll_call(event: Event) -> list[Attendance]:
    """Return the people on an event's list, members loaded, waiting list in its order."""
    order = {REGISTERED: 0, ATTENDED: 0, NO_SHOW: 0, WAITING: 1, CANCELLED: 2}
    rows = db.session.scalars(
        select(Attendance)
        .where(Attendance.event_id == event.id)
        .options(selectinload(Attendance.member))
        .order_by(Attendance.registered_at, Attendance.id)
    ).all()
    return sorted(
        rows,
        key=lambda row: (order.get(row.status, 3), sort_key(display_name(row)), row.id),
    )


def display_name(attendance: Attendance) -> str:
    """Return the name of the person on the list."""
    if attendance.member is not None:
        return attendance.member.full_name or _("(membre sans nom)")
    return attendance.guest_name or _("(invité)")


def _status_for_new_place(event: Event) -> str:
    if event.capacity is not None and places_held(event.id) >= event.capacity:
        return WAITING
    return REGISTERED


def add_member(event: Event, member: Member, *, attended: bool = False) -> Attendance:
    """Put a member on the list: present now (roll call), or registered / waiting."""
    if member.erased_at is not None:
        raise AttendanceError(_("Ce membre a été effacé."), "member")
    attendance = db.session.scalar(
        select(Attendance).where(Attendance.event_id == event.id, Attendance.member_id == member.id)
    )
    if attendance is not None and attendance.status != CANCELLED:
        if attended and attendance.status != ATTENDED:
            return set_status(attendance, ATTENDED)
        raise AttendanceError(_("%(name)s est déjà sur la liste.", name=member.full_name), "member")
    status = ATTENDED if attended else _status_for_new_place(event)
    if attendance is None:
        attendance = Attendance(event=event, member=member, status=status)
        db.session.add(attendance)
    else:
        attendance.status = status
        attendance.registered_at = utcnow()
    db.session.flush()
    refresh_first_visit(attendance)
    audit.record(f"attendance.{status}", attendance, f"{member.full_name} · {event.title}")
    return attendance


def add_guest(event: Event, name: str, *, attended: bool = True) -> Attendance:
    """Put a named guest (not a member) on the list."""
    name = " ".join((name or "").split())
    if not name:
        raise AttendanceError(_("Indiquez le nom de l'invité."), "guest_name")
    if len(name) > MAX_GUEST_NAME:
        raise AttendanceError(
            _("Nom trop long (%(max)s caractères au plus).", max=MAX_GUEST_NAME), "guest_name"
        )
    status = ATTENDED if attended else _status_for_new_place(event)
    attendance = Attendance(event=event, guest_name=name, status=status)
    db.session.add(attendance)
    db.session.flush()
    refresh_first_visit(attendance)
    audit.record(f"attendance.{status}", attendance, f"{name} · {event.title}")
    return attendance


def set_status(attendance: Attendance, status: str) -> Attendance:
    """Mark someone attended, no-show, registered or cancelled (a cancel frees a place)."""
    if status not in STATUSES:
        raise AttendanceError(_("État de présence inconnu."), "status")
    event = attendance.event
    previous = attendance.status
    if previous == status:
        return attendance
    if status == REGISTERED and previous not in HOLDING_PLACE:
        status = _status_for_new_place(event)
    attendance.status = status
    db.session.flush()
    if previous in (ATTENDED,) or status == ATTENDED:
        refresh_first_visit(attendance)
    if previous in HOLDING_PLACE and status not in HOLDING_PLACE:
        promote_waiting(event)
    audit.record(f"attendance.{status}", attendance, f"{display_name(attendance)} · {event.title}")
    return attendance


def cancel(attendance: Attendance) -> Attendance:
    """Cancel a registration; the first person waiting takes the place."""
    return set_status(attendance, CANCELLED)


def promote_waiting(event: Event) -> list[Attendance]:
    """Move people up from the waiting list while places are free, first come first served."""
    if event.id is None:
        return []
    free = None if event.capacity is None else event.capacity - places_held(event.id)
    if free is not None and free <= 0:
        return []
    query = (
        select(Attendance)
        .where(Attendance.event_id == event.id, Attendance.status == WAITING)
        .order_by(Attendance.registered_at, Attendance.id)
    )
    if free is not None:
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for attendance in promoted:
        attendance.status = REGISTERED
        audit.record("attendance.promoted", attendance, event.title)
    db.session.flush()
    return promoted


def set_headcount(event: Event, headcount: int | None) -> None:
    """Record how many came to an open event where names were not taken."""
    if headcount is not None and not 0 <= headcount <= MAX_HEADCOUNT:
        raise AttendanceError(_("Effectif invalide."), "headcount")
    event.headcount = headcount
    db.session.flush()
    audit.record("event.headcount", event, f"{event.title} : {headcount}")


def refresh_first_visit(attendance: Attendance) -> None:
    """Flag the earliest attended event of this person (member, or guest by name) only."""
    query = (
        select(Attendance)
        .join(Event, Attendance.event_id == Event.id)
        .where(Attendance.status == ATTENDED)
        .order_by(Event.starts_at, Attendance.id)
    )
    if attendance.member_id is not None:
        query = query.where(Attendance.member_id == attendance.member_id)
    elif attendance.guest_name:
        query = query.where(
            Attendance.member_id.is_(None),
            func.lower(Attendance.guest_name) == attendance.guest_name.lower(),
        )
    else:
        return
    attended = list(db.session.scalars(query))
    for position, row in enumerate(attended):
        row.first_visit = position == 0
    if attendance.status != ATTENDED:
        attendance.first_visit = False
    db.session.flush()


def search_members(text: str, limit: int = SEARCH_LIMIT) -> list[Member]:
    """Return members whose names, e-mail, handles or organisation contain every word typed."""
    words = fold_text(text or "").split()
    if not words:
        return []
    query = select(Member).where(Member.erased_at.is_(None))
    for word in words[:5]:
        query = query.where(Member.search_text.like(f"%{word}%"))
    return list(db.session.scalars(query.order_by(Member.sort_name, Member.id).limit(limit)))
