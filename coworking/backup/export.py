"""Export every table to one zip archive, from one consistent snapshot, streamed in chunks."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import MetaData, Table, Text, cast, select
from sqlalchemy.engine import Connection, Engine

from coworking.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    JSON_NULL_MARKER,
    MANIFEST,
    SIGNATURE,
    ArchiveError,
    ArchiveSummary,
    TableSummary,
    app_version,
    dump_line,
    encode,
    is_json,
    order_by,
    ordered_tables,
    part_name,
    schema_revision,
)
from coworking.backup.signature import check_key, sign_manifest
from coworking.database import utcnow

# Rows read per round trip.
READ_CHUNK_ROWS = 1000
# Fast deflate: JSON lines still shrink several times, and a big export stays quick.
ZIP_LEVEL = 1
_PLAIN = (bool, int, float)


def _select_columns(table: Table) -> list[Any]:
    """Every column; JSON columns as their text, to tell SQL NULL from a JSON null document."""
    return [
        cast(column, Text).label(column.name) if is_json(column) else column
        for column in table.columns
    ]


def _json_value(raw: str) -> Any:
    """Return a JSON column's text as its archived value (a JSON null document marked)."""
    loaded = json.loads(raw)
    return JSON_NULL_MARKER if loaded is None else loaded


def _write_table(connection: Connection, table: Table, handle: IO[bytes]) -> TableSummary:
    """Write one table's rows as JSON lines, by chunks; return its count and SHA-256."""
    digest = hashlib.sha256()
    count = longest = 0
    names = [column.name for column in table.columns]
    json_columns = {column.name for column in table.columns if is_json(column)}
    statement = (
        select(*_select_columns(table))
        .order_by(*order_by(table))
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
                    else encode(value, table.name, name)
                )
                for name, value in zip(names, row, strict=True)
            }
            line = dump_line(values)
            longest = max(longest, len(line))
            buffer += line
            count += 1
        digest.update(buffer)
        handle.write(buffer)
    return TableSummary(table.name, count, digest.hexdigest(), longest)


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of every table."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def export_archive(
    engine: Engine, metadata: MetaData, path: str | os.PathLike[str], *, key: bytes | None = None
) -> ArchiveSummary:
    """Write every table of `metadata` to the zip at `path` (a temporary file renamed at the end).

    With a `key`, the manifest is signed (``manifest.sig``).
    """
    check_key(key)
    destination = Path(path)
    directory = destination.resolve().parent
    if not directory.is_dir():
        raise ArchiveError(
            _l("le dossier %(directory)s n'existe pas.", directory=directory), destination
        )
    fd, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as raw, _snapshot(engine) as connection:
            summary = ArchiveSummary(destination, schema_revision(connection), signed=bool(key))
            with zipfile.ZipFile(
                raw, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL
            ) as zf:
                manifest_tables = []
                for table in ordered_tables(metadata):
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
                manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                zf.writestr(MANIFEST, manifest_bytes)
                if key is not None:
                    zf.writestr(SIGNATURE, sign_manifest(manifest_bytes, key))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return summary
