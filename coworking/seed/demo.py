"""A plausible, deterministic demo community for an empty database (`flask seed-demo`).

The steps (people.py, events.py, mentions.py, community.py, space_profile.py) generate rows
as dicts, with the primary keys chosen there; `seed_demo` inserts them in bulk in the
caller's transaction: 5,700 members over ten years take seconds, not minutes. The same
seed and the same day give the same rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text

from coworking import dates
from coworking.audit import services as audit
from coworking.community.models import Mention, Outcome, PressArticle, outcome_member
from coworking.documents.models import Document
from coworking.events.kinds import ensure_default_kinds
from coworking.events.models import Attendance, Event, EventSeries, event_partner
from coworking.extensions import Model, db
from coworking.label.criteria import ensure_default_criteria
from coworking.label.models import Dossier
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.partners.models import Partner
from coworking.seed import community, data, events, mentions, people, space_profile
from coworking.seed.builder import DemoBuilder
from coworking.space.models import (
    BoardMember,
    BudgetLine,
    CheckIn,
    GeneralAssembly,
    SpaceProfile,
)

DEFAULT_MEMBERS = 300
DEFAULT_YEARS = 3
DEFAULT_SEED = 2012
# Rows per INSERT statement.
CHUNK = 5000

# Tables whose rows make a database "not empty" for the demo. Accounts, audit entries,
# event kinds, membership plans and label criteria may already exist.
DATA_MODELS: tuple[type[Model], ...] = (
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

# The steps, in the order they draw from the random generator: a later step reads what an
# earlier one made (members, partners, events). Reordering them changes the data.
STEPS: tuple[Callable[[DemoBuilder], None], ...] = (
    community.build_partners,
    people.build_members,
    people.build_memberships,
    people.build_checkins,
    events.build_events,
    community.build_press,
    mentions.build_background_mentions,
    community.build_outcomes,
    space_profile.build_profile,
    space_profile.build_budget,
)

# The tables the rows go to, parents first.
INSERT_ORDER: tuple[tuple[str, Any], ...] = (
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
        table = cast(Table, model.__table__)
        if db.session.scalar(select(select(table).limit(1).exists())):
            found.append(table.name)
    return found


def database_is_empty() -> bool:
    """Tell whether no data table holds a row (accounts and reference rows do not count)."""
    return not non_empty_tables()


@dataclass
class SeedResult:
    """What was loaded: rows per table, and how long it took."""

    counts: dict[str, int]
    seconds: float
    first_day: date
    last_day: date
    # seconds spent generating the rows in memory and inserting them
    phases: dict[str, float] = field(default_factory=dict)


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
    ensure_default_kinds()
    plan_ids = ensure_plans()
    today = today or dates.today()
    builder = DemoBuilder(members=members, years=years, seed=seed, today=today, plans=plan_ids)
    for step in STEPS:
        step(builder)
    built = time.perf_counter()
    counts = insert_rows(builder.rows)
    inserted = time.perf_counter()
    ensure_default_criteria()
    audit.record(
        "demo.seed",
        None,
        f"{members} membres, {years} ans, graine {seed}",
        object_type="database",
    )
    db.session.flush()
    return SeedResult(
        counts,
        time.perf_counter() - started,
        builder.start,
        today,
        {"generate": built - started, "insert": inserted - built},
    )


def seed_demo_if_empty() -> bool:
    """Load the default demo into an empty database (flushes; the caller commits).

    Return False, writing nothing, when the database already holds data.
    """
    if not database_is_empty():
        return False
    seed_demo()
    return True


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
    for kind, name, price in data.PLANS:
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
        _fix_sequences([cast(Table, MembershipPlan.__table__)])
    return ids


def insert_rows(rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Insert the generated rows in bulk, parents first; return the counts per table."""
    counts: dict[str, int] = {}
    with_ids: list[Table] = []
    for name, target in INSERT_ORDER:
        table_rows = rows.get(name, [])
        counts[name] = len(table_rows)
        if not table_rows:
            continue
        # A Core insert on the table (executemany): the ORM's bulk path, insert(Model), gives
        # the same rows but took 1.5 s more at full scale (3.9 s instead of 2.4 s on SQLite).
        table = target if isinstance(target, Table) else target.__table__
        for start in range(0, len(table_rows), CHUNK):
            db.session.execute(insert(table), table_rows[start : start + CHUNK])
        if "id" in table.c:
            with_ids.append(table)
    _fix_sequences(with_ids)
    return counts


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


__all__ = [
    "DatabaseNotEmpty",
    "DemoBuilder",
    "SeedResult",
    "database_is_empty",
    "non_empty_tables",
    "seed_demo",
    "seed_demo_if_empty",
]
