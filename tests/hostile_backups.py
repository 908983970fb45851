"""Build hostile backup archives from a valid one (used by the tests and by the benchmark).

Each function reads an archive written by ``export-data`` (`source`) and writes an edited copy
(`destination`), as an attacker who can change the file but does not hold the signing key:

- `add_admin`: one more ``user_account`` row with the admin role and a known password, the
  part's SHA-256 and row count recomputed in the manifest; the old signature kept or dropped.
- `replace_part`: any table's part replaced by given bytes, the manifest recomputed.
- `long_line`: one table's part replaced by a single valid row ``line_bytes`` long. Written as a
  stream: the attack's 600 MB line takes little memory to build and deflates to under 1 MB.
- `padded_manifest`: the manifest padded with whitespace (still valid JSON) to a given size.
- `recompressed`: every part compressed with another method (bzip2: bombs beyond deflate's
  1000:1).
- `overlapping_entries`: an extra zip entry sharing another entry's data (how the biggest zip
  bombs multiply their output).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from coworking.auth.passwords import hash_password

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
BACKDOOR_EMAIL = "backdoor@example.org"
BACKDOOR_PASSWORD = "backdoor-password-1"
_BLOCK = 1024 * 1024


def _copy_except(
    source: zipfile.ZipFile, copy: zipfile.ZipFile, skip: set[str], method: int | None = None
) -> None:
    for info in source.infolist():
        if info.filename not in skip:
            target = zipfile.ZipInfo(info.filename, info.date_time)
            target.compress_type = info.compress_type if method is None else method
            with source.open(info) as reader, copy.open(target, "w", force_zip64=True) as writer:
                while block := reader.read(_BLOCK):
                    writer.write(block)


def _entry(manifest: dict[str, Any], table: str) -> dict[str, Any]:
    return next(entry for entry in manifest["tables"] if entry["name"] == table)


def _dump(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2)


def replace_part(
    source: Path, destination: Path, table: str, data: bytes, *, keep_signature: bool = True
) -> None:
    """Copy `source` with `table`'s part replaced by `data`, row count and SHA-256 recomputed."""
    with zipfile.ZipFile(source) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        entry = _entry(manifest, table)
        entry["rows"] = data.count(b"\n")
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        skip = {MANIFEST, entry["part"]} | (set() if keep_signature else {SIGNATURE})
        with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as copy:
            _copy_except(zf, copy, skip)
            copy.writestr(entry["part"], data)
            copy.writestr(MANIFEST, _dump(manifest))


def add_admin(
    source: Path,
    destination: Path,
    *,
    email: str = BACKDOOR_EMAIL,
    password: str = BACKDOOR_PASSWORD,
    keep_signature: bool = True,
) -> None:
    """Copy `source` with one more admin account (`password` works) and recomputed checksums."""
    with zipfile.ZipFile(source) as zf:
        entry = _entry(json.loads(zf.read(MANIFEST)), "user_account")
        data = zf.read(entry["part"])
    rows = [json.loads(line) for line in data.splitlines()]
    row = dict.fromkeys(entry["columns"])
    row.update(
        id=max((r["id"] for r in rows), default=0) + 1,
        email=email,
        password_hash=hash_password(password),
        role="admin",
        active=True,
        session_version=1,
        created_at="2024-01-01T00:00:00+00:00",
    )
    data += (json.dumps(row, separators=(",", ":")) + "\n").encode()
    replace_part(source, destination, "user_account", data, keep_signature=keep_signature)


def long_line(
    source: Path,
    destination: Path,
    *,
    line_bytes: int,
    table: str = "document",
    column: str = "data",
) -> None:
    """Copy `source` with `table`'s part replaced by one row about `line_bytes` long.

    The row is the table's first archived row (or all NULL) with `column` set to a run of
    ``A`` (valid base64); the manifest's row count and SHA-256 match the new part; the
    signature is dropped.
    """
    with zipfile.ZipFile(source) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        entry = _entry(manifest, table)
        with zf.open(entry["part"]) as part:
            first = part.readline()
        row = json.loads(first) if first else dict.fromkeys(entry["columns"])
        row[column] = "\0"
        prefix, suffix = json.dumps(row, separators=(",", ":")).encode().split(b"\\u0000")
        suffix += b"\n"
        filler = max(line_bytes - len(prefix) - len(suffix), 0)
        filler -= filler % 4  # whole base64 quanta: the row decodes
        digest = hashlib.sha256(prefix)
        block = b"A" * _BLOCK
        with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as copy:
            _copy_except(zf, copy, {MANIFEST, SIGNATURE, entry["part"]})
            with copy.open(entry["part"], "w", force_zip64=True) as writer:
                writer.write(prefix)
                while filler:
                    piece = block[: min(filler, _BLOCK)]
                    writer.write(piece)
                    digest.update(piece)
                    filler -= len(piece)
                writer.write(suffix)
                digest.update(suffix)
            entry["rows"] = 1
            entry["sha256"] = digest.hexdigest()
            copy.writestr(MANIFEST, _dump(manifest))


def padded_manifest(source: Path, destination: Path, *, size: int) -> None:
    """Copy `source` with its manifest padded by spaces to `size` bytes (valid JSON still)."""
    with zipfile.ZipFile(source) as zf:
        manifest = _dump(json.loads(zf.read(MANIFEST))).encode()
        with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as copy:
            _copy_except(zf, copy, {MANIFEST, SIGNATURE})
            copy.writestr(MANIFEST, manifest + b" " * max(size - len(manifest), 0))


def recompressed(source: Path, destination: Path, *, method: int = zipfile.ZIP_BZIP2) -> None:
    """Copy `source` with every part compressed by `method` (the manifest unchanged)."""
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(destination, "w") as copy:
        _copy_except(zf, copy, set(), method=method)


def overlapping_entries(source: Path, destination: Path, *, padding_bytes: int = 1 << 20) -> None:
    """Copy `source` plus a stored entry and a second directory entry sharing its data.

    zipfile offers no way to write this: the second entry is added to the central directory
    by hand, pointing at the first one's local header.
    """
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(destination, "w") as copy:
        _copy_except(zf, copy, set())
        copy.writestr("padding.bin", os.urandom(padding_bytes))
        shared = copy.getinfo("padding.bin")
        twin = zipfile.ZipInfo("padding-twin.bin", shared.date_time)
        for name in ("compress_type", "CRC", "compress_size", "file_size", "header_offset"):
            setattr(twin, name, getattr(shared, name))
        copy.filelist.append(twin)
        copy.NameToInfo[twin.filename] = twin
