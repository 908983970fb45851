"""Factories for the indicators' tests: every row a period's figures are made of.

Each function adds and flushes one object with sensible defaults; fields are overridable.
Datetimes given as naive ``paris(...)`` values are Paris wall-clock times.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from coworking.community.models import Mention, Outcome, PressArticle
from coworking.documents.models import Document
from coworking.events.models import Attendance, Event, EventKind
from coworking.extensions import db
from coworking.kinds import EVENT_KIND_LABELS as KIND_LABELS
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.partners.models import Partner
from coworking.space.models import BudgetLine, CheckIn, GeneralAssembly, SpaceProfile
from tests.factories import next_number

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 19, minute: int = 0) -> datetime:
    """Return an aware datetime for a Paris wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def ensure_kind(slug: str) -> EventKind:
    kind = db.session.get(EventKind, slug)
    if kind is None:
        label = KIND_LABELS.get(slug, slug.capitalize())
        kind = EventKind(slug=slug, label_fr=label, label_en=label, builtin=True)
        db.session.add(kind)
        db.session.flush()
    return kind


def ensure_plan() -> MembershipPlan:
    plan = db.session.scalar(select(MembershipPlan).where(MembershipPlan.name == "Annuel"))
    if plan is None:
        plan = MembershipPlan(name="Annuel", kind="annual", price_cents=12000)
        db.session.add(plan)
        db.session.flush()
    return plan


def make_member(**fields) -> Member:
    number = next_number()
    fields.setdefault("first_name", f"Prénom{number}")
    fields.setdefault("last_name", f"Nom{number}")
    fields.setdefault("joined_on", date(2023, 1, 1))
    member = Member(**fields)
    db.session.add(member)
    db.session.flush()
    return member


def make_membership(member: Member, starts_on: date, ends_on: date, **fields) -> Membership:
    membership = Membership(
        member_id=member.id,
        plan_id=ensure_plan().id,
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def make_checkin(day: date, member: Member | None = None, **fields) -> CheckIn:
    checkin = CheckIn(day=day, member_id=member.id if member else None, **fields)
    db.session.add(checkin)
    db.session.flush()
    return checkin


def make_event(starts_at: datetime, kind: str = "conference", **fields) -> Event:
    ensure_kind(kind)
    partners = fields.pop("partners", [])
    fields.setdefault("title", f"Événement {next_number()}")
    fields.setdefault("ends_at", starts_at + timedelta(hours=2))
    event = Event(starts_at=starts_at.astimezone(UTC), kind=kind, **fields)
    event.partners = list(partners)
    db.session.add(event)
    db.session.flush()
    return event


def make_attendance(event: Event, member: Member | None = None, **fields) -> Attendance:
    fields.setdefault("status", "attended")
    attendance = Attendance(event_id=event.id, member_id=member.id if member else None, **fields)
    db.session.add(attendance)
    db.session.flush()
    return attendance


def make_partner(**fields) -> Partner:
    fields.setdefault("name", f"Partenaire {next_number()}")
    fields.setdefault("kind", "entreprise")
    partner = Partner(**fields)
    db.session.add(partner)
    db.session.flush()
    return partner


def make_press(published_on: date, **fields) -> PressArticle:
    fields.setdefault("title", f"Article {next_number()}")
    fields.setdefault("outlet", "Angers Mag")
    article = PressArticle(published_on=published_on, **fields)
    db.session.add(article)
    db.session.flush()
    return article


def make_mention(posted_at: datetime, **fields) -> Mention:
    fields.setdefault("platform", "twitter")
    fields.setdefault("external_id", str(next_number()))
    mention = Mention(posted_at=posted_at.astimezone(UTC), **fields)
    db.session.add(mention)
    db.session.flush()
    return mention


def make_outcome(happened_on: date, kind: str = "stage", **fields) -> Outcome:
    fields.setdefault("title", f"Retombée {next_number()}")
    outcome = Outcome(happened_on=happened_on, kind=kind, **fields)
    db.session.add(outcome)
    db.session.flush()
    return outcome


def make_assembly(held_on: date, **fields) -> GeneralAssembly:
    assembly = GeneralAssembly(held_on=held_on, **fields)
    db.session.add(assembly)
    db.session.flush()
    return assembly


WEEKDAYS_OPEN = {"0": "9h–19h", "1": "9h–19h", "2": "9h–19h", "3": "9h–19h", "4": "9h–19h"}


def make_profile(**fields) -> SpaceProfile:
    fields.setdefault("name", "Maine Labs")
    fields.setdefault("desks", 4)
    fields.setdefault("opening_hours", dict(WEEKDAYS_OPEN))
    profile = SpaceProfile(**fields)
    db.session.add(profile)
    db.session.flush()
    return profile


def make_document(kind: str = "other", **fields) -> Document:
    data = fields.pop("data", b"%PDF-1.4 test")
    fields.setdefault("title", f"Document {next_number()}")
    fields.setdefault("filename", "document.pdf")
    fields.setdefault("content_type", "application/pdf")
    document = Document(
        kind=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data, **fields
    )
    db.session.add(document)
    db.session.flush()
    return document


def make_budget_line(year: int, direction: str, amount_cents: int = 100000, **fields) -> BudgetLine:
    fields.setdefault("category", "Adhésions" if direction == "income" else "Loyer")
    line = BudgetLine(year=year, direction=direction, amount_cents=amount_cents, **fields)
    db.session.add(line)
    db.session.flush()
    return line
