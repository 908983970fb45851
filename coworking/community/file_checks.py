"""Bound what reading an uploaded file costs: a PDF's pages and decoded bytes.

One set of limits, checked twice: at upload, where a file beyond them is refused
with a message naming it, and when a dossier is built, where a document stored
before these checks (or inserted some other way) is skipped with a warning.

A PDF is measured by ``pdf_probe`` in a child process capped in memory and time;
the application trusts its numbers and never parses a PDF that failed it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from coworking.community.pdf_probe import run_probe
from coworking.community.uploads import UploadInfo, UploadRejected

LOGGER = logging.getLogger(__name__)
MIB = 1024 * 1024

# PDFs: pages of one annex; bytes one stream, and all streams together, may decode to;
# bytes of page content one annex draws into a dossier.
MAX_ANNEX_PAGES = 50
MAX_DECODED_STREAM_BYTES = 64 * MIB
MAX_DECODED_PDF_BYTES = 256 * MIB
MAX_ANNEX_CONTENT_BYTES = 32 * MIB
# The child process that measures a PDF: address space, CPU seconds, wall-clock seconds.
PROBE_MEMORY_BYTES = 256 * MIB
PROBE_CPU_SECONDS = 20
PROBE_TIMEOUT_SECONDS = 60.0

__all__ = [
    "MAX_ANNEX_PAGES",
    "PdfReport",
    "check_upload_content",
    "inspect_pdf",
    "pdf_problem",
]


@dataclass(frozen=True, slots=True)
class PdfReport:
    """What the probe found in a PDF.

    ``status`` is ``ok``, ``unreadable`` (damaged, no page), ``encrypted`` (needs a
    password), ``stream_too_large`` or ``decoded_too_large`` (``decoded_bytes`` then
    says how far it got), or ``too_complex`` (the probe ran out of memory or time).
    ``content_bytes`` (page contents a dossier draws) is None when the PDF has more
    pages than an annex may have; ``reencoded_bytes`` is what qpdf decodes to write
    the annex into a dossier (streams in ASCII, LZW or run-length encodings).
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


# -- at upload -------------------------------------------------------------------------


def check_upload_content(data: bytes, info: UploadInfo, *, annex: bool) -> None:
    """Refuse an upload (UploadRejected, naming it) that is too costly to read.

    ``annex`` applies an annex's page limit to a PDF; other PDFs may be longer. A
    damaged or password-protected PDF is accepted, as before: it is only stored.
    """
    if info.content_type != "application/pdf":
        return
    reason = pdf_problem(inspect_pdf(data), max_pages=MAX_ANNEX_PAGES if annex else None)
    if reason is not None:
        raise UploadRejected(
            _("« %(name)s » est refusé : %(reason)s.", name=info.filename, reason=reason),
            "pdf_limits",
        )
