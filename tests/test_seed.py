"""seed-demo: deterministic, refuses a non-empty database, plausible rows; first-run."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coworking.auth import services as accounts
from coworking.auth.models import User
from coworking.community.models import Mention, Outcome
from coworking.documents.models import Document
from coworking.events.models import Attendance, Event, EventKind
from coworking.extensions import db
from coworking.members.choices import AGE_BRACKETS, PROFESSION_CATEGORIES
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.members.services import derived_columns, member_search_text
from coworking.partners.models import Partner
from coworking.seed import demo
from coworking.seed.community import of_name
from coworking.space.models import BudgetLine, CheckIn, GeneralAssembly, SpaceProfile
from coworking.space.profile import siret_problem

TODAY = date(2024, 6, 14)
SMALL = {"members": 40, "years": 1}
# Rows that are not the demo's own (ids and times chosen by the database).
NOT_CHECKED = {"audit_entry", "user", "api_token", "criterion", "criterion_document"}


def table_checksum() -> tuple[dict[str, int], str]:
    """Return the row count of each table and one SHA-256 over every row, in key order."""
    digest = hashlib.sha256()
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in NOT_CHECKED:
            continue
        keys = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(select(table).order_by(*keys)).all()
        counts[table.name] = len(rows)
        digest.update(table.name.encode())
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    return counts, digest.hexdigest()


def wipe() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_seed_is_deterministic(app_ctx):
    demo.seed_demo(**SMALL, seed=7, today=TODAY)
    db.session.commit()
    first_counts, first_sum = table_checksum()
    assert first_counts["member"] == 40
    wipe()
    demo.seed_demo(**SMALL, seed=7, today=TODAY)
    db.session.commit()
    assert table_checksum() == (first_counts, first_sum)
    wipe()
    demo.seed_demo(**SMALL, seed=8, today=TODAY)
    db.session.commit()
    assert table_checksum()[1] != first_sum


def test_cli_seeds_an_empty_database_then_refuses(app, runner):
    result = runner.invoke(args=["seed-demo", "--members", "40", "--years", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Données de démonstration chargées" in result.output
    with app.app_context():
        counts, checksum = table_checksum()
    assert counts["member"] == 40
    for table in ("event", "attendance", "check_in", "mention", "partner", "membership"):
        assert counts[table] > 0, table
    again = runner.invoke(args=["seed-demo", "--members", "40", "--years", "1", "--seed", "3"])
    assert again.exit_code == 1
    assert "n'est pas vide" in again.output
    with app.app_context():
        assert table_checksum() == (counts, checksum)  # nothing written


def test_refuses_a_database_with_a_member(app, runner):
    with app.app_context():
        db.session.add(Member(first_name="Claire", last_name="Dupont", search_text="claire"))
        db.session.commit()
    result = runner.invoke(args=["seed-demo", "--members", "40", "--years", "1"])
    assert result.exit_code == 1
    assert "member" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Member)) == 1
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_cli_checks_its_options(runner):
    for args in (["--members", "0"], ["--years", "0"], ["--years", "31"], ["--seed", "x"]):
        result = runner.invoke(args=["seed-demo", *args])
        assert result.exit_code == 2, args


def test_first_run_seeds_an_empty_database_only(app, runner):
    result = runner.invoke(args=["first-run"])
    assert result.exit_code == 0, result.output
    assert "données de démonstration chargées" in result.output  # `make run` says so
    with app.app_context():
        members = db.session.scalar(select(func.count()).select_from(Member))
        assert members == demo.DEFAULT_MEMBERS
        assert demo.seed_demo_if_empty() is False
    result = runner.invoke(args=["first-run"])
    assert result.exit_code == 0, result.output
    assert "données de démonstration" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Member)) == members


def test_first_run_creates_one_admin_and_prints_how_to_log_in(app, runner):
    result = runner.invoke(args=["first-run", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert "admin@coworking.local" in result.output
    password = result.output.split("Mot de passe : ")[1].split()[0]
    with app.app_context():
        assert accounts.authenticate("admin@coworking.local", password) is not None
    again = runner.invoke(args=["first-run", "--no-demo"])
    assert password not in again.output  # printed once, when made; the file keeps it
    assert "first-run-credentials.txt" in again.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_first_run_inserts_the_built_in_event_kinds_and_criteria(app, runner):
    from coworking.events.models import EventKind
    from coworking.label.models import Criterion

    runner.invoke(args=["first-run", "--no-demo"])
    with app.app_context():
        slugs = set(db.session.scalars(select(EventKind.slug)))
        codes = set(db.session.scalars(select(Criterion.code)))
    assert {"PROG-1", "ECO-1"} <= codes and len(codes) == 20
    assert {
        "twapero",
        "conference",
        "atelier",
        "formation",
        "barcamp",
        "afterwork",
        "ag",
        "autre",
    } <= slugs


def test_seeding_leaves_the_commit_to_the_caller(app_ctx):
    assert demo.seed_demo_if_empty() is True
    db.session.rollback()
    assert demo.database_is_empty()


def test_first_run_commits_once_so_a_failure_writes_nothing(app, runner, monkeypatch):
    def fail() -> str:
        raise RuntimeError("no randomness left")

    # Fails after the demo is loaded, while the admin is made: all of it is rolled back.
    monkeypatch.setattr(accounts, "generate_password", fail)
    result = runner.invoke(args=["first-run"])
    assert result.exit_code != 0
    with app.app_context():
        assert demo.database_is_empty()
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert not (Path(app.instance_path) / "first-run-credentials.txt").exists()


def test_no_lower_feature_imports_the_seed():
    """The seed sits on top of every feature: none of them may reach up into it."""
    package = Path(demo.__file__).resolve().parent.parent
    for source in package.rglob("*.py"):
        if source.parent.name == "seed" or "migrations" in source.parts:
            continue
        text = source.read_text(encoding="utf-8")
        assert "coworking.seed" not in text, source
    auth = (package / "auth").rglob("*.py")
    for source in auth:
        text = source.read_text(encoding="utf-8")
        for feature in ("events", "label", "seed"):
            assert f"coworking.{feature}" not in text, (source, feature)


def test_existing_accounts_kinds_and_plans_are_no_obstacle(app_ctx):
    from tests import factories

    factories.make_user(role="admin")
    db.session.add(MembershipPlan(name="Passe journée", kind="day_pass", price_cents=1000))
    db.session.add(EventKind(slug="twapero", label_fr="Twapéro", label_en="Twapero"))
    db.session.commit()
    assert demo.database_is_empty()
    demo.seed_demo(**SMALL, today=TODAY)
    db.session.commit()
    plans = db.session.execute(select(MembershipPlan.kind, MembershipPlan.price_cents)).all()
    assert sorted(plans) == sorted(
        [
            ("day_pass", 1000),
            ("ten_day_card", 7000),
            ("monthly", 15000),
            ("annual", 120000),
            ("association_fee", 2000),
        ]
    )
    assert db.session.scalar(select(func.count()).select_from(EventKind)) == 8


@pytest.fixture
def seeded(app_ctx):
    demo.seed_demo(members=120, years=2, seed=11, today=TODAY)
    db.session.commit()
    return app_ctx


def test_members_are_plausible(seeded):
    members = db.session.scalars(select(Member)).all()
    assert len(members) == 120
    emails = [m.email for m in members if m.email]
    assert len(emails) == len(set(emails))
    for member in members:
        assert member.search_text == member_search_text(member)
        # French sort keys, written by the seed's bulk insert too
        assert member.sort_name == derived_columns(member)["sort_name"] != ""
        assert member.sort_organisation == derived_columns(member)["sort_organisation"]
        assert member.profession_category in PROFESSION_CATEGORIES
        assert member.age_bracket is None or member.age_bracket in AGE_BRACKETS
        assert member.postcode and member.city
        assert date(2022, 6, 14) <= member.joined_on <= TODAY
        assert member.left_on is None or member.joined_on < member.left_on <= TODAY
        assert member.consent_data_at is not None
        assert member.twitter is None or not member.twitter.startswith("@")
        assert member.mastodon is None or "@" in member.mastodon
    assert sum(m.postcode.startswith("49") for m in members) > 100
    # Memberships reference the five plans and stay inside the period.
    kinds = db.session.scalars(
        select(MembershipPlan.kind).join(Membership, Membership.plan_id == MembershipPlan.id)
    ).all()
    assert {"association_fee", "monthly"} <= set(kinds)


def test_checkins_follow_opening_days(seeded):
    days = db.session.scalars(select(CheckIn.day).distinct()).all()
    assert days
    assert all(day.weekday() < 5 for day in days)
    assert not any(day.month == 12 and day.day >= 24 for day in days)
    assert date(2024, 5, 1) not in days and date(2023, 7, 14) not in days
    august = sum(d.month == 8 for d in days)
    per_month = db.session.execute(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.day.between(date(2023, 8, 1), date(2023, 8, 31)))
    ).scalar_one()
    october = db.session.execute(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.day.between(date(2023, 10, 1), date(2023, 10, 31)))
    ).scalar_one()
    assert august and per_month < october  # quieter in August


def test_twaperos_and_events(seeded):
    from coworking.dates import space_zone

    bar = db.session.scalar(select(Partner).where(Partner.kind == "lieu"))
    assert bar.hosts_events
    twaperos = db.session.scalars(select(Event).where(Event.kind == "twapero")).all()
    assert len(twaperos) >= 20
    for event in twaperos:
        local = event.starts_at.astimezone(space_zone())
        assert local.weekday() == 3 and local.day <= 7 and local.hour == 19
        assert event.venue_partner_id == bar.id
        assert event.hashtags == "twapero angers"
        assert local.month != 8
    kinds = set(db.session.scalars(select(Event.kind).distinct()))
    assert {"twapero", "conference", "atelier", "formation", "barcamp", "ag", "autre"} <= kinds
    past_ags = db.session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.kind == "ag", Event.starts_at <= datetime(2024, 6, 14, tzinfo=UTC))
    )
    assert db.session.scalar(select(func.count()).select_from(GeneralAssembly)) == past_ags
    # Every hashtag is stored normalized.
    for tags in db.session.scalars(select(Mention.hashtags)):
        assert tags == tags.lower() and "#" not in tags
    assert db.session.scalar(
        select(func.count()).select_from(Mention).where(Mention.event_id.is_not(None))
    )


def test_first_visits_are_flagged_once_per_member(seeded):
    rows = db.session.execute(
        select(Attendance.member_id, func.count())
        .where(Attendance.first_visit, Attendance.member_id.is_not(None))
        .group_by(Attendance.member_id)
    ).all()
    assert rows and all(count == 1 for _member, count in rows)
    returning = db.session.execute(
        select(Attendance.member_id)
        .where(Attendance.status == "attended", Attendance.member_id.is_not(None))
        .group_by(Attendance.member_id)
        .having(func.count() >= 2)
    ).all()
    assert len(returning) > 10


def test_space_profile_board_and_budget(seeded):
    profile = db.session.scalar(select(SpaceProfile))
    assert profile.name == "Maine Labs"
    assert profile.legal_form == "Association loi 1901"
    assert siret_problem(profile.siret) is None and len(profile.siret) == 14
    assert profile.logo_document_id is not None
    years = set(db.session.scalars(select(BudgetLine.year).distinct()))
    assert years == {2022, 2023, 2024}
    sources = set(
        db.session.scalars(select(BudgetLine.source).where(BudgetLine.direction == "income"))
    )
    assert sources == {
        "memberships",
        "day_passes",
        "room_hire",
        "subsidies",
        "sponsorship",
        "other",
    }


def test_ids_keep_working_after_the_seed(seeded):
    """New rows get fresh ids (PostgreSQL's sequences were moved past the demo's ids)."""
    member = Member(first_name="Nouvelle", last_name="Membre", search_text="nouvelle membre")
    partner = Partner(name="Nouveau partenaire", kind="entreprise")
    db.session.add_all([member, partner])
    db.session.commit()
    assert member.id == 121
    assert partner.id > 1


def test_demo_logo_has_its_thumbnail_and_titles_elide(seeded):
    logo = db.session.scalar(select(Document).where(Document.kind == "logo"))
    assert logo.thumbnail and logo.thumbnail[:2] == b"\xff\xd8"  # a JPEG, not a 404
    assert of_name("Atelier Dupont") == "d'Atelier Dupont"
    assert of_name("Écluse") == "d'Écluse" and of_name("Loire Web") == "de Loire Web"
    titles = db.session.scalars(select(Outcome.title)).all()
    assert not [title for title in titles if title.startswith(("Création de A", "Création de É"))]
