"""The dossier's data set: a small space with a year of life, built with the factories."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from coworking.extensions import db
from coworking.label.models import Criterion
from coworking.members.models import MembershipPlan
from coworking.space.models import SpaceProfile
from tests.factories import (
    WEEKDAYS_OPEN,
    make_attendance,
    make_board_member,
    make_budget_line,
    make_check_in,
    make_criterion,
    make_event,
    make_general_assembly,
    make_member,
    make_membership,
    make_mention,
    make_outcome,
    make_partner,
    make_plan,
    make_press_article,
    make_space_profile,
    paris,
)

_COMPLETE_PROFILE: dict[str, Any] = {
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
    "internet": "Fibre 1 Gb/s, Wi-Fi ouvert",
    "accessibility": "Rez-de-chaussée accessible en fauteuil.",
    "prices": "Journée 8 € · carte 10 jours 70 € · mois 120 €",
    "day_pass_offered": True,
    "staff_fte": 2.5,
    "volunteers": 20,
}


def complete_space_profile(**fields: Any) -> SpaceProfile:
    """Add the space's profile with every field filled in, as an applicant's would be."""
    return make_space_profile(
        **{**_COMPLETE_PROFILE, "opening_hours": dict(WEEKDAYS_OPEN), **fields}
    )


def _evening(day: date) -> datetime:
    return paris(day.year, day.month, day.day)


def build_year(start: date = date(2024, 1, 1), events: int = 12, extra: dict | None = None) -> dict:
    """Build a space with a year of life from ``start``: members, events, partners, press.

    ``extra`` overrides texts (``profile``, ``event_title``, ``event_location``,
    ``event_description``, ``press_title``, ``testimonial``); a second call adds a year to
    the same space, its profile, plan and criteria.
    """
    extra = extra or {}
    profile = db.session.scalar(select(SpaceProfile).limit(1)) or complete_space_profile(
        **extra.get("profile", {})
    )
    make_board_member(name="Claire Président", role="Présidente", position=0)
    make_board_member(name="Paul Trésorier", role="Trésorier", position=1)
    make_general_assembly(
        held_on=start + timedelta(days=60), members_present=72, members_represented=8
    )
    year = start.year
    make_budget_line(
        year=year, category="Cotisations", source="memberships", amount_cents=1_250_000
    )
    make_budget_line(
        year=year,
        category="Subvention Angers Loire Métropole",
        source="subsidies",
        amount_cents=2_000_000,
    )
    make_budget_line(year=year, direction="expense", category="Loyer", amount_cents=1_800_000)
    make_budget_line(year=year, direction="expense", category="Salaires", amount_cents=1_400_000)
    bar = make_partner(
        name="Le Bar du Coin", kind="lieu", hosts_events=True, since=date(2011, 9, 1)
    )
    city = make_partner(
        name="Angers Loire Métropole", kind="collectivite", funds=True, founding_member=True
    )
    plan = db.session.scalar(
        select(MembershipPlan).where(MembershipPlan.name == "Annuel")
    ) or make_plan(name="Annuel", kind="annual", price_cents=12000)
    members = []
    for index in range(6):
        member = make_member(
            first_name="Camille",
            profession_category=("communicant", "etudiant", "photographe")[index % 3],
            age_bracket=("18-25", "26-35", "36-50")[index % 3],
            city="Angers" if index % 2 else "Trélazé",
        )
        make_membership(member, plan, starts_on=start, ends_on=start + timedelta(days=364))
        members.append(member)
    created_events = []
    for month in range(events):
        event = make_event(
            day=date(
                year + (start.month - 1 + month) // 12, (start.month - 1 + month) % 12 + 1, 10
            ),
            title=extra.get("event_title", f"Twapéro n°{month + 1}"),
            kind="twapero" if month % 2 == 0 else "atelier",
            venue_partner_id=bar.id if month % 2 == 0 else None,
            partners=[city] if month % 2 else [],
            location=extra.get("event_location"),
            description=extra.get("event_description", ""),
            headcount=10 if month % 3 == 0 else None,
            is_free=month % 4 != 0,
        )
        for member in members[: 2 + month % 4]:
            make_attendance(event, member)
        created_events.append(event)
    for offset in range(20):
        make_check_in(members[offset % 6], day=start + timedelta(days=offset))
    make_press_article(
        title=extra.get("press_title", "La Cantine d'Angers fête ses 2 ans"),
        outlet="Angers Mag",
        published_on=start + timedelta(days=40),
    )
    make_mention(
        platform="twitter",
        posted_at=_evening(start + timedelta(days=5)),
        text="#twapero ce soir",
        hashtags="twapero angers",
    )
    make_outcome(
        kind="stage",
        title="Stage trouvé au twapéro",
        happened_on=start + timedelta(days=90),
        testimonial=extra.get("testimonial", "J'ai trouvé mon stage grâce au twapéro."),
        testimonial_author="Léa",
        consent_publish_at=_evening(start + timedelta(days=91)),
    )
    make_outcome(
        kind="emploi",
        title="Embauche sans consentement",
        happened_on=start + timedelta(days=100),
        testimonial="SECRET-SANS-CONSENTEMENT",
        testimonial_author="Marc Confidentiel",
    )
    if db.session.scalar(select(Criterion).limit(1)) is None:
        make_criterion(
            code="PROG-1",
            title="Événements organisés",
            indicator_key="events_held",
            target=200,
            position=1,
        )
        make_criterion(
            code="COM-1",
            title="Membres actifs",
            indicator_key="members_active",
            target=5,
            position=2,
        )
    return {
        "profile": profile,
        "members": members,
        "events": created_events,
        "partners": [bar, city],
    }
