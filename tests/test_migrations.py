"""Migrations: one head, upgrade from empty gives the models' schema, downgrade and upgrade again."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select, table, text

from coworking import create_app
from coworking.extensions import db
from tests.conftest import TEST_DATABASE_URL

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "coworking", "migrations")


def _script(app) -> ScriptDirectory:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config)


def test_single_head(app):
    assert len(_script(app).get_heads()) == 1


def test_migration_files_are_named_by_date(app):
    versions = os.listdir(os.path.join(MIGRATIONS, "versions"))
    names = [name for name in versions if name.endswith(".py")]
    assert names and all(name[:8].isdigit() and name[8] == "_" for name in names)


def _database_urls(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    if TEST_DATABASE_URL:
        yield "postgresql", TEST_DATABASE_URL


def _fresh_postgresql_schema(url: str) -> tuple[str, str]:
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema, url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_downgrade_upgrade_matches_models(backend, tmp_path, monkeypatch):
    if backend == "postgresql" and not TEST_DATABASE_URL:
        pytest.skip(
            "PostgreSQL migrations: set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path))
    options: dict[str, object] = {}
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        schema, url = _fresh_postgresql_schema(TEST_DATABASE_URL)
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
        }
    )
    try:
        with application.app_context():
            upgrade()
            downgrade(revision="-1")
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_schemas": False}
                )
                differences = compare_metadata(context, db.metadata)
            assert differences == []
            downgrade(revision="base")
            with db.engine.connect() as connection:
                tables = db.inspect(connection).get_table_names()
            assert set(tables) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        if schema:
            engine = create_engine(TEST_DATABASE_URL)
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


def test_downgrading_and_upgrading_keeps_the_data_on_sqlite(tmp_path, monkeypatch):
    """Batch mode rebuilds SQLite tables: with foreign keys on, dropping the old copy cascaded and
    emptied the tables pointing at it (every membership, once). The migrations run with them off."""
    monkeypatch.setenv("COWORKING_INSTANCE_PATH", str(tmp_path))
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'data.sqlite3'}",
        }
    )
    from coworking.seed.demo import seed_demo

    def counts() -> dict[str, int]:
        with db.engine.connect() as connection:
            names = db.inspect(connection).get_table_names()
            return {
                name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in names
                if name != "alembic_version"
            }

    with application.app_context():
        upgrade()
        seed_demo(members=30, years=1)
        db.session.commit()
        before = counts()
        assert before["membership"] and before["attendance"] and before["check_in"]
        # The initial schema: every later migration back and forth.
        downgrade(revision="157e67490ce3")
        kept = set(counts())
        upgrade()
        after = counts()
        db.engine.dispose()
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
