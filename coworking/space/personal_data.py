"""What the front desk holds about members: their visits (registered with members' GDPR)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from coworking.audit import services as audit
from coworking.extensions import db
from coworking.members.models import Member
from coworking.members.personal_data import NameMatcher, holds_personal_data, iso
from coworking.space.models import CheckIn


def export_visits(member: Member) -> list[dict[str, Any]]:
    """Return the member's visits for their GDPR export."""
    return [
        {"day": iso(c.day), "duration": c.duration, "recorded_at": iso(c.created_at)}
        for c in db.session.scalars(
            select(CheckIn).where(CheckIn.member_id == member.id).order_by(CheckIn.day)
        )
    ]


def erase_visitor_names(member: Member, matcher: NameMatcher) -> None:
    """Clear the one-off visitors typed with the erased member's full name."""
    visitors = matcher.clear_full_names(CheckIn, CheckIn.visitor_name)
    audit.forget_objects("check_in", visitors)


holds_personal_data("visits", export=export_visits, erase=erase_visitor_names)
