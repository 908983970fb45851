"""Attendance: first visits, capacity and the waiting list, the roll call on the event page."""

from __future__ import annotations

import pytest

from coworking.events import attendance as roll
from coworking.events import services
from coworking.events.models import Attendance, Event
from coworking.extensions import db
from tests.factories import make_event, make_member, paris


def test_first_visit_is_the_first_attended_event(app_ctx):
    member = make_member()
    march = make_event(starts_at=paris(2030, 3, 6, 19))
    april = make_event(starts_at=paris(2030, 4, 3, 19))
    later = roll.add_member(april, member, attended=True)
    assert later.first_visit is True
    earlier = roll.add_member(march, member, attended=True)
    assert earlier.first_visit is True
    assert later.first_visit is False
    roll.set_status(earlier, roll.NO_SHOW)
    assert earlier.first_visit is False and later.first_visit is True


def test_registered_is_not_a_visit_and_guests_count_by_name(app_ctx):
    event = make_event()
    member = make_member()
    row = roll.add_member(event, member)
    assert row.status == roll.REGISTERED and row.first_visit is False
    guest = roll.add_guest(event, "  Léa   Dupont ")
    assert guest.guest_name == "Léa Dupont" and guest.first_visit is True
    second = make_event(starts_at=paris(2030, 5, 1, 19))
    again = roll.add_guest(second, "léa dupont")
    assert again.first_visit is False


def test_capacity_and_waiting_list_moves_up_on_cancel(app_ctx):
    event = make_event(capacity=2)
    a, b, c, d = (make_member() for _ in range(4))
    first = roll.add_member(event, a)
    roll.add_member(event, b)
    third = roll.add_member(event, c)
    fourth = roll.add_member(event, d)
    assert [first.status, third.status, fourth.status] == ["registered", "waiting", "waiting"]
    roll.cancel(first)
    assert third.status == roll.REGISTERED and fourth.status == roll.WAITING
    assert roll.places_held(event.id) == 2


def test_raising_the_capacity_moves_people_up(app_ctx):
    event = make_event(capacity=1, kind="atelier")
    roll.add_member(event, make_member())
    waiting = roll.add_member(event, make_member())
    assert waiting.status == roll.WAITING
    data = services.event_data(event)
    data.capacity = 2
    services.update_event(event, data)
    assert waiting.status == roll.REGISTERED


def test_capacity_below_places_held_is_refused(app_ctx):
    event = make_event(capacity=5)
    for _ in range(3):
        roll.add_member(event, make_member(), attended=True)
    data = services.event_data(event)
    data.capacity = 2
    with pytest.raises(services.EventError) as error:
        services.update_event(event, data)
    assert error.value.field == "capacity" and "3" in error.value.message


def test_member_twice_is_refused_and_present_on_the_night(app_ctx):
    event = make_event()
    member = make_member()
    row = roll.add_member(event, member)
    with pytest.raises(roll.AttendanceError):
        roll.add_member(event, member)
    assert roll.add_member(event, member, attended=True) is row
    assert row.status == roll.ATTENDED


def test_search_members_by_folded_words(app_ctx):
    make_member(first_name="Élodie", last_name="Bérard", organisation="Maine Labs")
    make_member(first_name="Paul", last_name="Durand")
    assert [m.last_name for m in roll.search_members("elodie")] == ["Bérard"]
    assert [m.last_name for m in roll.search_members("BERARD maine")] == ["Bérard"]
    assert roll.search_members("%") == []
    assert roll.search_members("") == []


def test_headcount_validation(app_ctx):
    event = make_event()
    roll.set_headcount(event, 42)
    assert event.headcount == 42
    with pytest.raises(roll.AttendanceError):
        roll.set_headcount(event, -1)


# --- pages ---------------------------------------------------------------------------------


def _setup_event(app, **fields):
    with app.app_context():
        event = make_event(title="Twapéro de mars", kind="twapero", **fields)
        member = make_member(first_name="Élodie", last_name="Bérard")
        db.session.commit()
        return event.id, member.id


def test_roll_call_on_the_event_page(app, client, auth):
    event_id, member_id = _setup_event(app)
    auth.login_as("manager")
    page = client.get(f"/events/{event_id}?q=elod")
    assert page.status_code == 200 and "Bérard" in page.get_data(as_text=True)
    token_page = f"/events/{event_id}"
    response = auth.post(
        f"/events/{event_id}/attendance/member",
        {"member_id": member_id, "mode": "attended"},
        token_from=token_page,
    )
    assert response.status_code == 303
    response = auth.post(
        f"/events/{event_id}/attendance/guest",
        {"guest_name": "Jo Invité", "mode": "attended"},
        token_from=token_page,
    )
    assert response.status_code == 303
    response = auth.post(
        f"/events/{event_id}/headcount", {"headcount": "12"}, token_from=token_page
    )
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.scalars(db.select(Attendance).order_by(Attendance.id)).all()
        assert [(r.status, r.first_visit) for r in rows] == [("attended", True), ("attended", True)]
        assert db.session.get(Event, event_id).headcount == 12
        row_id = rows[0].id
    response = auth.post(
        f"/events/{event_id}/attendance/{row_id}", {"status": "no_show"}, token_from=token_page
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Attendance, row_id).status == "no_show"
    body = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Jo Invité" in body and "1re venue" in body


def test_guest_without_name_is_a_400_with_the_error(app, client, auth):
    event_id, _member = _setup_event(app)
    auth.login_as("manager")
    response = auth.post(
        f"/events/{event_id}/attendance/guest",
        {"guest_name": " "},
        token_from=f"/events/{event_id}",
    )
    assert response.status_code == 400
    assert "Indiquez le nom de l" in response.get_data(as_text=True)


def test_viewer_cannot_take_the_roll_call(app, client, auth):
    event_id, member_id = _setup_event(app)
    auth.login_as("viewer")
    response = auth.post(
        f"/events/{event_id}/attendance/member",
        {"member_id": member_id},
        token_from=f"/events/{event_id}",
    )
    assert response.status_code == 403
    assert "Présent</button>" not in client.get(f"/events/{event_id}").get_data(as_text=True)


def test_event_page_query_count_is_constant(app, client, auth, count_queries):
    event_id, _member = _setup_event(app)
    with app.app_context():
        roll.add_member(
            db.session.get(Event, event_id), make_member(first_name="Anna", last_name="Zéro")
        )
        db.session.commit()
    auth.login_as("manager")
    client.get(f"/events/{event_id}?q=a")
    with count_queries() as small:
        assert client.get(f"/events/{event_id}?q=a").status_code == 200
    with app.app_context():
        event = db.session.get(Event, event_id)
        for number in range(15):
            member = make_member(first_name="Anna", last_name=f"Nom{number}")
            roll.add_member(event, member, attended=number % 2 == 0)
            roll.add_guest(event, f"Invité {number}")
        db.session.commit()
    with count_queries() as large:
        assert client.get(f"/events/{event_id}?q=a").status_code == 200
    assert large.count == small.count, large.statements
