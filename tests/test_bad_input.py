"""Input out of range or oddly written: a French error naming the field, HTTP 400, nothing written.

Dates outside 1900..2200, ids written « ² » or with 30 digits, infinite or NaN numbers,
a time skipped by the change to summer time: never a 500.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import func, select

from coworking.dates import DateRangeError, check_year, parse_iso_date
from coworking.events import services as events
from coworking.events.ical_import import IcalImportError, parse_calendar
from coworking.events.models import Event
from coworking.extensions import db
from coworking.ids import parse_id
from coworking.members import search
from coworking.members import services as members
from coworking.members.models import Member, Membership, MembershipPlan
from coworking.periods import Period, PeriodError
from coworking.space import checkins
from coworking.space.models import CheckIn, SpaceProfile
from tests.factories import make_event, make_member, make_plan

BIG = "1" + "0" * 30
EVENT = {
    "title": "Atelier",
    "kind": "atelier",
    "start_date": "2030-03-07",
    "start_time": "18:30",
    "end_time": "20:00",
    "is_public": "y",
    "is_free": "y",
}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the shared helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        (5, 5),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        (BIG, None),
        ("²", None),
        ("٣", None),
        ("0", None),
        ("-1", None),
        ("", None),
        (None, None),
        (True, None),
        ("1e3", None),
    ],
)
def test_parse_id_accepts_only_ascii_digits_in_range(text, expected):
    assert parse_id(text) == expected


def test_dates_are_bounded_to_1900_2200():
    assert parse_iso_date("2200-12-31", "from") == dt.date(2200, 12, 31)
    assert parse_iso_date("", "from") is None
    for text in ("9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"):
        with pytest.raises(DateRangeError) as error:
            parse_iso_date(text, "to")
        assert error.value.field == "to" and "1900" in error.value.message
    with pytest.raises(DateRangeError):
        check_year(dt.date(1, 1, 1), "day")


def test_period_parse_refuses_years_out_of_range():
    with pytest.raises(PeriodError) as error:
        Period.parse("0001-01-01", "2024-01-01")
    assert error.value.field == "from" and "Date de début" in error.value.message
    with pytest.raises(PeriodError) as error:
        Period.parse("2024-01-01", "9999-12-31")
    assert error.value.field == "to" and "Date de fin" in error.value.message


# --- dates in query strings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field_text"),
    [
        ("/api/v1/events?from=0001-01-01", "Date de début"),
        ("/api/v1/events?from=2024-01-01&to=9999-12-31", "Date de fin"),
        ("/calendar.ics?from=9999-01-01&to=9999-12-31", "Date de début"),
        ("/events?from=0001-01-02&to=0001-01-05", "Date de début"),
        ("/events/calendar?month=9999-12", "Mois"),
        ("/checkins/month?month=0001-01", "Mois"),
        ("/community/mentions?start=0001-01-01", "Du"),
        ("/community/mentions.csv?end=9999-12-31", "Au"),
        ("/api/v1/indicators?from=0001-01-01&to=9999-12-31", "Date de début"),
        ("/?from=0001-01-01&to=9999-12-31", "Date de début"),
    ],
)
def test_dates_out_of_range_in_query_strings_are_a_400(client, auth, path, field_text):
    auth.login_as("manager")
    response = client.get(path)
    assert response.status_code == 400, path
    body = response.get_json()["error"] if response.is_json else response.get_data(as_text=True)
    assert field_text in body and "2200" in body


def test_members_filter_reports_a_joined_date_out_of_range(app_ctx):
    filters = search.MemberFilters.from_args({"joined_from": "0001-01-01", "plan": "²"})
    assert filters.joined_from is None and filters.plan_id is None
    assert "1900" in filters.errors["joined_from"]


# --- events: forms and services -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_date": "9999-12-31", "all_day": "y"}, "start_date", "2200"),
        ({"start_date": "0001-01-01", "start_time": "00:30"}, "start_date", "1900"),
        ({"end_date": "9999-12-31"}, "end_date", "2200"),
        (
            {"start_date": "2025-03-30", "start_time": "02:30", "end_time": "03:10"},
            "start_time",
            "passage à l&#39;heure d&#39;été",
        ),
        ({"is_free": "", "price": "inf"}, "price", "Saisissez un nombre"),
        ({"is_free": "", "price": "1e400"}, "price", "Saisissez un nombre"),
        ({"is_free": "", "price": "NaN"}, "price", "Saisissez un nombre"),
        ({"is_free": "", "price": "200000"}, "price", "Prix invalide"),
        ({"capacity": BIG}, "capacity", "Capacité invalide"),
    ],
)
def test_event_form_refuses_bad_dates_and_numbers(app, auth, change, field, message):
    auth.login_as("manager")
    response = auth.post("/events/new", EVENT | change, token_from="/events/new")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f'id="{field}-errors"' in body and message in body
    with app.app_context():
        assert _count(Event) == 0


def test_event_price_takes_a_french_decimal_comma(app, auth):
    auth.login_as("manager")
    response = auth.post(
        "/events/new", EVENT | {"is_free": "", "price": "12,50"}, token_from="/events/new"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Event.price_cents)) == 1250


def test_local_datetime_skipped_and_repeated_hours(app_ctx):
    with pytest.raises(events.EventError) as error:
        events.local_datetime(dt.date(2025, 3, 30), dt.time(2, 30), time_field="end_time")
    assert error.value.field == "end_time" and "heure d'été" in error.value.message
    # 02:30 happens twice on 26 October: the first one, still summer time (UTC+2).
    first = events.local_datetime(dt.date(2025, 10, 26), dt.time(2, 30))
    assert first == dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC)
    with pytest.raises(events.EventError) as error:
        events.local_datetime(dt.date(9999, 12, 31), None, date_field="until")
    assert error.value.field == "until"


def test_series_until_year_9999_is_refused_before_generating_dates(app, auth):
    auth.login_as("manager")
    form = EVENT | {"rule": "weekly", "nth": "1", "until": "9999-12-31"}
    response = auth.post("/events/series/new", form, token_from="/events/new")
    assert response.status_code == 400
    assert 'id="until-errors"' in response.get_data(as_text=True)
    with app.app_context():
        assert _count(Event) == 0
        with pytest.raises(events.EventError) as error:
            events.series_dates("weekly", dt.date(2030, 1, 1), dt.date(9999, 12, 31))
        assert error.value.field == "until"


def test_ids_written_oddly_are_ignored_not_a_500(app, client, auth):
    auth.login_as("manager")
    for value in ("²", BIG, "99999999999999999999"):
        for path in (
            f"/events?venue={value}",
            f"/events/calendar?venue={value}",
            f"/api/v1/events?venue={value}",
            f"/members?plan={value}",
            f"/community/outcomes/new?member_id={value}",
            f"/community/documents?partner_id={value}",
            f"/events/new?duplicate={value}",
        ):
            assert client.get(path).status_code == 200, path
    with app.app_context():
        event_id = make_event().id
        db.session.commit()
    response = auth.post(
        f"/events/{event_id}/attendance/member", {"member_id": "²"}, token_from="/events"
    )
    assert response.status_code == 303
    response = auth.post("/checkins", {"member_id": BIG}, token_from="/checkins")
    assert response.status_code == 400
    response = client.post("/api/v1/checkins", json={"member_id": int(BIG)})
    assert response.status_code in (400, 403)  # JSON error, or CSRF refused: never a 500
    with app.app_context():
        assert _count(CheckIn) == 0


def test_outcome_with_an_overflowing_member_id_is_refused(app, auth):
    auth.login_as("manager")
    response = auth.post(
        "/community/outcomes/new",
        {"kind": "emploi", "title": "CDI", "happened_on": "2024-04-02", "member_ids": BIG},
        token_from="/community/outcomes/new",
    )
    assert response.status_code == 400


def test_ical_import_refuses_a_year_out_of_range_naming_the_event():
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
        "BEGIN:VEVENT\r\nUID:old@x\r\nSUMMARY:Très vieux\r\n"
        "DTSTART;VALUE=DATE:18500101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    with pytest.raises(IcalImportError) as error:
        parse_calendar(ics)
    assert "VEVENT n°1" in error.value.message and "DTSTART" in error.value.message
    late = ics.replace(b"18500101", b"99991231")
    with pytest.raises(IcalImportError):
        parse_calendar(late)


# --- members: amounts and memberships -------------------------------------------------------------


@pytest.mark.parametrize("amount", ["inf", "1e400", "NaN", "Infinity", "1e5", BIG, "-3"])
def test_parse_euros_refuses_non_finite_and_huge_amounts(app_ctx, amount):
    with pytest.raises(members.MemberError) as error:
        members.parse_euros(amount, "amount")
    assert error.value.field == "amount"


def test_parse_euros_reads_french_amounts(app_ctx):
    assert members.parse_euros("12,50 €") == 1250
    assert members.parse_euros("1 200,5") == 120050
    assert members.parse_euros("100000") == 10_000_000


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_on": "9999-12-31"}, "Début : L&#39;année doit être comprise entre 1900 et 2200"),
        ({"amount": "inf"}, "Montant invalide"),
        ({"amount": "1e400"}, "Montant invalide"),
        ({"paid_on": "0001-01-01"}, "Payé le : L&#39;année doit être comprise"),
    ],
)
def test_membership_form_refuses_dates_and_amounts_out_of_range(app, client, auth, change, message):
    # The membership form lives on the member's page: errors are flashed there (a redirect).
    auth.login_as("manager")
    with app.app_context():
        member_id = make_member().id
        plan_id = make_plan(kind="annual").id
        db.session.commit()
    data = {"plan_id": str(plan_id), "starts_on": "2025-01-01"} | change
    response = auth.post(f"/members/{member_id}/memberships", data)
    assert response.status_code == 302
    assert message in client.get(f"/members/{member_id}").get_data(as_text=True)
    with app.app_context():
        assert _count(Membership) == 0
        with pytest.raises(members.MemberError) as error:
            members.add_membership(
                db.session.get(Member, member_id),
                db.session.get(MembershipPlan, plan_id),
                starts_on=dt.date(9999, 12, 31),
            )
        assert error.value.field == "starts_on"


@pytest.mark.parametrize("price", ["inf", "1e400"])
def test_plan_price_infinite_is_refused(app, auth, price):
    auth.login_as("admin")
    response = auth.post("/admin/plans", {"name": "Passe", "kind": "day_pass", "price": price})
    assert response.status_code == 400
    assert 'id="price-errors"' in response.get_data(as_text=True)
    with app.app_context():
        assert _count(MembershipPlan) == 0


# --- the space profile ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("staff_fte", "inf"),
        ("staff_fte", "1e400"),
        ("staff_fte", "1e30"),
        ("staff_fte", "sNaN"),
        ("staff_fte", "NaN"),
        ("staff_fte", "1001"),
        ("surface_m2", BIG),
        ("desks", "100001"),
        ("volunteers", BIG),
    ],
)
def test_profile_numbers_must_be_finite_and_sane(app, client, auth, field, value):
    auth.login_as("admin")
    response = auth.post("/admin/space", {"name": "Maine Labs", field: value})
    assert response.status_code == 400
    assert f'id="{field}-errors"' in response.get_data(as_text=True)
    with app.app_context():
        assert _count(SpaceProfile) == 0
    assert client.get("/admin/space").status_code == 200


def test_profile_page_survives_a_stored_infinite_staff_count(app, client, auth):
    auth.login_as("admin")
    with app.app_context():
        db.session.add(SpaceProfile(name="Maine Labs", staff_fte=math.inf))
        db.session.commit()
    assert client.get("/admin/space").status_code == 200
    response = auth.post("/admin/space", {"name": "Maine Labs", "staff_fte": "1,5"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(SpaceProfile.staff_fte)) == 1.5


# --- one definition of visitor-days -------------------------------------------------------------


def test_month_page_counts_a_half_day_as_one_visitor_day_like_the_indicator(app, client, auth):
    with app.app_context():
        member = make_member()
        checkins.check_in_member(member, day=dt.date(2024, 3, 5), duration="half")
        checkins.check_in_visitor("Ana", day=dt.date(2024, 3, 5))
        db.session.commit()
        from coworking.stats.indicators import compute_indicators

        figures = compute_indicators(
            Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31)), ["checkins_visitor_days"]
        )
    auth.login_as("viewer")
    body = client.get("/checkins/month?month=2024-03").get_data(as_text=True)
    assert figures["checkins_visitor_days"] == 2
    assert '<span class="figure__value">2</span>' in body
    assert '<span class="figure__value">1</span><span class="figure__label">dont demi' in body
