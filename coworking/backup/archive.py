"""The whole-database archive: export every table to one zip, restore it into an empty database.

Format (``FORMAT`` / ``FORMAT_VERSION``): a zip holding

- ``tables/<table>.jsonl``: one JSON object per row, ``{"column": value, ...}``, rows ordered by
  primary key. Bytes are base64 strings, dates, datetimes and times ISO 8601 strings, decimals
  and UUIDs strings, JSON columns their JSON value. In a JSON column ``null`` is SQL NULL and
  ``{"$json": null}`` a stored JSON ``null`` document (the two are different in SQL).
- ``manifest.json``: the format and its version, the Alembic schema revision, the application
  version, the creation time, and for every table its part, columns, row count and the SHA-256
  of the part's (uncompressed) bytes.

Tables are found generically in ``db.metadata``: a table added by a later feature is archived
without any change here. Export reads every table inside one transaction (a consistent snapshot)
and streams rows in chunks; import checks the whole archive first, then inserts in dependency
order inside one transaction, in bulk chunks, and resets PostgreSQL sequences.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKeyConstraint,
    MetaData,
    Table,
    Text,
    bindparam,
    cast,
    insert,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import sort_tables_and_constraints
from sqlalchemy.types import TypeDecorator, TypeEngine

from coworking.database import utcnow

FORMAT = "coworking-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PARTS_DIR = "tables"

# Rows read per round trip on export, and the bounds of one bulk insert on import.
READ_CHUNK_ROWS = 1000
INSERT_CHUNK_ROWS = 1000
INSERT_CHUNK_BYTES = 8 * 1024 * 1024

# Fast deflate: JSON lines still shrink several times, and a big export stays quick.
ZIP_LEVEL = 1
JSON_NULL_MARKER = {"$json": None}
_PLAIN = (bool, int, float)
_HASH_BLOCK = 1024 * 1024


class ArchiveError(Exception):
    """An archive that cannot be written or restored; the message says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class TableSummary:
    name: str
    rows: int
    sha256: str


@dataclass
class ArchiveSummary:
    path: Path
    revision: str | None
    tables: list[TableSummary] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


# --- encoding values ----------------------------------------------------------------------------


def _base_type(column: Column[Any]) -> TypeEngine[Any]:
    """The column's type, through any TypeDecorator (UTCDateTime is a DateTime)."""
    type_ = column.type
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


def _is_json(column: Column[Any]) -> bool:
    return isinstance(_base_type(column), JSON)


def _python_type(column: Column[Any]) -> type | None:
    try:
        return _base_type(column).python_type
    except NotImplementedError:
        return None


def _encode(value: Any, table: str, column: str) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise ArchiveError(
        f"Table {table}, colonne {column} : type de valeur non pris en charge "
        f"({type(value).__name__})."
    )


def _decoder(column: Column[Any]) -> Callable[[Any], Any]:
    """Return the function turning an archived value back into the column's Python value."""
    if _is_json(column):
        return lambda value: JSON.NULL if value == JSON_NULL_MARKER else value
    python_type = _python_type(column)
    parse: Callable[[Any], Any] | None = None
    if python_type is bytes:
        parse = base64.b64decode
    elif python_type is datetime:
        parse = datetime.fromisoformat
    elif python_type is date:
        parse = date.fromisoformat
    elif python_type is time:
        parse = time.fromisoformat
    elif python_type is Decimal:
        parse = Decimal
    elif python_type is uuid.UUID:
        parse = uuid.UUID
    if parse is None:
        return lambda value: value
    return lambda value: None if value is None else parse(value)


def _dump_line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --- the schema ---------------------------------------------------------------------------------


def schema_revision(connection: Connection) -> str | None:
    """Return the database's Alembic revision, or None when it was never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revisions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(revisions)) or None


def app_version() -> str:
    try:
        return importlib.metadata.version("coworking")
    except importlib.metadata.PackageNotFoundError:
        return "inconnue"


def part_name(table: Table) -> str:
    return f"{PARTS_DIR}/{table.name}.jsonl"


def _ordered_tables(metadata: MetaData) -> list[Table]:
    """The tables in dependency order (parents first), without warning about cycles."""
    return [
        table
        for table, _fks in sort_tables_and_constraints(metadata.tables.values())
        if table is not None
    ]


def _order_by(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


# --- export -------------------------------------------------------------------------------------


def _select_columns(table: Table) -> list[Any]:
    """Every column; JSON columns as their text, to tell SQL NULL from a JSON null document."""
    return [
        cast(column, Text).label(column.name) if _is_json(column) else column
        for column in table.columns
    ]


def _json_value(raw: str) -> Any:
    loaded = json.loads(raw)
    return JSON_NULL_MARKER if loaded is None else loaded


def _write_table(connection: Connection, table: Table, handle: IO[bytes]) -> TableSummary:
    digest = hashlib.sha256()
    count = 0
    names = [column.name for column in table.columns]
    json_columns = {column.name for column in table.columns if _is_json(column)}
    statement = (
        select(*_select_columns(table))
        .order_by(*_order_by(table))
        .execution_options(yield_per=READ_CHUNK_ROWS)
    )
    result = connection.execute(statement)
    for rows in result.partitions():
        buffer = bytearray()
        for row in rows:
            values = {
                name: (
                    value
                    if value is None or type(value) in _PLAIN
                    else _json_value(value)
                    if name in json_columns
                    else _encode(value, table.name, name)
                )
                for name, value in zip(names, row, strict=True)
            }
            buffer += _dump_line(values)
            count += 1
        digest.update(buffer)
        handle.write(buffer)
    return TableSummary(table.name, count, digest.hexdigest())


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of every table."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def export_archive(
    engine: Engine, metadata: MetaData, path: str | os.PathLike[str]
) -> ArchiveSummary:
    """Write every table of `metadata` to the zip at `path` (a temporary file renamed at the end)."""
    destination = Path(path)
    directory = destination.resolve().parent
    if not directory.is_dir():
        raise ArchiveError(f"{destination} : le dossier {directory} n'existe pas.")
    fd, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as raw, _snapshot(engine) as connection:
            summary = ArchiveSummary(destination, schema_revision(connection))
            with zipfile.ZipFile(
                raw, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL
            ) as zf:
                manifest_tables = []
                for table in _ordered_tables(metadata):
                    with zf.open(part_name(table), "w", force_zip64=True) as handle:
                        table_summary = _write_table(connection, table, handle)
                    summary.tables.append(table_summary)
                    manifest_tables.append(
                        {
                            "name": table.name,
                            "part": part_name(table),
                            "columns": [column.name for column in table.columns],
                            "rows": table_summary.rows,
                            "sha256": table_summary.sha256,
                        }
                    )
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "schema_revision": summary.revision,
                    "app_version": app_version(),
                    "created_at": utcnow().isoformat(),
                    "database": engine.dialect.name,
                    "tables": manifest_tables,
                }
                zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return summary


# --- checking an archive ------------------------------------------------------------------------


@dataclass
class _Part:
    table: Table
    name: str
    rows: int
    sha256: str


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise ArchiveError(f"{path} : fichier introuvable.")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ArchiveError(f"{path} : ce n'est pas une archive zip.") from None


def _read_manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        raw = zf.read(MANIFEST)
    except KeyError:
        raise ArchiveError(
            f"{path} : {MANIFEST} manquant, ce n'est pas une archive coworking."
        ) from None
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise ArchiveError(f"{path} : {MANIFEST} illisible (JSON invalide).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{path} : ce n'est pas une archive coworking (format inconnu).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"{path} : version de format {manifest.get('format_version')!r} non prise en charge "
            f"(attendue : {FORMAT_VERSION})."
        )
    if not isinstance(manifest.get("tables"), list):
        raise ArchiveError(f"{path} : {MANIFEST} ne liste pas les tables.")
    return manifest


def _check_revision(manifest: dict[str, Any], target_revision: str | None, path: Path) -> None:
    archived = manifest.get("schema_revision")
    if target_revision is None:
        raise ArchiveError(
            "La base cible n'est pas migrée (pas de table alembic_version) : "
            "lancez d'abord « flask --app coworking db upgrade »."
        )
    if archived is None:
        raise ArchiveError(
            f"{path} : l'archive n'indique pas de révision de schéma ; la base d'origine "
            "n'était pas migrée."
        )
    if archived != target_revision:
        raise ArchiveError(
            f"{path} : révision de schéma {archived} dans l'archive, {target_revision} dans la "
            "base cible. Mettez les deux au même niveau (flask db upgrade) avant de restaurer."
        )


def _plan_parts(
    manifest: dict[str, Any], metadata: MetaData, zf: zipfile.ZipFile, path: Path
) -> dict[str, _Part]:
    entries: dict[str, dict[str, Any]] = {}
    for entry in manifest["tables"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ArchiveError(f"{path} : entrée de table invalide dans {MANIFEST}.")
        entries[entry["name"]] = entry
    unknown = sorted(set(entries) - set(metadata.tables))
    if unknown:
        raise ArchiveError(f"{path} : tables inconnues de la base cible : {', '.join(unknown)}.")
    missing = sorted(set(metadata.tables) - set(entries))
    if missing:
        raise ArchiveError(f"{path} : tables absentes de l'archive : {', '.join(missing)}.")
    names = set(zf.namelist())
    parts: dict[str, _Part] = {}
    for name, entry in entries.items():
        table = metadata.tables[name]
        columns = [column.name for column in table.columns]
        if entry.get("columns") != columns:
            raise ArchiveError(
                f"{path} : table {name} : les colonnes de l'archive diffèrent de celles de la base "
                "cible."
            )
        part = entry.get("part")
        if part not in names:
            raise ArchiveError(f"{path} : partie {part or name} manquante.")
        rows, sha256 = entry.get("rows"), entry.get("sha256")
        if not isinstance(rows, int) or not isinstance(sha256, str):
            raise ArchiveError(f"{path} : table {name} : nombre de lignes ou SHA-256 absent.")
        parts[name] = _Part(table, part, rows, sha256)
    return parts


def _check_part(zf: zipfile.ZipFile, part: _Part, path: Path) -> None:
    digest = hashlib.sha256()
    lines = 0
    with zf.open(part.name) as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
            lines += block.count(b"\n")
    if digest.hexdigest() != part.sha256:
        raise ArchiveError(
            f"{path} : partie {part.name} : SHA-256 différent de celui du manifeste "
            "(archive abîmée ou modifiée)."
        )
    if lines != part.rows:
        raise ArchiveError(
            f"{path} : partie {part.name} : {lines} lignes, le manifeste en annonce {part.rows}."
        )


def _first_non_empty_table(connection: Connection, tables: Iterable[Table]) -> str | None:
    for table in tables:
        if connection.execute(select(literal(1)).select_from(table).limit(1)).first():
            return table.name
    return None


def verify_archive(path: str | os.PathLike[str], metadata: MetaData) -> dict[str, Any]:
    """Check an archive on its own (format, parts, counts, checksums); return its manifest."""
    archive = Path(path)
    with _open_zip(archive) as zf:
        manifest = _read_manifest(zf, archive)
        for part in _plan_parts(manifest, metadata, zf, archive).values():
            _check_part(zf, part, archive)
    return manifest


# --- import -------------------------------------------------------------------------------------


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
                f"Table {fk.table.name} : la clé étrangère {', '.join(columns)} forme un cycle, "
                "n'accepte pas NULL et n'est pas DEFERRABLE ; impossible de restaurer sur "
                "PostgreSQL."
            )
        else:
            defer = True
    plans = [
        _InsertPlan(table, later.get(table.name, [])) for table, _ in ordered if table is not None
    ]
    return plans, defer


def _iter_rows(
    zf: zipfile.ZipFile, part: _Part, digest: Any
) -> Iterator[tuple[dict[str, Any], int]]:
    with zf.open(part.name) as handle:
        for line in handle:
            digest.update(line)
            yield json.loads(line), len(line)


def _chunks(
    zf: zipfile.ZipFile, part: _Part, digest: Any, decoders: dict[str, Callable[[Any], Any]]
) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    size = 0
    for raw, length in _iter_rows(zf, part, digest):
        if raw.keys() != decoders.keys():
            raise ArchiveError(f"Partie {part.name} : une ligne n'a pas les colonnes attendues.")
        chunk.append({name: decode(raw[name]) for name, decode in decoders.items()})
        size += length
        if len(chunk) >= INSERT_CHUNK_ROWS or size >= INSERT_CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _insert_statement(table: Table) -> Any:
    # JSON columns: None is SQL NULL, JSON.NULL a JSON null document (see the module docstring).
    values = {
        column.name: bindparam(column.name, type_=JSON(none_as_null=True))
        for column in table.columns
        if _is_json(column)
    }
    statement = insert(table)
    return statement.values(values) if values else statement


def insert_chunk(connection: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Insert one chunk of rows (one executemany)."""
    connection.execute(statement, rows)


def _update_later_columns(
    connection: Connection, zf: zipfile.ZipFile, part: _Part, plan: _InsertPlan
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
    decoders = {column.name: _decoder(column) for column in table.columns}
    batch: list[dict[str, Any]] = []
    for raw, _length in _iter_rows(zf, part, hashlib.sha256()):
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
            if _python_type(column) is not int:
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


def import_archive(
    connection: Connection, metadata: MetaData, path: str | os.PathLike[str]
) -> ArchiveSummary:
    """Restore the archive at `path` through `connection`, inside its (caller's) transaction.

    Everything is checked before the first write: format, schema revision, parts, row counts,
    checksums, an empty target. The caller commits; on any exception it rolls back and the
    database is as before.
    """
    archive = Path(path)
    with _open_zip(archive) as zf:
        manifest = _read_manifest(zf, archive)
        revision = schema_revision(connection)
        _check_revision(manifest, revision, archive)
        parts = _plan_parts(manifest, metadata, zf, archive)
        for part in parts.values():
            _check_part(zf, part, archive)
        plans, defer = _insert_plans(metadata, connection.dialect.name)
        occupied = _first_non_empty_table(connection, (plan.table for plan in plans))
        if occupied:
            raise ArchiveError(
                f"La base cible n'est pas vide (table {occupied}) : restaurez dans une base "
                "neuve et migrée."
            )

        if defer:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            elif connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")

        summary = ArchiveSummary(archive, revision)
        for plan in plans:
            part = parts[plan.table.name]
            decoders = {column.name: _decoder(column) for column in plan.table.columns}
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
                raise ArchiveError(f"{archive} : partie {part.name} modifiée pendant la lecture.")
            summary.tables.append(TableSummary(plan.table.name, count, part.sha256))
        for plan in plans:
            if plan.later_columns:
                _update_later_columns(connection, zf, parts[plan.table.name], plan)
        reset_sequences(connection, metadata)
    return summary
