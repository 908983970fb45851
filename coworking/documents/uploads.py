"""Validate uploads by their content (magic bytes) and name them safely for download."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DEFAULT_DOWNLOAD_NAME = "fichier"
MAX_NAME_CHARS = 120

_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
_FORBIDDEN_NAME_CHARS = re.compile(r'[<>:"|?*]')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_MARKUP_HINTS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<meta",
    b"<a ",
    b"<div",
    b"<?xml",
)


class UploadRejected(ValueError):
    """An upload refused: ``reason`` is French for the user, ``code`` is stable.

    Codes: ``empty``, ``too_large``, ``svg``, ``html``, ``unsupported``; and, from
    ``coworking.documents.file_checks``, ``pdf_limits`` and ``too_many_pixels``.
    """

    def __init__(self, reason: str, code: str = "unsupported") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class UploadInfo:
    """What an accepted upload really is, according to its content."""

    content_type: str
    extension: str
    size: int
    sha256: str
    filename: str


def sniff_upload(data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES) -> UploadInfo:
    """Identify an upload as PDF, PNG, JPEG or WebP by its bytes, else UploadRejected.

    The type comes from the content only: a PNG named ``photo.jpg`` is accepted as
    PNG (and ``filename`` in the result gets the ``.png`` extension), an HTML page
    named ``lettre.pdf`` is refused.
    """
    size = len(data)
    if size == 0:
        raise UploadRejected("Le fichier est vide.", "empty")
    if size > max_bytes:
        raise UploadRejected(
            f"Le fichier est trop volumineux ({_human_size(size)}) : "
            f"la taille maximale est de {_human_size(max_bytes)}.",
            "too_large",
        )
    detected = _detect_type(data)
    if detected is None:
        raise _rejection_for_unknown(data)
    content_type, extension = detected
    return UploadInfo(
        content_type=content_type,
        extension=extension,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
        filename=safe_download_name(filename, extension=extension),
    )


def safe_download_name(filename: str, *, extension: str | None = None) -> str:
    """Return a file name fit for Content-Disposition: no folders, no control chars.

    Accents are kept (NFC); pass the name to Flask's ``send_file(download_name=...)``,
    which writes the RFC 5987 ``filename*`` form for non-ASCII names. With
    ``extension`` (like ``".pdf"``), the name's own extension is replaced by it.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not _is_invisible(ch))
    name = _FORBIDDEN_NAME_CHARS.sub("_", name)
    name = " ".join(name.split())
    name = name.lstrip(". ").rstrip(". ")
    stem, suffix = _split_extension(name)
    if extension is not None:
        suffix = extension
    stem = stem[:MAX_NAME_CHARS].rstrip(". ") or DEFAULT_DOWNLOAD_NAME
    if stem.casefold() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}{suffix}"


def _detect_type(data: bytes) -> tuple[str, str] | None:
    """Return (content type, extension) for an accepted signature, else None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf", ".pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", ".jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] in {b"VP8 ", b"VP8L", b"VP8X"}:
        return "image/webp", ".webp"
    return None


def _rejection_for_unknown(data: bytes) -> UploadRejected:
    """Explain why an unrecognised file is refused, naming SVG and HTML explicitly."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head:
        return UploadRejected(
            "Les images SVG ne sont pas acceptées (elles peuvent contenir du code) : "
            "envoyez un PNG, un JPEG ou un WebP.",
            "svg",
        )
    if head.startswith(b"<") and any(hint in head for hint in _MARKUP_HINTS):
        return UploadRejected(
            "Ce fichier est une page web (HTML), pas un PDF ni une image.",
            "html",
        )
    return UploadRejected(
        "Type de fichier non accepté : seuls les PDF et les images PNG, JPEG ou WebP "
        "sont acceptés.",
        "unsupported",
    )


def _split_extension(name: str) -> tuple[str, str]:
    """Split a name into stem and a short alphanumeric extension (lowercased)."""
    match = _EXTENSION.search(name)
    if match is None or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group().lower()


def _is_invisible(ch: str) -> bool:
    """Tell whether a character is a control, format (bidi…) or line separator."""
    return unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def _human_size(size: int) -> str:
    """Format a byte count in French units."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), "Mo"
    elif size >= 1024:
        value, unit = size / 1024, "ko"
    else:
        return f"{size} octets"
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} {unit}"
