"""Monthly series and mixes of a period, each from one grouped SQL query.

Months are Paris months clipped to the period, so that the months of a series
add up to the period's indicator (events, visitor-days, new members, mentions,
attendance). Active members per month are members with a membership covering
at least one day of that month (inside the period).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, select, text

from coworking.community.models import Mention, Outcome
from coworking.database import UTCDateTime
from coworking.events.models import Attendance, Event, EventKind
from coworking.extensions import db
from coworking.kinds import EVENT_KIND_LABELS, OUTCOME_KINDS, PARTNER_KINDS
from coworking.members.choices import AGE_BRACKETS, PROFESSION_CATEGORIES
from coworking.members.models import Member, Membership
from coworking.partners.models import Partner
from coworking.periods import Month, Period
from coworking.space.models import CheckIn
from coworking.stats import sql
from coworking.stats.definitions import current_language

__all__ = [
    "MIXES",
    "Mix",
    "MixItem",
    "MonthlySeries",
    "compute_mixes",
    "monthly_series",
]

# Monday first, as in France; SQL gives 0 = Sunday.
WEEKDAYS = (
    _l("lundi"),
    _l("mardi"),
    _l("mercredi"),
    _l("jeudi"),
    _l("vendredi"),
    _l("samedi"),
    _l("dimanche"),
)
UNKNOWN = _l("Non renseigné")


@dataclass
class MonthlySeries:
    """Values per month of a period; every list has one value per month."""

    months: list[Month]
    # The period the months were clipped to: a month it cuts is labelled by its days.
    period: Period | None = None
    events_by_kind: dict[str, list[int]] = field(default_factory=dict)
    kind_labels: dict[str, str] = field(default_factory=dict)
    events: list[int] = field(default_factory=list)
    attendance: list[int] = field(default_factory=list)
    visitor_days: list[int] = field(default_factory=list)
    members_new: list[int] = field(default_factory=list)
    members_active: list[int] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    mentions_reach: list[int] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [month.key for month in self.months]

    def as_dict(self) -> dict[str, object]:
        """Return the JSON form (for snapshots and the API)."""
        return {
            "months": self.keys,
            "events_by_kind": self.events_by_kind,
            "events": self.events,
            "attendance": self.attendance,
            "visitor_days": self.visitor_days,
            "members_new": self.members_new,
            "members_active": self.members_active,
            "mentions": self.mentions,
            "mentions_reach": self.mentions_reach,
        }


def _kind_label(slug: str, label_fr: str | None, label_en: str | None, lang: str) -> str:
    if lang == "en" and label_en:
        return label_en
    return label_fr or EVENT_KIND_LABELS.get(slug, slug)


def _by_month(rows: Iterable[Sequence[Any]], keys: list[str], column: int = 1) -> list[int]:
    found = {row[0]: int(row[column] or 0) for row in rows}
    return [found.get(key, 0) for key in keys]


def monthly_series(period: Period) -> MonthlySeries:
    """Compute the monthly series of a period (five grouped queries, whatever the data)."""
    months = sql.months_table(period)
    series = MonthlySeries(months=period.months(), period=period)
    keys = series.keys
    lang = current_language()

    # Events and attendance per month and kind: attended people and headcounts.
    attended = (
        select(Attendance.event_id, func.count(Attendance.id).label("n"))
        .join(Event, Event.id == Attendance.event_id)
        .where(sql.events_held(period), Attendance.status == "attended")
        .group_by(Attendance.event_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            months.c.month,
            Event.kind,
            EventKind.label_fr,
            EventKind.label_en,
            func.count(Event.id),
            func.coalesce(
                func.sum(func.coalesce(Event.headcount, 0) + func.coalesce(attended.c.n, 0)), 0
            ),
        )
        .select_from(months)
        .join(
            Event,
            and_(
                Event.starts_at >= months.c.start_utc,
                Event.starts_at < months.c.end_utc,
                Event.cancelled.is_(False),
            ),
        )
        .outerjoin(EventKind, EventKind.slug == Event.kind)
        .outerjoin(attended, attended.c.event_id == Event.id)
        .group_by(months.c.month, Event.kind, EventKind.label_fr, EventKind.label_en)
    ).all()
    index = {key: i for i, key in enumerate(keys)}
    series.events = [0] * len(keys)
    series.attendance = [0] * len(keys)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0] * len(keys))
    for month, kind, label_fr, label_en, count, attendance in rows:
        i = index[month]
        by_kind[kind][i] += int(count)
        series.events[i] += int(count)
        series.attendance[i] += int(attendance or 0)
        series.kind_labels[kind] = _kind_label(kind, label_fr, label_en, lang)
    # Kinds in a stable order: the most frequent first.
    series.events_by_kind = dict(sorted(by_kind.items(), key=lambda item: (-sum(item[1]), item[0])))

    series.visitor_days = _by_month(
        db.session.execute(
            select(months.c.month, func.count(CheckIn.id))
            .select_from(months)
            .join(CheckIn, CheckIn.day.between(months.c.first_day, months.c.last_day))
            .group_by(months.c.month)
        ),
        keys,
    )
    firsts = (
        select(func.min(Membership.starts_on).label("first"))
        .group_by(Membership.member_id)
        .subquery()
    )
    series.members_new = _by_month(
        db.session.execute(
            select(months.c.month, func.count())
            .select_from(months)
            .join(firsts, firsts.c.first.between(months.c.first_day, months.c.last_day))
            .group_by(months.c.month)
        ),
        keys,
    )
    series.members_active = _by_month(
        db.session.execute(
            select(months.c.month, func.count(func.distinct(Membership.member_id)))
            .select_from(months)
            .join(
                Membership,
                and_(
                    Membership.starts_on <= months.c.last_day,
                    Membership.ends_on >= months.c.first_day,
                ),
            )
            .group_by(months.c.month)
        ),
        keys,
    )
    mention_rows = db.session.execute(
        select(
            months.c.month,
            func.count(Mention.id),
            func.coalesce(func.sum(Mention.likes + Mention.reposts), 0),
        )
        .select_from(months)
        .join(
            Mention,
            and_(Mention.posted_at >= months.c.start_utc, Mention.posted_at < months.c.end_utc),
        )
        .group_by(months.c.month)
    ).all()
    series.mentions = _by_month(mention_rows, keys)
    series.mentions_reach = _by_month(mention_rows, keys, column=2)
    return series


# -- mixes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixItem:
    key: str
    label: str
    count: int


@dataclass
class Mix:
    """A breakdown of a population (active members, events held…) by one attribute."""

    name: str
    items: list[MixItem]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)

    def share(self, item: MixItem) -> float:
        return item.count / self.total if self.total else 0.0

    def as_dict(self) -> list[dict[str, object]]:
        return [{"key": i.key, "label": i.label, "count": i.count} for i in self.items]


def _sorted(items: list[MixItem]) -> list[MixItem]:
    return sorted(items, key=lambda item: (-item.count, item.label))


def _active_members_by(column: Any, period: Period) -> list[tuple[Any, int]]:
    rows = db.session.execute(
        select(column, func.count(func.distinct(Member.id)))
        .join(Membership, Membership.member_id == Member.id)
        .where(sql.membership_covers(period))
        .group_by(column)
    ).all()
    return [(key, int(count)) for key, count in rows]


def profession_mix(period: Period) -> Mix:
    """Active members by profession category."""
    rows = _active_members_by(Member.profession_category, period)
    items = [
        MixItem(str(key), _(PROFESSION_CATEGORIES.get(str(key), str(key))), count)
        for key, count in rows
    ]
    return Mix("professions", _sorted(items))


def age_mix(period: Period) -> Mix:
    """Active members by age bracket, in the brackets' order, unknown last."""
    found = dict(_active_members_by(Member.age_bracket, period))
    items = [
        MixItem(slug, _(label), found[slug])
        for slug, label in AGE_BRACKETS.items()
        if slug in found
    ]
    unknown = sum(count for key, count in found.items() if key not in AGE_BRACKETS)
    if unknown:
        items.append(MixItem("", str(UNKNOWN), unknown))
    return Mix("ages", items)


def city_mix(period: Period, limit: int = 10) -> Mix:
    """Active members by city (case-insensitive), the largest ``limit`` and « autres »."""
    city = func.lower(func.trim(func.coalesce(Member.city, "")))
    rows = db.session.execute(
        select(city, func.max(Member.city), func.count(func.distinct(Member.id)))
        .join(Membership, Membership.member_id == Member.id)
        .where(sql.membership_covers(period))
        .group_by(city)
    ).all()
    items = _sorted(
        [MixItem(key or "", name.strip() if key else str(UNKNOWN), int(n)) for key, name, n in rows]
    )
    if len(items) > limit:
        rest = sum(item.count for item in items[limit - 1 :])
        items = [*items[: limit - 1], MixItem("*", _("Autres villes"), rest)]
    return Mix("cities", items)


def event_kind_mix(period: Period) -> Mix:
    """Events held by kind."""
    lang = current_language()
    rows = db.session.execute(
        select(Event.kind, EventKind.label_fr, EventKind.label_en, func.count(Event.id))
        .outerjoin(EventKind, EventKind.slug == Event.kind)
        .where(sql.events_held(period))
        .group_by(Event.kind, EventKind.label_fr, EventKind.label_en)
    ).all()
    items = [MixItem(kind, _kind_label(kind, fr, en, lang), int(n)) for kind, fr, en, n in rows]
    return Mix("event_kinds", _sorted(items))


def hashtag_mix(period: Period, limit: int = 10) -> Mix:
    """The most used hashtags of the period's mentions."""
    start, end = period.utc_bounds()
    if sql.dialect_name() == "postgresql":
        statement = text(
            "SELECT tag, count(*) AS n FROM mention, "
            "unnest(string_to_array(mention.hashtags, ' ')) AS tag "
            "WHERE mention.posted_at >= :start AND mention.posted_at < :end AND tag <> '' "
            "GROUP BY tag ORDER BY n DESC, tag LIMIT :limit"
        )
    else:
        # Hashtags are space-separated: made into a JSON array for json_each.
        statement = text(
            "SELECT tags.value AS tag, count(*) AS n FROM mention, json_each("
            "'[\"' || replace(replace(replace(mention.hashtags, '\\', '\\\\'), '\"', '\\\"'),"
            " ' ', '\",\"') || '\"]') AS tags "
            "WHERE mention.posted_at >= :start AND mention.posted_at < :end "
            "AND mention.hashtags <> '' AND tags.value <> '' "
            "GROUP BY tags.value ORDER BY n DESC, tags.value LIMIT :limit"
        )
    statement = statement.bindparams(
        bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    )
    rows = db.session.execute(statement, {"start": start, "end": end, "limit": limit}).all()
    return Mix("hashtags", [MixItem(tag, f"#{tag}", int(n)) for tag, n in rows])


def partner_kind_mix(period: Period) -> Mix:
    """Active partners by kind."""
    rows = db.session.execute(
        select(Partner.kind, func.count(Partner.id))
        .where(sql.overlaps(Partner.since, Partner.until, period))
        .group_by(Partner.kind)
    ).all()
    items = [MixItem(kind, str(PARTNER_KINDS.get(kind, kind)), int(n)) for kind, n in rows]
    return Mix("partner_kinds", _sorted(items))


def outcome_kind_mix(period: Period) -> Mix:
    """Outcomes of the period by kind."""
    rows = db.session.execute(
        select(Outcome.kind, func.count(Outcome.id))
        .where(Outcome.happened_on.between(period.start, period.end))
        .group_by(Outcome.kind)
    ).all()
    items = [MixItem(kind, str(OUTCOME_KINDS.get(kind, kind)), int(n)) for kind, n in rows]
    return Mix("outcome_kinds", _sorted(items))


def weekday_mix(period: Period) -> Mix:
    """Visitor-days by weekday, Monday first (the busiest days of the coworking space)."""
    weekday = sql.weekday_of(CheckIn.day)
    rows = db.session.execute(
        select(weekday, func.count(CheckIn.id)).where(sql.checkins_in(period)).group_by(weekday)
    ).all()
    found = {(int(day) + 6) % 7: int(n) for day, n in rows}
    items = [MixItem(str(day), str(WEEKDAYS[day]), found.get(day, 0)) for day in range(7)]
    return Mix("weekdays", items)


MIXES = {
    "professions": profession_mix,
    "ages": age_mix,
    "cities": city_mix,
    "event_kinds": event_kind_mix,
    "hashtags": hashtag_mix,
    "partner_kinds": partner_kind_mix,
    "outcome_kinds": outcome_kind_mix,
    "weekdays": weekday_mix,
}


def compute_mixes(period: Period, names: list[str] | None = None) -> dict[str, Mix]:
    """Compute the named mixes (all by default), one query each."""
    return {name: MIXES[name](period) for name in (names or list(MIXES))}
