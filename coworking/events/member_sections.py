"""The events' card on a member's page: the events they attended."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from coworking.events.models import Attendance, Event
from coworking.extensions import db
from coworking.members.models import Member
from coworking.members.page_sections import member_page_section

LISTED = 50


def attended_card(member: Member) -> dict[str, Any]:
    """Return the latest events the member attended, with their attendance."""
    attended = db.session.execute(
        select(Attendance, Event)
        .join(Event, Event.id == Attendance.event_id)
        .where(Attendance.member_id == member.id, Attendance.status == "attended")
        .order_by(Event.starts_at.desc())
        .limit(LISTED)
    ).all()
    return {"attended": attended}


member_page_section("events/_member_events.html", attended_card, position=20)
