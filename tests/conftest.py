"""Fixtures: app (SQLite, and PostgreSQL too when TEST_DATABASE_URL is set), client, runner, auth."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from coworking import create_app
from coworking.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
STRICT = os.environ.get("COWORKING_TEST_STRICT") == "1"
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- strict mode: a skip is a failure -------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"COWORKING_TEST_STRICT=1: skipped tests fail the run ({reason})"


# --- the application ------------------------------------------------------------------------


def _test_config(database_url: str, instance_path: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        "COWORKING_DOSSIER_WORKER": "inline",
        "INSTANCE_PATH_FOR_TESTS": str(instance_path),
    }


def make_app(database_url: str, instance_path: Path):
    os.environ["COWORKING_INSTANCE_PATH"] = str(instance_path)
    return create_app(_test_config(database_url, instance_path))


_pg_schema_ready = False


def _reset_postgresql(app) -> None:
    global _pg_schema_ready
    with app.app_context():
        if not _pg_schema_ready:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
            _pg_schema_ready = True
        else:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path) -> Iterator[object]:
    """The application on a fresh, empty database (one per test)."""
    instance = tmp_path / "instance"
    if request.param == "sqlite":
        application = make_app(f"sqlite:///{instance / 'test.sqlite3'}", instance)
        with application.app_context():
            db.create_all()
    else:
        application = make_app(TEST_DATABASE_URL, instance)
        _reset_postgresql(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    """An application context, for calling services directly."""
    with app.app_context():
        yield app


def csrf_token(client, path: str = "/login") -> str:
    """Return a CSRF token valid for the client's session (from a page that renders one)."""
    response = client.get(path, follow_redirects=True)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Log in and out as in flaskr's tests, and post forms with their CSRF token."""

    def __init__(self, app, client) -> None:
        self._app = app
        self._client = client

    def create(
        self, role: str = "admin", email: str | None = None, password: str = factories.PASSWORD
    ):
        with self._app.app_context():
            user = factories.make_user(role=role, email=email, password=password)
            db.session.commit()
            return user.id, user.email

    def login(self, email: str, password: str = factories.PASSWORD, remember: bool = False):
        token = csrf_token(self._client, "/login")
        data = {"email": email, "password": password, "csrf_token": token}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def login_as(self, role: str = "admin") -> str:
        _id, email = self.create(role=role, email=f"{role}-{os.urandom(3).hex()}@example.org")
        response = self.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return email

    def logout(self):
        return self.post("/logout")

    def post(self, path: str, data: dict | None = None, *, token_from: str = "/", **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token(self._client, token_from))
        return self._client.post(path, data=payload, **kwargs)


@pytest.fixture
def auth(app, client) -> AuthActions:
    return AuthActions(app, client)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if (
            not statement.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"))
        ):
            self.statements.append(statement)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting
