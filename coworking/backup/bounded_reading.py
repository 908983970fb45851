"""Read a zip archive that may be hostile, in bounded memory: entries, small files, lines, rows.

Each line (one row, a document's or a dossier's bytes included) has a length limit checked
while it is read; the zip's entries must not overlap (a zip bomb) nor use another compression
than deflate, whose ratio is at most about 1000:1.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it
from sqlalchemy import Table

from coworking.backup.archive import ArchiveError, size_label

# What export writes; bzip2 and LZMA would allow far bigger bombs than deflate's ~1000:1.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_HASH_BLOCK = 1024 * 1024


@dataclass
class Part:
    """One table's part of an archive, as the manifest announces it."""

    table: Table
    name: str
    rows: int
    sha256: str
    archive: Path
    max_line: int


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open the zip at ``path``, refusing a missing file or one that is not a zip."""
    if not path.is_file():
        raise ArchiveError(_l("fichier introuvable."), path)
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ArchiveError(_l("ce n'est pas une archive zip."), path) from None


@contextlib.contextmanager
def zip_errors(path: Path) -> Iterator[None]:
    """Turn a zip that breaks while being read (bad CRC, truncated data) into a refusal."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ArchiveError(_l("archive zip abîmée (%(error)s).", error=str(error)), path) from None


def check_entries(zf: zipfile.ZipFile, path: Path) -> None:
    """Refuse duplicate names, entries sharing their data (a zip bomb) and other compressions."""
    infos = zf.infolist()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise ArchiveError(_l("l'archive contient deux fois le même nom de fichier."), path)
    if sum(info.compress_size for info in infos) > path.stat().st_size:
        raise ArchiveError(
            _l("des fichiers de l'archive se chevauchent (une « bombe zip »)."), path
        )
    for info in infos:
        if info.compress_type not in _METHODS:
            raise ArchiveError(
                _l(
                    "%(name)s : méthode de compression %(method)s non prise en charge "
                    "(seul deflate l'est).",
                    name=info.filename,
                    method=info.compress_type,
                ),
                path,
            )


def read_small(zf: zipfile.ZipFile, name: str, limit: int, path: Path) -> bytes | None:
    """Return a member's bytes, refused beyond `limit`; None when it is absent."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise ArchiveError(
            ngettext(
                "%(name)s trop gros (%(num)s octet).",
                "%(name)s trop gros (%(num)s octets).",
                info.file_size,
                name=name,
            ),
            path,
        )
    with zf.open(info) as handle:
        # zipfile stops at the declared size; the bound holds even if it did not.
        return handle.read(limit + 1)[:limit]


def _line_too_long(part: Part, number: int) -> ArchiveError:
    """Return the refusal of a line longer than the part's limit."""
    return ArchiveError(
        _l(
            "ligne plus longue que la limite de %(size)s. Si l'archive vient bien de votre "
            "export (un gros dossier PDF), relancez avec --max-line-mb et la taille que "
            "l'export a indiquée.",
            size=size_label(part.max_line),
        ),
        part.archive,
        part=part.name,
        line=number,
    )


def _unterminated(part: Part, number: int) -> ArchiveError:
    """Return the refusal of a part whose last line has no end."""
    return ArchiveError(
        _l("la dernière ligne n'est pas terminée (archive tronquée ou modifiée)."),
        part.archive,
        part=part.name,
        line=number,
    )


def check_part(zf: zipfile.ZipFile, part: Part) -> None:
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
                    ngettext(
                        "plus de %(num)s ligne, le manifeste en annonce %(num)s.",
                        "plus de %(num)s lignes, le manifeste en annonce %(num)s.",
                        part.rows,
                    ),
                    part.archive,
                    part=part.name,
                )
            pending = len(block) - block.rfind(b"\n") - 1
    if pending:
        raise _unterminated(part, lines + 1)
    if digest.hexdigest() != part.sha256:
        raise ArchiveError(
            _l("SHA-256 différent de celui du manifeste (archive abîmée ou modifiée)."),
            part.archive,
            part=part.name,
        )
    if lines != part.rows:
        raise ArchiveError(
            ngettext(
                "%(num)s ligne, le manifeste en annonce %(rows)s.",
                "%(num)s lignes, le manifeste en annonce %(rows)s.",
                lines,
                rows=part.rows,
            ),
            part.archive,
            part=part.name,
        )


def read_lines(handle: IO[bytes], part: Part) -> Iterator[tuple[int, bytes | bytearray]]:
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


def iter_rows(
    zf: zipfile.ZipFile, part: Part, digest: Any
) -> Iterator[tuple[int, dict[str, Any], int]]:
    """Yield each row of a part with its line number and length; `digest` sees every byte."""
    with zf.open(part.name) as handle:
        for number, line in read_lines(handle, part):
            digest.update(line)
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not isinstance(row, dict):
                raise ArchiveError(
                    _l("ce n'est pas un objet JSON."), part.archive, part=part.name, line=number
                )
            yield number, row, len(line)
