"""French alphabetical order wherever names are sorted, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from coworking import create_app
from coworking.collation import french_sorted, name_sort_key, sort_key
from coworking.community import services as community
from coworking.events import attendance as roll
from coworking.extensions import db
from coworking.members import search, services
from coworking.members.models import Member
from tests import factories
from tests.conftest import TEST_DATABASE_URL

# (last name, first name) typed in this order: the byte order of their UTF-8 puts « Aubry
# Vincent » before « Aubry Élise » and « Zoé » before « Ébène » and « Œuvre ».
PEOPLE = [("Zoé", ""), ("Œuvre", ""), ("Aubry", "Vincent"), ("Ébène", ""), ("Aubry", "Élise")]
FRENCH_ORDER = ["Aubry Élise", "Aubry Vincent", "Ébène", "Œuvre", "Zoé"]


def _make_people() -> list[Member]:
    return [factories.make_member(last_name=last, first_name=first) for last, first in PEOPLE]


def test_sort_key_ignores_accents_case_and_ligatures():
    assert sort_key("Élise") == sort_key("elise") == "elise"
    assert sort_key("Œuvre") == "oeuvre"
    assert sort_key("Le-Goff") == sort_key("le goff")
    assert sort_key("Łukasz Ørsted") == "lukasz orsted"
    assert sort_key(None) == ""
    names = ["Zoé", "Œuvre", "Sophie", "Sébastien", "Aurélie", "Aïcha", "Élise", "Ébène"]
    assert french_sorted(names, lambda name: name) == [
        "Aïcha",
        "Aurélie",
        "Ébène",
        "Élise",
        "Œuvre",
        "Sébastien",
        "Sophie",
        "Zoé",
    ]


def test_a_last_name_sorts_before_the_same_last_name_with_more_words():
    keys = [
        name_sort_key("Aubry", "Zoé"),
        name_sort_key("Aubry Martin", "Anne"),
        name_sort_key("Aubry", "Élise"),
    ]
    assert sorted(keys) == [keys[2], keys[0], keys[1]]


def test_member_list_sorts_names_the_french_way(app, client, auth):
    with app.app_context():
        _make_people()
        db.session.commit()
    auth.login_as("viewer")
    page = client.get("/members").get_data(as_text=True)
    positions = [page.index(name) for name in FRENCH_ORDER]
    assert positions == sorted(positions)
    page = client.get("/members?sort=-name").get_data(as_text=True)
    positions = [page.index(name) for name in FRENCH_ORDER]
    assert positions == sorted(positions, reverse=True)


def test_member_sorts_by_organisation_the_french_way(app_ctx):
    for organisation in ("Zébulon", "École du Web", "Œil de Loire", "Atelier"):
        factories.make_member(organisation=organisation)
    query = search.sorted_members(search.filtered_members(search.MemberFilters()), "organisation")
    organisations = [member.organisation for member in db.session.scalars(query)]
    assert organisations == ["Atelier", "École du Web", "Œil de Loire", "Zébulon"]


def test_member_export_sorts_names_the_french_way(app, client, auth):
    with app.app_context():
        _make_people()
        db.session.commit()
    auth.login_as("manager")
    text = client.get("/members/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    last, first = header.index("Nom"), header.index("Prénom")
    names = [f"{row[last]} {row[first]}".strip() for row in rows[1:]]
    assert names == FRENCH_ORDER


def test_a_renamed_member_moves_to_the_right_place(app_ctx):
    zoe, *_others = _make_people()
    services.update_member(zoe, last_name="Abélard", first_name="")
    db.session.commit()
    query = search.sorted_members(search.filtered_members(search.MemberFilters()), "name")
    assert [member.last_name for member in db.session.scalars(query)][0] == "Abélard"


def test_roll_call_sorts_names_the_french_way(app_ctx):
    event = factories.make_event()
    for first in ("Sophie", "Sébastien", "Aurélie", "Aïcha", "Élise", "Zoé"):
        factories.make_attendance(event, factories.make_member(first_name=first, last_name="Roy"))
    db.session.commit()
    names = [roll.display_name(row) for row in roll.roll_call(event)]
    assert names == [
        "Aïcha Roy",
        "Aurélie Roy",
        "Élise Roy",
        "Sébastien Roy",
        "Sophie Roy",
        "Zoé Roy",
    ]


def test_roll_call_search_and_desk_search_sort_the_french_way(app_ctx):
    _make_people()
    for last, first in (("Aubry", "Zacharie"), ("Aubry", "Émile")):
        factories.make_member(last_name=last, first_name=first)
    db.session.commit()
    expected = ["Aubry Élise", "Aubry Émile", "Aubry Vincent", "Aubry Zacharie"]
    found = roll.search_members("aubry")
    assert [f"{m.last_name} {m.first_name}" for m in found] == expected
    found = search.quick_search("aubry")
    assert [f"{m.last_name} {m.first_name}" for m in found] == expected


def test_partners_and_member_choices_sort_the_french_way(app, client, auth):
    with app.app_context():
        for name in ("Zoé Studio", "Œuvre commune", "Aubry Conseil", "Ébène Café"):
            factories.make_partner(name=name)
        people = _make_people()
        db.session.commit()
        ids = [member.id for member in people]
        assert [name for _id, name in community.member_choices(ids)] == [
            "Élise Aubry",
            "Vincent Aubry",
            "Ébène",
            "Œuvre",
            "Zoé",
        ]
    auth.login_as("viewer")
    page = client.get("/community/partners").get_data(as_text=True)
    expected = ["Aubry Conseil", "Ébène Café", "Œuvre commune", "Zoé Studio"]
    positions = [page.index(name) for name in expected]
    assert positions == sorted(positions)


def test_seeded_and_imported_members_have_their_sort_keys(app_ctx):
    member = factories.make_member(last_name="Ébène", first_name="Léa", organisation="Œil")
    assert member.sort_name == name_sort_key("Ébène", "Léa") == "ebene lea"
    assert member.sort_organisation == "oeil"


# --- the migration that adds the keys --------------------------------------------------------

BEFORE_KEYS = "95b0c4be1191"
KEYS = "889a1d1e0602"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_fills_the_keys_and_keeps_every_row(backend, tmp_path, monkeypatch):
    """Adding the keys must not copy the member table: on SQLite, dropping the old copy with
    foreign keys on deleted every membership (ON DELETE CASCADE)."""
    if backend == "postgresql" and not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL: set TEST_DATABASE_URL")
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path))
    schema = None
    options: dict[str, object] = {}
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    else:
        schema = f"keys_{uuid.uuid4().hex[:8]}"
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url = TEST_DATABASE_URL
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
        }
    )
    try:
        with application.app_context():
            upgrade(revision=BEFORE_KEYS)
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO member (id, first_name, last_name, organisation, profession_category,"
                        " joined_on, search_text, created_at, updated_at) VALUES (1, 'Élise', 'Aubry',"
                        " 'École du Web', 'autre', '2024-01-01', '', '2024-01-01', '2024-01-01')"
                    )
                )
                connection.execute(
                    text(
                        "INSERT INTO membership_plan (id, name, kind, price_cents, active)"
                        " VALUES (1, 'Mois', 'monthly', 100, true)"
                    )
                )
                connection.execute(
                    text(
                        "INSERT INTO membership (id, member_id, plan_id, starts_on, ends_on,"
                        " amount_paid_cents, created_at) VALUES (1, 1, 1, '2024-01-01', '2024-02-01', 0,"
                        " '2024-01-01')"
                    )
                )
                connection.execute(
                    text(
                        "INSERT INTO partner (id, name, kind, hosts_events, funds, supports,"
                        " founding_member, created_at) VALUES (1, 'Œil', 'lieu', true, false, false,"
                        " false, '2024-01-01')"
                    )
                )
            upgrade(revision=KEYS)
            with db.engine.connect() as connection:
                assert connection.execute(
                    text("SELECT sort_name, sort_organisation FROM member")
                ).one() == ("aubry elise", "ecole du web")
                assert connection.execute(text("SELECT sort_name FROM partner")).scalar() == "oeil"
                assert connection.execute(text("SELECT count(*) FROM membership")).scalar() == 1
            downgrade(revision=BEFORE_KEYS)
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM membership")).scalar() == 1
                assert connection.execute(text("SELECT count(*) FROM partner")).scalar() == 1
            db.engine.dispose()
    finally:
        if schema:
            engine = create_engine(TEST_DATABASE_URL)
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()
