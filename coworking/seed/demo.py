"""A plausible, deterministic demo community for an empty database (`flask seed-demo`).

Rows are generated as dicts with the primary keys chosen here and inserted in bulk, in
one transaction: 5,700 members over ten years take seconds, not minutes. The same seed
and the same day give the same rows.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib
import itertools
import random
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from coworking.audit import services as audit
from coworking.community.archives import hashtags_in_text, normalize_hashtag
from coworking.community.models import (
    Document,
    Mention,
    Outcome,
    Partner,
    PressArticle,
    outcome_member,
)
from coworking.csvio import fold_text
from coworking.events.ical_import import KIND_LABELS
from coworking.events.models import Attendance, Event, EventKind, EventSeries, event_partner
from coworking.extensions import db
from coworking.i18n import PARIS
from coworking.label.models import Dossier
from coworking.members.choices import AGE_BRACKETS, PROFESSION_CATEGORIES
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.seed import data
from coworking.space.models import (
    BoardMember,
    BudgetLine,
    CheckIn,
    GeneralAssembly,
    SpaceProfile,
)
from coworking.space.profile import luhn_check_digit

DEFAULT_MEMBERS = 300
DEFAULT_YEARS = 3
DEFAULT_SEED = 2012
CHUNK = 5000
# Events are planned this far ahead of today (registrations open, nothing attended yet).
PLANNED_AHEAD = timedelta(days=42)
# The scale at which the space's figures reach their full level (events per year...).
FULL_SCALE_MEMBERS = 5700
DESKS = 24

# Tables whose rows make a database "not empty" for the demo. Accounts, audit entries,
# event kinds, membership plans and label criteria may already exist.
DATA_MODELS: tuple[type, ...] = (
    Member,
    Membership,
    CheckIn,
    Event,
    EventSeries,
    Attendance,
    Partner,
    PressArticle,
    Mention,
    Outcome,
    Document,
    SpaceProfile,
    BoardMember,
    GeneralAssembly,
    BudgetLine,
    Dossier,
)

KIND_LABELS_EN = {
    "twapero": "Twapero",
    "conference": "Talk",
    "atelier": "Workshop",
    "formation": "Training",
    "barcamp": "Barcamp / hackathon",
    "afterwork": "Afterwork",
    "ag": "General assembly",
    "autre": "Other",
}

PLANS = (
    # kind, name, price in cents
    ("day_pass", "Passe journée", 800),
    ("ten_day_card", "Carte 10 jours", 7000),
    ("monthly", "Abonnement mensuel", 15000),
    ("annual", "Abonnement annuel", 120000),
    ("association_fee", "Adhésion à l'association", 2000),
)


class DatabaseNotEmpty(RuntimeError):
    """The demo is only loaded into an empty database; ``tables`` says what is there."""

    def __init__(self, tables: Sequence[str]) -> None:
        self.tables = list(tables)
        super().__init__(
            "La base de données n'est pas vide (tables déjà remplies : "
            + ", ".join(self.tables)
            + ") : les données de démonstration ne se chargent que dans une base vide."
        )


def non_empty_tables() -> list[str]:
    """Return the data tables that already hold rows (one EXISTS query each)."""
    found = []
    for model in DATA_MODELS:
        table = model.__table__  # type: ignore[attr-defined]
        if db.session.scalar(select(select(table).limit(1).exists())):
            found.append(table.name)
    return found


def database_is_empty() -> bool:
    return not non_empty_tables()


@dataclass
class SeedResult:
    """What was loaded: rows per table, and how long it took."""

    counts: dict[str, int]
    seconds: float
    first_day: date
    last_day: date


def seed_demo(
    *,
    members: int = DEFAULT_MEMBERS,
    years: int = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
) -> SeedResult:
    """Fill an empty database with the demo community (flushes; the caller commits)."""
    if members < 1:
        raise ValueError("Il faut au moins un membre.")
    if not 1 <= years <= 30:
        raise ValueError("Le nombre d'années va de 1 à 30.")
    started = time.perf_counter()
    tables = non_empty_tables()
    if tables:
        raise DatabaseNotEmpty(tables)
    ensure_event_kinds()
    plan_ids = ensure_plans()
    today = today or datetime.now(PARIS).date()
    builder = DemoBuilder(members=members, years=years, seed=seed, today=today, plans=plan_ids)
    builder.build()
    counts = builder.insert()
    ensure_criteria()
    audit.record(
        "demo.seed",
        None,
        f"{members} membres, {years} ans, graine {seed}",
        object_type="database",
    )
    return SeedResult(counts, time.perf_counter() - started, builder.start, today)


def seed_demo_if_empty() -> bool:
    """Load the default demo into an empty database and commit; do nothing otherwise.

    `flask first-run` calls this through ``app.extensions["coworking_seed_demo"]``.
    """
    if not database_is_empty():
        return False
    seed_demo()
    db.session.commit()
    return True


# --- reference rows (idempotent) ----------------------------------------------------------


def _optional(module: str, name: str) -> Callable[[], Any] | None:
    """Return a function another feature provides, or None while it does not exist."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def ensure_event_kinds() -> None:
    """Create the 8 built-in event kinds (through the events feature when it has the function)."""
    ensure = _optional("coworking.events.services", "ensure_default_kinds")
    if ensure is not None:
        ensure()
        return
    existing = set(db.session.scalars(select(EventKind.slug)))
    rows = [
        {
            "slug": slug,
            "label_fr": label,
            "label_en": KIND_LABELS_EN.get(slug, label),
            "builtin": True,
            "position": (position + 1) * 10,
        }
        for position, (slug, label) in enumerate(KIND_LABELS.items())
        if slug not in existing
    ]
    if rows:
        db.session.execute(insert(EventKind), rows)


def ensure_criteria() -> None:
    """Load the label's default criteria — CALL SITE for coworking.label.criteria.

    The label feature provides ``ensure_default_criteria``; until it exists, nothing is loaded.
    """
    ensure = _optional("coworking.label.criteria", "ensure_default_criteria")
    if ensure is not None:
        ensure()


def ensure_plans() -> dict[str, int]:
    """Return the plan id for each kind, creating the demo's plans that are missing."""
    existing = db.session.execute(
        select(MembershipPlan.kind, MembershipPlan.id, MembershipPlan.name).order_by(
            MembershipPlan.id
        )
    ).all()
    ids: dict[str, int] = {}
    names = {name for _kind, _id, name in existing}
    for kind, plan_id, _name in existing:
        ids.setdefault(kind, plan_id)
    next_id = max((plan_id for _k, plan_id, _n in existing), default=0) + 1
    rows = []
    for kind, name, price in PLANS:
        if kind in ids:
            continue
        if name in names:
            name = f"{name} (démo)"
        rows.append(
            {"id": next_id, "name": name, "kind": kind, "price_cents": price, "active": True}
        )
        ids[kind] = next_id
        next_id += 1
    if rows:
        db.session.execute(insert(MembershipPlan), rows)
        _fix_sequences([MembershipPlan.__table__])  # type: ignore[list-item]
    return ids


def _fix_sequences(tables: Iterable[Table]) -> None:
    """Move PostgreSQL's id sequences past the ids chosen here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        highest = db.session.scalar(select(func.max(table.c.id)))
        if highest:
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
                {"table": table.name, "value": highest},
            )


# --- calendar helpers ---------------------------------------------------------------------


def easter(year: int) -> date:
    """Return Easter Sunday (Gregorian, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def public_holidays(year: int) -> set[date]:
    """Return France's public holidays of a year."""
    sunday = easter(year)
    return {
        date(year, 1, 1),
        sunday + timedelta(days=1),
        date(year, 5, 1),
        date(year, 5, 8),
        sunday + timedelta(days=39),
        sunday + timedelta(days=50),
        date(year, 7, 14),
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 11, 11),
        date(year, 12, 25),
    }


def is_closed(day: date, holidays: set[date]) -> bool:
    """The space is closed on weekends, public holidays and between Christmas and New Year."""
    if day.weekday() >= 5 or day in holidays:
        return True
    return (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)


def first_weekday(year: int, month: int, weekday: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def months(start: date, end: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a Paris wall-clock time as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def slug(text_value: str) -> str:
    return fold_text(text_value).replace(" ", "")


# --- the builder --------------------------------------------------------------------------


@dataclass
class _Person:
    id: int
    first: str
    last: str
    joined: date
    left: date | None
    profession: str
    twitter: str | None
    mastodon: str | None
    regular: bool
    coworker: str | None  # "resident", "nomad" or None
    cowork_end: date | None = None


@dataclass
class _Pool:
    people: list[_Person]
    regulars: list[_Person]
    others: list[_Person]


@dataclass
class _Ids:
    counters: dict[str, Iterator[int]] = field(default_factory=dict)

    def next(self, table: str) -> int:
        if table not in self.counters:
            self.counters[table] = itertools.count(1)
        return next(self.counters[table])


class DemoBuilder:
    """Generate every row of the demo in memory (dicts), then insert them in bulk."""

    def __init__(
        self, *, members: int, years: int, seed: int, today: date, plans: dict[str, int]
    ) -> None:
        self.rng = random.Random(seed)
        self.n_members = members
        self.today = today
        self.start = add_years(today, -years)
        self.horizon = today + PLANNED_AHEAD
        self.plans = plans
        self.size = min(1.0, 0.45 + 0.55 * members / FULL_SCALE_MEMBERS)
        self.ids = _Ids()
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.people: list[_Person] = []
        self.partner_ids: dict[str, int] = {}
        self.events: list[dict[str, Any]] = []
        self._holidays: dict[int, set[date]] = {}
        self._emails: set[str] = set()
        self._handles: set[str] = set()
        self._mention_ids = {"twitter": 0, "mastodon": 0, "linkedin": 0}
        self._seen_attendees: set[int] = set()
        self._joined_sorted: list[date] = []
        self._pools: dict[tuple[int, int], _Pool] = {}

    # helpers

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.rows.setdefault(table, []).append(row)
        return row

    def holidays(self, year: int) -> set[date]:
        if year not in self._holidays:
            self._holidays[year] = public_holidays(year)
        return self._holidays[year]

    def closed(self, day: date) -> bool:
        return is_closed(day, self.holidays(day.year))

    def growth(self, day: date) -> float:
        """Activity grows from 55 % to 100 % of its level over the period."""
        span = max(1, (self.today - self.start).days)
        return 0.55 + 0.45 * min(1.0, max(0.0, (day - self.start).days / span))

    def count(self, mean: float) -> int:
        """A Poisson-like count with this mean (cheap, deterministic)."""
        whole = int(mean)
        return whole + (1 if self.rng.random() < mean - whole else 0)

    def weighted(self, pairs: dict[str, int]) -> str:
        keys = list(pairs)
        return self.rng.choices(keys, weights=[pairs[k] for k in keys])[0]

    def random_day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange(max(1, (last - first).days + 1)))

    def stamp(self, day: date, hour: int = 10) -> datetime:
        return paris(day, hour, self.rng.randrange(60))

    def build(self) -> None:
        self.build_partners()
        self.build_members()
        self.build_memberships()
        self.build_checkins()
        self.build_events()
        self.build_press()
        self.build_background_mentions()
        self.build_outcomes()
        self.build_profile()
        self.build_budget()

    # partners

    def build_partners(self) -> None:
        for name, kind, hosts, funds, supports, founding, host in data.PARTNERS:
            partner_id = self.ids.next("partner")
            self.partner_ids[name] = partner_id
            since = self.start if founding else self.random_day(self.start, self.today)
            self.add(
                "partner",
                {
                    "id": partner_id,
                    "name": name,
                    "kind": kind,
                    "hosts_events": hosts,
                    "funds": funds,
                    "supports": supports,
                    "founding_member": founding,
                    "since": since,
                    "until": None,
                    "contact_name": self.full_name(),
                    "contact_email": f"contact@{host}",
                    "contact_phone": None,
                    "website": f"https://www.{host}/",
                    "address": data.BAR_ADDRESS if name == data.BAR_NAME else None,
                    "notes": None,
                    "created_at": self.stamp(since),
                },
            )

    def full_name(self) -> str:
        return f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.LAST_NAMES)}"

    # members

    def build_members(self) -> None:
        rng = self.rng
        span = (self.today - self.start).days
        cities = [(postcode, city) for _w, postcode, city in data.CITIES]
        city_weights = [weight for weight, _p, _c in data.CITIES]
        professions = list(data.PROFESSION_WEIGHTS)
        profession_weights = [data.PROFESSION_WEIGHTS[p] for p in professions]
        assert set(professions) <= set(PROFESSION_CATEGORIES)
        joined_days = []
        for index in range(self.n_members):
            # Founders at the start, then arrivals growing over time.
            if index < max(3, self.n_members // 25):
                offset = rng.randrange(min(span, 60) + 1)
            else:
                offset = int(span * rng.random() ** 0.8)
            joined_days.append(self.start + timedelta(days=min(span, offset)))
        joined_days.sort()
        self._joined_sorted = joined_days
        for joined in joined_days:
            member_id = self.ids.next("member")
            first = rng.choice(data.FIRST_NAMES)
            last = rng.choice(data.LAST_NAMES)
            profession = rng.choices(professions, weights=profession_weights)[0]
            ages = data.AGE_WEIGHTS.get(profession, data.AGE_WEIGHTS["default"])
            age = self.weighted(ages)
            assert age in AGE_BRACKETS
            postcode, city = rng.choices(cities, weights=city_weights)[0]
            left = None
            stay = (self.today - joined).days
            if stay > 365 and rng.random() < 0.33:
                left = joined + timedelta(days=rng.randrange(180, stay))
            twitter = mastodon = linkedin = None
            if joined.year <= 2022 and rng.random() < 0.7 or rng.random() < 0.15:
                twitter = self.handle(first, last)
            if joined.year >= 2022 and rng.random() < 0.45 or rng.random() < 0.08:
                user = self.handle(first, last, sep="_").lower()
                mastodon = f"{user}@{rng.choice(data.MASTODON_INSTANCES)}"
            if rng.random() < 0.35:
                linkedin = f"https://www.linkedin.com/in/{slug(first)}-{slug(last)}-{member_id}"
            email = None if rng.random() < 0.04 else self.email(first, last)
            organisation = None
            employed = ("chef_entreprise", "salarie", "association", "web", "communicant")
            if profession in employed and rng.random() < 0.6:
                organisation = rng.choice(data.ORGANISATIONS)
            coworker = None
            roll = rng.random()
            if roll < 0.07:
                coworker = "resident"
            elif roll < 0.19:
                coworker = "nomad"
            person = _Person(
                id=member_id,
                first=first,
                last=last,
                joined=joined,
                left=left,
                profession=profession,
                twitter=twitter,
                mastodon=mastodon,
                regular=rng.random() < 0.15,
                coworker=coworker,
            )
            if coworker:
                cowork_days = rng.randrange(60, 365 * 4)
                person.cowork_end = min(left or self.today, joined + timedelta(days=cowork_days))
            self.people.append(person)
            parts = [first, last, email, twitter, mastodon, linkedin, organisation]
            consent_at = self.stamp(joined)
            self.add(
                "member",
                {
                    "id": member_id,
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "phone": f"06 39 98 {rng.randrange(100):02d} {rng.randrange(100):02d}"
                    if rng.random() < 0.5
                    else None,
                    "twitter": twitter,
                    "mastodon": mastodon,
                    "linkedin": linkedin,
                    "profession_category": profession,
                    "profession_text": rng.choice(data.PROFESSION_TEXTS[profession])
                    if rng.random() < 0.7
                    else None,
                    "organisation": organisation,
                    "age_bracket": age if rng.random() < 0.9 else None,
                    "postcode": postcode,
                    "city": city,
                    "joined_on": joined,
                    "left_on": left,
                    "heard_from": rng.choice(data.HEARD_FROM) if rng.random() < 0.6 else None,
                    "consent_data_at": consent_at,
                    "consent_photos_at": consent_at if rng.random() < 0.55 else None,
                    "consent_newsletter_at": consent_at if rng.random() < 0.45 else None,
                    "notes": None,
                    "search_text": fold_text(" ".join(str(p) for p in parts if p)),
                    "erased_at": None,
                    "created_at": consent_at,
                    "updated_at": consent_at,
                },
            )

    def handle(self, first: str, last: str, sep: str = "") -> str:
        rng = self.rng
        base = rng.choice(
            (
                f"{slug(first).capitalize()}{slug(last).capitalize()}",
                f"{slug(first)}{sep}{slug(last)[:3]}",
                f"{slug(first)[0]}{slug(last)}",
                f"{slug(first)}{sep}{rng.randrange(10, 99)}",
            )
        )[:15]
        candidate = base
        while candidate.lower() in self._handles:
            candidate = f"{base[:12]}{rng.randrange(100, 999)}"
        self._handles.add(candidate.lower())
        return candidate

    def email(self, first: str, last: str) -> str:
        local = f"{slug(first)}.{slug(last)}"
        domain = self.rng.choice(data.EMAIL_DOMAINS)
        email = f"{local}@{domain}"
        number = 2
        while email in self._emails:
            email = f"{local}{number}@{domain}"
            number += 1
        self._emails.add(email)
        return email

    # memberships

    def membership(self, person: _Person, kind: str, starts: date, ends: date, price: int) -> None:
        self.add(
            "membership",
            {
                "id": self.ids.next("membership"),
                "member_id": person.id,
                "plan_id": self.plans[kind],
                "starts_on": starts,
                "ends_on": ends,
                "amount_paid_cents": price,
                "paid_on": starts,
                "created_at": self.stamp(starts, 9),
            },
        )

    def build_memberships(self) -> None:
        rng = self.rng
        prices = {kind: price for kind, _name, price in PLANS}
        for person in self.people:
            end = person.left or self.today
            if person.coworker or rng.random() < 0.38:
                starts = person.joined
                while starts <= end:
                    self.membership(
                        person,
                        "association_fee",
                        starts,
                        add_years(starts, 1) - timedelta(days=1),
                        prices["association_fee"],
                    )
                    if rng.random() > 0.68:
                        break
                    starts = add_years(starts, 1)
            if person.coworker == "resident":
                starts = person.joined
                cowork_end = person.cowork_end or end
                annual = rng.random() < 0.4
                months_done = 0
                while starts <= cowork_end:
                    if annual and months_done >= 12:
                        ends = add_years(starts, 1) - timedelta(days=1)
                        self.membership(person, "annual", starts, ends, prices["annual"])
                    else:
                        ends = _add_month(starts) - timedelta(days=1)
                        self.membership(person, "monthly", starts, ends, prices["monthly"])
                    starts = ends + timedelta(days=1)
                    months_done += 1
            elif person.coworker == "nomad":
                day = person.joined
                cowork_end = person.cowork_end or end
                while day <= cowork_end:
                    if rng.random() < 0.55:
                        ends = add_years(day, 1) - timedelta(days=1)
                        self.membership(person, "ten_day_card", day, ends, prices["ten_day_card"])
                        day += timedelta(days=rng.randrange(45, 150))
                    else:
                        self.membership(person, "day_pass", day, day, prices["day_pass"])
                        day += timedelta(days=rng.randrange(7, 60))

    # check-ins

    def build_checkins(self) -> None:
        rng = self.rng
        coworkers = [p for p in self.people if p.coworker]
        weekday_factor = (0.85, 1.05, 1.0, 1.1, 0.8)
        month_factor = {7: 0.75, 8: 0.3, 9: 1.05, 12: 0.8}
        for year, month in months(self.start, self.today):
            first = max(self.start, date(year, month, 1))
            last = min(self.today, _add_month(date(year, month, 1)) - timedelta(days=1))
            pool = [
                p for p in coworkers if p.joined <= last and (p.cowork_end or self.today) >= first
            ]
            if not pool:
                continue
            cumulative = list(itertools.accumulate(6 if p.regular else 1 for p in pool))
            scale = min(1.0, len(pool) / 40)
            day = first
            while day <= last:
                if not self.closed(day):
                    mean = (
                        DESKS
                        * (0.3 + 0.35 * self.growth(day))
                        * scale
                        * weekday_factor[day.weekday()]
                        * month_factor.get(month, 1.0)
                    )
                    wanted = min(DESKS, self.count(mean))
                    picked = rng.choices(pool, cum_weights=cumulative, k=wanted * 2)
                    seen: set[int] = set()
                    taken = 0
                    for person in picked:
                        if taken >= wanted:
                            break
                        if (
                            person.id in seen
                            or person.joined > day
                            or (person.cowork_end or self.today) < day
                        ):
                            continue
                        seen.add(person.id)
                        taken += 1
                        self.checkin(day, person.id, None)
                    if rng.random() < 0.12:
                        self.checkin(day, None, rng.choice(data.ANONYMOUS_VISITORS))
                day += timedelta(days=1)

    def checkin(self, day: date, member_id: int | None, visitor: str | None) -> None:
        self.add(
            "check_in",
            {
                "id": self.ids.next("check_in"),
                "member_id": member_id,
                "visitor_name": visitor,
                "day": day,
                "duration": "half" if self.rng.random() < 0.22 else "full",
                "created_at": paris(day, 9, self.rng.randrange(0, 59)),
                "created_by": None,
            },
        )

    # events, attendance, event mentions

    def event_day(self, year: int, month: int, weekdays: Sequence[int]) -> date | None:
        """Pick an open day of the month on one of these weekdays, inside the period."""
        first = max(self.start, date(year, month, 1))
        last = min(self.horizon, _add_month(date(year, month, 1)) - timedelta(days=1))
        if first > last:
            return None
        days = [
            first + timedelta(days=offset)
            for offset in range((last - first).days + 1)
            if (first + timedelta(days=offset)).weekday() in weekdays
        ]
        days = [d for d in days if not self.closed(d)]
        return self.rng.choice(days) if days else None

    def build_events(self) -> None:
        rng = self.rng
        self.add(
            "event_series",
            {
                "id": 1,
                "title": "Twapéro",
                "rule": "monthly_nth_weekday",
                "weekday": 3,
                "nth": 1,
                "created_at": self.stamp(self.start),
            },
        )
        bar = self.partner_ids[data.BAR_NAME]
        twapero_number = 0
        plans: list[tuple[date, str, dict[str, Any]]] = []
        for year, month in months(self.start, self.horizon):
            season = {8: 0.2, 7: 0.7, 12: 0.6}.get(month, 1.0)
            # The monthly twapéro, first Thursday, at the partner bar (not in August).
            thursday = first_weekday(year, month, 3)
            if month != 8 and self.start <= thursday <= self.horizon:
                twapero_number += 1
                plans.append((thursday, "twapero", {"number": twapero_number, "bar": bar}))
            if month == 3:
                day = self.event_day(year, month, (3,))
                if day:
                    plans.append((day, "ag", {}))
            if month == 6:
                saturdays = [
                    d
                    for d in (date(year, 6, 1) + timedelta(days=i) for i in range(30))
                    if d.weekday() == 5 and self.start <= d <= self.horizon
                ]
                if saturdays:
                    plans.append((rng.choice(saturdays), "barcamp", {}))
            mid_month = date(year, month, 15)
            level = self.size * self.growth(min(mid_month, self.today)) * season
            for kind, mean, weekdays in (
                ("conference", 3.0, (1, 2, 3)),
                ("atelier", 6.0, (0, 1, 2, 3, 4)),
                ("formation", 2.5, (0, 1, 3, 4)),
                ("afterwork", 1.2, (3, 4)),
                ("autre", 6.0, (0, 1, 2, 3, 4)),
            ):
                for _ in range(self.count(mean * level)):
                    day = self.event_day(year, month, weekdays)
                    if day:
                        plans.append((day, kind, {}))
        plans.sort(key=lambda item: (item[0], item[1]))
        for day, kind, extra in plans:
            self.make_event(day, kind, extra)

    def active_pool(self, day: date) -> _Pool:
        """Return the members active for the whole month of ``day`` (cached per month)."""
        key = (day.year, day.month)
        if key not in self._pools:
            first = date(day.year, day.month, 1)
            last = _add_month(first) - timedelta(days=1)
            count = bisect.bisect_right(self._joined_sorted, first)
            people = [p for p in self.people[:count] if p.left is None or p.left > last]
            self._pools[key] = _Pool(
                people,
                [p for p in people if p.regular],
                [p for p in people if not p.regular],
            )
        return self._pools[key]

    def make_event(self, day: date, kind: str, extra: dict[str, Any]) -> None:
        rng = self.rng
        event_id = self.ids.next("event")
        partners: list[int] = []
        venue = None
        location = None
        headcount = None
        is_public, is_free, price, capacity = True, True, None, None
        series_id = None
        tag = ""
        if kind == "twapero":
            title = f"Twapéro #{extra['number']}"
            starts, ends = paris(day, 19), paris(day, 23)
            venue, location, series_id = extra["bar"], data.BAR_NAME, 1
            partners.append(extra["bar"])
            hashtags = "twapero angers"
            description = "Le rendez-vous mensuel des Angevins connectés, au bar partenaire."
            wanted = 18 + rng.randrange(40)
        elif kind == "ag":
            title = f"Assemblée générale {day.year}"
            starts, ends = paris(day, 18, 30), paris(day, 21)
            is_public = False
            hashtags = "mainelabs"
            description = "Assemblée générale ordinaire de l'association : rapports et élections."
            wanted = 20 + rng.randrange(35)
        elif kind == "barcamp":
            title = f"Barcamp Angers {day.year}"
            starts, ends = paris(day, 9), paris(day, 18)
            partners += [
                self.partner_ids["Université d'Angers"],
                self.partner_ids["Ville d'Angers"],
                self.partner_ids["Anjou Numérique Mag"],
            ]
            hashtags = "barcampangers angers"
            description = "Une non-conférence : les participants proposent les sessions le matin."
            wanted = 60 + rng.randrange(90)
            tag = rng.choice(data.TALK_TOPICS)[1]
        else:
            topics = {
                "conference": data.TALK_TOPICS,
                "atelier": data.WORKSHOP_TOPICS,
                "formation": data.TRAINING_TOPICS,
                "afterwork": (("Afterwork de Maine Labs", "afterwork"),),
                "autre": data.MEETUPS,
            }[kind]
            title, tag = rng.choice(topics)
            hashtags = f"mainelabs {tag}"
            description = f"{title}. Ouvert à toutes et tous, membres ou non."
            if kind == "conference":
                title = f"Conférence : {title}"
                starts, ends = paris(day, 18, 30), paris(day, 20)
                wanted = 12 + rng.randrange(40)
                if rng.random() < 0.25:
                    partners.append(self.partner_ids[rng.choice(_COMPANY_PARTNERS)])
            elif kind == "atelier":
                hour = rng.choice((9, 14, 18))
                starts, ends = paris(day, hour, 30 if hour == 9 else 0), paris(day, hour + 3)
                capacity = rng.choice((10, 12, 15, 20))
                is_free = rng.random() < 0.6
                price = None if is_free else rng.choice((500, 1000, 1500, 2000))
                wanted = 5 + rng.randrange(capacity)
            elif kind == "formation":
                starts, ends = paris(day, 9), paris(day, 17)
                capacity = rng.choice((8, 10, 12))
                is_free = False
                price = rng.choice((6000, 9000, 12000, 18000))
                is_public = rng.random() < 0.7
                wanted = 4 + rng.randrange(capacity - 3)
                if rng.random() < 0.3:
                    partners.append(
                        self.partner_ids[
                            rng.choice(("École du Numérique d'Anjou", "Université d'Angers"))
                        ]
                    )
            elif kind == "afterwork":
                starts, ends = paris(day, 18, 30), paris(day, 21)
                wanted = 12 + rng.randrange(30)
            else:
                starts, ends = paris(day, 18, 30), paris(day, 20, 30)
                wanted = 6 + rng.randrange(25)
                if rng.random() < 0.2:
                    partners.append(self.partner_ids["Club des Développeurs Angevins"])
        past = day <= self.today
        cancelled = past and kind not in ("twapero", "ag", "barcamp") and rng.random() < 0.02
        if past and not cancelled and kind in ("twapero", "afterwork") and rng.random() < 0.35:
            headcount = max(5, int(wanted * (0.6 + 0.8 * self.size)))
        row = self.add(
            "event",
            {
                "id": event_id,
                "title": title,
                "kind": kind,
                "starts_at": starts,
                "ends_at": ends,
                "all_day": False,
                "venue_partner_id": venue,
                "location": location,
                "is_public": is_public,
                "is_free": is_free,
                "price_cents": price,
                "capacity": capacity,
                "hashtags": " ".join(normalize_hashtag(t) for t in hashtags.split()),
                "description": description,
                "url": None,
                "external_uid": None,
                "external_recurrence_id": "",
                "headcount": headcount,
                "series_id": series_id,
                "cancelled": cancelled,
                "created_at": starts - timedelta(days=rng.randrange(7, 40)),
                "updated_at": starts - timedelta(days=rng.randrange(1, 7)),
            },
        )
        self.events.append(row)
        for partner_id in sorted(set(partners)):
            self.add("event_partner", {"event_id": event_id, "partner_id": partner_id})
        if cancelled:
            return
        attendees = 0
        if headcount is None:
            attendees = self.attend(row, day, kind, wanted, past)
        if kind == "ag" and past:
            self.add(
                "general_assembly",
                {
                    "id": self.ids.next("general_assembly"),
                    "held_on": day,
                    "members_present": attendees,
                    "members_represented": rng.randrange(5, 25),
                    "notes": "Rapport moral et financier adoptés ; bureau renouvelé.",
                },
            )
        if past:
            self.event_mentions(row, day, kind, tag, headcount or attendees)

    def attend(self, event: dict[str, Any], day: date, kind: str, wanted: int, past: bool) -> int:
        rng = self.rng
        pool = self.active_pool(day)
        if not pool.people:
            return 0
        wanted = min(wanted, max(1, int(len(pool.people) * 0.5)))
        if event["capacity"]:
            wanted = min(wanted, event["capacity"])
        regulars, others = pool.regulars, pool.others
        from_regulars = min(len(regulars), int(wanted * rng.uniform(0.35, 0.6)))
        chosen = rng.sample(regulars, from_regulars) + rng.sample(
            others, min(len(others), wanted - from_regulars)
        )
        registration = kind in ("conference", "atelier", "formation", "barcamp")
        attended = 0
        for person in sorted(chosen, key=lambda p: p.id):
            if not past:
                status = "registered"
            elif registration:
                roll = rng.random()
                status = "attended" if roll < 0.88 else "no_show" if roll < 0.97 else "cancelled"
            else:
                status = "attended"
            first_visit = False
            if status == "attended":
                attended += 1
                first_visit = person.id not in self._seen_attendees
                self._seen_attendees.add(person.id)
            self.add(
                "attendance",
                {
                    "id": self.ids.next("attendance"),
                    "event_id": event["id"],
                    "member_id": person.id,
                    "guest_name": None,
                    "status": status,
                    "first_visit": first_visit,
                    "registered_at": event["starts_at"] - timedelta(hours=rng.randrange(2, 500)),
                },
            )
        for _ in range(self.count(wanted * 0.08)):
            self.add(
                "attendance",
                {
                    "id": self.ids.next("attendance"),
                    "event_id": event["id"],
                    "member_id": None,
                    "guest_name": self.full_name(),
                    "status": "attended" if past else "registered",
                    "first_visit": past and rng.random() < 0.6,
                    "registered_at": event["starts_at"] - timedelta(hours=rng.randrange(1, 48)),
                },
            )
            attended += 1 if past else 0
        return attended

    def platform(self, moment: datetime) -> str:
        if moment < datetime(2022, 11, 1, tzinfo=UTC):
            weights = {"twitter": 94, "linkedin": 5, "mastodon": 1}
        elif moment < datetime(2024, 1, 1, tzinfo=UTC):
            weights = {"twitter": 50, "mastodon": 40, "linkedin": 10}
        else:
            weights = {"twitter": 8, "mastodon": 70, "linkedin": 22}
        return self.weighted(weights)

    def author_for(self, platform: str, pool: Sequence[_Person]) -> str:
        for _ in range(4):
            person = self.rng.choice(pool) if pool else None
            if person is None:
                break
            if platform == "twitter" and person.twitter:
                return person.twitter
            if platform == "mastodon" and person.mastodon:
                return person.mastodon
            if platform == "linkedin":
                return f"{person.first} {person.last}"
        return {"twitter": "MaineLabs", "mastodon": "mainelabs@mastodon.example"}.get(
            platform, "Maine Labs"
        )

    def mention(self, moment: datetime, text_value: str, author: str, platform: str, event_id):
        rng = self.rng
        self._mention_ids[platform] += 1
        number = self._mention_ids[platform]
        if platform == "twitter":
            external = str(400_000_000_000_000_000 + number * 7_919)
            url = f"https://twitter.com/{author}/status/{external}"
        elif platform == "mastodon":
            external = str(109_000_000_000_000_000 + number * 104_729)
            user, _at, instance = author.partition("@")
            url = f"https://{instance or 'mastodon.example'}/@{user}/{external}"
        else:
            external = f"urn:li:activity:{7_000_000_000_000_000_000 + number * 1_299_709}"
            url = f"https://www.linkedin.com/feed/update/{external}/"
        tags = []
        for tag in hashtags_in_text(text_value):
            key = normalize_hashtag(tag)
            if key and key not in tags:
                tags.append(key)
        likes = int(rng.paretovariate(1.6)) - 1 + rng.randrange(4)
        self.add(
            "mention",
            {
                "id": self.ids.next("mention"),
                "platform": platform,
                "external_id": external,
                "author": author,
                "posted_at": moment,
                "text": text_value,
                "hashtags": " ".join(tags),
                "url": url,
                "likes": min(likes, 500),
                "reposts": min(likes // 3 + rng.randrange(2), 200),
                "event_id": event_id,
                "suggested_event_id": None,
                "created_at": moment + timedelta(days=1),
            },
        )

    def event_mentions(
        self, event: dict[str, Any], day: date, kind: str, tag: str, people: int
    ) -> None:
        rng = self.rng
        scale = 0.3 + 0.7 * self.size
        mean = {
            "twapero": 0.5 * people,
            "barcamp": 0.9 * people,
            "conference": 4,
            "atelier": 1.2,
            "formation": 0.5,
            "afterwork": 3,
            "autre": 2,
            "ag": 1.5,
        }[kind] * scale
        pool = self.active_pool(day).people
        kind_label = {"conference": "conférence", "atelier": "atelier", "formation": "formation"}
        for _ in range(self.count(mean)):
            moment = event["starts_at"] + timedelta(minutes=rng.randrange(-2880, 600))
            platform = self.platform(moment)
            if kind == "twapero":
                text_value = rng.choice(data.TWAPERO_POSTS).format(bar=data.BAR_NAME)
            elif kind == "barcamp":
                text_value = rng.choice(data.BARCAMP_POSTS).format(tag=tag or "angers")
            else:
                text_value = rng.choice(data.EVENT_POSTS).format(
                    kind=kind_label.get(kind, "rendez-vous"),
                    title=event["title"],
                    tag=tag or "angers",
                )
            event_id = event["id"] if rng.random() < 0.85 else None
            self.mention(moment, text_value, self.author_for(platform, pool), platform, event_id)

    def build_background_mentions(self) -> None:
        rng = self.rng
        scale = 0.3 + 0.7 * self.size
        week = self.start
        while week <= self.today:
            pool = None
            for _ in range(self.count(2.5 * scale * self.growth(week))):
                moment = paris(week, 8 + rng.randrange(12), rng.randrange(60)) + timedelta(
                    days=rng.randrange(7)
                )
                if moment.date() > self.today:
                    continue
                if pool is None:
                    pool = self.active_pool(week).people
                platform = self.platform(moment)
                self.mention(
                    moment,
                    rng.choice(data.BACKGROUND_POSTS),
                    self.author_for(platform, pool),
                    platform,
                    None,
                )
            week += timedelta(days=7)

    # press, outcomes

    def build_press(self) -> None:
        rng = self.rng
        outlets = [name for _w, name in data.OUTLETS]
        weights = [w for w, _name in data.OUTLETS]
        founded = self.founded_on()
        for year in range(self.start.year, self.today.year + 1):
            first = max(self.start, date(year, 1, 1))
            last = min(self.today, date(year, 12, 31))
            if first > last:
                continue
            share = ((last - first).days + 1) / 365
            for _ in range(self.count(7 * max(0.6, self.size) * share * self.growth(last))):
                day = self.random_day(first, last)
                template = rng.choice(data.PRESS_TITLES)
                title = template.format(
                    space="Maine Labs",
                    year=day.year,
                    n=60 + rng.randrange(120),
                    age=max(1, day.year - founded.year),
                )
                outlet = rng.choices(outlets, weights=weights)[0]
                article_id = self.ids.next("press_article")
                self.add(
                    "press_article",
                    {
                        "id": article_id,
                        "title": title,
                        "outlet": outlet,
                        "author": self.full_name() if rng.random() < 0.8 else None,
                        "published_on": day,
                        "url": f"https://{slug(outlet)}.example/angers/{article_id}"
                        if rng.random() < 0.7
                        else None,
                        "excerpt": "Reportage sur la vie du coworking et de sa communauté.",
                        "clipping_document_id": None,
                        "created_at": self.stamp(day, 12),
                    },
                )

    def build_outcomes(self) -> None:
        rng = self.rng
        kinds = data.OUTCOME_WEIGHTS
        past_events = [e for e in self.events if e["starts_at"].date() <= self.today]
        event_days = [e["starts_at"].date() for e in past_events]
        companies = [self.partner_ids[name] for name in _COMPANY_PARTNERS]
        span_years = max(1.0, (self.today - self.start).days / 365)
        for _ in range(self.count(16 * self.size * span_years)):
            day = self.random_day(self.start + timedelta(days=30), self.today)
            kind = self.weighted(kinds)
            count = bisect.bisect_right(event_days, day)
            origin = None
            if count and rng.random() < 0.6:
                favourites = [
                    e for e in past_events[max(0, count - 40) : count] if e["kind"] in _ORIGINS
                ]
                origin = rng.choice(favourites or past_events[:count])
            template_title, template_text = data.OUTCOME_TEMPLATES[kind]
            organisation = rng.choice(data.ORGANISATIONS)
            values = {
                "job": rng.choice(data.OUTCOME_JOBS),
                "org": organisation,
                "event": origin["title"] if origin else "coworking",
            }
            pool = self.active_pool(day).people
            involved = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 2, 3))))
            testimonial = author = consent = None
            if involved and rng.random() < 0.6:
                testimonial = rng.choice(data.TESTIMONIALS)
                author = f"{involved[0].first} {involved[0].last[0]}."
                if rng.random() < 0.7:
                    consent = self.stamp(day, 11)
            outcome_id = self.ids.next("outcome")
            self.add(
                "outcome",
                {
                    "id": outcome_id,
                    "kind": kind,
                    "title": template_title.format(**values),
                    "description": template_text.format(**values),
                    "happened_on": day,
                    "event_id": origin["id"] if origin else None,
                    "partner_id": rng.choice(companies) if rng.random() < 0.3 else None,
                    "testimonial": testimonial,
                    "testimonial_author": author,
                    "consent_publish_at": consent,
                    "created_at": self.stamp(day, 16),
                },
            )
            for person in sorted(involved, key=lambda p: p.id):
                self.add("outcome_member", {"outcome_id": outcome_id, "member_id": person.id})

    # the space itself

    def founded_on(self) -> date:
        return min(date(2012, 3, 15), self.start - timedelta(days=90))

    def build_profile(self) -> None:
        rng = self.rng
        logo = _logo_png()
        document_id = self.ids.next("document")
        self.add(
            "document",
            {
                "id": document_id,
                "title": "Logo de l'espace",
                "kind": "logo",
                "filename": "maine-labs-logo.png",
                "content_type": "image/png",
                "size": len(logo),
                "sha256": hashlib.sha256(logo).hexdigest(),
                "data": logo,
                "partner_id": None,
                "uploaded_at": self.stamp(self.start),
                "uploaded_by": None,
            },
        )
        siren = "8" + "".join(str(rng.randrange(10)) for _ in range(7))
        siren += luhn_check_digit(siren)
        nic = "0001" + "0"
        siret = siren + nic[:4] + luhn_check_digit(siren + nic[:4])
        self.add(
            "space_profile",
            {
                "id": 1,
                "name": "Maine Labs",
                "short_name": "Maine Labs",
                "legal_form": "Association loi 1901",
                "siret": siret,
                "address": "42 rue des Lutins",
                "postcode": "49100",
                "city": "Angers",
                "founded_on": self.founded_on(),
                "website": "https://mainelabs.example/",
                "email": "bonjour@mainelabs.example",
                "surface_m2": 320,
                "desks": DESKS,
                "meeting_rooms": 2,
                "opening_hours": {
                    "0": "9h–19h",
                    "1": "9h–19h",
                    "2": "9h–19h",
                    "3": "9h–22h",
                    "4": "9h–18h",
                    "5": "",
                    "6": "",
                },
                "internet": "Wi-Fi et fibre 1 Gb/s",
                "accessibility": "Rez-de-chaussée de plain-pied, toilettes adaptées, "
                "tram à 200 m (arrêt fictif « Lutins »).",
                "prices": "Journée 8 € · carte 10 jours 70 € · mensuel 150 € · annuel 1 200 € · "
                "adhésion à l'association 20 €/an",
                "day_pass_offered": True,
                "staff_fte": 1.5,
                "volunteers": 12 + rng.randrange(10),
                "description": "Maine Labs est le tiers-lieu numérique associatif d'Angers : "
                "un coworking, des ateliers, des conférences et le twapéro mensuel.",
                "logo_document_id": document_id,
                "updated_at": self.stamp(self.today),
            },
        )
        recent = [p for p in self.people if p.left is None] or self.people
        board = rng.sample(recent, min(len(recent), len(data.BOARD_ROLES)))
        for position, (person, role) in enumerate(
            zip(board, data.BOARD_ROLES, strict=False), start=1
        ):
            self.add(
                "board_member",
                {
                    "id": self.ids.next("board_member"),
                    "name": f"{person.first} {person.last}",
                    "role": role,
                    "position": position,
                },
            )

    def build_budget(self) -> None:
        rng = self.rng
        plan_kinds = {plan_id: kind for kind, plan_id in self.plans.items()}
        income: dict[tuple[int, str], int] = {}
        for row in self.rows.get("membership", []):
            kind = plan_kinds[row["plan_id"]]
            source = "day_passes" if kind in ("day_pass", "ten_day_card") else "memberships"
            key = (row["paid_on"].year, source)
            income[key] = income.get(key, 0) + row["amount_paid_cents"]
        euros = 100
        for year in range(self.start.year, self.today.year + 1):
            # fmt: off
            lines = [
                ("income", "Adhésions et abonnements", "memberships", income.get((year, "memberships"), 0)),
                ("income", "Journées et cartes 10 jours", "day_passes", income.get((year, "day_passes"), 0)),
                ("income", "Location de salles", "room_hire", rng.randrange(3000, 12000) * euros),
                ("income", "Subvention Ville d'Angers", "subsidies", rng.randrange(15, 26) * 1000 * euros),
                ("income", "Subvention Angers Loire Métropole", "subsidies", rng.randrange(10, 21) * 1000 * euros),
                ("income", "Mécénat d'entreprises", "sponsorship", rng.randrange(2000, 8000) * euros),
                ("income", "Buvette et divers", "other", rng.randrange(500, 2000) * euros),
                ("expense", "Loyer et charges", None, 36000 * euros),
                ("expense", "Salaires et charges sociales", None, rng.randrange(52000, 60000) * euros),
                ("expense", "Énergie", None, rng.randrange(4000, 7000) * euros),
                ("expense", "Internet et téléphonie", None, 1800 * euros),
                ("expense", "Événements", None, rng.randrange(3000, 9000) * euros),
                ("expense", "Assurances", None, 1200 * euros),
                ("expense", "Matériel et mobilier", None, rng.randrange(1000, 5000) * euros),
                ("expense", "Communication", None, rng.randrange(500, 2500) * euros),
            ]
            # fmt: on
            if year % 2 == 0:
                lines.append(
                    ("income", "Subvention Région Pays de la Loire", "subsidies", 8000 * euros)
                )
            for direction, category, source, amount in lines:
                self.add(
                    "budget_line",
                    {
                        "id": self.ids.next("budget_line"),
                        "year": year,
                        "direction": direction,
                        "category": category,
                        "source": source,
                        "amount_cents": amount,
                    },
                )

    # inserting

    def insert(self) -> dict[str, int]:
        """Insert every generated row in bulk, parents first; return the counts per table."""
        order: list[tuple[str, Any]] = [
            ("partner", Partner),
            ("document", Document),
            ("member", Member),
            ("membership", Membership),
            ("check_in", CheckIn),
            ("event_series", EventSeries),
            ("event", Event),
            ("event_partner", event_partner),
            ("attendance", Attendance),
            ("press_article", PressArticle),
            ("mention", Mention),
            ("outcome", Outcome),
            ("outcome_member", outcome_member),
            ("space_profile", SpaceProfile),
            ("board_member", BoardMember),
            ("general_assembly", GeneralAssembly),
            ("budget_line", BudgetLine),
        ]
        counts: dict[str, int] = {}
        with_ids: list[Table] = []
        for name, target in order:
            rows = self.rows.get(name, [])
            counts[name] = len(rows)
            if not rows:
                continue
            table = target if isinstance(target, Table) else target.__table__
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(table), rows[start : start + CHUNK])
            if "id" in table.c:
                with_ids.append(table)
        _fix_sequences(with_ids)
        db.session.flush()
        return counts


_COMPANY_PARTNERS = ("Loire Web Studio", "Tuffeau Digital", "Anjou Data Lab")
_ORIGINS = frozenset({"twapero", "barcamp", "afterwork", "autre", "conference"})


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _logo_png(size: int = 96) -> bytes:
    """Draw the demo logo: a teal square with a lighter 'M' band (a valid PNG, no library)."""
    teal, light = (8, 95, 110), (232, 241, 243)
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")
        for x in range(size):
            stem = x < size // 5 or x >= size - size // 5
            diagonal = abs(x - size // 2) <= max(2, size // 10) and y < size // 2 + abs(
                x - size // 2
            )
            inside = size // 6 <= y <= size - size // 6 and (stem or diagonal)
            row += bytes(light if inside else teal)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


__all__ = [
    "DatabaseNotEmpty",
    "DemoBuilder",
    "SeedResult",
    "database_is_empty",
    "non_empty_tables",
    "seed_demo",
    "seed_demo_if_empty",
]
