"""Check-ins: one visit a member a day, visitors, undo, month view, the front desk page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from coworking.dates import today
from coworking.extensions import db
from coworking.space import checkins
from coworking.space.models import CheckIn
from tests.factories import make_check_in, make_member


def test_a_second_check_in_the_same_day_is_the_same_visit(app_ctx):
    member = make_member()
    first, created = checkins.check_in_member(member)
    again, created_again = checkins.check_in_member(member, duration="half")
    assert created and not created_again
    assert again.id == first.id and again.duration == "full"
    other_day, created_other = checkins.check_in_member(member, day=today() - dt.timedelta(days=1))
    assert created_other and other_day.id != first.id


def test_visitors_and_bad_input(app_ctx):
    visit = checkins.check_in_visitor("  Jean   Passant ", duration="half")
    assert visit.visitor_name == "Jean Passant" and visit.member_id is None
    with pytest.raises(checkins.CheckInError) as error:
        checkins.check_in_visitor("   ")
    assert error.value.field == "visitor_name"
    with pytest.raises(checkins.CheckInError) as error:
        checkins.check_in_member(make_member(), duration="week")
    assert error.value.field == "duration"


def test_month_calendar_counts_visits_per_day(app_ctx):
    member = make_member()
    make_check_in(member, day=dt.date(2024, 3, 4))
    make_check_in(member, day=dt.date(2024, 3, 5), duration="half")
    make_check_in(None, day=dt.date(2024, 3, 5))
    make_check_in(member, day=dt.date(2024, 4, 1))
    weeks = checkins.month_calendar(2024, 3)
    days = {cell.day: cell for week in weeks for cell in week}
    assert all(len(week) == 7 for week in weeks)
    assert weeks[0][0].day == dt.date(2024, 2, 26)
    assert days[dt.date(2024, 3, 5)].visits == 2
    # One check-in = one visitor-day, as the indicator counts them; half days apart.
    assert days[dt.date(2024, 3, 5)].visitor_days == 2
    assert days[dt.date(2024, 3, 5)].half_days == 1
    assert dt.date(2024, 4, 1) not in days and len(weeks) == 5


def test_front_desk_search_check_in_and_undo(app, client, auth):
    auth.login_as("manager")
    with app.app_context():
        member = make_member(first_name="Noëlle", last_name="Béranger")
        db.session.commit()
        member_id = member.id
    page = client.get("/checkins?q=bera").get_data(as_text=True)
    assert "Noëlle" in page and "Journée" in page
    response = auth.post(
        "/checkins", {"member_id": str(member_id), "duration": "half"}, token_from="/checkins"
    )
    assert response.status_code == 302
    again = auth.post("/checkins", {"member_id": str(member_id)}, token_from="/checkins")
    assert again.status_code == 302
    page = client.get("/checkins?q=noelle").get_data(as_text=True)
    assert "déjà là aujourd" in page
    assert "Demi-journée" in page
    visitor = auth.post("/checkins", {"visitor_name": "Jean Passant"}, token_from="/checkins")
    assert visitor.status_code == 302
    empty = auth.post("/checkins", {"visitor_name": " "}, token_from="/checkins")
    assert empty.status_code == 400
    assert "Donnez le nom du visiteur." in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 2
        check_in_id = db.session.scalar(select(CheckIn.id).where(CheckIn.member_id == member_id))
    assert auth.post(f"/checkins/{check_in_id}/undo", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_month_page(app, client, auth):
    auth.login_as("viewer")
    with app.app_context():
        make_check_in(make_member(), day=dt.date(2024, 3, 5))
        db.session.commit()
    page = client.get("/checkins/month?month=2024-03").get_data(as_text=True)
    # The number, then the word (hidden on a phone, read by screen readers).
    assert "mars 2024" in page and '1<span class="month__unit"> passage</span>' in page
    for bad in ("2024-13", "garbage"):
        response = client.get(f"/checkins/month?month={bad}")
        assert response.status_code == 400
        assert "écrivez-le AAAA-MM" in response.get_data(as_text=True)


def test_viewer_sees_the_desk_but_cannot_check_in(app, client, auth):
    auth.login_as("viewer")
    assert client.get("/checkins").status_code == 200
    assert auth.post("/checkins", {"visitor_name": "X"}, token_from="/checkins").status_code == 403
