"""Four kiosks keep checking people in while each hostile import is refused or runs.

A live server (threads, like a real one) on SQLite, where a request that holds the write lock
makes every kiosk wait. For each import — an iCalendar bomb, a big members CSV preview, a big
mention archive, a dossier whose annex is a page bomb — the kiosks post check-ins all along.

No wall-clock bound is asserted (this machine is shared): the test checks that no check-in
failed, that every acknowledged check-in is in the database, and that check-ins were answered
*while* each long import ran — an import that held the write lock from start to end would let
none through. The benchmark (`benchmarks/hostile.py`) measures the kiosks' waiting times.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from coworking.auth import services as auth_services
from coworking.documents.models import Document
from coworking.extensions import db
from coworking.label.models import Dossier
from coworking.space.models import CheckIn
from tests import factories
from tests.conftest import make_app
from tests.hostile_archives import twitter_archive
from tests.hostile_csv import members_valid_rows
from tests.hostile_files import pdf_shared_page_bomb
from tests.hostile_ical import cancelled_daily_since_1900

KIOSKS = 4
CSV_ROWS = 20_000
ARCHIVE_POSTS = 20_000


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, object]]:
    instance = tmp_path / "instance"
    app = make_app(f"sqlite:///{instance / 'hostile.sqlite3'}", instance)
    app.config["TESTING"] = False
    app.config["COWORKING_DOSSIER_WORKER"] = "thread"  # the build runs beside the requests
    with app.app_context():
        db.create_all()
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


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """Encode a form with files as a browser does (multipart/form-data)."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A logged-in person with cookies and CSRF tokens, like a real browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            page = response.read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def send(self, path: str, body: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}, method="POST"
        )
        try:
            with self.opener.open(request, timeout=300) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict[str, str], token_from: str) -> tuple[int, str]:
        payload = dict(data, csrf_token=self.token(token_from))
        return self.send(path, urlencode(payload).encode(), "application/x-www-form-urlencoded")

    def upload(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]]
    ) -> tuple[int, str]:
        body, content_type = multipart(dict(fields, csrf_token=self.token(path)), files)
        return self.send(path, body, content_type)

    def login(self, email: str) -> None:
        status, _page = self.post(
            "/login", {"email": email, "password": factories.PASSWORD}, "/login"
        )
        assert status == 200  # redirected to the dashboard


@dataclass
class Kiosks:
    """Kiosks posting check-ins in a loop until stopped; every answer is kept."""

    base: str
    token: str
    answers: list[tuple[float, int, int | None]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, kiosk: int) -> None:
        sent = 0
        while not self.stop.is_set():
            sent += 1
            payload = {"visitor_name": f"Borne {kiosk} visiteur {sent}"}
            request = urllib.request.Request(
                self.base + "/api/v1/checkins",
                data=json.dumps(payload).encode(),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    status, check_in = response.status, json.loads(response.read())["id"]
            except urllib.error.HTTPError as error:
                status, check_in = error.code, None
            self.answers.append((time.monotonic(), status, check_in))
            time.sleep(0.02)

    def answered_between(self, start: float, end: float) -> int:
        return sum(1 for at, status, _id in self.answers if start <= at <= end and status == 201)


def _wait_for_dossier(app, dossier_id: int, seconds: float = 240) -> Dossier:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            dossier = db.session.get(Dossier, dossier_id)
            if dossier.status in ("ready", "failed"):
                db.session.expunge(dossier)
                return dossier
            db.session.remove()
        time.sleep(0.2)
    raise AssertionError("the dossier was never built")


def test_kiosks_keep_checking_in_while_hostile_imports_are_refused_or_run(server):
    base, app = server
    with app.app_context():
        factories.make_user(role="admin", email="admin@example.org")
        _token, clear = auth_services.create_api_token("borne", "manager")
        # An annex already stored (as an older database would hold it): a 2,000-page bomb.
        db.session.add(
            Document(
                title="Statuts piégés",
                kind="statutes",
                filename="statuts.pdf",
                content_type="application/pdf",
                size=0,
                sha256="0" * 64,
                data=pdf_shared_page_bomb(2000),
            )
        )
        db.session.commit()
    admin = Browser(base)
    admin.login("admin@example.org")
    kiosks = Kiosks(base, clear)
    threads = [threading.Thread(target=kiosks.run, args=(n,), daemon=True) for n in range(KIOSKS)]
    for thread in threads:
        thread.start()
    windows: dict[str, tuple[float, float]] = {}
    try:
        time.sleep(0.5)

        start = time.monotonic()
        status, page = admin.upload(
            "/events/import", {}, {"file": ("bombe.ics", cancelled_daily_since_1900())}
        )
        windows["ical bomb"] = (start, time.monotonic())
        assert status == 400 and "Permanence" in page

        start = time.monotonic()
        status, page = admin.upload(
            "/members/import", {}, {"file": ("membres.csv", members_valid_rows(CSV_ROWS))}
        )
        windows["csv preview"] = (start, time.monotonic())
        assert status == 200 and "preview" in page

        start = time.monotonic()
        status, page = admin.upload(
            "/community/mentions/import",
            {"hashtags": "", "account": "@mainelabs"},
            {"archive": ("tweets.js", twitter_archive(ARCHIVE_POSTS))},
        )
        windows["mention archive"] = (start, time.monotonic())
        assert status == 200, page[:500]

        start = time.monotonic()
        today = date.today()
        status, _page = admin.post(
            "/label/dossiers",
            {
                "start": (today - timedelta(days=364)).isoformat(),
                "end": today.isoformat(),
                "lang": "fr",
                "title": "",
            },
            "/label/dossiers",
        )
        assert status == 200
        with app.app_context():
            dossier_id = db.session.scalar(select(func.max(Dossier.id)))
        dossier = _wait_for_dossier(app, dossier_id)
        windows["dossier with a page-bomb annex"] = (start, time.monotonic())
        assert dossier.status == "ready"
        assert any("Statuts piégés" in warning for warning in dossier.warnings or [])
        assert dossier.page_count < 100  # the 2,000 pages were not drawn
        time.sleep(0.5)
    finally:
        kiosks.stop.set()
        for thread in threads:
            thread.join(timeout=60)

    statuses = {status for _at, status, _id in kiosks.answers}
    assert statuses == {201}, f"kiosks were answered {statuses}"
    acknowledged = {check_in for _at, _status, check_in in kiosks.answers}
    with app.app_context():
        stored = set(db.session.scalars(select(CheckIn.id).where(CheckIn.id.in_(acknowledged))))
    assert stored == acknowledged  # none lost
    for name, (start, end) in windows.items():
        if end - start > 1.0:
            # An import holding the write lock throughout would let no check-in through.
            assert kiosks.answered_between(start, end) >= 1, name
