"""Finding members: the list's filters, sorts and counts, the front desk's quick search, the export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select

from coworking.collation import french_sorted
from coworking.csvio import fold_text
from coworking.dates import INVALID as INVALID_DATE
from coworking.dates import DateRangeError, parse_iso_date
from coworking.extensions import db
from coworking.i18n import current_locale_name, format_day
from coworking.ids import parse_id
from coworking.members.choices import PROFESSION_CATEGORIES
from coworking.members.csv_columns import member_csv_row
from coworking.members.models import (
    Member,
    Membership,
    MembershipPlan,
)
from coworking.members.services import today

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


def search_clause_words(text: str) -> list[str]:
    """Return the folded words a search looks for (none below two letters in all)."""
    words = fold_text(text).split()
    return words if len("".join(words)) >= 2 else []


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
        "name": (Member.sort_name, Member.id),
        "-name": (Member.sort_name.desc(), Member.id.desc()),
        "joined": (Member.joined_on, Member.id),
        "-joined": (Member.joined_on.desc(), Member.id.desc()),
        "organisation": (Member.sort_organisation, Member.sort_name, Member.id),
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
    query = select(MembershipPlan.id, MembershipPlan.name)
    return french_sorted(db.session.connection().execute(query).all(), lambda row: row.name)


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
    return db.session.scalar(counted) or 0


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
        .order_by(Member.sort_name, Member.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


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
    rows = db.session.execute(query.execution_options(yield_per=500)).scalars()
    for member in rows:
        yield member_csv_row(ExportedMember(member))
