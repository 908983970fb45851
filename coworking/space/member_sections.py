"""The front desk's card on a member's page: their visits."""

from __future__ import annotations

from typing import Any

from coworking.members.models import Member
from coworking.members.page_sections import member_page_section
from coworking.space.checkins import member_visits


def visits_card(member: Member) -> dict[str, Any]:
    """Return the member's number of visits and the latest ones."""
    visit_count, visits = member_visits(member.id)
    return {"visit_count": visit_count, "visits": visits}


member_page_section("space/_member_visits.html", visits_card, position=10)
