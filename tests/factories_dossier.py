"""Factories for the dossier tests: a small space with a year of life, and documents."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from coworking.community.models import Mention, Outcome, PressArticle
from coworking.documents.models import Document
from coworking.events.models import Attendance, Event, EventKind
from coworking.extensions import db
from coworking.label.models import Criterion
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.partners.models import Partner
from coworking.space.models import (
    BoardMember,
    BudgetLine,
    CheckIn,
    GeneralAssembly,
    SpaceProfile,
)
from tests.factories import next_number

PARIS = ZoneInfo("Europe/Paris")
STATIC = Path(__file__).resolve().parent.parent / "static"

KINDS = (
    ("twapero", "Twapéro", "Twapero"),
    ("conference", "Conférence", "Talk"),
    ("atelier", "Atelier", "Workshop"),
    ("formation", "Formation", "Training"),
    ("ag", "Assemblée générale", "General assembly"),
    ("autre", "Autre", "Other"),
)


def ensure_kinds() -> None:
    existing = set(db.session.scalars(db.select(EventKind.slug)))
    for position, (slug, label_fr, label_en) in enumerate(KINDS):
        if slug not in existing:
            db.session.add(
                EventKind(
                    slug=slug, label_fr=label_fr, label_en=label_en, builtin=True, position=position
                )
            )
    db.session.flush()


def make_profile(**fields) -> SpaceProfile:
    values = {
        "name": "Maine Labs",
        "legal_form": "Association loi 1901",
        "siret": "73282932000074",
        "address": "12 rue de la Cantine",
        "postcode": "49000",
        "city": "Angers",
        "founded_on": date(2011, 8, 25),
        "surface_m2": 220,
        "desks": 16,
        "meeting_rooms": 2,
        "opening_hours": {str(day): "9h–19h" for day in range(5)},
        "internet": "Fibre 1 Gb/s, Wi-Fi ouvert",
        "accessibility": "Rez-de-chaussée accessible en fauteuil.",
        "prices": "Journée 8 € · carte 10 jours 70 € · mois 120 €",
        "day_pass_offered": True,
        "staff_fte": 2.5,
        "volunteers": 20,
    }
    values.update(fields)
    profile = SpaceProfile(**values)
    db.session.add(profile)
    db.session.flush()
    return profile


def at(day: date, hour: int = 19, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def make_event(day: date, **fields) -> Event:
    ensure_kinds()
    hour = fields.pop("hour", 19)
    minute = fields.pop("minute", 0)
    starts = at(day, hour, minute)
    event = Event(
        title=fields.pop("title", f"Événement {next_number()}"),
        kind=fields.pop("kind", "twapero"),
        starts_at=starts,
        ends_at=fields.pop("ends_at", starts + timedelta(hours=2)),
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event


def make_member(**fields) -> Member:
    number = next_number()
    member = Member(
        first_name=fields.pop("first_name", "Camille"),
        last_name=fields.pop("last_name", f"Membre{number}"),
        email=fields.pop("email", f"membre{number}@example.org"),
        joined_on=fields.pop("joined_on", date(2023, 1, 1)),
        **fields,
    )
    db.session.add(member)
    db.session.flush()
    return member


def make_membership(member: Member, starts_on: date, ends_on: date) -> Membership:
    plan = db.session.scalar(db.select(MembershipPlan).limit(1))
    if plan is None:
        plan = MembershipPlan(name="Annuel", kind="annual", price_cents=12000)
        db.session.add(plan)
        db.session.flush()
    membership = Membership(member=member, plan=plan, starts_on=starts_on, ends_on=ends_on)
    db.session.add(membership)
    db.session.flush()
    return membership


def make_partner(**fields) -> Partner:
    partner = Partner(
        name=fields.pop("name", f"Partenaire {next_number()}"),
        kind=fields.pop("kind", "entreprise"),
        **fields,
    )
    db.session.add(partner)
    db.session.flush()
    return partner


@cache
def sample_pdf(text: str = "Lettre de soutien", pages: int = 1) -> bytes:
    """A small real PDF (WeasyPrint, no PDF/A) with the given text on each page."""
    from coworking.label.pdf import create_pdf_timed

    body = "".join(
        f'<section style="break-before: page"><h1>{text}</h1><p>Page {n + 1}</p></section>'
        for n in range(pages)
    )
    html = f"<html><body>{body}</body></html>"
    return create_pdf_timed(html, static_folder=STATIC, pdf_variant=None)[0]


@cache
def sample_png(width: int = 2400, height: int = 1600) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (0, 114, 178))
    output = BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def make_document(data: bytes, **fields) -> Document:
    content_type = fields.pop("content_type", "application/pdf")
    document = Document(
        title=fields.pop("title", f"Document {next_number()}"),
        kind=fields.pop("kind", "other"),
        filename=fields.pop("filename", "document.pdf"),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        **fields,
    )
    db.session.add(document)
    db.session.flush()
    return document


def make_criterion(code: str, **fields) -> Criterion:
    criterion = Criterion(
        code=code,
        title=fields.pop("title", f"Critère {code}"),
        pillar=fields.pop("pillar", "Programme"),
        kind=fields.pop("kind", "metric"),
        **fields,
    )
    db.session.add(criterion)
    db.session.flush()
    return criterion


def make_year(start: date = date(2024, 1, 1), events: int = 12, extra: dict | None = None) -> dict:
    """A space with a year of life from ``start``: profile, members, events, partners, press."""
    extra = extra or {}
    ensure_kinds()
    profile = db.session.scalar(db.select(SpaceProfile).limit(1)) or make_profile(
        **extra.get("profile", {})
    )
    db.session.add_all(
        [
            BoardMember(name="Claire Président", role="Présidente", position=0),
            BoardMember(name="Paul Trésorier", role="Trésorier", position=1),
            GeneralAssembly(
                held_on=start + timedelta(days=60), members_present=72, members_represented=8
            ),
            BudgetLine(
                year=start.year,
                direction="income",
                category="Cotisations",
                source="memberships",
                amount_cents=1_250_000,
            ),
            BudgetLine(
                year=start.year,
                direction="income",
                category="Subvention Angers Loire Métropole",
                source="subsidies",
                amount_cents=2_000_000,
            ),
            BudgetLine(
                year=start.year, direction="expense", category="Loyer", amount_cents=1_800_000
            ),
            BudgetLine(
                year=start.year, direction="expense", category="Salaires", amount_cents=1_400_000
            ),
        ]
    )
    bar = make_partner(
        name="Le Bar du Coin", kind="lieu", hosts_events=True, since=date(2011, 9, 1)
    )
    city = make_partner(
        name="Angers Loire Métropole", kind="collectivite", funds=True, founding_member=True
    )
    members = []
    for index in range(6):
        member = make_member(
            profession_category=("communicant", "etudiant", "photographe")[index % 3],
            age_bracket=("18-25", "26-35", "36-50")[index % 3],
            city="Angers" if index % 2 else "Trélazé",
        )
        make_membership(member, start, start + timedelta(days=364))
        members.append(member)
    created_events = []
    for month in range(events):
        day = date(
            start.year + (start.month - 1 + month) // 12, (start.month - 1 + month) % 12 + 1, 10
        )
        event = make_event(
            day,
            title=extra.get("event_title", f"Twapéro n°{month + 1}"),
            kind="twapero" if month % 2 == 0 else "atelier",
            venue_partner_id=bar.id if month % 2 == 0 else None,
            location=extra.get("event_location"),
            description=extra.get("event_description", ""),
            headcount=10 if month % 3 == 0 else None,
            is_free=month % 4 != 0,
        )
        if month % 2:
            event.partners.append(city)
        for member in members[: 2 + month % 4]:
            db.session.add(Attendance(event_id=event.id, member_id=member.id, status="attended"))
        created_events.append(event)
    for offset in range(20):
        db.session.add(
            CheckIn(member_id=members[offset % 6].id, day=start + timedelta(days=offset))
        )
    db.session.add(
        PressArticle(
            title=extra.get("press_title", "La Cantine d'Angers fête ses 2 ans"),
            outlet="Angers Mag",
            published_on=start + timedelta(days=40),
        )
    )
    db.session.add(
        Mention(
            platform="twitter",
            external_id=f"m{next_number()}",
            author="@mainelabs",
            posted_at=at(start + timedelta(days=5)),
            text="#twapero ce soir",
            hashtags="twapero angers",
        )
    )
    db.session.add_all(
        [
            Outcome(
                kind="stage",
                title="Stage trouvé au twapéro",
                happened_on=start + timedelta(days=90),
                testimonial=extra.get("testimonial", "J'ai trouvé mon stage grâce au twapéro."),
                testimonial_author="Léa",
                consent_publish_at=at(start + timedelta(days=91)),
            ),
            Outcome(
                kind="emploi",
                title="Embauche sans consentement",
                happened_on=start + timedelta(days=100),
                testimonial="SECRET-SANS-CONSENTEMENT",
                testimonial_author="Marc Confidentiel",
            ),
        ]
    )
    if db.session.scalar(db.select(Criterion).limit(1)) is None:
        make_criterion(
            "PROG-1",
            title="Événements organisés",
            indicator_key="events_held",
            target=200,
            position=1,
        )
        make_criterion(
            "COM-1", title="Membres actifs", indicator_key="members_active", target=5, position=2
        )
    db.session.flush()
    return {
        "profile": profile,
        "members": members,
        "events": created_events,
        "partners": [bar, city],
    }
