"""Logging out ends the session everywhere; password checks are throttled before they run."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from limits.storage import MemoryStorage

from coworking.auth import services
from coworking.extensions import login_throttle
from tests.conftest import CSRF_RE

SESSION = "coworking_session"
REMEMBER = "coworking_remember"


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_logout_deletes_the_remember_cookie(client, auth):
    email = auth.create("manager")[1]
    auth.login(email, remember=True)
    assert _cookie(client, REMEMBER)
    response = auth.logout()
    deleted = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{REMEMBER}=")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]
    assert _cookie(client, REMEMBER) is None
    assert client.get("/members").status_code == 302


def test_cookies_copied_before_logout_do_not_work_after_it(client, auth):
    """The probe's attack: log in with "remember me", keep the cookies, log out, replay them."""
    email = auth.create("manager")[1]
    auth.login(email, remember=True)
    assert client.get("/members").status_code == 200
    session_cookie, remember_cookie = _cookie(client, SESSION), _cookie(client, REMEMBER)
    auth.logout()

    client.set_cookie(SESSION, session_cookie)
    client.set_cookie(REMEMBER, remember_cookie)
    assert client.get("/members").status_code == 302

    client.delete_cookie(SESSION)
    client.set_cookie(REMEMBER, remember_cookie)
    assert client.get("/members").status_code == 302


def test_logout_elsewhere_ends_this_remembered_session(app, auth):
    """Two browsers of one account: logging out of one ends the other's "remember me" too."""
    email = auth.create("manager")[1]
    phone, laptop = app.test_client(), app.test_client()
    from tests.conftest import AuthActions

    AuthActions(app, phone).login(email, remember=True)
    AuthActions(app, laptop).login(email, remember=True)
    AuthActions(app, laptop).logout()
    assert phone.get("/members").status_code == 302


def _login_form(client) -> dict[str, str]:
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    return {"csrf_token": token}


def test_parallel_guesses_are_throttled_before_the_password_is_checked(app, auth, monkeypatch):
    """The probe's attack: many wrong passwords at once were all checked before the first 429."""
    email = auth.create("viewer")[1]
    checks: list[int] = []
    real_verify = services.verify_password

    def slow_verify(password_hash, password):
        checks.append(1)
        time.sleep(0.05)  # widen the window in which the old count lagged behind
        return real_verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", slow_verify)
    clients = [app.test_client() for _ in range(30)]
    forms = [_login_form(client) for client in clients]
    statuses: list[int] = []
    start = threading.Barrier(len(clients))

    def guess(client, form) -> None:
        start.wait()
        data = {**form, "email": email, "password": "not the password!"}
        statuses.append(client.post("/login", data=data).status_code)

    threads = [
        threading.Thread(target=guess, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) <= 10
    assert statuses.count(401) == len(checks)
    assert statuses.count(429) == len(clients) - len(checks)


def test_a_right_password_gives_its_check_back(app, client, auth):
    email = auth.create("viewer")[1]
    for _ in range(9):
        assert auth.login(email, "wrong password!!").status_code == 401
    for _ in range(3):
        assert auth.login(email).status_code == 302
        auth.logout()
    assert auth.login(email, "wrong password!!").status_code == 401
    assert auth.login(email).status_code == 429


class FlakyStorage(MemoryStorage):
    """A shared store that can be made to fail, as Redis does when it stops."""

    down = False

    @property
    def base_exceptions(self):
        return (ConnectionError,)

    def incr(self, key, expiry, amount=1):
        if self.down:
            raise ConnectionError("redis down")
        return super().incr(key, expiry, amount)


def test_logins_keep_working_when_redis_stops_and_share_again_when_it_returns(
    app, client, auth, monkeypatch, caplog
):
    from coworking import throttle

    email = auth.create("viewer")[1]
    shared = FlakyStorage()
    with app.app_context():
        state = app.extensions["login_throttle"]
    state.shared = shared
    monkeypatch.setattr(throttle, "RETRY_SHARED_AFTER_SECONDS", 0.0)

    assert auth.login(email, "wrong password!!").status_code == 401
    assert shared.get(f"LIMITER/coworking/login-email:{email}/10/15/minute") == 1

    shared.down = True
    with caplog.at_level(logging.WARNING, logger="coworking.throttle"):
        for _ in range(3):
            assert auth.login(email, "wrong password!!").status_code == 401
        assert auth.login(email).status_code == 302
        auth.logout()
    said = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(said) == 1  # said once, not at every login

    shared.down = False
    assert auth.login(email, "wrong password!!").status_code == 401
    assert shared.get(f"LIMITER/coworking/login-email:{email}/10/15/minute") == 2
    with app.test_request_context():
        assert login_throttle.remaining(f"login-email:{email}") == 8


@pytest.mark.parametrize("enabled", [False])
def test_throttling_can_be_disabled_for_benchmarks(app, client, auth, enabled):
    app.config["RATELIMIT_ENABLED"] = enabled
    login_throttle.init_app(app)
    email = auth.create("viewer")[1]
    for _ in range(12):
        assert auth.login(email, "wrong password!!").status_code == 401
