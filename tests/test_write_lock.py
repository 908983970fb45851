"""Slow reading work inside a request that changes data runs without SQLite's write lock."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from coworking.auth.models import User
from coworking.database import outside_write_lock, set_immediate_writes
from coworking.extensions import db
from tests import factories
from tests.conftest import make_app


def _other_writer_can_write(path: str) -> bool:
    connection = sqlite3.connect(path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


@pytest.fixture
def sqlite_path(tmp_path):
    """An application on SQLite only: PostgreSQL has no database-wide write lock."""
    instance = tmp_path / "instance"
    path = instance / "lock.sqlite3"
    application = make_app(f"sqlite:///{path}", instance)
    with application.app_context():
        db.create_all()
        yield str(path)
        db.session.remove()
        db.engine.dispose()


def test_the_block_releases_the_lock_and_the_writes_after_it_take_it_again(sqlite_path):
    factories.make_user(email="someone@example.org")
    db.session.commit()
    set_immediate_writes(True)  # as in a POST request
    try:
        db.session.scalar(select(User))  # the request's first query takes the lock
        assert not _other_writer_can_write(sqlite_path)
        with outside_write_lock():
            assert _other_writer_can_write(sqlite_path)
            assert db.session.scalar(select(User.email)) == "someone@example.org"  # reads work
            assert _other_writer_can_write(sqlite_path)
        db.session.scalar(select(User))  # the writes that follow take it afresh
        assert not _other_writer_can_write(sqlite_path)
        db.session.rollback()
    finally:
        set_immediate_writes(False)


def test_the_block_refuses_pending_changes(sqlite_path):
    db.session.add(User(email="x@example.org", password_hash="x", role="viewer"))
    with pytest.raises(RuntimeError), outside_write_lock():
        pass
    db.session.rollback()
