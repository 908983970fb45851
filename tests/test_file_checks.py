"""What reading a file may cost: PDFs measured in a capped child process, images by their header."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from PIL import Image

from coworking.documents import file_checks
from coworking.documents.file_checks import (
    MAX_DECODED_STREAM_BYTES,
    MAX_IMAGE_PIXELS,
    ImageTooLarge,
    PdfReport,
    image_problem,
    image_size,
    inspect_pdf,
    open_image,
    pdf_problem,
)
from coworking.documents.pdf_probe import run_probe
from tests import hostile_files as hostile
from tests.factories import sample_pdf

LIMITS = {"stream": MAX_DECODED_STREAM_BYTES, "total": 4 * MAX_DECODED_STREAM_BYTES, "pages": 50}


@pytest.fixture
def no_pdf_parsing_here(monkeypatch):
    """Fail if this process opens a PDF: only the probe's child process may."""
    import pikepdf

    def refuse(*args, **kwargs):
        raise AssertionError("a PDF was opened in the application process")

    monkeypatch.setattr(pikepdf, "open", refuse)
    monkeypatch.setattr(pikepdf.Pdf, "open", refuse)


def test_a_real_pdf_is_measured(no_pdf_parsing_here):
    report = inspect_pdf(sample_pdf("Statuts", 3))
    assert report.status == "ok" and report.readable
    assert report.pages == 3
    assert report.content_bytes == 0  # each page is drawn from its own stored stream
    assert pdf_problem(report) is None


def test_content_repeated_under_other_resources_is_counted(no_pdf_parsing_here):
    """One content stream, 20 pages with 20 resource dictionaries: 20 forms, 19 copies."""
    report = inspect_pdf(hostile.pdf_shared_content_bomb(20, 2_000_000))
    assert report.status == "ok"
    assert report.content_bytes == 19 * 2_000_000
    assert "le contenu de ses pages dépasse 32 Mo" in pdf_problem(report)


def test_shared_page_bomb_is_counted_in_the_child(no_pdf_parsing_here):
    report = inspect_pdf(hostile.pdf_shared_page_bomb(2000))
    assert (report.status, report.pages, report.content_bytes) == ("ok", 2000, None)
    assert "une annexe en compte 50 au plus" in pdf_problem(report)
    # Outside the annexes, a long PDF is not a problem in itself.
    assert pdf_problem(report, max_pages=None) is None


def test_inflation_bomb_is_decoded_only_up_to_the_limit(no_pdf_parsing_here):
    """A content stream of 100 MB once inflated: the probe counts, and stops past 64 MiB."""
    data = hostile.pdf_inflation_bomb(100_000_000)
    assert len(data) < 500_000
    tracemalloc.start()
    try:
        report = inspect_pdf(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.status == "stream_too_large"
    assert MAX_DECODED_STREAM_BYTES < report.decoded_bytes < MAX_DECODED_STREAM_BYTES + 2**20
    assert "une fois décompressé, son contenu dépasserait 64 Mo" in pdf_problem(report)
    assert peak < 5 * len(data)  # this process held the file and the child's report, no more


@pytest.mark.parametrize(
    "bomb", [hostile.pdf_xref_stream_bomb, hostile.pdf_object_stream_bomb], ids=["xref", "objstm"]
)
def test_streams_qpdf_decodes_by_itself_are_measured_too(no_pdf_parsing_here, bomb):
    """qpdf inflates a cross-reference stream as it opens a file, an object stream on first use."""
    report = inspect_pdf(bomb(100_000_000))
    assert report.status in ("stream_too_large", "too_complex")
    assert pdf_problem(report) is not None
    assert inspect_pdf(bomb(1000)).status == "ok"  # the same structure, small, is fine


def test_a_probe_out_of_memory_refuses_the_file():
    """qpdf copies each of 400,000 listed pages (2.4 MB of file) as it opens it: the child dies."""
    report = run_probe(
        hostile.pdf_shared_page_bomb(400_000),
        LIMITS,
        memory_bytes=128 * 2**20,
        cpu_seconds=20,
        timeout=60,
    )
    assert report["status"] == "too_complex"
    assert pdf_problem(PdfReport("too_complex")) == "sa lecture demande trop de mémoire ou de temps"


def test_damaged_and_empty_pdfs_are_unreadable_not_refused():
    for data in (b"%PDF-1.4 broken", b"", sample_pdf()[:200]):
        report = inspect_pdf(data)
        assert not report.readable, data[:20]
        assert pdf_problem(report) is None


def test_reports_are_kept_by_content_hash(monkeypatch):
    calls = []
    original = file_checks.run_probe

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(file_checks, "run_probe", counting)
    data = sample_pdf("Gardé en mémoire", 2)
    assert inspect_pdf(data) == inspect_pdf(data)
    assert len(calls) <= 1


def _pillow_bytes(image: Image.Image, fmt: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, fmt, **options)
    return output.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mode", "options"),
    [
        ("PNG", "RGBA", {}),
        ("JPEG", "RGB", {}),
        ("JPEG", "RGB", {"progressive": True}),
        ("GIF", "P", {}),
        ("WEBP", "RGB", {}),
        ("WEBP", "RGB", {"lossless": True}),
        ("WEBP", "RGBA", {"exif": b"Exif\x00\x00"}),
    ],
)
def test_image_size_from_the_header_agrees_with_pillow(fmt, mode, options):
    data = _pillow_bytes(Image.new(mode, (321, 123)), fmt, **options)
    with Image.open(io.BytesIO(data)) as image:
        assert image_size(data) == image.size == (321, 123)


def test_pixel_bomb_is_refused_from_its_header_before_pillow(monkeypatch):
    bomb = hostile.png_pixel_bomb(13_000, 13_000)
    assert len(bomb) < 1_000_000
    assert image_size(bomb) == (13_000, 13_000)
    problem = image_problem(bomb)
    assert problem.startswith("13000 × 13000 pixels")
    assert "une image en compte 50 millions au plus" in problem

    def no_pillow(*args, **kwargs):
        raise AssertionError("Pillow opened the bomb")

    monkeypatch.setattr(Image, "open", no_pillow)
    with pytest.raises(ImageTooLarge), open_image(bomb):
        pass


def test_pillow_size_is_checked_when_the_header_is_not_understood(monkeypatch):
    """A header this module cannot read still meets the limit, once Pillow has read it."""
    monkeypatch.setattr(file_checks, "image_size", lambda data: None)
    bomb = hostile.png_pixel_bomb(8000, 8000, grey=True)
    assert MAX_IMAGE_PIXELS < 8000 * 8000
    with pytest.raises(ImageTooLarge), open_image(bomb):
        pass


def test_images_within_the_limit_open():
    data = _pillow_bytes(Image.new("RGB", (40, 30), "teal"), "PNG")
    assert image_problem(data) is None
    with open_image(data) as image:
        assert image.size == (40, 30)
    assert image_problem(b"\x89PNG\r\n\x1a\n truncated") is None
