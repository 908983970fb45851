"""Test data: one ``make_<model>`` per model, valid by default, every field overridable.

Each factory adds its object to ``db.session`` and flushes, so that it has its id, but never
commits: the test commits when it needs to, as a view would. A parent (the member of a
membership, the event of an attendance) comes first; everything else is a keyword.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from coworking.auth.models import User
from coworking.auth.passwords import hash_password
from coworking.collation import sort_key
from coworking.community.models import Mention, Outcome, PressArticle
from coworking.dates import today
from coworking.documents.models import Document
from coworking.events.models import Attendance, Event, EventKind
from coworking.events.services import ensure_default_kinds
from coworking.extensions import db
from coworking.label.models import Criterion, Dossier
from coworking.label.pdf import create_pdf_timed
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.members.services import derived_columns
from coworking.partners.models import Partner
from coworking.space.models import BoardMember, BudgetLine, CheckIn, GeneralAssembly, SpaceProfile

PASSWORD = "correct horse battery staple"
PARIS = ZoneInfo("Europe/Paris")
STATIC = Path(__file__).resolve().parent.parent / "static"
# A minimal PDF: enough for uploads and listings, not for the dossier's page counts.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WEEKDAYS_OPEN = {str(day): "9h–19h" for day in range(5)}

_numbers = itertools.count(1)
_password_hashes: dict[str, str] = {}
Model = TypeVar("Model")


def next_number() -> int:
    """Return a number no earlier call returned, to keep names and e-mails unique."""
    return next(_numbers)


def paris(year: int, month: int, day: int, hour: int = 19, minute: int = 0) -> datetime:
    """Return the UTC instant of a Paris wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def _save(obj: Model) -> Model:
    db.session.add(obj)
    db.session.flush()
    return obj


# --- files ------------------------------------------------------------------------------------


@cache
def sample_pdf(text: str = "Lettre de soutien", pages: int = 1) -> bytes:
    """Return a small real PDF (WeasyPrint, no PDF/A) with ``text`` on each page."""
    body = "".join(
        f'<section style="break-before: page"><h1>{text}</h1><p>Page {n + 1}</p></section>'
        for n in range(pages)
    )
    html = f"<html><body>{body}</body></html>"
    return create_pdf_timed(html, static_folder=STATIC, pdf_variant=None)[0]


@cache
def sample_png(width: int = 2400, height: int = 1600, color: str = "#0072b2") -> bytes:
    """Return a plain PNG image of the given size."""
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (width, height), color).save(output, "PNG")
    return output.getvalue()


# --- accounts ---------------------------------------------------------------------------------


def make_user(
    *, role: str = "manager", email: str | None = None, password: str = PASSWORD, **fields: Any
) -> User:
    """Add an active account (the password is hashed once per password, for speed)."""
    if password not in _password_hashes:
        _password_hashes[password] = hash_password(password)
    return _save(
        User(
            email=(email or f"user{next_number()}@example.org").lower(),
            password_hash=_password_hashes[password],
            role=role,
            **{"active": True, **fields},
        )
    )


# --- members ----------------------------------------------------------------------------------


def make_member(**fields: Any) -> Member:
    """Add a member with a numbered name and e-mail, joined on 1 January 2023, searchable."""
    number = next_number()
    member = Member(
        **{
            "first_name": f"Prénom{number}",
            "last_name": f"Nom{number}",
            "email": f"membre{number}@example.org",
            "joined_on": date(2023, 1, 1),
            **fields,
        }
    )
    derived = derived_columns(member)
    for name, value in derived.items():
        if name not in fields:
            setattr(member, name, value)
    return _save(member)


def make_plan(**fields: Any) -> MembershipPlan:
    """Add a monthly membership plan with a numbered name."""
    values = {"name": f"Formule {next_number()}", "kind": "monthly", "price_cents": 9000}
    return _save(MembershipPlan(**{**values, **fields}))


def make_membership(
    member: Member, plan: MembershipPlan | None = None, **fields: Any
) -> Membership:
    """Add a membership (on a new plan unless given) that started ten days ago, for 60 days."""
    starts_on = fields.pop("starts_on", today() - timedelta(days=10))
    values = {"starts_on": starts_on, "ends_on": starts_on + timedelta(days=60), **fields}
    plan_id = (plan or make_plan()).id
    return _save(Membership(member_id=member.id, plan_id=plan_id, **values))


def make_check_in(member: Member | None = None, **fields: Any) -> CheckIn:
    """Add today's full-day visit of ``member``, or of a numbered one-off visitor."""
    values: dict[str, Any] = {"day": today(), "duration": "full"}
    if member is None:
        values["visitor_name"] = f"Visiteur {next_number()}"
    values.update(fields)
    return _save(CheckIn(member_id=member.id if member else None, **values))


# --- events -----------------------------------------------------------------------------------


def make_event_kind(**fields: Any) -> EventKind:
    """Add an event kind of the space's own, with a numbered slug."""
    number = next_number()
    values = {
        "slug": f"genre-{number}",
        "label_fr": f"Genre {number}",
        "label_en": f"Kind {number}",
    }
    return _save(EventKind(**{**values, **fields}))


def _store_kind(slug: str) -> None:
    """Store the built-in kinds, as migrations do, and ``slug`` if it is none of them."""
    ensure_default_kinds()
    if db.session.get(EventKind, slug) is None:
        make_event_kind(slug=slug, label_fr=slug.capitalize(), label_en=slug.capitalize())


def make_event(
    *,
    title: str | None = None,
    starts_at: datetime | None = None,
    day: date | None = None,
    kind: str = "autre",
    partners: Iterable[Partner] = (),
    **fields: Any,
) -> Event:
    """Add a three-hour event starting at ``starts_at``, or at 19:00 in Paris on ``day``.

    Without either it is Thursday 14 March 2024; its kind is stored if it is not yet.
    """
    if starts_at is not None and day is not None:
        raise TypeError("give starts_at or day, not both")
    if starts_at is None:
        day = day or date(2024, 3, 14)
        starts_at = paris(day.year, day.month, day.day)
    starts_at = starts_at.astimezone(UTC)
    _store_kind(kind)
    if title is None:
        title = f"Événement {next_number()}"
    values = {"ends_at": starts_at + timedelta(hours=3), **fields}
    event = Event(title=title, starts_at=starts_at, kind=kind, **values)
    event.partners = list(partners)
    return _save(event)


def make_attendance(event: Event, member: Member | None = None, **fields: Any) -> Attendance:
    """Add ``member``'s attendance at ``event``, or a named guest's."""
    values: dict[str, Any] = {"status": "attended"}
    if member is None:
        values["guest_name"] = f"Invité {next_number()}"
    values.update(fields)
    return _save(Attendance(event_id=event.id, member_id=member.id if member else None, **values))


# --- partners and documents -------------------------------------------------------------------


def make_partner(**fields: Any) -> Partner:
    """Add a company partner with a numbered name."""
    values = {"name": f"Partenaire {next_number()}", "kind": "entreprise"}
    partner = Partner(**{**values, **fields})
    if "sort_name" not in fields:
        partner.sort_name = sort_key(partner.name)
    return _save(partner)


def make_document(data: bytes = PDF_BYTES, **fields: Any) -> Document:
    """Add a document holding ``data`` (a small PDF unless given), with its size and digest."""
    values = {
        "title": f"Document {next_number()}",
        "kind": "other",
        "filename": "document.pdf",
        "content_type": "application/pdf",
        **fields,
    }
    return _save(
        Document(data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest(), **values)
    )


# --- community --------------------------------------------------------------------------------


def make_press_article(**fields: Any) -> PressArticle:
    """Add a press article published on 2 May 2024."""
    values = {
        "title": f"Article {next_number()}",
        "outlet": "Ouest-France",
        "published_on": date(2024, 5, 2),
    }
    return _save(PressArticle(**{**values, **fields}))


def make_mention(**fields: Any) -> Mention:
    """Add a Mastodon post by the space on the night of 14 March 2024, without hashtags."""
    number = next_number()
    values = {
        "platform": "mastodon",
        "external_id": f"id-{number}",
        "author": "@mainelabs",
        "posted_at": datetime(2024, 3, 14, 20, 0, tzinfo=UTC),
        "text": f"Publication {number}",
        **fields,
    }
    values["posted_at"] = values["posted_at"].astimezone(UTC)
    return _save(Mention(**values))


def make_outcome(*, members: Iterable[Member] = (), **fields: Any) -> Outcome:
    """Add an internship found on 1 June 2024, credited to ``members``."""
    values = {
        "kind": "stage",
        "title": f"Réalisation {next_number()}",
        "happened_on": date(2024, 6, 1),
        **fields,
    }
    outcome = Outcome(**values)
    outcome.members = list(members)
    return _save(outcome)


# --- the space --------------------------------------------------------------------------------


def make_space_profile(**fields: Any) -> SpaceProfile:
    """Add the space's profile: its name and town, open on weekdays."""
    values = {"name": "Maine Labs", "city": "Angers", "opening_hours": dict(WEEKDAYS_OPEN)}
    return _save(SpaceProfile(**{**values, **fields}))


def make_board_member(**fields: Any) -> BoardMember:
    """Add the board's chair."""
    return _save(BoardMember(**{"name": "Claire Dupont", "role": "Présidente", **fields}))


def make_general_assembly(**fields: Any) -> GeneralAssembly:
    """Add the general assembly of 21 March 2024."""
    values = {"held_on": date(2024, 3, 21), "members_present": 40, "members_represented": 12}
    return _save(GeneralAssembly(**{**values, **fields}))


def make_budget_line(**fields: Any) -> BudgetLine:
    """Add a 2024 budget line: a city subsidy, or rent when ``direction="expense"``."""
    income = fields.get("direction", "income") == "income"
    values = {
        "year": 2024,
        "direction": "income",
        "category": "Subvention de la ville" if income else "Loyer",
        "source": "subsidies" if income else None,
        "amount_cents": 1_500_000,
    }
    return _save(BudgetLine(**{**values, **fields}))


# --- the label --------------------------------------------------------------------------------


def make_criterion(**fields: Any) -> Criterion:
    """Add a metric criterion with a numbered code."""
    number = next_number()
    values = {"code": f"C{number}", "pillar": "Programme", "kind": "metric", **fields}
    values.setdefault("title", f"Critère {values['code']}")
    return _save(Criterion(**values))


def make_dossier(pdf: bytes | None = b"%PDF-1.7 dossier", **fields: Any) -> Dossier:
    """Add a dossier for 2024 built into ``pdf``, with the snapshot and warnings of its build."""
    values = {
        "title": "Dossier 2024",
        "period_start": date(2024, 1, 1),
        "period_end": date(2024, 12, 31),
        "status": "ready",
        "pdf": pdf,
        "sha256": hashlib.sha256(pdf).hexdigest() if pdf is not None else None,
        "page_count": 12,
        "build_seconds": 3.75,
        "snapshot": {"indicators": {"members_active": 42, "occupancy_rate": None}},
        "warnings": ["Pas de budget déclaré pour 2024"],
        "finished_at": datetime(2024, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
        **fields,
    }
    return _save(Dossier(**values))
