"""Concurrency against a live server: kiosks checking in while a manager edits events.

Runs on the embedded SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from coworking.auth import services as auth_services
from coworking.events.kinds import ensure_default_kinds
from coworking.events.models import Event
from coworking.extensions import db
from coworking.members.models import Member
from coworking.space.models import CheckIn
from tests import factories
from tests.conftest import BACKENDS, TEST_DATABASE_URL, _reset_postgresql, make_app

KIOSKS = 4
CHECKINS_PER_KIOSK = 15
EVENTS = 5


@pytest.fixture(params=BACKENDS)
def server(request, tmp_path) -> Iterator[tuple[str, object]]:
    instance = tmp_path / "instance"
    if request.param == "sqlite":
        app = make_app(f"sqlite:///{instance / 'live.sqlite3'}", instance)
        with app.app_context():
            db.create_all()
    else:
        app = make_app(TEST_DATABASE_URL, instance)
        _reset_postgresql(app)
    app.config["TESTING"] = False
    app.config["COWORKING_DOSSIER_WORKER"] = "thread"  # the build runs beside the requests
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", app
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _seed(app) -> tuple[str, list[int], list[int]]:
    with app.app_context():
        ensure_default_kinds()
        factories.make_user(role="manager", email="manager@example.org")
        factories.make_user(role="admin", email="admin@example.org")
        members = [
            Member(first_name=f"Kiosque{n}", last_name="Test", search_text=f"kiosque{n} test")
            for n in range(KIOSKS * CHECKINS_PER_KIOSK)
        ]
        db.session.add_all(members)
        start = datetime.now(UTC) + timedelta(days=7)
        events = [
            Event(
                title=f"Atelier {n}",
                kind="atelier",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            )
            for n in range(EVENTS)
        ]
        db.session.add_all(events)
        _token, clear = auth_services.create_api_token("kiosque", "manager")
        db.session.commit()
        return clear, [m.id for m in members], [e.id for e in events]


def _post_json(url: str, token: str, payload: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


class Browser:
    """A logged-in manager with cookies and CSRF tokens, like a real browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            page = response.read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def post(self, path: str, data: dict, token_from: str) -> int:
        payload = dict(data, csrf_token=self.token(token_from))
        request = urllib.request.Request(
            self.base + path, data=urlencode(payload).encode(), method="POST"
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def login(self, email: str) -> None:
        status = self.post("/login", {"email": email, "password": factories.PASSWORD}, "/login")
        assert status == 200  # redirected to the dashboard


def test_kiosks_and_a_manager_at_once_while_a_dossier_builds_lose_nothing(server):
    base, app = server
    token, member_ids, event_ids = _seed(app)
    manager = Browser(base)
    manager.login("manager@example.org")
    admin = Browser(base)
    admin.login("admin@example.org")
    errors: list[str] = []
    today = datetime.now(UTC).date()
    status = admin.post(
        "/label/dossiers",
        {
            "start": (today - timedelta(days=364)).isoformat(),
            "end": today.isoformat(),
            "lang": "fr",
        },
        "/label/dossiers",
    )
    assert status == 200

    def kiosk(number: int) -> None:
        for member_id in member_ids[number::KIOSKS]:
            try:
                status = _post_json(base + "/api/v1/checkins", token, {"member_id": member_id})
                if status != 201:
                    errors.append(f"kiosk {number}: HTTP {status}")
            except Exception as error:  # noqa: BLE001 - every failure is a finding
                errors.append(f"kiosk {number}: {error!r}")

    def editor() -> None:
        for _round in range(3):
            for event_id in event_ids:
                status = manager.post(f"/events/{event_id}/cancel", {}, f"/events/{event_id}")
                if status != 200:
                    errors.append(f"manager: HTTP {status} on event {event_id}")

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(KIOSKS)]
    threads.append(threading.Thread(target=editor))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    with app.app_context():
        kept = db.session.scalar(select(func.count()).select_from(CheckIn))
        cancelled = db.session.scalar(
            select(func.count()).select_from(Event).where(Event.cancelled)
        )
    assert kept == KIOSKS * CHECKINS_PER_KIOSK
    assert cancelled == EVENTS  # toggled three times each: cancelled, restored, cancelled
    # The dossier built meanwhile, beside the kiosks' writes.
    from coworking.label.models import Dossier

    deadline = time.monotonic() + 240
    while True:
        with app.app_context():
            state = db.session.scalar(select(Dossier.status))
            db.session.remove()
        if state in ("ready", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert state == "ready"
