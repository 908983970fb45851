"""Member operations: create, edit, leave; plans and memberships.

Finding members is in `search`, the CSV import in `imports`, GDPR and retention in
`personal_data`. Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased, joinedload

from coworking.audit import services as audit
from coworking.collation import name_sort_key, sort_key
from coworking.csvio import fold_text
from coworking.database import utcnow
from coworking.dates import MAX_YEAR, MIN_YEAR, add_months, in_range, space_zone, today
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.i18n import current_translations
from coworking.members.choices import AGE_BRACKETS, PROFESSION_CATEGORIES
from coworking.members.models import (
    Member,
    Membership,
    MembershipPlan,
)

SEARCH_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "twitter",
    "mastodon",
    "linkedin",
    "organisation",
)
CONSENTS = ("data", "photos", "newsletter")
PLAN_KINDS = ("day_pass", "ten_day_card", "monthly", "annual", "association_fee")
TEN_DAY_CARD_DAYS = 10
END_SOON_DAYS = 15


class MemberError(ServiceError):
    """A user-caused problem with a member operation, with a translated message and a field."""


def member_search_text(member: Any) -> str:
    """Return the accent- and case-folded text a member is found by."""
    parts = [getattr(member, name, None) or "" for name in SEARCH_FIELDS]
    return fold_text(" ".join(str(part) for part in parts if part))


def derived_columns(member: Any) -> dict[str, str]:
    """Return the columns worked out from a member's fields: search text and sort keys."""
    return {
        "search_text": member_search_text(member),
        "sort_name": name_sort_key(member.last_name, member.first_name),
        "sort_organisation": sort_key(getattr(member, "organisation", None)),
    }


def set_derived_columns(member: Any) -> None:
    """Set a member's search text and sort keys from its fields (a Member or a namespace)."""
    for name, value in derived_columns(member).items():
        setattr(member, name, value)


def plan_kind_labels() -> dict[str, str]:
    return {
        "day_pass": _("Passe journée"),
        "ten_day_card": _("Carte 10 jours"),
        "monthly": _("Abonnement mensuel"),
        "annual": _("Abonnement annuel"),
        "association_fee": _("Adhésion à l'association"),
    }


def profession_labels() -> dict[str, str]:
    translate = current_translations().ugettext
    return {slug: translate(label) for slug, label in PROFESSION_CATEGORIES.items()}


def age_bracket_labels() -> dict[str, str]:
    translate = current_translations().ugettext
    return {slug: translate(label) for slug, label in AGE_BRACKETS.items()}


# --- creating and editing ---------------------------------------------------------------------

MEMBER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "twitter",
    "mastodon",
    "linkedin",
    "profession_category",
    "profession_text",
    "organisation",
    "age_bracket",
    "postcode",
    "city",
    "joined_on",
    "left_on",
    "heard_from",
    "notes",
)


def _clean_value(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if name == "notes":
            value = value.replace("\r\n", "\n")
        if name == "email":
            value = value.lower()
        if not value and name not in ("first_name", "last_name"):
            return None
    return value


def _check_member(member: Member) -> None:
    if not (member.first_name or member.last_name):
        raise MemberError(_("Donnez au moins un nom ou un prénom."), "last_name")
    if member.profession_category not in PROFESSION_CATEGORIES:
        raise MemberError(_("Catégorie professionnelle inconnue."), "profession_category")
    if member.age_bracket and member.age_bracket not in AGE_BRACKETS:
        raise MemberError(_("Tranche d'âge inconnue."), "age_bracket")
    if member.left_on and member.joined_on and member.left_on < member.joined_on:
        raise MemberError(_("La date de départ précède la date d'adhésion."), "left_on")
    if member.email:
        clash = db.session.scalar(
            select(Member.id).where(Member.email == member.email, Member.id != (member.id or -1))
        )
        if clash is not None:
            raise MemberError(_("Un membre a déjà cette adresse e-mail."), "email")


def _apply_consents(member: Any, consents: dict[str, Any]) -> None:
    """Set consent dates: keep an existing date, date a new consent, clear a withdrawn one."""
    for name in CONSENTS:
        if name not in consents:
            continue
        value = consents[name]
        attribute = f"consent_{name}_at"
        if not value:
            setattr(member, attribute, None)
        elif isinstance(value, dt.datetime):
            setattr(member, attribute, value)
        elif isinstance(value, dt.date):
            current = getattr(member, attribute)
            if current is None or current.astimezone(space_zone()).date() != value:
                setattr(
                    member, attribute, dt.datetime.combine(value, dt.time(12), tzinfo=space_zone())
                )
        elif getattr(member, attribute) is None:
            setattr(member, attribute, utcnow())


def create_member(consents: dict[str, Any] | None = None, **fields: Any) -> Member:
    """Create a member after checking names, e-mail uniqueness and dates."""
    member = Member(profession_category="autre", joined_on=today())
    for name in MEMBER_FIELDS:
        if name in fields:
            value = _clean_value(name, fields[name])
            if value is not None or name not in ("profession_category", "joined_on"):
                setattr(member, name, value)
    member.first_name = member.first_name or ""
    member.last_name = member.last_name or ""
    _check_member(member)
    _apply_consents(member, consents or {})
    set_derived_columns(member)
    db.session.add(member)
    db.session.flush()
    audit.record("member.create", member, member.full_name)
    return member


def update_member(member: Member, consents: dict[str, Any] | None = None, **fields: Any) -> None:
    """Change a member's fields after the same checks as at creation."""
    _refuse_erased(member)
    with db.session.no_autoflush:
        for name in MEMBER_FIELDS:
            if name in fields:
                value = _clean_value(name, fields[name])
                if name == "profession_category" and value is None:
                    value = "autre"
                if name == "joined_on" and value is None:
                    continue
                setattr(member, name, value)
        member.first_name = member.first_name or ""
        member.last_name = member.last_name or ""
        _check_member(member)
    _apply_consents(member, consents or {})
    set_derived_columns(member)
    db.session.flush()
    audit.record("member.update", member, member.full_name)


def mark_left(member: Member, on: dt.date | None = None) -> None:
    """Record that the member left the space on a day (today by default)."""
    _refuse_erased(member)
    on = on or today()
    if member.joined_on and on < member.joined_on:
        raise MemberError(_("La date de départ précède la date d'adhésion."), "left_on")
    member.left_on = on
    db.session.flush()
    audit.record("member.leave", member, member.full_name)


def _refuse_erased(member: Member) -> None:
    if member.erased_at is not None:
        raise MemberError(_("Ce membre a été effacé : sa fiche ne peut plus changer."))


# --- plans and memberships --------------------------------------------------------------------


_EUROS = re.compile(r"[0-9]{1,9}(\.[0-9]*)?|\.[0-9]+")
# The largest amount typed for a plan or a payment: 100 000 €.
MAX_AMOUNT_CENTS = 100_000_00


def parse_euros(text: str, field_name: str = "price") -> int:
    """Read an amount in euros (« 12,50 », « 12.5 €») and return cents.

    Plain decimal numbers only (no « inf », « NaN » or « 1e400 »), at most 100 000 €.
    """
    value = (text or "").replace("€", "").replace("\u202f", "").replace("\u00a0", "")
    value = value.replace(" ", "").replace(",", ".")
    if not value:
        return 0
    if not _EUROS.fullmatch(value):
        raise MemberError(_("Montant invalide : écrivez par exemple 12,50."), field_name)
    amount = int((Decimal(value) * 100).to_integral_value(ROUND_HALF_UP))
    if amount < 0 or amount > MAX_AMOUNT_CENTS:
        raise MemberError(_("Montant hors limites."), field_name)
    return amount


def save_plan(
    plan: MembershipPlan | None, *, name: str, kind: str, price_cents: int, active: bool
) -> MembershipPlan:
    """Create or change a membership plan (admins)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise MemberError(_("Donnez un nom à la formule (100 caractères au plus)."), "name")
    if kind not in PLAN_KINDS:
        raise MemberError(_("Type de formule inconnu."), "kind")
    if not 0 <= price_cents <= MAX_AMOUNT_CENTS:
        raise MemberError(_("Montant hors limites."), "price")
    clash = db.session.scalar(
        select(MembershipPlan.id).where(
            func.lower(MembershipPlan.name) == name.lower(),
            MembershipPlan.id != (plan.id if plan else -1),
        )
    )
    if clash is not None:
        raise MemberError(_("Une formule porte déjà ce nom."), "name")
    created = plan is None
    if plan is None:
        plan = MembershipPlan()
        db.session.add(plan)
    plan.name, plan.kind, plan.price_cents, plan.active = name, kind, price_cents, active
    db.session.flush()
    audit.record("plan.create" if created else "plan.update", plan, name)
    return plan


def default_end(plan: MembershipPlan, start: dt.date) -> dt.date:
    """Return the usual last day of a membership of this plan starting on start."""
    if plan.kind == "day_pass":
        return start
    if plan.kind == "monthly":
        return add_months(start, 1) - dt.timedelta(days=1)
    # Annual plans, association fees and 10-day cards run for a year.
    return add_months(start, 12) - dt.timedelta(days=1)


def add_membership(
    member: Member,
    plan: MembershipPlan,
    *,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    amount_paid_cents: int | None = None,
    paid_on: dt.date | None = None,
) -> Membership:
    """Give a member a membership; its end defaults from the plan's kind."""
    _refuse_erased(member)
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on), ("paid_on", paid_on)):
        if day is not None and not in_range(day):
            raise MemberError(
                _(
                    "L'année doit être comprise entre %(min)s et %(max)s.",
                    min=MIN_YEAR,
                    max=MAX_YEAR,
                ),
                name,
            )
    if amount_paid_cents is not None and not 0 <= amount_paid_cents <= MAX_AMOUNT_CENTS:
        raise MemberError(_("Montant hors limites."), "amount")
    ends_on = ends_on or default_end(plan, starts_on)
    if ends_on < starts_on:
        raise MemberError(_("La fin de l'adhésion précède son début."), "ends_on")
    membership = Membership(
        member_id=member.id,
        plan_id=plan.id,
        starts_on=starts_on,
        ends_on=ends_on,
        amount_paid_cents=plan.price_cents if amount_paid_cents is None else amount_paid_cents,
        paid_on=paid_on,
    )
    db.session.add(membership)
    db.session.flush()
    audit.record("membership.create", membership, f"{plan.name} · membre {member.id}")
    return membership


def delete_membership(membership: Membership) -> None:
    audit.record("membership.delete", membership, f"membre {membership.member_id}")
    db.session.delete(membership)
    db.session.flush()


@dataclass
class MembershipStatus:
    membership: Membership
    days_used: float | None = None
    days_left: float | None = None
    ends_soon: bool = False
    current: bool = False


# How many days of their 10-day cards members used: counted from the front desk's check-ins,
# a feature above this one, which registers its counter here (`counts_card_days`).
CardDaysCounter = Callable[[list[Membership]], dict[int, float]]
_card_days_counters: list[CardDaysCounter] = []


def counts_card_days(counter: CardDaysCounter) -> None:
    """Register what counts the days used of 10-day cards, by membership id (idempotent)."""
    if counter not in _card_days_counters:
        _card_days_counters.append(counter)


def membership_statuses(member: Member, on: dt.date | None = None) -> list[MembershipStatus]:
    """Return the member's memberships with 10-day card balances and end-soon warnings."""
    on = on or today()
    memberships = list(
        db.session.scalars(
            select(Membership)
            .where(Membership.member_id == member.id)
            .options(db.joinedload(Membership.plan))
            .order_by(Membership.starts_on.desc(), Membership.id.desc())
        ).unique()
    )
    cards = [m for m in memberships if m.plan.kind == "ten_day_card"]
    used: dict[int, float] = {}
    if cards:
        for counter in _card_days_counters:
            used.update(counter(cards))
    statuses = []
    for membership in memberships:
        status = MembershipStatus(membership)
        status.current = membership.starts_on <= on <= membership.ends_on
        status.ends_soon = (
            status.current and (membership.ends_on - on).days < END_SOON_DAYS
        ) and membership.plan.kind != "day_pass"
        if membership.plan.kind == "ten_day_card":
            status.days_used = used.get(membership.id, 0.0)
            status.days_left = max(0.0, TEN_DAY_CARD_DAYS - status.days_used)
        statuses.append(status)
    return statuses


def memberships_ending(day: dt.date, days: int, limit: int) -> tuple[list[Membership], int]:
    """Return the memberships ending within ``days`` of ``day`` and not renewed (the first
    ``limit``, soonest first, with their member and plan), and how many there are in all."""
    later = aliased(Membership)
    renewed = exists().where(
        later.member_id == Membership.member_id, later.ends_on > Membership.ends_on
    )
    ending = and_(
        Membership.ends_on.between(day, day + dt.timedelta(days=days)),
        Member.erased_at.is_(None),
        ~renewed,
    )
    shown = db.session.scalars(
        select(Membership)
        .join(Member, Member.id == Membership.member_id)
        .where(ending)
        .options(joinedload(Membership.member), joinedload(Membership.plan))
        .order_by(Membership.ends_on, Member.sort_name, Member.id)
        .limit(limit)
    ).all()
    total = db.session.scalar(
        select(func.count(Membership.id))
        .join(Member, Member.id == Membership.member_id)
        .where(ending)
    )
    return list(shown), int(total or 0)
