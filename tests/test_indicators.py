"""Indicators against values computed by hand on a small data set with the edges that matter.

The period is the first quarter of 2024 (Paris). Summer time starts on 31 March
2024, so 23:30 Paris on the last day is 21:30 UTC, and 00:30 Paris on 1 January
is still 2023 in UTC. The same data and values run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from coworking.extensions import db
from coworking.periods import Period
from coworking.stats.definitions import INDICATORS, UNITS, UnknownIndicatorError, format_value
from coworking.stats.indicators import compute_indicators
from coworking.stats.series import compute_mixes, monthly_series
from tests import factories as f

Q1 = Period(date(2024, 1, 1), date(2024, 3, 31))


def build_quarter() -> None:
    """Build the data set whose figures are worked out in EXPECTED below."""
    f.make_space_profile(desks=4)
    # Members. A's membership spans the period's start; F has two memberships; C is erased.
    a = f.make_member(
        joined_on=date(2023, 6, 1), profession_category="web", age_bracket="25-34", city="Angers"
    )
    f.make_membership(a, starts_on=date(2023, 6, 1), ends_on=date(2024, 1, 15))
    b = f.make_member(
        joined_on=date(2024, 2, 10),
        profession_category="communicant",
        age_bracket="35-44",
        city=" angers ",
    )
    f.make_membership(b, starts_on=date(2024, 2, 10), ends_on=date(2025, 2, 9))
    c = f.make_member(
        joined_on=date(2024, 3, 31),
        profession_category="etudiant",
        first_name="",
        last_name="",
        erased_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    f.make_membership(c, starts_on=date(2024, 3, 31), ends_on=date(2024, 4, 30))
    d = f.make_member(
        joined_on=date(2022, 1, 1), left_on=date(2024, 3, 15), profession_category="web"
    )
    f.make_membership(d, starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31))
    e = f.make_member(joined_on=date(2024, 4, 1), profession_category="photographe")
    f.make_membership(e, starts_on=date(2024, 4, 1), ends_on=date(2024, 12, 31))
    ff = f.make_member(joined_on=date(2023, 12, 1), profession_category="web", city="Trélazé")
    f.make_membership(ff, starts_on=date(2023, 12, 1), ends_on=date(2024, 1, 31))
    f.make_membership(ff, starts_on=date(2024, 2, 1), ends_on=date(2024, 12, 31))

    # Check-ins: a named one-off visitor twice (case and spaces differ), two unnamed ones.
    f.make_check_in(a, day=date(2024, 1, 2))
    f.make_check_in(a, day=date(2024, 1, 3))
    f.make_check_in(ff, day=date(2024, 1, 2), duration="half")
    f.make_check_in(day=date(2024, 2, 5), visitor_name="Jeanne Dupont")
    f.make_check_in(day=date(2024, 2, 6), visitor_name="jeanne dupont ")
    f.make_check_in(day=date(2024, 3, 4), visitor_name=None)
    f.make_check_in(day=date(2024, 3, 4), visitor_name=None)
    f.make_check_in(a, day=date(2023, 12, 31))
    f.make_check_in(b, day=date(2024, 4, 1))

    # Partners: open ends, and bounds touching the period.
    p1 = f.make_partner(kind="collectivite", since=date(2023, 1, 1))
    p2 = f.make_partner(kind="lieu", until=date(2024, 1, 1))
    f.make_partner(kind="ecole", since=date(2024, 4, 1))
    f.make_partner(kind="media", until=date(2023, 12, 31))
    f.make_partner(kind="entreprise", since=date(2024, 3, 31))

    # Events.
    e1 = f.make_event(starts_at=f.paris(2024, 1, 1, 0, 30), kind="twapero", headcount=30)
    e2 = f.make_event(
        starts_at=f.paris(2024, 3, 31, 23, 30), kind="atelier", is_free=False, price_cents=500
    )
    e3 = f.make_event(starts_at=f.paris(2024, 4, 1, 0, 30), kind="atelier", partners=[p1])
    e4 = f.make_event(starts_at=f.paris(2023, 12, 31, 23, 30), kind="twapero", headcount=100)
    e5 = f.make_event(
        starts_at=f.paris(2024, 2, 15), kind="formation", is_public=False, partners=[p1]
    )
    e6 = f.make_event(starts_at=f.paris(2024, 2, 20), kind="conference", cancelled=True)
    e7 = f.make_event(starts_at=f.paris(2024, 3, 10, 14), kind="ag", headcount=12)
    for day in range(1, 8):
        f.make_event(
            starts_at=f.paris(2024, 2, day, 18),
            kind="conference",
            is_free=day != 1,
            partners=[p2] if day == 2 else [],
        )
    assert e4.starts_at.date() == date(2023, 12, 31)

    # Attendance.
    f.make_attendance(e1, a, first_visit=True)
    f.make_attendance(e1, ff)
    f.make_attendance(e1, guest_name="Paul Martin")
    f.make_attendance(e1, b, status="no_show")
    f.make_attendance(e2, a)
    f.make_attendance(e2, guest_name="paul martin")
    f.make_attendance(e2, guest_name=None)
    f.make_attendance(e5, ff)
    f.make_attendance(e5, c, first_visit=True)
    f.make_attendance(e6, a)
    f.make_attendance(e3, b)
    f.make_attendance(e7, b, status="no_show")

    f.make_general_assembly(held_on=date(2024, 3, 10), members_present=30)
    f.make_general_assembly(held_on=date(2023, 9, 1))

    f.make_press_article(published_on=date(2024, 1, 1))
    f.make_press_article(published_on=date(2024, 3, 31))
    f.make_press_article(published_on=date(2023, 12, 31))

    f.make_mention(
        posted_at=f.paris(2024, 1, 1, 0, 10), likes=3, reposts=1, hashtags="twapero angers"
    )
    f.make_mention(posted_at=f.paris(2024, 3, 31, 23, 59), reposts=2, hashtags="twapero")
    f.make_mention(posted_at=f.paris(2024, 4, 1, 0, 10), likes=100, hashtags="twapero")
    f.make_mention(posted_at=f.paris(2024, 2, 14, 12), likes=5)

    f.make_outcome(happened_on=date(2024, 1, 15), kind="stage")
    f.make_outcome(happened_on=date(2024, 3, 31), kind="emploi")
    f.make_outcome(happened_on=date(2024, 4, 1), kind="stage")
    db.session.commit()


EXPECTED = {
    "members_active": 4,  # A (spans the start), B, C (erased), F (two memberships)
    "members_at_start": 2,  # A, F: a membership begun before 1 January covers it
    "members_new": 2,  # B, C: their first membership starts in the quarter
    "members_returning": 0,
    "members_left": 1,  # A: ended on 15 January (D's leaving date is not a departure here)
    "members_at_end": 3,  # B, C, F: 2 + 2 + 0 − 1
    "members_retention": round(2 / 3, 4),  # Q4 2023: A, D, F; still active: A, F
    "profession_categories": 3,  # web 2, communicant 1, étudiant 1: none above half of 4
    "checkins_visitor_days": 7,
    "visitors_unique": 5,  # A, F, Jeanne, two unnamed visitors
    "occupancy_rate": round(7 / (4 * 65), 4),  # 13 weeks × 5 open days, 4 desks
    "days_open_per_week": 5,
    "events_held": 11,  # e1, e2, e5, e7 and 7 conferences
    "events_public": 10,
    "events_free": 9,
    "events_public_share": round(10 / 11, 4),
    "events_free_share": round(9 / 11, 4),
    "events_workshops_trainings": 2,  # e2 atelier, e5 formation
    "events_co_organised": 2,  # e5 and the conference of 2 February
    "months_with_8_events": 1,  # February
    "general_assemblies": 1,
    "attendance_total": 50,  # 8 attended + headcounts 30 + 12
    "attendance_average": round(50 / 11, 2),
    "attendees_unique": 5,  # A, F, Paul, C, one unnamed guest
    "attendees_returning_share": 0.6,  # A, F, Paul
    "attendees_first_timers_share": 0.25,
    "no_show_rate": 0.2,
    "partners_active": 3,
    "press_articles": 2,
    "mentions": 3,
    "mentions_reach": 11,
    "outcomes": 2,
}


def test_every_indicator_is_defined_once_with_labels_and_unit():
    assert set(EXPECTED) == set(INDICATORS)
    for key, definition in INDICATORS.items():
        assert definition.key == key
        assert definition.unit in UNITS
        assert definition.label_fr and definition.label_en
        assert definition.definition_fr.endswith(".") and definition.definition_en.endswith(".")


def test_each_indicator_matches_the_hand_computed_value(app_ctx):
    build_quarter()
    values = compute_indicators(Q1)
    assert list(values) == list(INDICATORS)
    for key, expected in EXPECTED.items():
        assert values[key] == pytest.approx(expected), key


def test_indicators_take_a_constant_number_of_queries(app_ctx, count_queries):
    with count_queries() as empty:
        compute_indicators(Q1)
    build_quarter()
    with count_queries() as full:
        compute_indicators(Q1)
    assert full.count == empty.count == 2


def test_a_subset_of_keys_is_computed_alone(app_ctx, count_queries):
    build_quarter()
    with count_queries() as counter:
        values = compute_indicators(Q1, ["events_held", "mentions"])
    assert values == {"events_held": 11, "mentions": 3}
    assert counter.count == 1
    with pytest.raises(UnknownIndicatorError):
        compute_indicators(Q1, ["nope"])


def test_empty_database_gives_zeros_and_no_share(app_ctx):
    values = compute_indicators(Q1)
    assert values["events_held"] == 0
    assert values["events_public_share"] is None
    assert values["occupancy_rate"] is None  # no space profile


def test_one_category_above_half_gives_no_diversity(app_ctx):
    for category in ("web", "web", "communicant"):
        member = f.make_member(profession_category=category)
        f.make_membership(member, starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
    assert compute_indicators(Q1, ["profession_categories"]) == {"profession_categories": 0}


def test_edges_of_the_period_in_paris_time(app_ctx):
    f.make_event(starts_at=f.paris(2024, 3, 31, 23, 30), kind="atelier")
    f.make_event(starts_at=f.paris(2024, 4, 1, 0, 30), kind="atelier")
    f.make_event(starts_at=f.paris(2023, 12, 31, 23, 30), kind="atelier")
    f.make_event(starts_at=f.paris(2024, 1, 1, 0, 30), kind="atelier")
    values = compute_indicators(Q1, ["events_held"])
    assert values["events_held"] == 2
    assert compute_indicators(Period(date(2024, 4, 1), date(2024, 4, 1)), ["events_held"]) == {
        "events_held": 1
    }


def test_monthly_series_add_up_to_the_indicators(app_ctx, count_queries):
    build_quarter()
    with count_queries() as counter:
        series = monthly_series(Q1)
    assert counter.count == 5
    assert series.keys == ["2024-01", "2024-02", "2024-03"]
    assert series.events == [1, 8, 2]
    assert series.events_by_kind["conference"] == [0, 7, 0]
    assert series.events_by_kind["twapero"] == [1, 0, 0]
    assert series.attendance == [33, 2, 15]
    assert series.visitor_days == [3, 2, 2]
    assert series.members_new == [0, 1, 1]
    assert series.members_active == [2, 2, 3]
    assert series.mentions == [1, 1, 1]
    assert series.mentions_reach == [4, 5, 2]
    assert sum(series.events) == EXPECTED["events_held"]
    assert sum(series.attendance) == EXPECTED["attendance_total"]


def test_monthly_series_clip_months_to_the_period(app_ctx):
    f.make_event(starts_at=f.paris(2024, 1, 10), kind="atelier")
    f.make_event(starts_at=f.paris(2024, 1, 20), kind="atelier")
    series = monthly_series(Period(date(2024, 1, 15), date(2024, 2, 14)))
    assert series.events == [1, 0]


def test_mixes(app_ctx, count_queries):
    build_quarter()
    with count_queries() as counter:
        mixes = compute_mixes(Q1)
    assert counter.count == len(mixes) == 8
    professions = {item.key: item.count for item in mixes["professions"].items}
    assert professions == {"web": 2, "communicant": 1, "etudiant": 1}
    assert mixes["professions"].items[0].key == "web"
    ages = [(item.key, item.count) for item in mixes["ages"].items]
    assert ages == [("25-34", 1), ("35-44", 1), ("", 2)]
    cities = {item.label: item.count for item in mixes["cities"].items}
    assert cities == {"Angers": 2, "Trélazé": 1, "Non renseigné": 1}
    kinds = {item.key: item.count for item in mixes["event_kinds"].items}
    assert kinds == {"conference": 7, "twapero": 1, "atelier": 1, "formation": 1, "ag": 1}
    tags = [(item.key, item.count) for item in mixes["hashtags"].items]
    assert tags == [("twapero", 2), ("angers", 1)]
    partners = {item.key: item.count for item in mixes["partner_kinds"].items}
    assert partners == {"collectivite": 1, "lieu": 1, "entreprise": 1}
    outcomes = {item.key: item.count for item in mixes["outcome_kinds"].items}
    assert outcomes == {"stage": 1, "emploi": 1}
    weekdays = [item.count for item in mixes["weekdays"].items]
    assert weekdays == [3, 3, 1, 0, 0, 0, 0]
    assert mixes["weekdays"].items[0].label == "lundi"


def test_hashtags_with_quotes_and_backslashes_do_not_break_the_split(app_ctx):
    f.make_mention(posted_at=f.paris(2024, 1, 5), hashtags='a"b c\\d c\\d')
    tags = {item.key: item.count for item in compute_mixes(Q1, ["hashtags"])["hashtags"].items}
    assert tags == {"c\\d": 2, 'a"b': 1}


def test_format_value_the_french_way():
    assert format_value("members_active", 5700, "fr") == "5\u00a0700"
    assert format_value("events_public_share", 0.7, "fr") == "70\u00a0%"
    assert format_value("events_public_share", 0.7, "en") == "70%"
    assert format_value("attendance_average", 12.5, "fr") == "12,5"
    assert format_value("events_held", None) == "—"
