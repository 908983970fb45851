"""Roll call and front desk in place: the forms answer with the parts of the page that changed."""

from __future__ import annotations

import re

from sqlalchemy import select

from coworking.events.models import Attendance
from coworking.extensions import db
from coworking.space.models import CheckIn
from tests import factories

INPLACE = {"X-Inplace": "1"}
TOKEN_RE = re.compile(r'name="submission"[^>]*value="([^"]+)"')


def _event_with_people(app, count: int = 3) -> tuple[int, list[int]]:
    with app.app_context():
        event = factories.make_event()
        rows = [
            factories.make_attendance(
                event, factories.make_member(first_name=f"Personne{n:02d}"), status="registered"
            )
            for n in range(count)
        ]
        db.session.commit()
        return event.id, [row.id for row in rows]


def _status(app, attendance_id: int) -> str:
    with app.app_context():
        return db.session.get(Attendance, attendance_id).status


def test_marking_present_in_place_answers_the_row_and_the_counters(app, client, auth):
    event_id, rows = _event_with_people(app)
    auth.login_as("manager")
    page = f"/events/{event_id}"
    response = auth.post(
        f"/events/{event_id}/attendance/{rows[1]}",
        {"status": "attended"},
        token_from=page,
        headers=INPLACE,
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["ok"] and data["message"].endswith(": présent.")
    assert set(data["fragments"]) == {f"attendance-{rows[1]}", "roll-counts"}
    row = data["fragments"][f"attendance-{rows[1]}"]
    assert f'id="attendance-{rows[1]}-present"' in row and 'aria-pressed="true"' in row
    assert "<script" not in row  # the CSP allows no inline script, fragments bring none
    assert 'value="registered"' in data["undo"] and "data-inplace" in data["undo"]
    assert _status(app, rows[1]) == "attended"
    assert "Vary" in response.headers and "X-Inplace" in response.headers["Vary"]

    # « Annuler »: back to registered, and no « Annuler » for the undo itself.
    undo = auth.post(
        f"/events/{event_id}/attendance/{rows[1]}",
        {"status": "registered", "undo": "1"},
        token_from=page,
        headers=INPLACE,
    ).get_json()
    assert "undo" not in undo and undo["message"].endswith(": inscrit.")
    assert _status(app, rows[1]) == "registered"


def test_without_javascript_the_mark_redirects_to_the_persons_row(app, client, auth):
    event_id, rows = _event_with_people(app)
    auth.login_as("manager")
    response = auth.post(
        f"/events/{event_id}/attendance/{rows[0]}",
        {"status": "no_show", "q": "perso"},
        token_from=f"/events/{event_id}",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{event_id}?q=perso#attendance-{rows[0]}")
    assert _status(app, rows[0]) == "no_show"


def test_taking_someone_off_the_list_redraws_the_list(app, client, auth):
    event_id, rows = _event_with_people(app)
    auth.login_as("manager")
    data = auth.post(
        f"/events/{event_id}/attendance/{rows[2]}",
        {"status": "cancelled"},
        token_from=f"/events/{event_id}",
        headers=INPLACE,
    ).get_json()
    assert set(data["fragments"]) == {"roll-counts", "roll-list", "member-results"}
    assert f"attendance-{rows[2]}" not in data["fragments"]["roll-list"]
    assert data["focus"] == "member-q"


def test_a_walk_in_in_place_comes_back_with_an_empty_form_and_a_new_token(app, client, auth):
    event_id, _rows = _event_with_people(app, 1)
    auth.login_as("manager")
    page = f"/events/{event_id}"
    token = TOKEN_RE.search(client.get(page).get_data(as_text=True)).group(1)
    response = auth.post(
        f"/events/{event_id}/attendance/guest",
        {"guest_name": "Jo Passant", "mode": "attended", "submission": token},
        token_from=page,
        headers=INPLACE,
    )
    data = response.get_json()
    assert data["ok"] and data["focus"] == "guest_name"
    assert "Jo Passant" in data["fragments"]["roll-list"]
    card = data["fragments"]["guest-card"]
    fresh = TOKEN_RE.search(card).group(1)
    assert fresh != token and 'value="Jo Passant"' not in card
    assert 'value="cancelled"' in data["undo"]
    refused = auth.post(
        f"/events/{event_id}/attendance/guest",
        {"guest_name": "", "mode": "attended", "submission": fresh},
        token_from=page,
        headers=INPLACE,
    )
    assert refused.status_code == 400
    assert refused.get_json()["message"] == "Indiquez le nom de l'invité."
    assert "Indiquez le nom" in refused.get_json()["fragments"]["guest-card"]


def test_a_member_added_in_place_empties_the_search(app, client, auth):
    event_id, _rows = _event_with_people(app, 1)
    with app.app_context():
        member = factories.make_member(first_name="Élodie", last_name="Bérard")
        db.session.commit()
        member_id = member.id
    auth.login_as("manager")
    data = auth.post(
        f"/events/{event_id}/attendance/member",
        {"member_id": str(member_id), "mode": "attended", "q": "elod"},
        token_from=f"/events/{event_id}",
        headers=INPLACE,
    ).get_json()
    assert data["values"] == {"member-q": ""} and data["focus"] == "member-q"
    assert "Élodie Bérard" in data["fragments"]["roll-list"]
    assert 'value="cancelled"' in data["undo"]


def test_the_search_box_narrows_the_list_without_javascript(app, client, auth):
    event_id, rows = _event_with_people(app, 3)
    auth.login_as("viewer")
    page = client.get(f"/events/{event_id}?q=personne01").get_data(as_text=True)
    assert re.search(rf'id="attendance-{rows[0]}"[^>]* hidden', page)
    assert not re.search(rf'id="attendance-{rows[1]}"[^>]* hidden', page)
    assert "1 personne sur la liste correspond." in page


def test_a_viewer_marks_nobody(app, client, auth):
    event_id, rows = _event_with_people(app, 1)
    auth.login_as("viewer")
    response = auth.post(
        f"/events/{event_id}/attendance/{rows[0]}",
        {"status": "attended"},
        token_from=f"/events/{event_id}",
        headers=INPLACE,
    )
    assert response.status_code == 403
    assert _status(app, rows[0]) == "registered"


def test_desk_check_in_in_place_and_its_undo(app, client, auth):
    with app.app_context():
        member = factories.make_member(first_name="Noëlle", last_name="Vidal")
        db.session.commit()
        member_id = member.id
    auth.login_as("manager")
    response = auth.post(
        "/checkins",
        {"member_id": str(member_id), "duration": "full", "q": "noe"},
        token_from="/checkins",
        headers=INPLACE,
    )
    data = response.get_json()
    assert data["ok"] and "Noëlle Vidal est enregistré(e)" in data["message"]
    assert "déjà là aujourd'hui" in data["fragments"]["desk-results"]
    assert "Noëlle Vidal" in data["fragments"]["desk-today"]
    assert data["focus"] == "desk-q"
    with app.app_context():
        check_in = db.session.scalar(select(CheckIn))
        assert check_in.member_id == member_id
        undo_url = f"/checkins/{check_in.id}/undo"
    assert undo_url in data["undo"]
    undone = auth.post(undo_url, {"q": "noe"}, token_from="/checkins", headers=INPLACE)
    assert undone.get_json()["message"] == "Présence annulée."
    with app.app_context():
        assert db.session.scalar(select(CheckIn)) is None


def test_desk_visitor_in_place_keeps_the_form_open_for_the_next(app, client, auth):
    auth.login_as("manager")
    data = auth.post(
        "/checkins",
        {"visitor_name": "Paul Passant", "duration": "half"},
        token_from="/checkins",
        headers=INPLACE,
    ).get_json()
    assert data["focus"] == "visitor_name"
    assert 'id="desk-visitor" open' in data["fragments"]["desk-visitor"]
    refused = auth.post(
        "/checkins",
        {"visitor_name": " ", "duration": "full"},
        token_from="/checkins",
        headers=INPLACE,
    )
    assert refused.status_code == 400
    assert refused.get_json()["message"] == "Donnez le nom du visiteur."


def test_pages_in_place_keep_the_strict_content_security_policy(app, client, auth):
    event_id, _rows = _event_with_people(app, 1)
    auth.login_as("manager")
    for path in (f"/events/{event_id}", "/checkins"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        page = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
        assert not re.search(r"\son[a-z]+=", page)  # no event-handler attributes
        assert "/static/js/inplace.js" in page
