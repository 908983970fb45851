"""Login throttling: at most ten password checks per account and per address in 15 minutes.

A slot is taken *before* the password is checked (hit, then verify) and given back when the
password was right, so that two hundred guesses sent at once are not all checked before the
count catches up: the eleventh is refused without a check, whatever the concurrency.

The counters are the ``limits`` library's fixed windows. With ``COWORKING_REDIS_URL`` they
live in Redis, where an increment is atomic and every server and worker shares them; without
it they live in the process, so each gunicorn worker counts for itself (documented in the
README). When Redis stops answering, the counters fall back to the process, which is said
once in the log, and go back to Redis as soon as it answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from flask import Flask, current_app, g
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

LOGGER = logging.getLogger(__name__)

LOGIN_LIMIT = "10 per 15 minutes"
# How long to keep counting in the process before asking Redis again, once it failed.
RETRY_SHARED_AFTER_SECONDS = 15.0
REDIS_TIMEOUT_SECONDS = 0.5


class _State:
    """The counters of one application: the shared store, and the process's own."""

    def __init__(self, uri: str, prefix: str, enabled: bool) -> None:
        self.enabled = enabled
        self.prefix = prefix
        self.local = MemoryStorage()
        self.shared: Storage | None = None
        if uri and not uri.startswith("memory://"):
            shared = storage_from_string(
                uri,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            if not isinstance(shared, Storage):  # an async+… URI: not for a WSGI server
                raise ValueError(f"login throttling needs a synchronous store, not {uri!r}")
            self.shared = shared
        self.shared_down_since: float | None = None
        self.lock = threading.Lock()

    def limiter(self) -> tuple[FixedWindowRateLimiter, bool]:
        """Return the limiter to use now, and whether it is the shared one."""
        if self.shared is None:
            return FixedWindowRateLimiter(self.local), False
        with self.lock:
            down_since = self.shared_down_since
        if down_since is not None and time.monotonic() - down_since < RETRY_SHARED_AFTER_SECONDS:
            return FixedWindowRateLimiter(self.local), False
        return FixedWindowRateLimiter(self.shared), True

    def shared_failed(self, error: Exception) -> None:
        with self.lock:
            first = self.shared_down_since is None
            self.shared_down_since = time.monotonic()
        if first:
            LOGGER.warning(
                "login throttling: Redis unreachable (%s); counting in this process until it "
                "answers again",
                type(error).__name__,
            )

    def shared_answered(self) -> None:
        if self.shared_down_since is None:
            return
        with self.lock:
            self.shared_down_since = None
        LOGGER.warning("login throttling: Redis answers again; counters are shared again")


class LoginThrottle:
    """The Flask extension: ``acquire`` before checking a password, ``release`` when it was right."""

    def __init__(self, limit: str = LOGIN_LIMIT) -> None:
        self.item: RateLimitItem = parse(limit)

    def init_app(self, app: Flask) -> None:
        app.extensions["login_throttle"] = _State(
            str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://"),
            str(app.config.get("RATELIMIT_KEY_PREFIX") or "coworking"),
            bool(app.config.get("RATELIMIT_ENABLED", True)),
        )

    @staticmethod
    def _state() -> _State:
        return current_app.extensions["login_throttle"]

    def acquire(self, keys: Sequence[str]) -> bool:
        """Take one check on every key; False, with nothing taken, when one has none left."""
        state = self._state()
        if not state.enabled:
            return True
        limiter, shared = state.limiter()
        g.login_throttle_shared = shared  # release() gives back to the same store
        try:
            taken = self._take(limiter, state.prefix, keys)
        except Exception as error:
            if not shared or not isinstance(error, _storage_errors(state)):
                raise
            state.shared_failed(error)
            g.login_throttle_shared = False
            return self._take(FixedWindowRateLimiter(state.local), state.prefix, keys)
        if shared:
            state.shared_answered()
        return taken

    def _take(self, limiter: FixedWindowRateLimiter, prefix: str, keys: Sequence[str]) -> bool:
        taken: list[str] = []
        for key in keys:
            if not limiter.hit(self.item, prefix, key):
                for given_back in (key, *taken):
                    limiter.hit(self.item, prefix, given_back, cost=-1)
                return False
            taken.append(key)
        return True

    def release(self, keys: Sequence[str]) -> None:
        """Give back the checks taken by ``acquire`` (the password was right)."""
        state = self._state()
        if not state.enabled:
            return
        shared = bool(g.get("login_throttle_shared"))
        store = state.shared if shared and state.shared is not None else state.local
        limiter = FixedWindowRateLimiter(store)
        try:
            for key in keys:
                limiter.hit(self.item, state.prefix, key, cost=-1)
        except Exception as error:
            if not shared or not isinstance(error, _storage_errors(state)):
                raise
            state.shared_failed(error)

    def remaining(self, key: str) -> int:
        """Return how many checks are left for a key in the current window."""
        state = self._state()
        limiter, _shared = state.limiter()
        return limiter.get_window_stats(self.item, state.prefix, key).remaining


def _storage_errors(state: _State) -> tuple[type[Exception], ...]:
    errors = state.shared.base_exceptions if state.shared is not None else ()
    return errors if isinstance(errors, tuple) else (errors,)
