"""Engine tuning (SQLite pragmas, write transactions) and column types shared by all models."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Result, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from coworking.extensions import db

_immediate = contextvars.ContextVar("coworking_immediate_writes", default=False)


def rows_changed(result: Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE changed."""
    return cast(CursorResult[Any], result).rowcount


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; SQLite keeps no offset, so it is restored on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@contextmanager
def immediate_writes() -> Iterator[None]:
    """Start SQLite transactions with BEGIN IMMEDIATE inside this block (a writer waits its turn)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def set_immediate_writes(value: bool) -> None:
    """Set for the current context (a request) whether transactions take the write lock first."""
    _immediate.set(value)


@contextmanager
def outside_write_lock() -> Iterator[None]:
    """Run slow reading work (parsing an upload, checking rows) without SQLite's write lock.

    A request that changes data takes the write lock at its first query (``BEGIN
    IMMEDIATE``, usually when the user is loaded), and keeps it until it commits: every
    kiosk and every other writer waits meanwhile. This block ends that transaction first
    (it must hold no pending change), lets the work inside read in ordinary transactions,
    and ends theirs on the way out, so that the writes that follow take the lock afresh
    and hold it only while they write.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("outside_write_lock() entered with unflushed changes")
    session.rollback()
    token = _immediate.set(False)
    try:
        yield
    finally:
        session.rollback()
        _immediate.reset(token)


SQLITE_FILE_MODE = 0o600


def protect_sqlite_files(path: str | None) -> None:
    """Create the SQLite file readable by its owner only, and tighten an older one.

    The database holds members' personal data; under the usual umask 022 SQLite would
    create it world-readable. SQLite gives its -wal and -shm files the mode of the
    database file, so creating that one 0600 is enough for new installations.
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, SQLITE_FILE_MODE))
    except FileNotFoundError:
        return  # its folder does not exist: SQLite will say so when it connects
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(name).st_uid == os.getuid():
                os.chmod(name, SQLITE_FILE_MODE)
        except FileNotFoundError:
            continue


def configure_engine(engine: Engine) -> None:
    """Tune SQLite: WAL, foreign keys, busy timeout, secure_delete, explicit BEGIN."""
    if engine.dialect.name != "sqlite":
        return
    protect_sqlite_files(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN badly; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads then writes can fail at once with "database is
        # locked" when another writer went first; requests that change data take the lock first.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")
