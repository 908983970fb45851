"""Small factories for the backup tests: one valid row per call, added and flushed."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from coworking.community.models import Mention, Outcome
from coworking.documents.models import Document
from coworking.events.models import Attendance, Event, EventKind
from coworking.extensions import db
from coworking.label.models import Criterion, Dossier
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.partners.models import Partner
from coworking.space.models import CheckIn, SpaceProfile
from tests.factories import next_number


def _add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_member(**fields) -> Member:
    number = next_number()
    values = {
        "first_name": f"Élodie{number}",
        "last_name": f"Ménard{number}",
        "email": f"member{number}@example.org",
        "profession_category": "dev",
        "joined_on": date(2020, 1, 1) + timedelta(days=number),
        "consent_data_at": datetime(2020, 1, 2, 9, 30, tzinfo=UTC),
        "search_text": f"elodie{number} menard{number}",
    }
    values.update(fields)
    return _add(Member(**values))


def make_plan(**fields) -> MembershipPlan:
    values = {"name": f"Adhésion {next_number()}", "kind": "annual", "price_cents": 2000}
    values.update(fields)
    return _add(MembershipPlan(**values))


def make_membership(member: Member, plan: MembershipPlan, **fields) -> Membership:
    values = {
        "member_id": member.id,
        "plan_id": plan.id,
        "starts_on": date(2024, 1, 1),
        "ends_on": date(2024, 12, 31),
        "amount_paid_cents": plan.price_cents,
        "paid_on": date(2024, 1, 3),
    }
    values.update(fields)
    return _add(Membership(**values))


def make_event_kind(slug: str = "apero", **fields) -> EventKind:
    values = {"slug": slug, "label_fr": "Apéro", "label_en": "Drinks", "builtin": True}
    values.update(fields)
    return _add(EventKind(**values))


def make_event(kind: EventKind, **fields) -> Event:
    starts = fields.pop("starts_at", datetime(2024, 3, 7, 18, 0, tzinfo=UTC))
    values = {
        "title": f"Twapéro n°{next_number()}",
        "kind": kind.slug,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "hashtags": "twapero angers",
        "description": "Ligne 1\nLigne 2 — « guillemets »",
    }
    values.update(fields)
    return _add(Event(**values))


def make_attendance(event: Event, member: Member | None = None, **fields) -> Attendance:
    values = {
        "event_id": event.id,
        "member_id": member.id if member else None,
        "guest_name": None if member else "Invité",
        "status": "attended",
    }
    values.update(fields)
    return _add(Attendance(**values))


def make_partner(**fields) -> Partner:
    values = {
        "name": f"Partenaire {next_number()}",
        "kind": "entreprise",
        "hosts_events": True,
        "since": date(2019, 6, 1),
    }
    values.update(fields)
    return _add(Partner(**values))


def make_document(data: bytes = b"%PDF-1.7\n\x00\x01\xff binary", **fields) -> Document:
    values = {
        "title": f"Document {next_number()}",
        "kind": "support_letter",
        "filename": "lettre.pdf",
        "content_type": "application/pdf",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": data,
    }
    values.update(fields)
    return _add(Document(**values))


def make_criterion(**fields) -> Criterion:
    number = next_number()
    values = {
        "code": f"C{number}",
        "title": f"Critère {number}",
        "pillar": "Communauté",
        "kind": "metric",
        "indicator_key": "active_members",
        "target": 30.5,
        "weight": 1.25,
    }
    values.update(fields)
    return _add(Criterion(**values))


def make_dossier(pdf: bytes = b"%PDF-1.7 dossier \x00\xfe", **fields) -> Dossier:
    values = {
        "title": "Dossier 2024",
        "period_start": date(2024, 1, 1),
        "period_end": date(2024, 12, 31),
        "status": "ready",
        "pdf": pdf,
        "sha256": hashlib.sha256(pdf).hexdigest() if pdf is not None else None,
        "page_count": 12,
        "build_seconds": 3.75,
        "snapshot": {"indicators": {"active_members": 42, "ratio": 0.125}, "notes": ["é", None]},
        "warnings": ["Pas de budget"],
        "finished_at": datetime(2024, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
    }
    values.update(fields)
    return _add(Dossier(**values))


def make_space_profile(**fields) -> SpaceProfile:
    values = {
        "name": "Maine Labs",
        "city": "Angers",
        "opening_hours": {"0": "9h–19h", "6": ""},
        "staff_fte": 1.5,
        "founded_on": date(2012, 9, 1),
    }
    values.update(fields)
    return _add(SpaceProfile(**values))


def make_mention(**fields) -> Mention:
    number = next_number()
    values = {
        "platform": "twitter",
        "external_id": str(10**15 + number),
        "author": "@angers",
        "posted_at": datetime(2024, 3, 7, 20, 0, tzinfo=UTC),
        "text": "Super #twapéro",
        "hashtags": "twapero",
    }
    values.update(fields)
    return _add(Mention(**values))


def make_outcome(**fields) -> Outcome:
    values = {"kind": "emploi", "title": "Un CDI", "happened_on": date(2024, 5, 2)}
    values.update(fields)
    return _add(Outcome(**values))


def make_check_in(member: Member | None = None, **fields) -> CheckIn:
    values = {
        "member_id": member.id if member else None,
        "visitor_name": None if member else "Visiteur",
        "day": date(2024, 3, 8),
    }
    values.update(fields)
    return _add(CheckIn(**values))
