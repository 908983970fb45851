"""The whole-database archive's format: its parts and manifest, its limits, how values are written.

Export (``export``) writes every table to one zip; restore (``restore``) loads it into an empty
database after ``archive_check`` has checked it whole, reading it through ``bounded_reading``
and checking its ``signature``.

Format (``FORMAT`` / ``FORMAT_VERSION``): a zip holding

- ``tables/<table>.jsonl``: one JSON object per row, ``{"column": value, ...}``, rows ordered by
  primary key. Bytes are base64 strings, dates, datetimes and times ISO 8601 strings, decimals
  and UUIDs strings, JSON columns their JSON value. In a JSON column ``null`` is SQL NULL and
  ``{"$json": null}`` a stored JSON ``null`` document (the two are different in SQL).
- ``manifest.json``: the format and its version, the Alembic schema revision, the application
  version, the creation time, and for every table its part, columns, row count and the SHA-256
  of the part's (uncompressed) bytes.
- ``manifest.sig``, when export was given a key: ``hmac-sha256:<hex>``, the HMAC-SHA256 of the
  exact bytes of ``manifest.json``. The manifest holds every part's SHA-256, so the signature
  covers the whole archive. Without it the SHA-256s catch damage, not tampering: whoever can
  write the file can edit a part and recompute its checksum.

Tables are found generically in ``db.metadata``: a table added by a later feature is archived
without any change here. Export reads every table inside one transaction (a consistent snapshot)
and streams rows in chunks; import checks the whole archive first, then inserts in dependency
order inside one transaction, in bulk chunks, and resets PostgreSQL sequences.

Import reads a hostile archive with bounded memory: the manifest and the signature have a size
limit, each line (one row, a document's or a dossier's bytes included) a length limit checked
while reading, and the zip's entries must not overlap (a zip bomb) nor use another compression
than deflate, whose ratio is at most about 1000:1.
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it
from sqlalchemy import JSON, Column, MetaData, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import sort_tables_and_constraints
from sqlalchemy.types import TypeDecorator, TypeEngine

from coworking.errors import ServiceError

FORMAT = "coworking-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PARTS_DIR = "tables"

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024
# The longest line import reads when not told otherwise (see `default_max_line_bytes`).
MAX_LINE_FLOOR = 64 * 1024 * 1024
MEBIBYTE = 1024 * 1024

JSON_NULL_MARKER = {"$json": None}


class ArchiveError(ServiceError):
    """An archive that cannot be written or restored: why, and where (file, part, line).

    The reason may be a lazy translation: ``message`` and ``str()`` render it, after the
    archive's path, part and line when known, in the language of the moment they are read
    (French on the command line).
    """

    def __init__(
        self, reason: Any, path: Any = None, *, part: str | None = None, line: int | None = None
    ) -> None:
        self._reason = reason
        self.path = path
        self.part = part
        self.line = line
        super().__init__(LazyString(self._full_message))

    def _full_message(self) -> str:
        """Return the path, the part, the line and the reason, in the current language."""
        text = str(self._reason)
        if self.part is not None and self.line is not None:
            text = _(
                "partie %(part)s, ligne %(line)s : %(reason)s",
                part=self.part,
                line=self.line,
                reason=text,
            )
        elif self.part is not None:
            text = _("partie %(part)s : %(reason)s", part=self.part, reason=text)
        if self.path is not None:
            text = _("%(part)s : %(reason)s", part=self.path, reason=text)
        return text


@dataclass
class TableSummary:
    name: str
    rows: int
    sha256: str
    longest_line: int = 0


@dataclass
class ArchiveSummary:
    path: Path
    revision: str | None
    tables: list[TableSummary] = field(default_factory=list)
    signed: bool = False

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


# --- encoding values ----------------------------------------------------------------------------


def base_type(column: Column[Any]) -> TypeEngine[Any]:
    """The column's type, through any TypeDecorator (UTCDateTime is a DateTime)."""
    type_ = column.type
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


def is_json(column: Column[Any]) -> bool:
    return isinstance(base_type(column), JSON)


def python_type_of(column: Column[Any]) -> type | None:
    try:
        return base_type(column).python_type
    except NotImplementedError:
        return None


def encode(value: Any, table: str, column: str) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise ArchiveError(
        _l(
            "Table %(table)s, colonne %(column)s : type de valeur non pris en charge (%(type)s).",
            table=table,
            column=column,
            type=type(value).__name__,
        )
    )


def decoder(column: Column[Any]) -> Callable[[Any], Any]:
    """Return the function turning an archived value back into the column's Python value."""
    if is_json(column):
        return lambda value: JSON.NULL if value == JSON_NULL_MARKER else value
    python_type = python_type_of(column)
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


def dump_line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --- limits -----------------------------------------------------------------------------------


def default_max_line_bytes(max_upload_bytes: int) -> int:
    """Return the longest line import reads by default: 64 MiB, or 4 × the upload limit.

    A document's line is 4/3 of its file (base64), at most the upload limit; a dossier's line
    holds its PDF, which embeds annexed documents. Export warns when it writes a longer line,
    and import then needs a higher limit, given on purpose.
    """
    return max(MAX_LINE_FLOOR, 4 * max_upload_bytes)


def size_label(size: int) -> Any:
    """Return a size in mebibytes (« 64 Mo »), or in bytes below one, for messages (lazy)."""
    if size >= MEBIBYTE:
        return _l("%(size)s Mo", size=size // MEBIBYTE)
    return ngettext("%(num)s octet", "%(num)s octets", size)


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


def ordered_tables(metadata: MetaData) -> list[Table]:
    """The tables in dependency order (parents first), without warning about cycles."""
    return [
        table
        for table, _fks in sort_tables_and_constraints(metadata.tables.values())
        if table is not None
    ]


def order_by(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)
