"""Check an archive whole before anything is written: structure, signature, manifest, parts."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import MetaData

from coworking.auth.models import ApiToken, User
from coworking.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_LINE_FLOOR,
    MAX_MANIFEST_BYTES,
    ArchiveError,
)
from coworking.backup.bounded_reading import (
    Part,
    check_entries,
    check_part,
    iter_rows,
    open_zip,
    read_small,
    zip_errors,
)
from coworking.backup.signature import check_key, check_signature


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


def _read_manifest(raw: bytes, path: Path) -> dict[str, Any]:
    """Return the manifest, refusing one that is not JSON or not of this format."""
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise ArchiveError(_l("%(name)s illisible (JSON invalide).", name=MANIFEST), path) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(_l("ce n'est pas une archive coworking (format inconnu)."), path)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            _l(
                "version de format %(version)s non prise en charge (attendue : %(expected)s).",
                version=repr(manifest.get("format_version")),
                expected=FORMAT_VERSION,
            ),
            path,
        )
    if not isinstance(manifest.get("tables"), list):
        raise ArchiveError(_l("%(name)s ne liste pas les tables.", name=MANIFEST), path)
    return manifest


def _check_revision(manifest: dict[str, Any], target_revision: str | None, path: Path) -> None:
    """Refuse an archive whose schema revision is not the target database's."""
    archived = manifest.get("schema_revision")
    if target_revision is None:
        raise ArchiveError(
            _l(
                "La base cible n'est pas migrée (pas de table alembic_version) : "
                "lancez d'abord « flask --app coworking db upgrade »."
            )
        )
    if archived is None:
        raise ArchiveError(
            _l(
                "l'archive n'indique pas de révision de schéma ; la base d'origine "
                "n'était pas migrée."
            ),
            path,
        )
    if archived != target_revision:
        raise ArchiveError(
            _l(
                "révision de schéma %(archived)s dans l'archive, %(target)s dans la base cible. "
                "Mettez les deux au même niveau (flask db upgrade) avant de restaurer.",
                archived=archived,
                target=target_revision,
            ),
            path,
        )


def _plan_parts(
    manifest: dict[str, Any], metadata: MetaData, zf: zipfile.ZipFile, path: Path, max_line: int
) -> dict[str, Part]:
    """Match the manifest's tables with the target's, and describe each part to read."""
    entries: dict[str, dict[str, Any]] = {}
    for entry in manifest["tables"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ArchiveError(_l("entrée de table invalide dans %(name)s.", name=MANIFEST), path)
        entries[entry["name"]] = entry
    unknown = sorted(set(entries) - set(metadata.tables))
    if unknown:
        raise ArchiveError(
            _l("tables inconnues de la base cible : %(tables)s.", tables=", ".join(unknown)), path
        )
    missing = sorted(set(metadata.tables) - set(entries))
    if missing:
        raise ArchiveError(
            _l("tables absentes de l'archive : %(tables)s.", tables=", ".join(missing)), path
        )
    names = set(zf.namelist())
    parts: dict[str, Part] = {}
    for name, entry in entries.items():
        table = metadata.tables[name]
        columns = [column.name for column in table.columns]
        if entry.get("columns") != columns:
            raise ArchiveError(
                _l(
                    "table %(table)s : les colonnes de l'archive diffèrent de celles de la base "
                    "cible.",
                    table=name,
                ),
                path,
            )
        part = entry.get("part")
        if part not in names:
            raise ArchiveError(_l("partie %(part)s manquante.", part=part or name), path)
        rows, sha256 = entry.get("rows"), entry.get("sha256")
        if not isinstance(rows, int) or not isinstance(sha256, str):
            raise ArchiveError(
                _l("table %(table)s : nombre de lignes ou SHA-256 absent.", table=name), path
            )
        parts[name] = Part(table, part, rows, sha256, path, max_line)
    return parts


def _accounts(zf: zipfile.ZipFile, part: Part | None, label: str) -> list[Account]:
    """Return the accounts (or tokens) a part would create, labelled by ``label``."""
    if part is None:
        return []
    return [
        Account(
            str(row.get(label)),
            str(row.get("role")),
            row.get("active", True) is not False and row.get("revoked_at") is None,
        )
        for _number, row, _length in iter_rows(zf, part, hashlib.sha256())
    ]


def check_archive(
    zf: zipfile.ZipFile,
    archive: Path,
    metadata: MetaData,
    *,
    key: bytes | None,
    allow_unsigned: bool,
    max_line: int,
    target_revision: str | None = None,
    check_revision: bool = False,
) -> tuple[ArchiveCheck, dict[str, Part]]:
    """Check structure, signature, manifest, revision and every part, in this order."""
    check_key(key)
    check_entries(zf, archive)
    raw = read_small(zf, MANIFEST, MAX_MANIFEST_BYTES, archive)
    if raw is None:
        raise ArchiveError(
            _l("%(name)s manquant, ce n'est pas une archive coworking.", name=MANIFEST), archive
        )
    # The signature covers the manifest's bytes: check it before trusting anything they say.
    signed = check_signature(zf, raw, key, allow_unsigned, archive)
    manifest = _read_manifest(raw, archive)
    if check_revision:
        _check_revision(manifest, target_revision, archive)
    parts = _plan_parts(manifest, metadata, zf, archive, max_line)
    for part in parts.values():
        check_part(zf, part)
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
    with open_zip(archive) as zf, zip_errors(archive):
        check, _parts = check_archive(
            zf, archive, metadata, key=key, allow_unsigned=allow_unsigned, max_line=max_line_bytes
        )
    return check
