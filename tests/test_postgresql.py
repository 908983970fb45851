"""The suite also runs on PostgreSQL: this test says how when it cannot."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from coworking.extensions import db
from tests.conftest import TEST_DATABASE_URL


def test_postgresql_is_tested():
    if not TEST_DATABASE_URL:
        pytest.skip(
            "PostgreSQL tests not run: start PostgreSQL and set "
            "TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    assert TEST_DATABASE_URL.startswith("postgresql")


def test_app_fixture_reaches_its_database(app):
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
