"""The indicators of a period: one definition each, shared by the pages, the API, the CLI and the PDF.

`compute_indicators` runs every scalar aggregate the requested indicators need
as scalar subqueries of ONE SELECT (plus one query for the space profile when
the occupancy rate or the opening days are asked), so its query count never
depends on the amount of data. Shares are ratios between 0 and 1 (unit
``percent``), rounded to four decimals; averages to two.

Definitions chosen where the design was silent (printed in the glossary):

- a member is *active* when one of their memberships covers at least one day of
  the period; members erased under the GDPR keep their anonymised rows and count;
- the members bridge adds up: *at the start* (a membership begun before the period covers
  its first day) + *new* (their very first membership starts in the period) + *returning*
  (the others active in the period) − *left* (active, but not on the last day) = *at the end*;
- *retention*: share of the members active in the previous period (see
  `Period.previous`) who are active again in this one;
- an *attendee* is a member, or a guest by their name (case-insensitive), or an
  unnamed guest (each counted once); headcounts of open events add to the
  attendance total, not to unique attendees;
- *co-organised*: events with at least one co-organising partner;
- a partner is *active* when its partnership (since – until, open ends allowed)
  overlaps the period;
- *general assemblies*: the assemblies recorded in the governance register, or
  the events of kind « assemblée générale » when more of those were recorded
  (an assembly logged in both places counts once);
- *profession categories*: categories other than « autre » among active
  members, and 0 when one category (« autre » included) holds more than half of
  them — LABEL.md's OUV-3 asks for a diverse membership;
- *occupancy rate*: visitor-days / (desks × days open in the period), the open
  weekdays being those with opening hours in the space profile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from coworking.community.models import Mention, Outcome, PressArticle
from coworking.events.models import Attendance, Event, event_partner
from coworking.extensions import db
from coworking.members.models import Member, Membership
from coworking.partners.models import Partner
from coworking.periods import Period
from coworking.space.models import CheckIn, GeneralAssembly, SpaceProfile
from coworking.stats import sql
from coworking.stats.definitions import (
    INDICATORS,
    UnknownIndicatorError,
)

# The event kinds the indicators single out.
WORKSHOP_KINDS = ("atelier", "formation")
GENERAL_ASSEMBLY_KIND = "ag"

__all__ = [
    "compute_indicators",
    "open_days_per_week",
]

# -- the scalar aggregates ----------------------------------------------------------------


class _Ctx:
    """The period and its derived bounds, for building the aggregates."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.previous = period.previous()

    def held(self) -> ColumnElement[bool]:
        return sql.events_held(self.period)


def _count(model_column: Any, *where: Any) -> Any:
    return select(func.count(model_column)).where(*where).scalar_subquery()


def _members_active(c: _Ctx) -> Any:
    return (
        select(func.count(func.distinct(Membership.member_id)))
        .where(sql.membership_covers(c.period))
        .scalar_subquery()
    )


def _members_on(day: Any, *where: Any) -> Any:
    return (
        select(func.count(func.distinct(Membership.member_id)))
        .where(Membership.starts_on <= day, Membership.ends_on >= day, *where)
        .scalar_subquery()
    )


def _members_new(c: _Ctx) -> Any:
    firsts = (
        select(Membership.member_id)
        .group_by(Membership.member_id)
        .having(func.min(Membership.starts_on).between(c.period.start, c.period.end))
        .subquery()
    )
    return select(func.count()).select_from(firsts).scalar_subquery()


def _retention_base(c: _Ctx) -> Any:
    return (
        select(func.count(func.distinct(Membership.member_id)))
        .where(sql.membership_covers(c.previous))
        .scalar_subquery()
    )


def _retention_kept(c: _Ctx) -> Any:
    later = aliased(Membership)
    still = select(later.member_id).where(
        later.starts_on <= c.period.end, later.ends_on >= c.period.start
    )
    return (
        select(func.count(func.distinct(Membership.member_id)))
        .where(sql.membership_covers(c.previous), Membership.member_id.in_(still))
        .scalar_subquery()
    )


def _profession_groups(c: _Ctx) -> Any:
    return (
        select(
            Member.profession_category.label("category"),
            func.count(func.distinct(Member.id)).label("n"),
        )
        .join(Membership, Membership.member_id == Member.id)
        .where(sql.membership_covers(c.period))
        .group_by(Member.profession_category)
        .subquery()
    )


def _profession_named(c: _Ctx) -> Any:
    groups = _profession_groups(c)
    return select(func.count()).where(groups.c.category != "autre").scalar_subquery()


def _profession_top(c: _Ctx) -> Any:
    groups = _profession_groups(c)
    return select(func.coalesce(func.max(groups.c.n), 0)).scalar_subquery()


def _visitors(c: _Ctx) -> Any:
    return (
        select(func.count(func.distinct(sql.visitor_key())))
        .where(sql.checkins_in(c.period))
        .scalar_subquery()
    )


def _held_where(c: _Ctx, *extra: Any) -> Any:
    return _count(Event.id, c.held(), *extra)


def _co_organised(c: _Ctx) -> Any:
    has_partner = exists().where(event_partner.c.event_id == Event.id)
    return _count(Event.id, c.held(), has_partner)


def _months_with_8(c: _Ctx) -> Any:
    months = sql.months_table(c.period)
    busy = (
        select(months.c.month)
        .select_from(months)
        .join(
            Event,
            and_(
                Event.starts_at >= months.c.start_utc,
                Event.starts_at < months.c.end_utc,
                Event.cancelled.is_(False),
            ),
        )
        .group_by(months.c.month)
        .having(func.count(Event.id) >= 8)
        .subquery()
    )
    return select(func.count()).select_from(busy).scalar_subquery()


def _attendance(c: _Ctx, *where: Any, column: Any = None) -> Any:
    return (
        select(func.count(column if column is not None else Attendance.id))
        .join(Event, Event.id == Attendance.event_id)
        .where(c.held(), *where)
        .scalar_subquery()
    )


def _headcount(c: _Ctx) -> Any:
    return select(func.coalesce(func.sum(Event.headcount), 0)).where(c.held()).scalar_subquery()


def _attendees_unique(c: _Ctx) -> Any:
    return _attendance(c, Attendance.status == "attended", column=func.distinct(sql.attendee_key()))


def _attendees_returning(c: _Ctx) -> Any:
    key = sql.attendee_key().label("who")
    regulars = (
        select(key)
        .join(Event, Event.id == Attendance.event_id)
        .where(c.held(), Attendance.status == "attended")
        .group_by(key)
        .having(func.count(func.distinct(Attendance.event_id)) >= 2)
        .subquery()
    )
    return select(func.count()).select_from(regulars).scalar_subquery()


def _general_assembly_records(c: _Ctx) -> Any:
    return _count(GeneralAssembly.id, GeneralAssembly.held_on.between(c.period.start, c.period.end))


def _partners_active(c: _Ctx) -> Any:
    return _count(Partner.id, sql.overlaps(Partner.since, Partner.until, c.period))


def _mentions_in(c: _Ctx) -> ColumnElement[bool]:
    start, end = c.period.utc_bounds()
    return and_(Mention.posted_at >= start, Mention.posted_at < end)


RAW: dict[str, Callable[[_Ctx], Any]] = {
    "members_active": _members_active,
    "members_new": _members_new,
    "members_at_start": lambda c: _members_on(
        c.period.start, Membership.starts_on < c.period.start
    ),
    "members_at_end": lambda c: _members_on(c.period.end),
    "retention_base": _retention_base,
    "retention_kept": _retention_kept,
    "profession_named": _profession_named,
    "profession_top": _profession_top,
    "checkins": lambda c: _count(CheckIn.id, sql.checkins_in(c.period)),
    "visitors": _visitors,
    "events_held": lambda c: _held_where(c),
    "events_public": lambda c: _held_where(c, Event.is_public.is_(True)),
    "events_free": lambda c: _held_where(c, Event.is_free.is_(True)),
    "events_workshops": lambda c: _held_where(c, Event.kind.in_(WORKSHOP_KINDS)),
    "events_ag": lambda c: _held_where(c, Event.kind == GENERAL_ASSEMBLY_KIND),
    "events_co_organised": _co_organised,
    "months_with_8": _months_with_8,
    "attended": lambda c: _attendance(c, Attendance.status == "attended"),
    "first_visits": lambda c: _attendance(
        c, Attendance.status == "attended", Attendance.first_visit.is_(True)
    ),
    "no_shows": lambda c: _attendance(c, Attendance.status == "no_show"),
    "headcount": _headcount,
    "attendees_unique": _attendees_unique,
    "attendees_returning": _attendees_returning,
    "ga_records": _general_assembly_records,
    "partners_active": _partners_active,
    "press_articles": lambda c: _count(
        PressArticle.id, PressArticle.published_on.between(c.period.start, c.period.end)
    ),
    "mentions": lambda c: _count(Mention.id, _mentions_in(c)),
    "mentions_reach": lambda c: (
        select(func.coalesce(func.sum(Mention.likes + Mention.reposts), 0))
        .where(_mentions_in(c))
        .scalar_subquery()
    ),
    "outcomes": lambda c: _count(
        Outcome.id, Outcome.happened_on.between(c.period.start, c.period.end)
    ),
}


def _share(part: float | None, whole: float | None, digits: int = 4) -> float | None:
    if part is None or not whole:
        return None
    return round(part / whole, digits)


@dataclass(frozen=True)
class _Formula:
    raws: tuple[str, ...]
    compute: Callable[[Mapping[str, int], _Profile | None, Period], float | int | None]
    needs_profile: bool = False


@dataclass(frozen=True)
class _Profile:
    desks: int | None
    opening_hours: Mapping[str, str]


def open_days_per_week(opening_hours: Mapping[str, Any] | None) -> int:
    """Return how many weekdays (Monday = "0") have opening hours."""
    hours = opening_hours or {}
    return sum(1 for day in range(7) if str(hours.get(str(day)) or "").strip())


def _occupancy(r: Mapping[str, int], p: _Profile | None, period: Period) -> float | None:
    if p is None or not p.desks:
        return None
    per_weekday = period.day_count_by_weekday()
    hours = p.opening_hours or {}
    open_days = sum(
        count for day, count in enumerate(per_weekday) if str(hours.get(str(day)) or "").strip()
    )
    if not open_days:
        return None
    return round(r["checkins"] / (p.desks * open_days), 4)


def _profession_categories(r: Mapping[str, int], _p: Any, _period: Period) -> int:
    if r["members_active"] and r["profession_top"] * 2 > r["members_active"]:
        return 0
    return r["profession_named"]


def _raw(name: str) -> _Formula:
    return _Formula((name,), lambda r, _p, _period: r[name])


FORMULAS: dict[str, _Formula] = {
    "members_active": _raw("members_active"),
    "members_at_start": _raw("members_at_start"),
    "members_new": _raw("members_new"),
    "members_returning": _Formula(
        ("members_active", "members_at_start", "members_new"),
        lambda r, _p, _period: r["members_active"] - r["members_at_start"] - r["members_new"],
    ),
    "members_left": _Formula(
        ("members_active", "members_at_end"),
        lambda r, _p, _period: r["members_active"] - r["members_at_end"],
    ),
    "members_at_end": _raw("members_at_end"),
    "members_retention": _Formula(
        ("retention_base", "retention_kept"),
        lambda r, _p, _period: _share(r["retention_kept"], r["retention_base"]),
    ),
    "profession_categories": _Formula(
        ("members_active", "profession_named", "profession_top"), _profession_categories
    ),
    "checkins_visitor_days": _raw("checkins"),
    "visitors_unique": _raw("visitors"),
    "occupancy_rate": _Formula(("checkins",), _occupancy, needs_profile=True),
    "days_open_per_week": _Formula(
        (),
        lambda _r, p, _period: open_days_per_week(p.opening_hours) if p is not None else None,
        needs_profile=True,
    ),
    "events_held": _raw("events_held"),
    "events_public": _raw("events_public"),
    "events_free": _raw("events_free"),
    "events_public_share": _Formula(
        ("events_public", "events_held"),
        lambda r, _p, _period: _share(r["events_public"], r["events_held"]),
    ),
    "events_free_share": _Formula(
        ("events_free", "events_held"),
        lambda r, _p, _period: _share(r["events_free"], r["events_held"]),
    ),
    "events_workshops_trainings": _raw("events_workshops"),
    "events_co_organised": _raw("events_co_organised"),
    "months_with_8_events": _raw("months_with_8"),
    "general_assemblies": _Formula(
        ("ga_records", "events_ag"), lambda r, _p, _period: max(r["ga_records"], r["events_ag"])
    ),
    "attendance_total": _Formula(
        ("attended", "headcount"), lambda r, _p, _period: r["attended"] + r["headcount"]
    ),
    "attendance_average": _Formula(
        ("attended", "headcount", "events_held"),
        lambda r, _p, _period: _share(r["attended"] + r["headcount"], r["events_held"], 2),
    ),
    "attendees_unique": _raw("attendees_unique"),
    "attendees_returning_share": _Formula(
        ("attendees_returning", "attendees_unique"),
        lambda r, _p, _period: _share(r["attendees_returning"], r["attendees_unique"]),
    ),
    "attendees_first_timers_share": _Formula(
        ("first_visits", "attended"),
        lambda r, _p, _period: _share(r["first_visits"], r["attended"]),
    ),
    "no_show_rate": _Formula(
        ("no_shows", "attended"),
        lambda r, _p, _period: _share(r["no_shows"], r["no_shows"] + r["attended"]),
    ),
    "partners_active": _raw("partners_active"),
    "press_articles": _raw("press_articles"),
    "mentions": _raw("mentions"),
    "mentions_reach": _raw("mentions_reach"),
    "outcomes": _raw("outcomes"),
}

if set(FORMULAS) != set(INDICATORS):  # pragma: no cover - a programming error, caught at import
    raise RuntimeError(f"indicators without formula: {set(FORMULAS) ^ set(INDICATORS)}")


def compute_indicators(
    period: Period, keys: Iterable[str] | None = None
) -> dict[str, float | int | None]:
    """Compute the indicators of a period (all, or those named), in registry order.

    One SELECT of scalar subqueries gives every aggregate; one more query reads
    the space profile when an indicator needs it.
    """
    wanted = list(INDICATORS) if keys is None else list(dict.fromkeys(keys))
    unknown = [key for key in wanted if key not in INDICATORS]
    if unknown:
        raise UnknownIndicatorError(", ".join(unknown))
    formulas = {key: FORMULAS[key] for key in INDICATORS if key in wanted}
    raw_names = sorted({name for formula in formulas.values() for name in formula.raws})
    ctx = _Ctx(period)
    raws: dict[str, int] = {}
    if raw_names:
        row = db.session.execute(select(*(RAW[name](ctx).label(name) for name in raw_names))).one()
        raws = {name: int(value or 0) for name, value in zip(raw_names, row, strict=True)}
    profile = None
    if any(formula.needs_profile for formula in formulas.values()):
        found = db.session.execute(
            select(SpaceProfile.desks, SpaceProfile.opening_hours)
            .order_by(SpaceProfile.id)
            .limit(1)
        ).first()
        if found is not None:
            profile = _Profile(found.desks, found.opening_hours or {})
    return {key: formula.compute(raws, profile, period) for key, formula in formulas.items()}
