"""With COWORKING_REDIS_URL, several servers share the login throttling."""

from __future__ import annotations

import uuid

import pytest

from coworking import create_app
from coworking.extensions import db
from tests import factories
from tests.conftest import AuthActions

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


def test_two_servers_share_the_failure_count(tmp_path, monkeypatch):
    if not _redis_available():
        pytest.skip("Redis tests: start Redis on 127.0.0.1:6379 (apt-get install -y redis-server)")
    monkeypatch.setenv("COWORKING_REDIS_URL", REDIS_URL)
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    prefix = f"test-{uuid.uuid4().hex}"
    servers = []
    for name in ("one", "two"):
        monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path / name))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "shared-secret",
                "SQLALCHEMY_DATABASE_URI": database,
                "RATELIMIT_KEY_PREFIX": prefix,
            }
        )
        assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        servers.append(app)
    with servers[0].app_context():
        db.create_all()
        factories.make_user(role="viewer", email="shared@example.org")
        db.session.commit()
    clients = [AuthActions(app, app.test_client()) for app in servers]
    for attempt in range(10):
        response = clients[attempt % 2].login("shared@example.org", "wrong password!!")
        assert response.status_code == 401
    assert clients[0].login("shared@example.org").status_code == 429
    assert clients[1].login("shared@example.org").status_code == 429
    import redis

    # The counters live in Redis, where every server process (not only these two apps) reads them.
    connection = redis.Redis.from_url(REDIS_URL)
    assert list(connection.scan_iter(f"*{prefix}*"))
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
