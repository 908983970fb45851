"""Factories for members, plans, memberships and check-ins (add and flush)."""

from __future__ import annotations

import datetime as dt

from coworking.dates import today
from coworking.extensions import db
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.members.services import member_search_text
from coworking.space.models import CheckIn
from tests.factories import next_number


def make_member(**fields) -> Member:
    number = next_number()
    values = {
        "first_name": f"Prénom{number}",
        "last_name": f"Nom{number}",
        "email": f"membre{number}@example.org",
        "profession_category": "independant",
        "joined_on": dt.date(2023, 1, 1),
    }
    values.update(fields)
    member = Member(**values)
    member.search_text = member_search_text(member)
    db.session.add(member)
    db.session.flush()
    return member


def make_plan(kind: str = "monthly", **fields) -> MembershipPlan:
    values = {"name": f"Formule {next_number()}", "kind": kind, "price_cents": 9000}
    values.update(fields)
    plan = MembershipPlan(**values)
    db.session.add(plan)
    db.session.flush()
    return plan


def make_membership(member: Member, plan: MembershipPlan | None = None, **fields) -> Membership:
    start = fields.pop("starts_on", today() - dt.timedelta(days=10))
    membership = Membership(
        member_id=member.id,
        plan_id=(plan or make_plan()).id,
        starts_on=start,
        ends_on=fields.pop("ends_on", start + dt.timedelta(days=60)),
        **fields,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def make_check_in(member: Member | None = None, **fields) -> CheckIn:
    values = {"day": today(), "duration": "full"}
    values.update(fields)
    if member is not None:
        values["member_id"] = member.id
    elif "visitor_name" not in values:
        values["visitor_name"] = f"Visiteur {next_number()}"
    check_in = CheckIn(**values)
    db.session.add(check_in)
    db.session.flush()
    return check_in
