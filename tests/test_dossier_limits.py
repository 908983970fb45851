"""Hostile annexes and pictures already stored (from before the upload checks) meet the dossier.

Each is skipped with a warning, the dossier stays small, and what is drawn is
copied as stored: the build never decodes an annexed stream.
"""

from __future__ import annotations

from io import BytesIO

import pikepdf
import pytest

from coworking.extensions import db
from coworking.label import dossier_build, dossier_files, services
from tests import hostile_files as hostile
from tests.factories import make_document, sample_pdf
from tests.scenarios_dossier import complete_space_profile
from tests.test_dossier import PERIOD, pdftotext


def _build(title: str = "Candidature"):
    return dossier_build.build_dossier(services.check_period(*PERIOD), lang="fr", title=title)


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_hostile_annexes_already_stored_are_skipped_with_warnings(app_ctx):
    make_document(sample_pdf("Lettre valable"), kind="support_letter", title="Lettre")
    make_document(hostile.pdf_shared_page_bomb(60), kind="support_letter", title="Soixante pages")
    make_document(hostile.pdf_inflation_bomb(100_000_000), kind="statutes", title="Statuts gonflés")
    make_document(
        hostile.pdf_xref_stream_bomb(100_000_000), kind="support_letter", title="Table gonflée"
    )
    make_document(
        hostile.pdf_object_stream_bomb(100_000_000), kind="support_letter", title="Objets gonflés"
    )
    make_document(
        hostile.pdf_shared_content_bomb(20, 2_000_000),
        kind="support_letter",
        title="Contenu répété",
    )
    db.session.commit()
    build = _build()
    warnings = [_plain(warning) for warning in build.warnings]
    assert (
        "Annexe « Soixante pages » ignorée : 60 pages, une annexe en compte 50 au plus." in warnings
    )
    assert (
        "Annexe « Statuts gonflés » ignorée : "
        "une fois décompressé, son contenu dépasserait 64 Mo." in warnings
    )
    assert any(w.startswith("Annexe « Table gonflée » ignorée : ") for w in warnings)
    assert any(w.startswith("Annexe « Objets gonflés » ignorée : ") for w in warnings)
    assert "Annexe « Contenu répété » ignorée : le contenu de ses pages dépasse 32 Mo." in warnings
    assert len(warnings) == 5
    assert [annex["title"] for annex in build.snapshot["annexes"]] == ["Lettre"]
    assert build.page_count < 30
    assert len(build.pdf) < 1_000_000


def _forms_drawn(pdf: bytes, pages: range) -> list[tuple[tuple[int, int], list[str], bytes]]:
    """Return the annexed form drawn on each page: object number, filters, stored bytes.

    It is the last form the page draws (the overlay comes after the page's frame).
    """
    found = []
    with pikepdf.open(BytesIO(pdf)) as document:
        for number in pages:
            page = document.pages[number]
            name = pikepdf.parse_content_stream(page, "Do")[-1].operands[0]
            form = page.resources.XObject[name]
            filters = form.stream_dict.get("/Filter")
            names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [filters]
            found.append((form.objgen, names, bytes(form.read_raw_bytes())))
    return found


def test_annexed_pages_are_drawn_from_their_stored_bytes(app_ctx):
    """20 MB of content stored as 40 KB of Flate stays these bytes; forty listings, one form."""
    inflating = hostile.pdf_inflation_bomb(20_000_000, hex_layer=False)
    with pikepdf.open(BytesIO(inflating)) as source:
        stored = bytes(source.pages[0].obj.Contents.read_raw_bytes())
    assert len(stored) < 50_000
    make_document(inflating, kind="statutes", title="Statuts compressés")
    make_document(hostile.pdf_shared_page_bomb(40), kind="support_letter", title="La même page")
    db.session.commit()
    build = _build()
    assert build.warnings == []
    assert [annex["pages"] for annex in build.snapshot["annexes"]] == [1, 40]
    forms = _forms_drawn(build.pdf, range(build.page_count - 41, build.page_count))
    assert len(forms) == 41
    _objgen, filters, raw = forms[0]
    assert filters == ["/FlateDecode"]
    assert raw == stored  # byte for byte: neither decoded nor recompressed
    assert len({objgen for objgen, _filters, _raw in forms[1:]}) == 1
    assert len(build.pdf) < 400_000


def test_an_ascii_encoded_annex_within_the_limits_is_drawn(app_ctx):
    """qpdf re-encodes ASCIIHex as it writes: the measured 20 MB, streamed, not 20 MB kept."""
    make_document(hostile.pdf_inflation_bomb(20_000_000), kind="statutes", title="Hex")
    db.session.commit()
    build = _build()
    assert build.warnings == []
    assert [annex["pages"] for annex in build.snapshot["annexes"]] == [1]
    assert len(build.pdf) < 400_000


def test_split_and_rotated_pages_are_drawn(app_ctx, tmp_path):
    """A page whose content is split in two streams, and a page turned a quarter."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    annex = hostile.pdf_with_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [5 0 R 6 0 R]"
            b" /Resources << /Font << /F1 8 0 R >> >> >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 /Contents 7 0 R"
            b" /Resources << /Font << /F1 8 0 R >> >> >>",
            stream(b"BT /F1 24 Tf 72 700 Td"),
            stream(b"(Deux flux) Tj ET"),
            stream(b"BT /F1 24 Tf 72 500 Td (Page tournee) Tj ET"),
            font,
        ]
    )
    make_document(annex, kind="statutes", title="Statuts en morceaux")
    db.session.commit()
    build = _build()
    assert build.warnings == []
    last = pdftotext(build.pdf, tmp_path, build.page_count - 1, build.page_count)
    assert "Deux flux" in last
    assert "Page tournee" in last
    with pikepdf.open(BytesIO(build.pdf)) as document:
        page = document.pages[build.page_count - 1]
        name = pikepdf.parse_content_stream(page, "Do")[-1].operands[0]
        assert list(page.resources.XObject[name].Matrix) == [0, -1, 1, 0, 0, 595]


def test_one_content_under_several_resources_is_drawn_on_each_page(app_ctx):
    make_document(
        hostile.pdf_shared_content_bomb(3, 1000), kind="statutes", title="Trois ressources"
    )
    db.session.commit()
    build = _build()
    assert build.warnings == []
    forms = _forms_drawn(build.pdf, range(build.page_count - 3, build.page_count))
    assert len({objgen for objgen, _filters, _raw in forms}) == 3


def test_annexes_stop_at_the_dossier_limits(app_ctx, monkeypatch):
    statutes = sample_pdf("Statuts", 2)
    make_document(statutes, kind="statutes", title="Statuts")
    make_document(sample_pdf("Lettre A", 2), kind="support_letter", title="A")
    make_document(sample_pdf("Lettre B", 1), kind="support_letter", title="B")
    db.session.commit()
    monkeypatch.setattr(dossier_files, "MAX_DOSSIER_ANNEX_PAGES", 3)
    build = _build()
    assert [annex["title"] for annex in build.snapshot["annexes"]] == ["Statuts", "B"]
    assert build.warnings == [
        "Annexe « A » ignorée : les annexes du dossier dépasseraient 3 pages."
    ]
    monkeypatch.setattr(dossier_files, "MAX_DOSSIER_ANNEX_PAGES", 200)
    monkeypatch.setattr(dossier_files, "MAX_DOSSIER_ANNEX_BYTES", len(statutes) + 100)
    build = _build()
    assert [annex["title"] for annex in build.snapshot["annexes"]] == ["Statuts"]
    assert len(build.warnings) == 2
    assert all("les annexes du dossier dépasseraient" in w for w in build.warnings)


def test_pixel_bombs_already_stored_are_skipped_with_warnings(app_ctx):
    make_document(
        hostile.png_pixel_bomb(8000, 8000, grey=True),
        kind="photo",
        title="Photo géante",
        content_type="image/png",
    )
    logo = make_document(
        hostile.png_pixel_bomb(7100, 7100, grey=True),
        kind="logo",
        title="Logo géant",
        content_type="image/png",
    )
    complete_space_profile(logo_document_id=logo.id)
    db.session.commit()
    build = _build()
    assert [_plain(warning) for warning in build.warnings] == [
        "Logo ignoré : 7 100 × 7 100 pixels, une image en compte 50 millions au plus.",
        "Image « Photo géante » ignorée : "
        "8 000 × 8 000 pixels, une image en compte 50 millions au plus.",
    ]
    assert build.snapshot["pictures"] == []
    assert logo.id not in build.document_ids


def test_resizing_never_decodes_a_pixel_bomb(app_ctx, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("the bomb was decoded"))
    bomb = hostile.png_pixel_bomb(13_000, 13_000)
    assert dossier_files.resized_data_url(bomb, dossier_files.PICTURE_MAX_PIXELS) is None
    assert (
        dossier_files.resized_data_url(bomb, dossier_files.LOGO_MAX_PIXELS, keep_png=True) is None
    )
