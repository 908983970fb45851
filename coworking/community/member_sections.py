"""The community's card on a member's page: the outcomes they are part of."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from coworking.community.models import Outcome, outcome_member
from coworking.extensions import db
from coworking.members.models import Member
from coworking.members.page_sections import member_page_section


def outcomes_card(member: Member) -> dict[str, Any]:
    """Return the outcomes the member is part of, latest first."""
    outcomes = db.session.scalars(
        select(Outcome)
        .join(outcome_member, outcome_member.c.outcome_id == Outcome.id)
        .where(outcome_member.c.member_id == member.id)
        .order_by(Outcome.happened_on.desc())
    ).all()
    return {"outcomes": outcomes}


member_page_section("community/_member_outcomes.html", outcomes_card, position=30)
