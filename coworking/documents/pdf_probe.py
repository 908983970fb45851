"""Measure an untrusted PDF in a child process capped in memory and CPU time.

qpdf (through pikepdf) decodes some things in full as it reads a file: the
cross-reference streams when it opens it, an object stream when one of its
objects is first used, and one copy of every page the page tree lists. A 10 MB
file can make any of these cost gigabytes, before a single check could run. So
the application never opens an uploaded PDF before a child process has read it
whole under an address-space limit and reported its numbers (pages, decoded
sizes); a child that runs out of memory or time means the file is refused.

This file also runs as that child (``python -P pdf_probe.py LIMITS < file``): it
imports nothing but the standard library and pikepdf.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import subprocess
import sys
import zlib
from io import BytesIO
from typing import Any

import pikepdf

# Filters whose output we measure ourselves, counting bytes and stopping past the limit.
_FLATE = frozenset({"/FlateDecode", "/Fl"})
_HEX = frozenset({"/ASCIIHexDecode", "/AHx"})
_A85 = frozenset({"/ASCII85Decode", "/A85"})
# Generalized filters that qpdf decodes for us (in the child only, under its limits).
_BY_QPDF = frozenset({"/LZWDecode", "/LZW", "/RunLengthDecode", "/RL"})
_GENERALIZED = _FLATE | _HEX | _A85 | _BY_QPDF
_CHUNK = 256 * 1024
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")
_NOT_A85 = re.compile(rb"[^!-uz]")
_FORM_ATTRIBUTES = ("/Resources", "/Group", "/MediaBox", "/CropBox", "/TrimBox", "/Rotate")

__all__ = [
    "content_streams",
    "decoded_size",
    "form_key",
    "measure",
    "reencoded_when_written",
    "run_probe",
]


# -- the parent's side ------------------------------------------------------------------


def run_probe(
    data: bytes, limits: dict[str, int], *, memory_bytes: int, cpu_seconds: int, timeout: float
) -> dict[str, Any]:
    """Measure a PDF in a child process; a child that fails reports ``too_complex``."""
    settings = json.dumps({**limits, "memory": memory_bytes, "cpu": cpu_seconds})
    try:
        completed = subprocess.run(  # noqa: S603 (our interpreter, our script, no shell)
            [sys.executable, "-P", __file__, settings],
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": "too_complex", "reason": "time"}
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return {"status": "too_complex", "reason": f"exit {completed.returncode}: {reason[0]}"}
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        return {"status": "too_complex", "reason": "no report"}
    return report if isinstance(report, dict) else {"status": "too_complex", "reason": "no report"}


# -- the child's side -------------------------------------------------------------------


def measure(data: bytes, limits: dict[str, int]) -> dict[str, Any]:
    """Open a PDF, decode every stream within the limits, count pages and page contents.

    ``limits`` holds ``stream`` (bytes one stream may decode to), ``total`` (all
    streams together) and ``pages`` (above this many pages, contents are not measured).
    """
    try:
        pdf = pikepdf.open(BytesIO(data))
    except pikepdf.PasswordError:
        return {"status": "encrypted"}
    except (pikepdf.PdfError, ValueError, TypeError, RuntimeError) as error:
        return {"status": "unreadable", "reason": str(error)[:200]}
    with pdf:
        try:
            return _measure_open(pdf, limits)
        except pikepdf.PdfError as error:
            return {"status": "unreadable", "reason": str(error)[:200]}


def _measure_open(pdf: Any, limits: dict[str, int]) -> dict[str, Any]:
    """Measure an opened PDF (see measure)."""
    sizes: dict[tuple[int, int], int] = {}
    total = largest = reencoded = 0
    # Every object, so every object stream is decoded here, in the child.
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        size = decoded_size(obj, limits["stream"])
        sizes[obj.objgen] = size
        largest = max(largest, size)
        total += size
        if reencoded_when_written(obj):
            reencoded += size
        if size > limits["stream"]:
            return {"status": "stream_too_large", "bytes": size}
        if total > limits["total"]:
            return {"status": "decoded_too_large", "bytes": total}
    pages = len(pdf.pages)
    report: dict[str, Any] = {
        "status": "ok" if pages else "unreadable",
        "pages": pages,
        "decoded_bytes": total,
        "largest_stream": largest,
        "reencoded_bytes": reencoded,
        "content_bytes": None,
    }
    if 0 < pages <= limits["pages"]:
        report["content_bytes"] = _drawn_content_bytes(pdf, sizes, limits["stream"])
    return report


def _drawn_content_bytes(pdf: Any, sizes: dict[tuple[int, int], int], limit: int) -> int:
    """Add up the page content a dossier must copy or join to draw this annex.

    Mirrors the dossier's drawing: a page's content stream becomes its form as
    stored (nothing added); the same stream under other resources is copied, and
    several streams of one page are joined (their decoded bytes are added).
    """
    forms: set[tuple[Any, ...]] = set()
    used: set[tuple[int, int]] = set()
    total = 0
    for page in pdf.pages:
        key = form_key(page)
        if key in forms:
            continue
        forms.add(key)
        streams = content_streams(page)
        if len(streams) == 1 and streams[0].objgen not in used:
            used.add(streams[0].objgen)
            continue
        total += sum(sizes.get(s.objgen, 0) or decoded_size(s, limit) for s in streams)
    return total


def content_streams(page: Any) -> list[Any]:
    """Return the content streams of a page (none, one, or an array of them)."""
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        return [contents]
    if isinstance(contents, pikepdf.Array):
        return [item for item in contents if isinstance(item, pikepdf.Stream)]
    return []


def form_key(page: Any) -> tuple[Any, ...]:
    """Identify what a page draws: two pages with the same key make the same form XObject.

    qpdf turns a page listed several times in the page tree into copies of it; they
    share their content streams and resources, so the dossier needs one form for all.
    """
    attributes = []
    for name in _FORM_ATTRIBUTES:
        value = page.obj.get(name)
        if isinstance(value, pikepdf.Object):
            attributes.append(value.unparse())
        else:
            attributes.append(repr(value).encode())
    return tuple(s.objgen for s in content_streams(page)), tuple(attributes)


def reencoded_when_written(stream: Any) -> bool:
    """Tell whether qpdf decodes a stream to write it compressed.

    It does for a chain of generalized filters, except a lone Flate (copied as stored).
    """
    filters = _filter_names(stream)
    if not filters or any(name not in _GENERALIZED for name in filters):
        return False
    lone_flate = isinstance(stream.stream_dict.get("/Filter"), pikepdf.Name)
    return not (lone_flate and filters[0] in _FLATE)


def decoded_size(stream: Any, limit: int) -> int:
    """Return how many bytes a stream decodes to; past ``limit``, any number above it.

    Only the generalized filters are applied (the image codecs, DCT, JPX, JBIG2 and
    CCITT, are the PDF reader's business: the application never decodes them).
    """
    filters = _filter_names(stream)
    applied = []
    for name in filters:
        if name not in _GENERALIZED:
            break
        applied.append(name)
    if not applied:
        return len(stream.read_raw_bytes())
    if any(name in _BY_QPDF for name in applied):
        if len(applied) < len(filters):
            return len(stream.read_raw_bytes())
        try:
            return len(stream.read_bytes(pikepdf.StreamDecodeLevel.generalized))
        except pikepdf.PdfError:
            return len(stream.read_raw_bytes())
    data = stream.read_raw_bytes()
    for position, name in enumerate(applied):
        if name in _HEX:
            data = _unhex(data)
        elif name in _A85:
            data = _un85(data)
        elif position == len(applied) - 1:
            return _inflated_size(data, limit)
        else:
            data = _inflate(data, limit)
        if len(data) > limit:
            return len(data)
    return len(data)


def _filter_names(stream: Any) -> list[str]:
    """Return the stream's filters as names, in the order they are applied."""
    value = stream.stream_dict.get("/Filter")
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(item) if isinstance(item, pikepdf.Name) else "?" for item in value]
    return [] if value is None else ["?"]


def _inflated_size(data: bytes, limit: int) -> int:
    """Count the bytes a zlib stream inflates to, stopping once past ``limit``."""
    total = 0
    inflater = zlib.decompressobj()
    try:
        for start in range(0, len(data), _CHUNK):
            pending = data[start : start + _CHUNK]
            while pending:
                total += len(inflater.decompress(pending, _CHUNK))
                if total > limit:
                    return total
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # qpdf stops at the damage too: what came before is all there is
    return total


def _inflate(data: bytes, limit: int) -> bytes:
    """Inflate a zlib stream, keeping at most ``limit`` + 1 bytes."""
    output = bytearray()
    inflater = zlib.decompressobj()
    try:
        for start in range(0, len(data), _CHUNK):
            pending = data[start : start + _CHUNK]
            while pending:
                output += inflater.decompress(pending, limit + 1 - len(output))
                if len(output) > limit:
                    return bytes(output)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass
    return bytes(output)


def _unhex(data: bytes) -> bytes:
    """Decode ASCIIHex (half the size of its input)."""
    digits = _NOT_HEX.sub(b"", data.split(b">", 1)[0])
    if len(digits) % 2:
        digits += b"0"
    return binascii.unhexlify(digits)


def _un85(data: bytes) -> bytes:
    """Decode ASCII85 (at most four times its input, with ``z``)."""
    body = data.split(b"~>", 1)[0]
    if body.lstrip().startswith(b"<~"):
        body = body.lstrip()[2:]
    body = _NOT_A85.sub(b"", body)
    try:
        return base64.a85decode(body)
    except ValueError:
        return b"\0" * (4 * len(body))  # an upper bound of what a lenient reader would get


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time (where the platform allows it)."""
    try:
        import resource  # POSIX only: elsewhere the timeout in run_probe still applies
    except ImportError:  # not on POSIX: the timeout in run_probe still applies
        return
    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds)):
        # Some systems (macOS) refuse an address-space limit: the timeout remains.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (value, value))


def main() -> int:
    """Read a PDF on stdin, write its measures as JSON on stdout."""
    settings = json.loads(sys.argv[1])
    _limit_resources(settings["memory"], settings["cpu"])
    data = sys.stdin.buffer.read()
    try:
        report = measure(data, settings)
    except MemoryError:
        report = {"status": "too_complex", "reason": "memory"}
    sys.stdout.write(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
