"""What the events hold about members: their attendance (registered with members' GDPR)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from coworking.audit import services as audit
from coworking.events.models import Attendance, Event
from coworking.extensions import db
from coworking.members.models import Member
from coworking.members.personal_data import NameMatcher, holds_personal_data, iso


def export_attendances(member: Member) -> list[dict[str, Any]]:
    """Return the events the member registered for or attended, for their GDPR export."""
    return [
        {
            "event": event.title,
            "starts_at": iso(event.starts_at),
            "status": attendance.status,
            "first_visit": attendance.first_visit,
        }
        for attendance, event in db.session.execute(
            select(Attendance, Event)
            .join(Event, Event.id == Attendance.event_id)
            .where(Attendance.member_id == member.id)
            .order_by(Event.starts_at)
        )
    ]


def erase_attendance_names(member: Member, matcher: NameMatcher) -> None:
    """Clear the names on the erased member's attendance and on guests typed with their name."""
    attendance_ids = list(
        db.session.scalars(select(Attendance.id).where(Attendance.member_id == member.id))
    )
    db.session.execute(
        update(Attendance).where(Attendance.member_id == member.id).values(guest_name=None)
    )
    guests = matcher.clear_full_names(Attendance, Attendance.guest_name)
    audit.forget_objects("attendance", attendance_ids + guests)


holds_personal_data("attendances", export=export_attendances, erase=erase_attendance_names)
