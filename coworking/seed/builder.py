"""The demo being generated: its random generator, its rows so far, and the helpers all steps share.

Each step (people.py, events.py, mentions.py, community.py, space_profile.py) is a function
that takes the DemoBuilder, draws from its one random generator and appends rows (dicts,
primary keys chosen here) to ``rows``; demo.py runs the steps in a fixed order and inserts
the rows. Every draw moves the generator: reordering steps or draws changes the data.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from coworking.csvio import fold_text
from coworking.dates import add_months, add_years, space_zone
from coworking.seed import data
from coworking.seed.calendar_days import is_closed, public_holidays, wall_clock

# Events are planned this far ahead of today (registrations open, nothing attended yet).
PLANNED_AHEAD = timedelta(days=42)
# The scale at which the space's figures reach their full level (events per year...).
FULL_SCALE_MEMBERS = 5700
DESKS = 24


@dataclass
class Person:
    """A demo member, as the later steps need them (attendance, posts, board)."""

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
class Pool:
    """The members active during a month, split into regulars and the others."""

    people: list[Person]
    regulars: list[Person]
    others: list[Person]


@dataclass
class Ids:
    """The next primary key of each table, from 1."""

    counters: dict[str, Iterator[int]] = field(default_factory=dict)

    def next(self, table: str) -> int:
        """Return the next id for this table."""
        if table not in self.counters:
            self.counters[table] = itertools.count(1)
        return next(self.counters[table])


def slug(text_value: str) -> str:
    """Return the text folded (no accents, lower case) without spaces: for handles and URLs."""
    return fold_text(text_value).replace(" ", "")


class DemoBuilder:
    """Hold the demo's generator, its rows by table, and what later steps read of earlier ones."""

    def __init__(
        self, *, members: int, years: int, seed: int, today: date, plans: dict[str, int]
    ) -> None:
        self.rng = random.Random(seed)
        # The space's time zone, looked up once: the steps ask for some 50,000 local times.
        self.zone = space_zone()
        self.n_members = members
        self.today = today
        self.start = add_years(today, -years)
        self.horizon = today + PLANNED_AHEAD
        self.plans = plans
        self.size = min(1.0, 0.45 + 0.55 * members / FULL_SCALE_MEMBERS)
        self.ids = Ids()
        self.rows: dict[str, list[dict[str, Any]]] = {}
        # Written by one step, read by the later ones.
        self.people: list[Person] = []  # people.build_members, in order of arrival
        self.joined_sorted: list[date] = []  # people.build_members
        self.partner_ids: dict[str, int] = {}  # community.build_partners
        self.partner_since: dict[int, date] = {}  # community.build_partners
        self.events: list[dict[str, Any]] = []  # events.build_events
        # What one step remembers between its calls.
        self.emails: set[str] = set()  # people
        self.handles: set[str] = set()  # people
        self.seen_attendees: set[int] = set()  # events: a member's first visit
        self.mention_numbers = {"twitter": 0, "mastodon": 0, "linkedin": 0}  # mentions
        self._holidays: dict[int, set[date]] = {}
        self._pools: dict[tuple[int, int], Pool] = {}

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Append a row to a table's rows and return it."""
        self.rows.setdefault(table, []).append(row)
        return row

    def closed(self, day: date) -> bool:
        """Tell whether the space is closed that day."""
        if day.year not in self._holidays:
            self._holidays[day.year] = public_holidays(day.year)
        return is_closed(day, self._holidays[day.year])

    def growth(self, day: date) -> float:
        """Return the activity level that day: from 55 % to 100 % over the period."""
        span = max(1, (self.today - self.start).days)
        return 0.55 + 0.45 * min(1.0, max(0.0, (day - self.start).days / span))

    def count(self, mean: float) -> int:
        """Return a Poisson-like count with this mean (cheap, deterministic)."""
        whole = int(mean)
        return whole + (1 if self.rng.random() < mean - whole else 0)

    def weighted(self, pairs: dict[str, int]) -> str:
        """Pick a key, with the values as weights."""
        keys = list(pairs)
        return self.rng.choices(keys, weights=[pairs[k] for k in keys])[0]

    def random_day(self, first: date, last: date) -> date:
        """Pick a day between first and last, both included."""
        return first + timedelta(days=self.rng.randrange(max(1, (last - first).days + 1)))

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """Return this time on the space's clocks that day, as an aware UTC datetime."""
        return wall_clock(self.zone, day, hour, minute)

    def stamp(self, day: date, hour: int = 10) -> datetime:
        """Return a moment within this hour of that day (a row's creation time)."""
        return self.at(day, hour, self.rng.randrange(60))

    def full_name(self) -> str:
        """Return a random first and last name."""
        return f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.LAST_NAMES)}"

    def founded_on(self) -> date:
        """Return the day the space was founded: before the period shown."""
        return min(date(2012, 3, 15), self.start - timedelta(days=90))

    def active_pool(self, day: date) -> Pool:
        """Return the members active for the whole month of ``day`` (cached per month)."""
        key = (day.year, day.month)
        if key not in self._pools:
            first = date(day.year, day.month, 1)
            last = add_months(first, 1) - timedelta(days=1)
            count = bisect.bisect_right(self.joined_sorted, first)
            people = [p for p in self.people[:count] if p.left is None or p.left > last]
            self._pools[key] = Pool(
                people,
                [p for p in people if p.regular],
                [p for p in people if not p.regular],
            )
        return self._pools[key]
