"""The whole-database archive: export every table to one zip, restore it into an empty database.

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
import contextlib
import hashlib
import hmac
import importlib.metadata
import json
import os
import tempfile
import uuid
import zipfile
import zlib
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

from coworking.auth.models import ApiToken, User
from coworking.database import utcnow

FORMAT = "coworking-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNATURE_ALGORITHM = b"hmac-sha256"
PARTS_DIR = "tables"

# A key shorter than this could be guessed offline from a signed archive.
MIN_KEY_BYTES = 32
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024
# The longest line import reads when not told otherwise (see `default_max_line_bytes`).
MAX_LINE_FLOOR = 64 * 1024 * 1024
MEBIBYTE = 1024 * 1024
# What export writes; bzip2 and LZMA would allow far bigger bombs than deflate's ~1000:1.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

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


# --- limits and signature -----------------------------------------------------------------------


def default_max_line_bytes(max_upload_bytes: int) -> int:
    """Return the longest line import reads by default: 64 MiB, or 4 × the upload limit.

    A document's line is 4/3 of its file (base64), at most the upload limit; a dossier's line
    holds its PDF, which embeds annexed documents. Export warns when it writes a longer line,
    and import then needs a higher limit, given on purpose.
    """
    return max(MAX_LINE_FLOOR, 4 * max_upload_bytes)


def sign_manifest(manifest: bytes, key: bytes) -> bytes:
    """Return the contents of ``manifest.sig`` for these manifest bytes."""
    digest = hmac.new(key, manifest, hashlib.sha256).hexdigest().encode("ascii")
    return SIGNATURE_ALGORITHM + b":" + digest + b"\n"


def _check_key(key: bytes | None) -> None:
    if key is not None and len(key) < MIN_KEY_BYTES:
        raise ArchiveError(
            f"Clé de signature trop courte ({len(key)} octets, il en faut au moins "
            f"{MIN_KEY_BYTES})."
        )


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
    count = longest = 0
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
            line = _dump_line(values)
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
    _check_key(key)
    destination = Path(path)
    directory = destination.resolve().parent
    if not directory.is_dir():
        raise ArchiveError(f"{destination} : le dossier {directory} n'existe pas.")
    fd, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as raw, _snapshot(engine) as connection:
            summary = ArchiveSummary(destination, schema_revision(connection), signed=bool(key))
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


# --- checking an archive ------------------------------------------------------------------------


@dataclass
class _Part:
    table: Table
    name: str
    rows: int
    sha256: str
    archive: Path
    max_line: int


@dataclass
class Account:
    """An account (or API token) an archive would create."""

    label: str
    role: str
    active: bool


@dataclass
class ArchiveCheck:
    """What checking an archive found, before anything is written."""

    path: Path
    manifest: dict[str, Any]
    signed: bool
    accounts: list[Account] = field(default_factory=list)
    tokens: list[Account] = field(default_factory=list)


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise ArchiveError(f"{path} : fichier introuvable.")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ArchiveError(f"{path} : ce n'est pas une archive zip.") from None


@contextlib.contextmanager
def _zip_errors(path: Path) -> Iterator[None]:
    """Turn a zip that breaks while being read (bad CRC, truncated data) into a refusal."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ArchiveError(f"{path} : archive zip abîmée ({error}).") from None


def _check_entries(zf: zipfile.ZipFile, path: Path) -> None:
    """Refuse duplicate names, entries sharing their data (a zip bomb) and other compressions."""
    infos = zf.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ArchiveError(f"{path} : l'archive contient deux fois le même nom de fichier.")
    if sum(info.compress_size for info in infos) > path.stat().st_size:
        raise ArchiveError(
            f"{path} : des fichiers de l'archive se chevauchent (une « bombe zip »)."
        )
    for info in infos:
        if info.compress_type not in _METHODS:
            raise ArchiveError(
                f"{path} : {info.filename} : méthode de compression {info.compress_type} non "
                "prise en charge (seul deflate l'est)."
            )


def _read_small(zf: zipfile.ZipFile, name: str, limit: int, path: Path) -> bytes | None:
    """Return a member's bytes, refused beyond `limit`; None when it is absent."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise ArchiveError(f"{path} : {name} trop gros ({info.file_size} octets).")
    with zf.open(info) as handle:
        # zipfile stops at the declared size; the bound holds even if it did not.
        return handle.read(limit + 1)[:limit]


def _read_manifest(raw: bytes, path: Path) -> dict[str, Any]:
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


def _check_signature(
    zf: zipfile.ZipFile, manifest: bytes, key: bytes | None, allow_unsigned: bool, path: Path
) -> bool:
    """Check ``manifest.sig`` against the manifest's bytes; return whether the archive is signed."""
    signature = _read_small(zf, SIGNATURE, MAX_SIGNATURE_BYTES, path)
    if signature is None:
        if key is not None and not allow_unsigned:
            raise ArchiveError(
                f"{path} : l'archive n'est pas signée alors qu'une clé est donnée ; elle a pu "
                "être modifiée (comptes ajoutés, sommes de contrôle recalculées). Si vous savez "
                "d'où elle vient, relancez avec --allow-unsigned."
            )
        return False
    if key is None:
        raise ArchiveError(
            f"{path} : l'archive est signée ; donnez sa clé (--key-file ou COWORKING_BACKUP_KEY) "
            "pour vérifier qu'elle n'a pas été modifiée."
        )
    algorithm, _, digest = signature.strip().partition(b":")
    if algorithm != SIGNATURE_ALGORITHM:
        raise ArchiveError(f"{path} : {SIGNATURE} : algorithme de signature inconnu.")
    expected = sign_manifest(manifest, key).strip().partition(b":")[2]
    if not hmac.compare_digest(expected, digest):
        raise ArchiveError(
            f"{path} : signature invalide : l'archive a été modifiée depuis l'export, ou la clé "
            "n'est pas celle de l'export."
        )
    return True


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
    manifest: dict[str, Any], metadata: MetaData, zf: zipfile.ZipFile, path: Path, max_line: int
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
        parts[name] = _Part(table, part, rows, sha256, path, max_line)
    return parts


def size_label(size: int) -> str:
    """Return a size in mebibytes (« 64 Mo »), or in bytes below one."""
    return f"{size // MEBIBYTE} Mo" if size >= MEBIBYTE else f"{size} octets"


def _line_too_long(part: _Part, number: int) -> ArchiveError:
    return ArchiveError(
        f"{part.archive} : partie {part.name}, ligne {number} : ligne plus longue que la limite "
        f"de {size_label(part.max_line)}. Si l'archive vient bien de votre export (un gros "
        "dossier PDF), relancez avec --max-line-mb et la taille que l'export a indiquée."
    )


def _unterminated(part: _Part, number: int) -> ArchiveError:
    return ArchiveError(
        f"{part.archive} : partie {part.name}, ligne {number} : la dernière ligne n'est pas "
        "terminée (archive tronquée ou modifiée)."
    )


def _check_part(zf: zipfile.ZipFile, part: _Part) -> None:
    """Check a part's SHA-256, its line count and the length of every line, in bounded memory."""
    digest = hashlib.sha256()
    lines = 0
    pending = 0  # length so far of the line that the last block left unfinished
    # Blocks no longer than the limit: a line that starts and ends in one block is within it.
    size = min(_HASH_BLOCK, part.max_line)
    with zf.open(part.name) as handle:
        while block := handle.read(size):
            digest.update(block)
            first = block.find(b"\n")
            if first == -1:
                pending += len(block)
                if pending > part.max_line:
                    raise _line_too_long(part, lines + 1)
                continue
            if pending + first + 1 > part.max_line:
                raise _line_too_long(part, lines + 1)
            lines += block.count(b"\n")
            if lines > part.rows:
                raise ArchiveError(
                    f"{part.archive} : partie {part.name} : plus de {part.rows} lignes, le "
                    f"manifeste en annonce {part.rows}."
                )
            pending = len(block) - block.rfind(b"\n") - 1
    if pending:
        raise _unterminated(part, lines + 1)
    if digest.hexdigest() != part.sha256:
        raise ArchiveError(
            f"{part.archive} : partie {part.name} : SHA-256 différent de celui du manifeste "
            "(archive abîmée ou modifiée)."
        )
    if lines != part.rows:
        raise ArchiveError(
            f"{part.archive} : partie {part.name} : {lines} lignes, le manifeste en annonce "
            f"{part.rows}."
        )


def _lines(handle: IO[bytes], part: _Part) -> Iterator[tuple[int, bytes | bytearray]]:
    """Yield each line with its number, never holding more than the limit of one line."""
    pending = bytearray()
    number = 0
    while block := handle.read(_HASH_BLOCK):
        start = 0
        while (end := block.find(b"\n", start)) != -1:
            number += 1
            if len(pending) + end + 1 - start > part.max_line:
                raise _line_too_long(part, number)
            if pending:
                pending += block[start : end + 1]
                yield number, pending
                pending = bytearray()
            else:
                yield number, block[start : end + 1]
            start = end + 1
        if len(pending) + len(block) - start > part.max_line:
            raise _line_too_long(part, number + 1)
        pending += block[start:]
    if pending:
        raise _unterminated(part, number + 1)


def _iter_rows(
    zf: zipfile.ZipFile, part: _Part, digest: Any
) -> Iterator[tuple[int, dict[str, Any], int]]:
    """Yield each row of a part with its line number and length; `digest` sees every byte."""
    with zf.open(part.name) as handle:
        for number, line in _lines(handle, part):
            digest.update(line)
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not isinstance(row, dict):
                raise ArchiveError(
                    f"{part.archive} : partie {part.name}, ligne {number} : ce n'est pas un "
                    "objet JSON."
                )
            yield number, row, len(line)


def _accounts(zf: zipfile.ZipFile, part: _Part | None, label: str) -> list[Account]:
    if part is None:
        return []
    return [
        Account(
            str(row.get(label)),
            str(row.get("role")),
            row.get("active", True) is not False and row.get("revoked_at") is None,
        )
        for _number, row, _length in _iter_rows(zf, part, hashlib.sha256())
    ]


def _first_non_empty_table(connection: Connection, tables: Iterable[Table]) -> str | None:
    for table in tables:
        if connection.execute(select(literal(1)).select_from(table).limit(1)).first():
            return table.name
    return None


def _check_archive(
    zf: zipfile.ZipFile,
    archive: Path,
    metadata: MetaData,
    *,
    key: bytes | None,
    allow_unsigned: bool,
    max_line: int,
    target_revision: str | None = None,
    check_revision: bool = False,
) -> tuple[ArchiveCheck, dict[str, _Part]]:
    """Check structure, signature, manifest, revision and every part, in this order."""
    _check_key(key)
    _check_entries(zf, archive)
    raw = _read_small(zf, MANIFEST, MAX_MANIFEST_BYTES, archive)
    if raw is None:
        raise ArchiveError(f"{archive} : {MANIFEST} manquant, ce n'est pas une archive coworking.")
    # The signature covers the manifest's bytes: check it before trusting anything they say.
    signed = _check_signature(zf, raw, key, allow_unsigned, archive)
    manifest = _read_manifest(raw, archive)
    if check_revision:
        _check_revision(manifest, target_revision, archive)
    parts = _plan_parts(manifest, metadata, zf, archive, max_line)
    for part in parts.values():
        _check_part(zf, part)
    check = ArchiveCheck(
        archive,
        manifest,
        signed,
        accounts=_accounts(zf, parts.get(User.__tablename__), "email"),
        tokens=_accounts(zf, parts.get(ApiToken.__tablename__), "name"),
    )
    return check, parts


def verify_archive(
    path: str | os.PathLike[str],
    metadata: MetaData,
    *,
    key: bytes | None = None,
    allow_unsigned: bool = False,
    max_line_bytes: int = MAX_LINE_FLOOR,
) -> ArchiveCheck:
    """Check an archive on its own (signature, format, parts, counts, checksums)."""
    archive = Path(path)
    with _open_zip(archive) as zf, _zip_errors(archive):
        check, _parts = _check_archive(
            zf, archive, metadata, key=key, allow_unsigned=allow_unsigned, max_line=max_line_bytes
        )
    return check


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


def _chunks(
    zf: zipfile.ZipFile, part: _Part, digest: Any, decoders: dict[str, Callable[[Any], Any]]
) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    size = 0
    for number, raw, length in _iter_rows(zf, part, digest):
        if raw.keys() != decoders.keys():
            raise ArchiveError(
                f"{part.archive} : partie {part.name}, ligne {number} : la ligne n'a pas les "
                "colonnes attendues."
            )
        try:
            chunk.append({name: decode(raw[name]) for name, decode in decoders.items()})
        except (ValueError, TypeError, ArithmeticError) as error:
            raise ArchiveError(
                f"{part.archive} : partie {part.name}, ligne {number} : valeur illisible ({error})."
            ) from None
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
    for _number, raw, _length in _iter_rows(zf, part, hashlib.sha256()):
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
    with _open_zip(archive) as zf, _zip_errors(archive):
        revision = schema_revision(connection)
        check, parts = _check_archive(
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
                f"La base cible n'est pas vide (table {occupied}) : restaurez dans une base "
                "neuve et migrée."
            )
        if before_writing is not None:
            before_writing(check)

        if defer:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            elif connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")

        summary = ArchiveSummary(archive, revision, signed=check.signed)
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
