"""Bound what reading an uploaded file costs: a PDF's pages and decoded bytes, an image's pixels.

One set of limits, checked twice: at upload, where a file beyond them is refused
with a message naming it, and when a dossier is built, where a document stored
before these checks (or inserted some other way) is skipped with a warning.

- A PDF is measured by ``pdf_probe`` in a child process capped in memory and time;
  the application trusts its numbers and never parses a PDF that failed it.
- An image's width and height are read from its header by this module, before
  Pillow sees the file: Pillow only warns about a decompression bomb (and only
  refuses at twice its global limit), and it would already have parsed the file.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image

from coworking.documents.pdf_probe import run_probe
from coworking.documents.uploads import UploadInfo, UploadRejected

if TYPE_CHECKING:
    from PIL import Image

LOGGER = logging.getLogger(__name__)
MIB = 1024 * 1024

# Images: width × height, read from the header before anything is decoded.
MAX_IMAGE_PIXELS = 50_000_000
# PDFs: pages of one annex; bytes one stream, and all streams together, may decode to;
# bytes of page content a dossier must copy or join to draw one annex.
MAX_ANNEX_PAGES = 50
MAX_DECODED_STREAM_BYTES = 64 * MIB
MAX_DECODED_PDF_BYTES = 256 * MIB
MAX_ANNEX_CONTENT_BYTES = 32 * MIB
# The child process that measures a PDF: address space, CPU seconds, wall-clock seconds.
PROBE_MEMORY_BYTES = 256 * MIB
PROBE_CPU_SECONDS = 20
PROBE_TIMEOUT_SECONDS = 60.0

_PILLOW_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")

__all__ = [
    "MAX_ANNEX_PAGES",
    "MAX_IMAGE_PIXELS",
    "ImageTooLarge",
    "PdfReport",
    "check_upload_content",
    "image_problem",
    "image_size",
    "inspect_pdf",
    "megabytes",
    "open_image",
    "pdf_problem",
    "pixels_problem",
]


@dataclass(frozen=True, slots=True)
class PdfReport:
    """What the probe found in a PDF.

    ``status`` is ``ok``, ``unreadable`` (damaged, no page), ``encrypted`` (needs a
    password), ``stream_too_large`` or ``decoded_too_large`` (``decoded_bytes`` then
    says how far it got), or ``too_complex`` (the probe ran out of memory or time).
    ``content_bytes`` (page content a dossier copies or joins to draw it) is None
    when the PDF has more pages than an annex may have; ``reencoded_bytes`` is what
    qpdf decodes to write the annex into a dossier (ASCII, LZW, run-length streams).
    """

    status: str
    pages: int = 0
    content_bytes: int | None = None
    decoded_bytes: int = 0
    reencoded_bytes: int = 0

    @property
    def readable(self) -> bool:
        """Tell whether the PDF could be opened and has pages."""
        return self.status not in ("unreadable", "encrypted")


_reports: OrderedDict[tuple[str, tuple[int, ...]], PdfReport] = OrderedDict()
_REPORTS_KEPT = 128
_reports_lock = threading.Lock()


def inspect_pdf(data: bytes) -> PdfReport:
    """Measure a PDF in a capped child process; reports are kept by content hash."""
    limits = {
        "stream": MAX_DECODED_STREAM_BYTES,
        "total": MAX_DECODED_PDF_BYTES,
        "pages": MAX_ANNEX_PAGES,
    }
    key = (
        hashlib.sha256(data).hexdigest(),
        (*limits.values(), PROBE_MEMORY_BYTES, PROBE_CPU_SECONDS),
    )
    with _reports_lock:
        if key in _reports:
            _reports.move_to_end(key)
            return _reports[key]
    found = run_probe(
        data,
        limits,
        memory_bytes=PROBE_MEMORY_BYTES,
        cpu_seconds=PROBE_CPU_SECONDS,
        timeout=PROBE_TIMEOUT_SECONDS,
    )
    report = PdfReport(
        status=str(found.get("status", "too_complex")),
        pages=int(found.get("pages") or 0),
        content_bytes=found.get("content_bytes"),
        decoded_bytes=int(found.get("bytes") or found.get("decoded_bytes") or 0),
        reencoded_bytes=int(found.get("reencoded_bytes") or 0),
    )
    if report.status == "too_complex":
        LOGGER.warning("PDF probe gave up: %s", found.get("reason", "?"))
    # A timeout may come from a busy machine: not kept, the next build asks again.
    if found.get("reason") != "time":
        with _reports_lock:
            _reports[key] = report
            while len(_reports) > _REPORTS_KEPT:
                _reports.popitem(last=False)
    return report


def pdf_problem(report: PdfReport, *, max_pages: int | None = MAX_ANNEX_PAGES) -> str | None:
    """Say, translated and without the file's name, why a PDF is refused; None if it is not.

    An unreadable PDF is not refused here: the caller decides (the upload keeps it,
    the dossier skips it as unreadable). ``max_pages`` None accepts any page count.
    """
    if report.status == "too_complex":
        return _("sa lecture demande trop de mémoire ou de temps")
    if report.status in ("stream_too_large", "decoded_too_large"):
        limit = MAX_DECODED_STREAM_BYTES
        if report.status == "decoded_too_large":
            limit = MAX_DECODED_PDF_BYTES
        return _("une fois décompressé, son contenu dépasserait %(limit)s", limit=megabytes(limit))
    if report.status != "ok" or max_pages is None:
        return None
    if report.pages > max_pages:
        return _(
            "%(pages)s pages, une annexe en compte %(max)s au plus",
            pages=format_decimal(report.pages),
            max=format_decimal(max_pages),
        )
    if report.content_bytes is not None and report.content_bytes > MAX_ANNEX_CONTENT_BYTES:
        return _(
            "le contenu de ses pages dépasse %(limit)s", limit=megabytes(MAX_ANNEX_CONTENT_BYTES)
        )
    return None


def megabytes(size: int) -> str:
    """Format a size in whole megabytes (Mo in French)."""
    return _("%(count)s Mo", count=format_decimal(round(size / MIB)))


# -- images ----------------------------------------------------------------------------


class ImageTooLarge(ValueError):
    """An image with more pixels than MAX_IMAGE_PIXELS."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width} × {height} pixels")
        self.width = width
        self.height = height


def image_size(data: bytes) -> tuple[int, int] | None:
    """Read (width, height) from a PNG, JPEG, WebP or GIF header; None if not found.

    Nothing is decoded: these are fixed offsets, or JPEG's markers up to the first scan.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


# Start-of-frame markers (C4, C8 and CC are tables and extensions, not frames).
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Return the largest frame size declared before the first scan."""
    best: tuple[int, int] | None = None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return best
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD9)):  # no length
            position += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan
            return best
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_FRAMES and position + 9 <= len(data):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            if best is None or width * height > best[0] * best[1]:
                best = (width, height)
        position += 2 + length
    return best


def image_problem(data: bytes) -> str | None:
    """Say, translated, why an image is refused (too many pixels); None if it is not."""
    size = image_size(data)
    if size is None or size[0] * size[1] <= MAX_IMAGE_PIXELS:
        return None
    return pixels_problem(*size)


def pixels_problem(width: int, height: int) -> str:
    """Say that an image of this size has too many pixels, and what the limit is."""
    return _(
        "%(width)s × %(height)s pixels, une image en compte %(max)s millions au plus",
        width=format_decimal(width),
        height=format_decimal(height),
        max=format_decimal(MAX_IMAGE_PIXELS // 1_000_000),
    )


@contextmanager
def open_image(data: bytes) -> Iterator[Image.Image]:
    """Open an image with Pillow once its size is known to be within MAX_IMAGE_PIXELS.

    Raises ImageTooLarge before Pillow reads the file when its header says too many
    pixels, and after opening (nothing decoded yet) when Pillow finds more.
    """
    size = image_size(data)
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise ImageTooLarge(*size)
    with Image.open(BytesIO(data), formats=_PILLOW_FORMATS) as image:
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise ImageTooLarge(image.width, image.height)
        yield image


# -- at upload -------------------------------------------------------------------------


def check_upload_content(data: bytes, info: UploadInfo, *, annex: bool) -> None:
    """Refuse an upload (UploadRejected, naming it) that is too costly to read.

    ``annex`` applies an annex's page limit to a PDF; other PDFs may be longer. A
    damaged or password-protected PDF is accepted, as before: it is only stored.
    """
    if info.content_type == "application/pdf":
        reason = pdf_problem(inspect_pdf(data), max_pages=MAX_ANNEX_PAGES if annex else None)
        code = "pdf_limits"
    elif info.content_type.startswith("image/"):
        reason = image_problem(data)
        code = "too_many_pixels"
    else:
        return
    if reason is not None:
        raise UploadRejected(
            _("« %(name)s » est refusé : %(reason)s.", name=info.filename, reason=reason), code
        )
