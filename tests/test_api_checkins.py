"""The kiosk API: POST /api/v1/checkins with a bearer token; concurrent kiosks on SQLite."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from coworking.auth import services as auth_services
from coworking.auth.models import ApiToken
from coworking.extensions import db
from coworking.space.models import CheckIn
from tests.factories import make_member


def _token(app, role: str = "manager") -> str:
    with app.app_context():
        _token_row, clear = auth_services.create_api_token("borne", role)
        db.session.commit()
        return clear


def _post(client, token: str | None, payload, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/checkins", json=payload, headers=headers, **kwargs)


def test_api_statuses(app, client):
    token = _token(app)
    with app.app_context():
        member = make_member(email="kiosk@example.org")
        db.session.commit()
        member_id = member.id
    assert _post(client, None, {"member_id": member_id}).status_code == 401
    assert _post(client, "cw_not-a-token", {"member_id": member_id}).status_code == 401
    viewer = _post(client, _token(app, "viewer"), {"member_id": member_id})
    assert viewer.status_code == 403 and viewer.is_json
    created = _post(client, token, {"member_id": member_id})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["member_id"] == member_id and body["duration"] == "full"
    again = _post(client, token, {"email": "KIOSK@example.org", "duration": "half"})
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    visitor = _post(client, token, {"visitor_name": "Jean Passant", "duration": "half"})
    assert visitor.status_code == 201 and visitor.get_json()["visitor_name"] == "Jean Passant"
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.role == "manager"))


def test_api_bad_input_names_the_field(app, client):
    token = _token(app)
    cases = [
        ({"member_id": "abc"}, "member_id"),
        ({"member_id": 999}, "member_id"),
        ({"email": "nobody@example.org"}, "email"),
        ({"email": 3}, "email"),
        ({"visitor_name": ""}, "visitor_name"),
        ({"visitor_name": "X", "duration": "week"}, "duration"),
        ({}, "member_id"),
        ([1, 2], "body"),
    ]
    for payload, field in cases:
        response = _post(client, token, payload)
        assert response.status_code == 400, payload
        assert response.is_json and response.get_json()["field"] == field, payload
    not_json = client.post(
        "/api/v1/checkins",
        data="member_id=1",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert not_json.status_code == 400 and not_json.is_json


def test_revoked_token_stops_working(app, client):
    token = _token(app)
    with app.app_context():
        row = auth_services.find_active_token(token)
        auth_services.revoke_api_token(row)
        db.session.commit()
    assert _post(client, token, {"visitor_name": "X"}).status_code == 401


def test_concurrent_kiosks_keep_every_check_in(app):
    """Threads posting at once against SQLite: no lost check-in, no 'database is locked'."""
    token = _token(app)
    with app.app_context():
        member_ids = [make_member().id for _index in range(6)]
        db.session.commit()
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def kiosk(number: int) -> None:
        client = app.test_client()
        try:
            start.wait()
            for round_number in range(5):
                payload = (
                    {"member_id": member_ids[(number + round_number) % len(member_ids)]}
                    if number % 2
                    else {"visitor_name": f"Visiteur {number}-{round_number}"}
                )
                response = _post(client, token, payload)
                with lock:
                    results.append(response.status_code)
        except BaseException as error:  # noqa: BLE001 - reported below
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=kiosk, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 60 and set(results) <= {200, 201}, results
    with app.app_context():
        visitors = db.session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.visitor_name.is_not(None))
        )
        members = db.session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.member_id.is_not(None))
        )
    assert visitors == 30
    assert members == len(member_ids)
    assert results.count(201) == 30 + len(member_ids)


def test_json_nested_100_000_deep_is_a_400_naming_the_body(app, client):
    """The probe's attack: JSON nested 100,000 deep made the API answer 500."""
    token = _token(app)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # 100,000 levels are 200 kB: over the API's size limit, refused before being parsed.
    deepest = "[" * 100_000 + "]" * 100_000
    assert client.post("/api/v1/checkins", data=deepest, headers=headers).status_code == 413
    # Under the size limit, still far deeper than the parser's recursion allows.
    deep = "[" * 30_000 + "]" * 30_000
    response = client.post("/api/v1/checkins", data=deep, headers=headers)
    assert response.status_code == 400
    assert response.json["field"] == "body"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_an_oversized_api_body_is_refused_before_it_is_read(app, client):
    token = _token(app)
    body = '{"visitor_name": "' + "x" * (200 * 1024) + '"}'
    response = client.post(
        "/api/v1/checkins",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "error" in response.json
