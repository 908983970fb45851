"""Member operations: search, create, edit, leave, plans and memberships, CSV, GDPR.

Services flush and never commit: the request or the CLI command commits once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, delete, exists, func, or_, select, update

from coworking.audit import services as audit
from coworking.csvio import fold_text
from coworking.database import utcnow
from coworking.dates import INVALID as INVALID_DATE
from coworking.dates import MAX_YEAR, MIN_YEAR, DateRangeError, in_range, parse_iso_date
from coworking.errors import ServiceError
from coworking.extensions import db
from coworking.i18n import PARIS, current_locale_name, current_translations, format_day
from coworking.ids import parse_id
from coworking.members.choices import AGE_BRACKETS, PROFESSION_CATEGORIES
from coworking.members.csv_import import MemberRow, ParsedMembers
from coworking.members.models import (
    Member,
    MemberImportPreview,
    Membership,
    MembershipPlan,
    RetentionSetting,
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
DEFAULT_RETENTION_YEARS = 3


class MemberError(ServiceError):
    """A user-caused problem with a member operation, with a translated message and a field."""


def member_search_text(member: Any) -> str:
    """Return the accent- and case-folded text a member is found by."""
    parts = [getattr(member, name, None) or "" for name in SEARCH_FIELDS]
    return fold_text(" ".join(str(part) for part in parts if part))


def today() -> dt.date:
    """Return today's date in Europe/Paris (the space's day)."""
    return utcnow().astimezone(PARIS).date()


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


# --- finding members ------------------------------------------------------------------------


@dataclass
class MemberFilters:
    """The list's filters, read from the query string; invalid values are ignored."""

    q: str = ""
    status: str = ""  # "", "current", "left", "active"
    category: str = ""
    plan_id: int | None = None
    joined_from: dt.date | None = None
    joined_to: dt.date | None = None
    sort: str = "name"
    errors: dict[str, str] = field(default_factory=dict)

    SORTS = ("name", "-name", "joined", "-joined", "organisation")

    @classmethod
    def from_args(cls, args: Any) -> MemberFilters:
        filters = cls(q=(args.get("q") or "").strip()[:200])
        status = args.get("status", "")
        filters.status = status if status in ("current", "left", "active") else ""
        category = args.get("category", "")
        filters.category = category if category in PROFESSION_CATEGORIES else ""
        plan = args.get("plan", "")
        filters.plan_id = parse_id(plan)
        for name in ("joined_from", "joined_to"):
            try:
                setattr(filters, name, parse_iso_date(args.get(name), name))
            except DateRangeError as error:
                if error.msgid == INVALID_DATE:
                    filters.errors[name] = _("Date invalide : écrivez-la AAAA-MM-JJ.")
                else:
                    filters.errors[name] = error.message
        if filters.joined_from and filters.joined_to and filters.joined_from > filters.joined_to:
            filters.errors["joined_to"] = _("La fin de la période précède son début.")
            filters.joined_to = None
        sort = args.get("sort", "name")
        filters.sort = sort if sort in cls.SORTS else "name"
        return filters

    def selects_everyone(self) -> bool:
        """Tell whether the filters keep every member not erased (the list's first page)."""
        return not (
            self.q
            or self.status
            or self.category
            or self.plan_id
            or self.joined_from
            or self.joined_to
        )

    def as_args(self) -> dict[str, str]:
        """Return the non-empty filters as query-string arguments (for links and the pager)."""
        values = {
            "q": self.q,
            "status": self.status,
            "category": self.category,
            "plan": str(self.plan_id) if self.plan_id else "",
            "joined_from": self.joined_from.isoformat() if self.joined_from else "",
            "joined_to": self.joined_to.isoformat() if self.joined_to else "",
            "sort": self.sort if self.sort != "name" else "",
        }
        return {key: value for key, value in values.items() if value}


@lru_cache(maxsize=4)
def active_on_clause(day: dt.date) -> Any:
    """Return an SQL condition: a membership of the member covers this day (built once a day)."""
    return exists().where(
        Membership.member_id == Member.id,
        Membership.starts_on <= day,
        Membership.ends_on >= day,
    )


def search_clause(text: str) -> Any:
    """Return an SQL condition matching every folded word of text in search_text."""
    words = fold_text(text).split()
    return and_(*(Member.search_text.contains(word, autoescape=True) for word in words))


@cache
def _not_erased() -> Any:
    return Member.erased_at.is_(None)


def filtered_members(filters: MemberFilters) -> Select[Any]:
    """Return the select of the members matching the filters, not yet sorted."""
    query = select(Member).where(_not_erased())
    if filters.q:
        query = query.where(search_clause(filters.q))
    if filters.status == "current":
        query = query.where(or_(Member.left_on.is_(None), Member.left_on > today()))
    elif filters.status == "left":
        query = query.where(Member.left_on.is_not(None), Member.left_on <= today())
    elif filters.status == "active":
        query = query.where(active_on_clause(today()))
    if filters.category:
        query = query.where(Member.profession_category == filters.category)
    if filters.plan_id:
        query = query.where(
            exists().where(Membership.member_id == Member.id, Membership.plan_id == filters.plan_id)
        )
    if filters.joined_from:
        query = query.where(Member.joined_on >= filters.joined_from)
    if filters.joined_to:
        query = query.where(Member.joined_on <= filters.joined_to)
    return query


@cache
def _sort_orders() -> dict[str, tuple[Any, ...]]:
    # SQL expressions are immutable: built once, not at each page of the list.
    return {
        "name": (Member.last_name, Member.first_name, Member.id),
        "-name": (Member.last_name.desc(), Member.first_name.desc(), Member.id.desc()),
        "joined": (Member.joined_on, Member.id),
        "-joined": (Member.joined_on.desc(), Member.id.desc()),
        "organisation": (Member.organisation, Member.last_name, Member.id),
    }


def sorted_members(query: Select[Any], sort: str) -> Select[Any]:
    orders = _sort_orders()
    return query.order_by(*orders.get(sort, orders["name"]))


# What the member list shows of each member: loading these columns, not whole members,
# halves the time the list spends turning rows into Python objects.
LIST_COLUMNS = (
    Member.id,
    Member.last_name,
    Member.first_name,
    Member.organisation,
    Member.profession_category,
    Member.joined_on,
    Member.left_on,
)


def list_rows(query: Select[Any], day: dt.date) -> Select[Any]:
    """Return the member select reduced to the columns the member list shows, plus `active`:
    whether a membership covers the day (a subquery the database runs for the page's rows only).
    """
    return query.with_only_columns(
        *LIST_COLUMNS, active_on_clause(day).label("active"), maintain_column_froms=True
    )


class ListedMember(NamedTuple):
    """One line of the member list, ready to print."""

    id: int
    name: str
    organisation: str
    category: str
    joined: str
    status: str  # "left", "active" (a membership covers today) or "inactive"


def listed_members(
    rows: Iterable[Any], day: dt.date, categories: dict[str, str]
) -> list[ListedMember]:
    """Turn a page of list_rows(…, day) into printable lines: labels, dates and state worked out
    here, once, rather than by the template for each of the fifty lines."""
    locale = current_locale_name()
    lines = []
    for row in rows:
        if row.left_on and row.left_on <= day:
            status = "left"
        else:
            status = "active" if row.active else "inactive"
        lines.append(
            ListedMember(
                row.id,
                f"{row.last_name} {row.first_name}",
                row.organisation or "",
                categories.get(row.profession_category, row.profession_category),
                format_day(row.joined_on, "medium", locale),
                status,
            )
        )
    return lines


def plan_names() -> list[Any]:
    """Return (id, name) of every plan, by name: the list's plan filter."""
    query = select(MembershipPlan.id, MembershipPlan.name).order_by(MembershipPlan.name)
    return list(db.session.connection().execute(query).all())


def count_matching(filters: MemberFilters, query: Select[Any]) -> int:
    """Count the members the filters select (query is filtered_members(filters))."""
    if filters.selects_everyone():
        return db.session.connection().scalar(_count_not_erased())
    return count_of(query)


@cache
def _count_not_erased() -> Select[Any]:
    # A count with a WHERE visits every row; a whole table's count does not (SQLite counts
    # b-tree pages), and erased members are few and have their own index.
    everyone = select(func.count()).select_from(Member).scalar_subquery()
    erased = (
        select(func.count()).select_from(Member).where(Member.erased_at.is_not(None))
    ).scalar_subquery()
    return select(everyone - erased)


def count_of(query: Select[Any]) -> int:
    """Count the rows of a member select in SQL (its filters are WHERE clauses, no joins)."""
    counted = query.order_by(None).with_only_columns(
        func.count(Member.id), maintain_column_froms=True
    )
    return db.session.scalar(counted)


def is_active_on(member: Member, day: dt.date) -> bool:
    """Tell whether a membership of the member covers the day."""
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.member_id == member.id,
                Membership.starts_on <= day,
                Membership.ends_on >= day,
            )
        )
    )


def find_member(ident: str) -> Member | None:
    """Return the member with this id or e-mail (for the CLI and the API)."""
    ident = (ident or "").strip()
    if ident.isascii() and ident.isdigit():
        number = parse_id(ident)
        return db.session.get(Member, number) if number is not None else None
    if "@" in ident:
        return db.session.scalar(select(Member).where(Member.email == ident.lower()))
    return None


def quick_search(text: str, limit: int = 12) -> list[Member]:
    """Return the current members matching text, for the front desk."""
    if len(fold_text(text).replace(" ", "")) < 2:
        return []
    query = (
        select(Member)
        .where(Member.erased_at.is_(None), search_clause(text))
        .where(or_(Member.left_on.is_(None), Member.left_on > today()))
        .order_by(Member.last_name, Member.first_name, Member.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


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
            if current is None or current.astimezone(PARIS).date() != value:
                setattr(member, attribute, dt.datetime.combine(value, dt.time(12), tzinfo=PARIS))
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
    member.search_text = member_search_text(member)
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
    member.search_text = member_search_text(member)
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
        return _add_months(start, 1) - dt.timedelta(days=1)
    # Annual plans, association fees and 10-day cards run for a year.
    return _add_months(start, 12) - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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


def membership_statuses(member: Member, on: dt.date | None = None) -> list[MembershipStatus]:
    """Return the member's memberships with 10-day card balances and end-soon warnings.

    A 10-day card uses a day per full-day check-in and half a day per half-day one,
    within its validity; two queries whatever the number of memberships.
    """
    from coworking.space.models import CheckIn

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
        weight = db.case((CheckIn.duration == "half", 0.5), else_=1.0)
        rows = db.session.execute(
            select(Membership.id, func.coalesce(func.sum(weight), 0))
            .join(
                CheckIn,
                and_(
                    CheckIn.member_id == Membership.member_id,
                    CheckIn.day >= Membership.starts_on,
                    CheckIn.day <= Membership.ends_on,
                ),
            )
            .where(Membership.id.in_([m.id for m in cards]))
            .group_by(Membership.id)
        )
        used = {row[0]: float(row[1]) for row in rows}
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


# --- CSV import -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, or would do: how many members it creates and updates (same e-mail)."""

    created: int
    updated: int
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    @property
    def total(self) -> int:
        return self.created + self.updated


# E-mails are looked up this many at a time (SQLite's bound parameters are limited).
_EMAIL_CHUNK = 500
# What an update reads of an existing member: the fields a row may change, and the consents.
_CONSENT_COLUMNS = tuple(f"consent_{name}_at" for name in CONSENTS)
_UPDATABLE_COLUMNS = (*MEMBER_FIELDS, *_CONSENT_COLUMNS)


def _report(parsed: ParsedMembers, created: int, updated: int) -> ImportReport:
    return ImportReport(
        created=created,
        updated=updated,
        ignored_columns=list(parsed.ignored_columns),
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
    )


def _members_by_email(emails: list[str], *names: str) -> dict[str, Any]:
    """Return the named columns of the members having these e-mails, by e-mail."""
    columns = Member.__table__.c
    found: dict[str, Any] = {}
    for start in range(0, len(emails), _EMAIL_CHUNK):
        chunk = emails[start : start + _EMAIL_CHUNK]
        query = select(columns.email, *(columns[name] for name in names)).where(
            columns.email.in_(chunk)
        )
        for email, *values in db.session.execute(query):
            found[email] = dict(zip(names, values, strict=True))
    return found


def plan_import(parsed: ParsedMembers) -> ImportReport:
    """Say what import_members would do, reading only: a row whose e-mail exists updates."""
    emails = [row.email for row in parsed.rows if row.email]
    updated = len(_members_by_email(emails))
    return _report(parsed, len(parsed.rows) - updated, updated)


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """Parsed rows, with the columns each row gives a member it creates."""

    parsed: ParsedMembers
    new_members: list[dict[str, Any]]


def prepare_import(parsed: ParsedMembers) -> PreparedImport:
    """Work out what each row would create, reading nothing: done before the write begins."""
    now, joined_on = utcnow(), today()
    return PreparedImport(parsed, [_created_values(row, joined_on, now) for row in parsed.rows])


def import_members(members: ParsedMembers | PreparedImport) -> ImportReport:
    """Write parsed rows in bulk: a member whose e-mail exists is updated, else created.

    Rows go to the database in two executemany statements (Core, not one ORM object per
    row) and a member whose values do not change is not written: the caller's transaction,
    SQLite's write lock with it, stays short even for 50,000 rows; prepare_import() before
    that transaction shortens it further. The caller commits.
    """
    prepared = members if isinstance(members, PreparedImport) else prepare_import(members)
    parsed = prepared.parsed
    emails = [row.email for row in parsed.rows if row.email]
    existing = _members_by_email(emails, "id", *_UPDATABLE_COLUMNS)
    now = utcnow()
    creations: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    updated = 0
    for row, new_member in zip(parsed.rows, prepared.new_members, strict=True):
        current = existing.get(row.email) if row.email else None
        if current is None:
            creations.append(new_member)
            continue
        updated += 1
        values = _updated_values(current, row)
        if values is not None:
            values["updated_at"] = now
            changes.append(values)
    table = Member.__table__
    if creations:
        db.session.execute(table.insert(), creations)
    if changes:
        statement = table.update().where(table.c.id == bindparam("member_id"))
        db.session.execute(statement, changes)
    _pause_when_testing_durability()
    audit.record(
        "member.import",
        None,
        f"{len(creations)} créés, {updated} mis à jour",
        object_type="member",
    )
    return _report(parsed, len(creations), updated)


# Fault injection for tests/test_durability.py, off unless this variable names a file: once
# the import's rows are written (not yet committed), it creates that file and waits there, so
# that the test kills the process in the middle of its write transaction.
PAUSE_AFTER_WRITING_ENV = "COWORKING_TEST_IMPORT_PAUSE_FILE"
PAUSE_SECONDS = 120


def _pause_when_testing_durability() -> None:
    """Say the rows are written and wait to be killed, when the durability test asks to."""
    marker = os.environ.get(PAUSE_AFTER_WRITING_ENV)
    if marker:
        Path(marker).write_text("written, not committed\n", encoding="utf-8")
        time.sleep(PAUSE_SECONDS)


def _created_values(row: MemberRow, joined_on: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Return the columns of a member created from a row."""
    member = SimpleNamespace(**dict.fromkeys(_UPDATABLE_COLUMNS))
    member.profession_category = "autre"
    member.joined_on = joined_on
    _copy_row(member, row, creating=True)
    member.search_text = member_search_text(member)
    member.created_at = member.updated_at = now
    return vars(member)


def _updated_values(current: dict[str, Any], row: MemberRow) -> dict[str, Any] | None:
    """Return the columns of an existing member (from _members_by_email) updated by a row,
    or None when the row changes nothing."""
    member_id = current.pop("id")
    member = SimpleNamespace(**current)
    _copy_row(member, row, creating=False)
    values = vars(member)
    if values == current:
        return None
    values["search_text"] = member_search_text(member)
    values["member_id"] = member_id
    return values


def _copy_row(member: Any, row: MemberRow, *, creating: bool) -> None:
    """Copy the row's values; on update, a blank cell keeps what the register already holds."""
    for name in MEMBER_FIELDS:
        value = getattr(row, name, None)
        if value is None or value == "":
            continue
        setattr(member, name, value)
    member.first_name = member.first_name or ""
    member.last_name = member.last_name or ""
    if creating and not member.profession_category:
        member.profession_category = "autre"
    consents: dict[str, Any] = {}
    for name in CONSENTS:
        value = getattr(row, f"consent_{name}")
        if value is not None:
            consents[name] = value
    _apply_consents(member, consents)


# --- CSV import: previews confirmed once -------------------------------------------------------

# A preview may be confirmed within this time; a confirmed one is remembered this long (without
# its file), to say « déjà confirmé » and to warn when the same file is sent again.
PREVIEW_MAX_AGE = dt.timedelta(hours=1)
CONFIRMED_PREVIEW_KEPT = dt.timedelta(days=30)
# Previews waiting for confirmation, per user: older ones are dropped (they hold whole files).
PENDING_PREVIEWS_PER_USER = 5


class ImportPreviewError(MemberError):
    """A preview that cannot be confirmed (unknown, someone else's, expired, already confirmed)."""


def save_import_preview(data: bytes, user_id: int) -> MemberImportPreview:
    """Keep an uploaded file under a random id until its confirmation; flushes."""
    purge_import_previews()
    older_pending = db.session.scalars(
        select(MemberImportPreview.id)
        .where(
            MemberImportPreview.created_by == user_id,
            MemberImportPreview.confirmed_at.is_(None),
        )
        .order_by(MemberImportPreview.created_at.desc())
        .offset(PENDING_PREVIEWS_PER_USER - 1)
    ).all()
    if older_pending:
        db.session.execute(
            delete(MemberImportPreview).where(MemberImportPreview.id.in_(older_pending))
        )
    preview = MemberImportPreview(
        id=secrets.token_urlsafe(32),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        created_by=user_id,
        created_at=utcnow(),
    )
    db.session.add(preview)
    db.session.flush()
    return preview


def _refuse_unconfirmable(preview: MemberImportPreview | None, user_id: int) -> None:
    """Raise ImportPreviewError unless this user may confirm this preview now."""
    if preview is None or preview.created_by != user_id:
        raise ImportPreviewError(_("Aperçu invalide : envoyez le fichier à nouveau."))
    if preview.confirmed_at is not None:
        raise ImportPreviewError(_("Cet import a déjà été confirmé."))
    if preview.created_at < utcnow() - PREVIEW_MAX_AGE:
        raise ImportPreviewError(_("L'aperçu a expiré : envoyez le fichier à nouveau."))


def import_preview_data(preview_id: str, user_id: int) -> bytes:
    """Return the file of a preview this user may confirm, else raise ImportPreviewError."""
    preview = db.session.get(MemberImportPreview, preview_id) if preview_id else None
    _refuse_unconfirmable(preview, user_id)
    return preview.data or b""  # type: ignore[union-attr]


def confirm_import_preview(preview_id: str, user_id: int) -> None:
    """Mark a preview confirmed and drop its file, once; flushes.

    One conditional UPDATE does it: of two confirmations of the same preview, however close,
    the second finds it confirmed (SQLite's write lock, PostgreSQL's row lock) and raises
    ImportPreviewError, and its transaction must be rolled back.
    """
    now = utcnow()
    confirmed = db.session.execute(
        update(MemberImportPreview)
        .where(
            MemberImportPreview.id == preview_id,
            MemberImportPreview.created_by == user_id,
            MemberImportPreview.confirmed_at.is_(None),
            MemberImportPreview.created_at >= now - PREVIEW_MAX_AGE,
        )
        .values(confirmed_at=now, data=None)
        .execution_options(synchronize_session=False)
    )
    if confirmed.rowcount != 1:
        preview = db.session.get(MemberImportPreview, preview_id, populate_existing=True)
        _refuse_unconfirmable(preview, user_id)
        raise ImportPreviewError(_("Cet import a déjà été confirmé."))
    purge_import_previews(now)


def purge_import_previews(now: dt.datetime | None = None) -> None:
    """Delete the previews past their time: pending and expired, or confirmed long ago."""
    now = now or utcnow()
    db.session.execute(
        delete(MemberImportPreview).where(
            or_(
                and_(
                    MemberImportPreview.confirmed_at.is_(None),
                    MemberImportPreview.created_at < now - PREVIEW_MAX_AGE,
                ),
                MemberImportPreview.created_at < now - CONFIRMED_PREVIEW_KEPT,
            )
        )
    )


def last_import_of(data: bytes) -> dt.datetime | None:
    """Return when a file of these very bytes was last imported (recently), if it was."""
    return db.session.scalar(
        select(func.max(MemberImportPreview.confirmed_at)).where(
            MemberImportPreview.sha256 == hashlib.sha256(data).hexdigest()
        )
    )


# --- CSV export -------------------------------------------------------------------------------


@dataclass
class ExportedMember:
    """A member as the export sees it: consent dates turned into yes/no."""

    member: Member

    def __getattr__(self, name: str) -> Any:
        if name.startswith("consent_"):
            return getattr(self.member, f"{name}_at") is not None
        return getattr(self.member, name)


def export_rows(query: Select[Any]) -> Iterable[list[object]]:
    """Yield the CSV cells of the members of a query, streamed in chunks."""
    from coworking.members.csv_import import member_csv_row

    rows = db.session.execute(query.execution_options(yield_per=500)).scalars()
    for member in rows:
        yield member_csv_row(ExportedMember(member))


# --- GDPR -------------------------------------------------------------------------------------


def member_handles(member: Member) -> list[str]:
    """Return the member's social handles as mention authors are stored (lowercase)."""
    handles = []
    if member.twitter:
        handles.append(member.twitter.lstrip("@").lower())
    if member.mastodon:
        handles.append(member.mastodon.lstrip("@").lower())
        handles.append(member.mastodon.lstrip("@").split("@")[0].lower())
    return sorted(set(h for h in handles if h))


def _mentions_by(member: Member) -> Select[Any]:
    from coworking.community.models import Mention

    handles = member_handles(member)
    folded = func.lower(func.trim(Mention.author, "@ "))
    return select(Mention).where(folded.in_(handles)) if handles else select(Mention).where(False)


def export_member_data(member: Member) -> dict[str, Any]:
    """Return everything the space holds about a member, as JSON-ready data."""
    from coworking.community.models import Outcome, outcome_member
    from coworking.events.models import Attendance, Event
    from coworking.space.models import CheckIn

    def iso(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value

    profile = {name: iso(getattr(member, name)) for name in ("id", *MEMBER_FIELDS)}
    profile["created_at"] = iso(member.created_at)
    profile["erased_at"] = iso(member.erased_at)
    consents = {name: iso(getattr(member, f"consent_{name}_at")) for name in CONSENTS}
    memberships = [
        {
            "plan": m.plan.name,
            "kind": m.plan.kind,
            "starts_on": iso(m.starts_on),
            "ends_on": iso(m.ends_on),
            "amount_paid_cents": m.amount_paid_cents,
            "paid_on": iso(m.paid_on),
        }
        for m in db.session.scalars(
            select(Membership)
            .where(Membership.member_id == member.id)
            .options(db.joinedload(Membership.plan))
            .order_by(Membership.starts_on)
        ).unique()
    ]
    visits = [
        {"day": iso(c.day), "duration": c.duration, "recorded_at": iso(c.created_at)}
        for c in db.session.scalars(
            select(CheckIn).where(CheckIn.member_id == member.id).order_by(CheckIn.day)
        )
    ]
    attendances = [
        {
            "event": event.title,
            "starts_at": iso(event.starts_at),
            "status": attendance.status,
            "first_visit": attendance.first_visit,
        }
        for attendance, event in db.session.execute(
            select(Attendance, Event)
            .join(Event, Event.id == Attendance.event_id)
            .where(Attendance.member_id == member.id)
            .order_by(Event.starts_at)
        )
    ]
    outcomes = [
        {
            "kind": o.kind,
            "title": o.title,
            "description": o.description,
            "happened_on": iso(o.happened_on),
            "testimonial": o.testimonial,
        }
        for o in db.session.scalars(
            select(Outcome)
            .join(outcome_member, outcome_member.c.outcome_id == Outcome.id)
            .where(outcome_member.c.member_id == member.id)
            .order_by(Outcome.happened_on)
        )
    ]
    mentions = [
        {
            "platform": m.platform,
            "author": m.author,
            "posted_at": iso(m.posted_at),
            "text": m.text,
            "url": m.url,
        }
        for m in db.session.scalars(_mentions_by(member).order_by("posted_at"))
    ]
    return {
        "exported_at": iso(utcnow()),
        "profile": profile,
        "consents": consents,
        "memberships": memberships,
        "visits": visits,
        "attendances": attendances,
        "outcomes": outcomes,
        "mentions": mentions,
    }


# Kept on erasure: what the statistics count, none of it identifying on its own.
KEPT_ON_ERASURE = ("profession_category", "age_bracket", "city", "joined_on", "left_on")
# Stored data (not a UI string): the title of an outcome whose title named an erased member.
ERASED_OUTCOME_TITLE = "Réalisation (personne effacée)"


def _name_patterns(member: Member) -> list[re.Pattern[str]]:
    """Return whole-word patterns (on fold_text) of the member's names and handles."""
    words = {fold_text(member.first_name or ""), fold_text(member.last_name or "")}
    words.update(fold_text(handle.split("@")[0]) for handle in member_handles(member))
    return [re.compile(rf"\b{re.escape(word)}\b") for word in sorted(words) if len(word) >= 2]


def _names_in(text: str | None, patterns: list[re.Pattern[str]]) -> bool:
    folded = fold_text(text or "")
    return any(pattern.search(folded) for pattern in patterns)


def _clear_full_names(model: Any, name_column: Any, member: Member) -> list[int]:
    """Clear the free-text names (a guest's, a visitor's) on rows without a member that are this
    member's full name; return the ids of the rows cleared."""
    ids = [
        row_id
        for row_id, name in db.session.execute(
            select(model.id, name_column).where(model.member_id.is_(None), name_column.is_not(None))
        )
        if _is_full_name(name, member)
    ]
    if ids:
        db.session.execute(update(model).where(model.id.in_(ids)).values({name_column: None}))
    return ids


def _is_full_name(text: str | None, member: Member) -> bool:
    """Tell whether a free-typed name (a guest, a visitor) is the member's full name.

    Case, accents and punctuation are ignored, and « Zarbi Zoé (invitée) » counts too:
    the full name, in either order, as whole words.
    """
    first, last = fold_text(member.first_name or ""), fold_text(member.last_name or "")
    folded = fold_text(text or "")
    if not folded or not (first or last):
        return False
    if not (first and last):
        return folded == (first or last)
    return any(
        re.search(rf"\b{re.escape(name)}\b", folded)
        for name in (f"{first} {last}", f"{last} {first}")
    )


def _erase_traces(member: Member) -> None:
    """Clear what other tables hold about a member being erased (names, handles, words).

    Mentions they authored keep their date, platform, hashtags and counts, lose the
    author, url and text, and an external id naming them is replaced by its hash;
    the outcomes they are linked to lose the testimonial and any title or description
    naming them; guests and visitors typed with their full name lose that name; the
    audit log forgets the summaries about all these rows.
    """
    from coworking.community.mentions import erased_external_id
    from coworking.community.models import Mention, Outcome, outcome_member
    from coworking.events.models import Attendance
    from coworking.space.models import CheckIn

    handles = member_handles(member)
    for mention_id, external_id in db.session.execute(
        _mentions_by(member).with_only_columns(Mention.id, Mention.external_id)
    ).all():
        values: dict[str, Any] = {"author": "", "url": None, "text": "", "author_erased": True}
        if any(handle in external_id.lower() for handle in handles):
            values["external_id"] = erased_external_id(external_id)
        db.session.execute(update(Mention).where(Mention.id == mention_id).values(**values))

    patterns = _name_patterns(member)
    outcomes = db.session.scalars(
        select(Outcome)
        .join(outcome_member, outcome_member.c.outcome_id == Outcome.id)
        .where(outcome_member.c.member_id == member.id)
    ).all()
    for outcome in outcomes:
        outcome.testimonial = None
        outcome.testimonial_author = None
        outcome.consent_publish_at = None
        if _names_in(outcome.title, patterns):
            outcome.title = ERASED_OUTCOME_TITLE
        if _names_in(outcome.description, patterns):
            outcome.description = ""
    audit.forget_objects("outcome", [outcome.id for outcome in outcomes])

    attendance_ids = list(
        db.session.scalars(select(Attendance.id).where(Attendance.member_id == member.id))
    )
    db.session.execute(
        update(Attendance).where(Attendance.member_id == member.id).values(guest_name=None)
    )
    guests = _clear_full_names(Attendance, Attendance.guest_name, member)
    audit.forget_objects("attendance", attendance_ids + guests)

    visitors = _clear_full_names(CheckIn, CheckIn.visitor_name, member)
    audit.forget_objects("check_in", visitors)


def erase_member(member: Member) -> None:
    """Anonymise a member in place: visits, attendance and the profession mix still count.

    Names, contact details, handles, notes and consents are cleared; the audit log forgets
    the summaries about the member; other tables lose their traces (`_erase_traces`).
    The caller commits, then calls `purge_deleted_bytes()` so that no copy remains on disk.
    """
    if member.erased_at is not None:
        return
    _erase_traces(member)
    for name in MEMBER_FIELDS:
        if name not in KEPT_ON_ERASURE:
            setattr(member, name, "" if name in ("first_name", "last_name") else None)
    member.postcode = None
    for name in CONSENTS:
        setattr(member, f"consent_{name}_at", None)
    member.left_on = member.left_on or today()
    member.search_text = ""
    member.erased_at = utcnow()
    db.session.flush()
    audit.forget_object("member", member.id)
    audit.record("member.erase", member, "")


def purge_deleted_bytes() -> None:
    """After an erasure commit: fold the SQLite WAL into the file so old pages are gone."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    # Outside any transaction (the engine's BEGIN would make the checkpoint fail).
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        connection.close()


# --- retention --------------------------------------------------------------------------------


def retention_years() -> int:
    setting = db.session.get(RetentionSetting, 1)
    return setting.years if setting else DEFAULT_RETENTION_YEARS


def set_retention_years(years: int) -> None:
    if years < 1 or years > 50:
        raise MemberError(_("Choisissez une durée entre 1 et 50 ans."), "years")
    setting = db.session.get(RetentionSetting, 1)
    if setting is None:
        setting = RetentionSetting(id=1)
        db.session.add(setting)
    setting.years = years
    db.session.flush()
    audit.record("retention.update", setting, str(years))


def retention_cutoff(years: int, on: dt.date | None = None) -> dt.date:
    on = on or today()
    return _add_months(on, -12 * years)


def members_past_retention(years: int) -> Select[Any]:
    """Members who left before the cut-off and are not erased yet."""
    return (
        select(Member)
        .where(
            Member.erased_at.is_(None),
            Member.left_on.is_not(None),
            Member.left_on < retention_cutoff(years),
        )
        .order_by(Member.left_on, Member.id)
    )
