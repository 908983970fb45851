"""French alphabetical order wherever names are sorted, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from coworking.collation import french_sorted, name_sort_key, sort_key
from coworking.community import services as community
from coworking.events import attendance as roll
from coworking.extensions import db
from coworking.members import search, services
from coworking.members.models import Member
from tests import factories

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
        _make_people()
        db.session.commit()
        assert [name for _id, name in community.member_choices()] == [
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
