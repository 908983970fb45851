"""The archive on schemas with foreign-key cycles and self-references (generic over the metadata)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Engine

from coworking.backup import archive, export, restore
from coworking.database import UTCDateTime, configure_engine
from tests.conftest import BACKENDS, TEST_DATABASE_URL

REVISION = "cafe0001"
STAMP = datetime(2020, 5, 17, 8, 0, tzinfo=UTC)


def cyclic_metadata(*, nullable: bool = True, deferrable: bool = False) -> MetaData:
    """`left` ↔ `right` reference each other; `node` references itself."""
    metadata = MetaData()
    options = {"deferrable": True, "initially": "IMMEDIATE"} if deferrable else {}
    Table(
        "left_side",
        metadata,
        Column("id", Integer, primary_key=True),
        Column(
            "right_id",
            ForeignKey("right_side.id", use_alter=True, name="fk_left_right", **options),
            nullable=nullable,
        ),
        Column("name", String(50)),
        Column("updated_at", UTCDateTime, onupdate=lambda: datetime.now(UTC)),
    )
    Table(
        "right_side",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("left_id", ForeignKey("left_side.id", **options), nullable=nullable),
    )
    Table(
        "node",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("parent_id", ForeignKey("node.id")),
        Column("label", String(50)),
    )
    return metadata


@contextmanager
def database(backend: str, tmp_path, metadata: MetaData) -> Iterator[Engine]:
    """A database holding the metadata's tables, stamped with REVISION."""
    schema = None
    if backend == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / uuid.uuid4().hex}.sqlite3")
        configure_engine(engine)
    else:
        schema = f"cycle_{uuid.uuid4().hex[:8]}"
        admin = create_engine(TEST_DATABASE_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        engine = create_engine(
            TEST_DATABASE_URL, connect_args={"options": f"-csearch_path={schema}"}
        )
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            connection.execute(
                text("INSERT INTO alembic_version VALUES (:revision)"), {"revision": REVISION}
            )
        yield engine
    finally:
        engine.dispose()
        if schema:
            admin = create_engine(TEST_DATABASE_URL)
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def fill(engine: Engine, metadata: MetaData) -> None:
    left, right, node = (metadata.tables[name] for name in ("left_side", "right_side", "node"))
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        else:
            connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        connection.execute(
            insert(left),
            [
                {"id": 1, "right_id": 2, "name": "un", "updated_at": STAMP},
                {"id": 2, "right_id": 1, "name": "deux", "updated_at": STAMP},
            ],
        )
        connection.execute(insert(right), [{"id": 1, "left_id": 2}, {"id": 2, "left_id": 1}])
        # Parents with larger ids than their children: primary-key order alone would fail.
        connection.execute(
            insert(node),
            [
                {"id": 1, "parent_id": 2, "label": "feuille"},
                {"id": 2, "parent_id": 3, "label": "branche"},
                {"id": 3, "parent_id": None, "label": "racine"},
            ],
        )


def rows(engine: Engine, metadata: MetaData) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


@pytest.mark.parametrize("backend", BACKENDS)
def test_cycles_and_self_references_restore(backend, tmp_path):
    metadata = cyclic_metadata()
    path = tmp_path / "cycles.zip"
    with database("sqlite", tmp_path, metadata) as source:
        fill(source, metadata)
        export.export_archive(source, metadata, path)
        expected = rows(source, metadata)
    plans, defer = restore._insert_plans(metadata, backend)
    later = {plan.table.name: plan.later_columns for plan in plans}
    assert not defer
    assert later["node"] == ["parent_id"]
    assert later["left_side"] == ["right_id"] or later["right_side"] == ["left_id"]
    with database(backend, tmp_path, metadata) as target:
        with target.begin() as connection:
            summary = restore.import_archive(connection, metadata, path)
        assert summary.rows == 7
        # Same rows: the second step kept updated_at (it has an onupdate) as archived.
        assert rows(target, metadata) == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_not_null_cycles_need_deferred_constraints(backend, tmp_path):
    path = tmp_path / "cycles.zip"
    source_metadata = cyclic_metadata(nullable=False, deferrable=True)
    with database("sqlite", tmp_path, source_metadata) as source:
        fill(source, source_metadata)
        export.export_archive(source, source_metadata, path)
        expected = rows(source, source_metadata)

    # SQLite defers every foreign key on request; PostgreSQL only DEFERRABLE ones.
    metadata = cyclic_metadata(nullable=False, deferrable=True)
    with database(backend, tmp_path, metadata) as target:
        with target.begin() as connection:
            restore.import_archive(connection, metadata, path)
        assert rows(target, metadata) == expected

    if backend != "postgresql":
        return
    metadata = cyclic_metadata(nullable=False, deferrable=False)
    with database(backend, tmp_path, metadata) as target:
        with (
            pytest.raises(archive.ArchiveError, match="n'est pas DEFERRABLE"),
            target.begin() as connection,
        ):
            restore.import_archive(connection, metadata, path)
        assert all(not table_rows for table_rows in rows(target, metadata).values())
