"""Sign an archive's manifest with a key (HMAC-SHA256), and check that signature on restore."""

from __future__ import annotations

import hashlib
import hmac
import zipfile
from pathlib import Path

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it

from coworking.backup.archive import MAX_SIGNATURE_BYTES, SIGNATURE, ArchiveError
from coworking.backup.bounded_reading import read_small

SIGNATURE_ALGORITHM = b"hmac-sha256"
# A key shorter than this could be guessed offline from a signed archive.
MIN_KEY_BYTES = 32


def sign_manifest(manifest: bytes, key: bytes) -> bytes:
    """Return the contents of ``manifest.sig`` for these manifest bytes."""
    digest = hmac.new(key, manifest, hashlib.sha256).hexdigest().encode("ascii")
    return SIGNATURE_ALGORITHM + b":" + digest + b"\n"


def check_key(key: bytes | None) -> None:
    """Refuse a signing key too short to resist guessing."""
    if key is not None and len(key) < MIN_KEY_BYTES:
        raise ArchiveError(
            ngettext(
                "Clé de signature trop courte (%(num)s octet, il en faut au moins %(min)s).",
                "Clé de signature trop courte (%(num)s octets, il en faut au moins %(min)s).",
                len(key),
                min=MIN_KEY_BYTES,
            )
        )


def check_signature(
    zf: zipfile.ZipFile, manifest: bytes, key: bytes | None, allow_unsigned: bool, path: Path
) -> bool:
    """Check ``manifest.sig`` against the manifest's bytes; return whether the archive is signed."""
    signature = read_small(zf, SIGNATURE, MAX_SIGNATURE_BYTES, path)
    if signature is None:
        if key is not None and not allow_unsigned:
            raise ArchiveError(
                _l(
                    "l'archive n'est pas signée alors qu'une clé est donnée ; elle a pu "
                    "être modifiée (comptes ajoutés, sommes de contrôle recalculées). Si vous "
                    "savez d'où elle vient, relancez avec --allow-unsigned."
                ),
                path,
            )
        return False
    if key is None:
        raise ArchiveError(
            _l(
                "l'archive est signée ; donnez sa clé (--key-file ou COWORKING_BACKUP_KEY) "
                "pour vérifier qu'elle n'a pas été modifiée."
            ),
            path,
        )
    algorithm, _, digest = signature.strip().partition(b":")
    if algorithm != SIGNATURE_ALGORITHM:
        raise ArchiveError(_l("%(name)s : algorithme de signature inconnu.", name=SIGNATURE), path)
    expected = sign_manifest(manifest, key).strip().partition(b":")[2]
    if not hmac.compare_digest(expected, digest):
        raise ArchiveError(
            _l(
                "signature invalide : l'archive a été modifiée depuis l'export, ou la clé "
                "n'est pas celle de l'export."
            ),
            path,
        )
    return True
