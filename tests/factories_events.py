"""Factories for the events tests: members, partners, events and attendance (add + flush)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from coworking.csvio import fold_text
from coworking.events import kinds as event_kinds
from coworking.events.models import Attendance, Event
from coworking.extensions import db
from coworking.members.models import Member
from coworking.partners.models import Partner
from tests.factories import next_number

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    """Return an aware UTC datetime from a Paris wall-clock time."""
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def make_member(first_name: str = "Camille", last_name: str | None = None, **fields) -> Member:
    last_name = last_name or f"Martin{next_number()}"
    member = Member(first_name=first_name, last_name=last_name, **fields)
    member.search_text = fold_text(
        " ".join(
            part or ""
            for part in (
                member.first_name,
                member.last_name,
                member.email,
                member.twitter,
                member.mastodon,
                member.linkedin,
                member.organisation,
            )
        )
    )
    db.session.add(member)
    db.session.flush()
    return member


def make_partner(name: str | None = None, kind: str = "lieu", **fields) -> Partner:
    partner = Partner(name=name or f"Le Bar {next_number()}", kind=kind, **fields)
    db.session.add(partner)
    db.session.flush()
    return partner


def make_event(title: str | None = None, starts_at: datetime | None = None, **fields) -> Event:
    event_kinds.ensure_default_kinds()
    starts_at = starts_at or paris(2030, 3, 6, 19)
    event = Event(
        title=title or f"Événement {next_number()}",
        kind=fields.pop("kind", "autre"),
        starts_at=starts_at,
        ends_at=fields.pop("ends_at", starts_at + timedelta(hours=3)),
        hashtags=fields.pop("hashtags", ""),
        description=fields.pop("description", ""),
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event


def make_attendance(
    event: Event, member: Member | None = None, status: str = "registered", **fields
):
    row = Attendance(event=event, member=member, status=status, **fields)
    db.session.add(row)
    db.session.flush()
    return row
