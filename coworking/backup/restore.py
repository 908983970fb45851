"""Restore an archive into an empty, migrated database, in one transaction, once checked whole.

Tables are inserted in dependency order, in bulk chunks; foreign keys that form a cycle are
set by a second pass or deferred to the commit; PostgreSQL's sequences are then reset.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    ForeignKeyConstraint,
    MetaData,
    Table,
    bindparam,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.schema import sort_tables_and_constraints

from coworking.backup.archive import (
    MAX_LINE_FLOOR,
    ArchiveError,
    ArchiveSummary,
    TableSummary,
    decoder,
    is_json,
    python_type_of,
    schema_revision,
)
from coworking.backup.archive_check import ArchiveCheck, check_archive
from coworking.backup.bounded_reading import Part, iter_rows, open_zip, zip_errors

# The bounds of one bulk insert.
INSERT_CHUNK_ROWS = 1000
INSERT_CHUNK_BYTES = 8 * 1024 * 1024


@dataclass
class _InsertPlan:
    """How to load one table: columns inserted NULL then set by an UPDATE (cycle breakers)."""

    table: Table
    later_columns: list[str]


def _insert_plans(metadata: MetaData, dialect: str) -> tuple[list[_InsertPlan], bool]:
    """Order the tables and break foreign-key cycles.

    A foreign key that sorting cannot satisfy (a cycle, or a table referencing itself) is
    loaded in two steps when its columns are nullable: NULL on insert, the value by an UPDATE
    once every row exists. Otherwise the database must defer the check to the commit:
    SQLite can always (``PRAGMA defer_foreign_keys``); PostgreSQL only for constraints declared
    DEFERRABLE (``SET CONSTRAINTS ALL DEFERRED``). Returns the plans and whether to defer.
    """
    tables = list(metadata.tables.values())
    ordered = sort_tables_and_constraints(tables)
    cyclic: list[ForeignKeyConstraint] = [
        fk for table, fks in ordered if table is None for fk in fks
    ]
    for table in tables:
        cyclic += [fk for fk in table.foreign_key_constraints if fk.referred_table is table]
    later: dict[str, list[str]] = {}
    defer = False
    for fk in cyclic:
        columns = [column.name for column in fk.columns]
        if all(column.nullable for column in fk.columns):
            names = later.setdefault(fk.table.name, [])
            names += [name for name in columns if name not in names]
        elif dialect == "postgresql" and not fk.deferrable:
            raise ArchiveError(
                _l(
                    "Table %(table)s : la clé étrangère %(columns)s forme un cycle, n'accepte "
                    "pas NULL et n'est pas DEFERRABLE ; impossible de restaurer sur PostgreSQL.",
                    table=fk.table.name,
                    columns=", ".join(columns),
                )
            )
        else:
            defer = True
    plans = [
        _InsertPlan(table, later.get(table.name, [])) for table, _ in ordered if table is not None
    ]
    return plans, defer


def _chunks(
    zf: zipfile.ZipFile, part: Part, digest: Any, decoders: dict[str, Callable[[Any], Any]]
) -> Iterator[list[dict[str, Any]]]:
    """Yield the part's rows decoded, in chunks bounded in rows and in bytes."""
    chunk: list[dict[str, Any]] = []
    size = 0
    for number, raw, length in iter_rows(zf, part, digest):
        if raw.keys() != decoders.keys():
            raise ArchiveError(
                _l("la ligne n'a pas les colonnes attendues."),
                part.archive,
                part=part.name,
                line=number,
            )
        try:
            chunk.append({name: decode(raw[name]) for name, decode in decoders.items()})
        except (ValueError, TypeError, ArithmeticError) as error:
            raise ArchiveError(
                _l("valeur illisible (%(error)s).", error=str(error)),
                part.archive,
                part=part.name,
                line=number,
            ) from None
        size += length
        if len(chunk) >= INSERT_CHUNK_ROWS or size >= INSERT_CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _insert_statement(table: Table) -> Any:
    """Return the bulk INSERT of a table (JSON columns telling SQL NULL from a JSON null)."""
    # JSON columns: None is SQL NULL, JSON.NULL a JSON null document (see the module docstring).
    values = {
        column.name: bindparam(column.name, type_=JSON(none_as_null=True))
        for column in table.columns
        if is_json(column)
    }
    statement = insert(table)
    return statement.values(values) if values else statement


def insert_chunk(connection: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Insert one chunk of rows (one executemany)."""
    connection.execute(statement, rows)


def _update_later_columns(
    connection: Connection, zf: zipfile.ZipFile, part: Part, plan: _InsertPlan
) -> None:
    """Second step of a cycle: set the foreign keys inserted NULL, by primary key."""
    table = plan.table
    keys = [column.name for column in table.primary_key.columns]
    # Columns with an onupdate (updated_at) are set to their archived value, not to now.
    touched = plan.later_columns + [
        column.name
        for column in table.columns
        if (column.onupdate is not None or column.server_onupdate is not None)
        and column.name not in plan.later_columns
        and column.name not in keys
    ]
    statement = (
        update(table)
        .where(*[table.c[key] == bindparam(f"key_{key}") for key in keys])
        .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in touched})
    )
    decoders = {column.name: decoder(column) for column in table.columns}
    batch: list[dict[str, Any]] = []
    for _number, raw, _length in iter_rows(zf, part, hashlib.sha256()):
        if all(raw[name] is None for name in plan.later_columns):
            continue
        params = {f"key_{key}": decoders[key](raw[key]) for key in keys}
        params.update({f"new_{name}": decoders[name](raw[name]) for name in touched})
        batch.append(params)
        if len(batch) >= INSERT_CHUNK_ROWS:
            connection.execute(statement, batch)
            batch = []
    if batch:
        connection.execute(statement, batch)


def reset_sequences(connection: Connection, metadata: MetaData) -> None:
    """On PostgreSQL, move every serial/identity sequence past the largest restored id."""
    if connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    for table in metadata.tables.values():
        for column in table.primary_key.columns:
            if python_type_of(column) is not int:
                continue
            quoted_table = preparer.format_table(table)
            quoted_column = preparer.quote(column.name)
            # setval() is strict: a column without a sequence gives NULL and changes nothing.
            # The identifiers come from the metadata, quoted by the dialect.
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(CAST(:table AS text), "  # noqa: S608
                    f"CAST(:column AS text)), COALESCE(MAX({quoted_column}), 1), "
                    f"MAX({quoted_column}) IS NOT NULL) FROM {quoted_table}"
                ),
                {"table": quoted_table, "column": column.name},
            )


# Tables the migrations fill with reference rows (built-in event kinds, default criteria): a
# fresh `db upgrade` holds them, so they do not make the target « not empty »; the archive's own
# rows replace them.
FILLED_BY_MIGRATIONS = ("event_kind", "criterion")


def _first_non_empty_table(connection: Connection, tables: Iterable[Table]) -> str | None:
    """Return the name of the first table holding a row (reference tables aside), or None."""
    for table in tables:
        if table.name in FILLED_BY_MIGRATIONS:
            continue
        if connection.execute(select(literal(1)).select_from(table).limit(1)).first():
            return table.name
    return None


def import_archive(
    connection: Connection,
    metadata: MetaData,
    path: str | os.PathLike[str],
    *,
    key: bytes | None = None,
    allow_unsigned: bool = False,
    max_line_bytes: int = MAX_LINE_FLOOR,
    before_writing: Callable[[ArchiveCheck], None] | None = None,
) -> ArchiveSummary:
    """Restore the archive at `path` through `connection`, inside its (caller's) transaction.

    Everything is checked before the first write: the signature (required when the archive
    has one; an unsigned archive is refused when a `key` is given, unless `allow_unsigned`),
    format, schema revision, parts, row counts, checksums, line lengths, an empty target. Then
    `before_writing` is called with what was found (the accounts the archive creates). The
    caller commits; on any exception it rolls back and the database is as before.
    """
    archive = Path(path)
    with open_zip(archive) as zf, zip_errors(archive):
        revision = schema_revision(connection)
        check, parts = check_archive(
            zf,
            archive,
            metadata,
            key=key,
            allow_unsigned=allow_unsigned,
            max_line=max_line_bytes,
            target_revision=revision,
            check_revision=True,
        )
        plans, defer = _insert_plans(metadata, connection.dialect.name)
        occupied = _first_non_empty_table(connection, (plan.table for plan in plans))
        if occupied:
            raise ArchiveError(
                _l(
                    "La base cible n'est pas vide (table %(table)s) : restaurez dans une base "
                    "neuve et migrée.",
                    table=occupied,
                )
            )
        if before_writing is not None:
            before_writing(check)
        for plan in plans:
            if plan.table.name in FILLED_BY_MIGRATIONS:
                connection.execute(plan.table.delete())

        if defer:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            elif connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")

        summary = ArchiveSummary(archive, revision, signed=check.signed)
        for plan in plans:
            part = parts[plan.table.name]
            decoders = {column.name: decoder(column) for column in plan.table.columns}
            for name in plan.later_columns:
                decoders[name] = lambda _value: None
            statement = _insert_statement(plan.table)
            digest = hashlib.sha256()
            count = 0
            for chunk in _chunks(zf, part, digest, decoders):
                insert_chunk(connection, statement, chunk)
                count += len(chunk)
            # The file was checked above; check again what was actually read and inserted.
            if digest.hexdigest() != part.sha256 or count != part.rows:
                raise ArchiveError(
                    _l("partie %(part)s modifiée pendant la lecture.", part=part.name), archive
                )
            summary.tables.append(TableSummary(plan.table.name, count, part.sha256))
        for plan in plans:
            if plan.later_columns:
                _update_later_columns(connection, zf, parts[plan.table.name], plan)
        reset_sequences(connection, metadata)
    return summary
