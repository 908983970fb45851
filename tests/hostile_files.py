"""Hostile uploads, built in memory and cheaply: page multipliers, inflation bombs, pixel bombs.

Each function returns the file's bytes. The decompressed payloads are never held in
memory while building: the compressed data is one deflate block repeated (after a
full flush a block stands alone), so the real attack sizes stay cheap to produce.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

__all__ = [
    "pdf_inflation_bomb",
    "pdf_object_stream_bomb",
    "pdf_shared_content_bomb",
    "pdf_shared_page_bomb",
    "pdf_xref_stream_bomb",
    "pdf_with_objects",
    "png_pixel_bomb",
    "repeated_zlib",
]

_BLOCK_BYTES = 1 << 20


def repeated_zlib(parts: Iterable[tuple[bytes, int]]) -> bytes:
    """Return the zlib stream of each (chunk, count) part's chunk repeated count times."""
    out = bytearray(b"\x78\xda")
    adler = 1
    for chunk, count in parts:
        if not chunk or count <= 0:
            continue
        # A full flush ends the block byte-aligned and forgets the window: its bytes
        # decode the same wherever they are placed, so one block repeated is valid.
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
        out += block * count
        for _ in range(count):
            adler = zlib.adler32(chunk, adler)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    out += last.flush(zlib.Z_FINISH)
    out += struct.pack(">I", adler & 0xFFFFFFFF)
    return bytes(out)


def _repeats(unit: bytes, total: int) -> list[tuple[bytes, int]]:
    """Split ``total`` bytes of ``unit`` repeated into (chunk, count) parts of about 1 MiB."""
    per_block = max(1, _BLOCK_BYTES // len(unit))
    block = unit * per_block
    full, rest = divmod(total, len(block))
    tail = (unit * (rest // len(unit) + 1))[:rest]
    return [(block, full), (tail, 1)]


def pdf_with_objects(objects: list[bytes]) -> bytes:
    """Assemble objects numbered from 1 (the first is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_shared_page_bomb(pages: int = 2000) -> bytes:
    """Return a PDF of ``pages`` pages that are all the same page object (about 21 KB for 2,000)."""
    content = b"BT /F1 36 Tf 72 700 Td (Page partagee) Tj ET"
    kids = (b"3 0 R " * pages).rstrip()
    return pdf_with_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(b"", content),
            _FONT,
        ]
    )


def pdf_inflation_bomb(
    decoded_bytes: int = 1_500_000_000, *, hex_layer: bool = True, pages: int = 1
) -> bytes:
    """Return a PDF whose page content stream decodes to ``decoded_bytes`` bytes.

    The default is the probe's attack: ``/ASCIIHexDecode /FlateDecode``, 1.5 GB decoded
    from about 3 MB. Tests pass a smaller size; ``pages`` pages share that one stream.
    """
    unit = b"0 0 m 1 1 l S\n"
    compressed = repeated_zlib(_repeats(unit, decoded_bytes))
    if hex_layer:
        data = compressed.hex().encode("ascii") + b">"
        filters = b"/Filter [/ASCIIHexDecode /FlateDecode]"
    else:
        data = compressed
        filters = b"/Filter /FlateDecode"
    page_numbers = range(5, 5 + pages)
    kids = b" ".join(b"%d 0 R" % number for number in page_numbers)
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>"
    )
    return pdf_with_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            _stream(filters, data),
            _FONT,
            *([page] * pages),
        ]
    )


def _xref_stream_pdf(
    objects: list[bytes], compressed: dict[int, tuple[int, int]], padding: int = 0
) -> bytes:
    """Assemble a PDF whose cross-reference table is a stream, inflating to ``padding`` more bytes.

    ``objects`` are numbered from 1 and written in the file; ``compressed`` gives the
    next numbers, each as (object stream number, index in it).
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(objects, 1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_number = len(objects) + len(compressed) + 1
    offsets[xref_number] = len(out)
    rows = [b"\x00" + struct.pack(">IH", 0, 65535)]
    for number in range(1, xref_number + 1):
        if number in compressed:
            rows.append(b"\x02" + struct.pack(">IH", *compressed[number]))
        else:
            rows.append(b"\x01" + struct.pack(">IH", offsets[number], 0))
    table = b"".join(rows)
    data = repeated_zlib([(table, 1), *_repeats(b"\x00" * 7, padding)])
    out += _stream(
        b"/Type /XRef /W [1 4 2] /Size %d /Root 1 0 R /Filter /FlateDecode" % (xref_number + 1),
        data,
    ).join([b"%d 0 obj\n" % xref_number, b"\nendobj\n"])
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def pdf_xref_stream_bomb(decoded_bytes: int = 1_500_000_000) -> bytes:
    """Return a one-page PDF whose cross-reference stream inflates to ``decoded_bytes``.

    qpdf decodes it whole as it opens the file, before anything else can look at it.
    """
    return _xref_stream_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ],
        {},
        padding=decoded_bytes,
    )


def pdf_object_stream_bomb(decoded_bytes: int = 1_500_000_000) -> bytes:
    """Return a one-page PDF whose page sits in an object stream inflating to ``decoded_bytes``.

    qpdf decodes the object stream whole as soon as the page is looked up.
    """
    header = b"4 0 "
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    data = repeated_zlib([(header + page, 1), *_repeats(b" ", decoded_bytes)])
    return _xref_stream_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            _stream(b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode" % len(header), data),
        ],
        {4: (3, 0)},
    )


def pdf_shared_content_bomb(pages: int = 50, decoded_bytes: int = 60_000_000) -> bytes:
    """Return a PDF of ``pages`` pages sharing one content stream, each with its own resources.

    The stream is Flate-compressed, ``decoded_bytes`` once inflated. Pages with the
    same content but other resources need forms of their own, each a copy of it.
    """
    unit = b"0 0 m 1 1 l S\n"
    content = repeated_zlib(_repeats(unit, decoded_bytes))
    numbers = range(5, 5 + pages)
    kids = b" ".join(b"%d 0 R" % number for number in numbers)
    return pdf_with_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            _stream(b"/Filter /FlateDecode", content),
            _FONT,
            *(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
                b" /Resources << /Font << /F%d 4 0 R >> >> >>" % number
                for number in numbers
            ),
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_pixel_bomb(width: int = 13_000, height: int = 13_000, *, grey: bool = False) -> bytes:
    """Return a blank PNG of width × height pixels, RGBA (about 657 KB for 13,000²) or grey."""
    channels, color_type = (1, 0) if grey else (4, 6)
    row = b"\x00" * (1 + channels * width)  # filter type 0, then the row's pixels
    rows_per_block = max(1, _BLOCK_BYTES // len(row))
    full, rest = divmod(height, rows_per_block)
    idat = repeated_zlib([(row * rows_per_block, full), (row * rest, 1)])
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
