import hashlib

import pytest

from coworking.documents.uploads import (
    MAX_UPLOAD_BYTES,
    UploadInfo,
    UploadRejected,
    safe_download_name,
    sniff_upload,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00\x30\x01\x00\x9d\x01\x2a"
HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Lettre</title></head><body>Hi</body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "extension"),
    [
        (PDF, "Lettre de soutien.pdf", "application/pdf", ".pdf"),
        (PNG, "photo.png", "image/png", ".png"),
        (JPEG, "twapéro mars.JPEG", "image/jpeg", ".jpg"),
        (WEBP, "affiche.webp", "image/webp", ".webp"),
    ],
)
def test_sniff_upload_accepts_known_types(data, filename, content_type, extension):
    info = sniff_upload(data, filename)

    assert isinstance(info, UploadInfo)
    assert info.content_type == content_type
    assert info.extension == extension
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.filename.endswith(extension)


def test_sniff_upload_trusts_content_over_file_name():
    info = sniff_upload(PNG, "photo-soiree.jpg")

    assert info.content_type == "image/png"
    assert info.filename == "photo-soiree.png"


def test_sniff_upload_refuses_html_renamed_pdf():
    with pytest.raises(UploadRejected) as caught:
        sniff_upload(HTML_PAGE, "lettre.pdf")

    assert caught.value.code == "html"
    assert "HTML" in caught.value.reason


def test_sniff_upload_refuses_svg_even_named_png():
    for name in ("logo.svg", "logo.png"):
        with pytest.raises(UploadRejected) as caught:
            sniff_upload(SVG_WITH_SCRIPT, name)
        assert caught.value.code == "svg"
        assert "SVG" in caught.value.reason


def test_sniff_upload_refuses_plain_svg_without_prolog():
    with pytest.raises(UploadRejected) as caught:
        sniff_upload(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "a.svg")
    assert caught.value.code == "svg"


def test_sniff_upload_refuses_empty_file():
    with pytest.raises(UploadRejected) as caught:
        sniff_upload(b"", "vide.pdf")
    assert caught.value.code == "empty"
    assert caught.value.reason == "Le fichier est vide."


def test_sniff_upload_refuses_file_above_limit():
    with pytest.raises(UploadRejected) as caught:
        sniff_upload(PDF + b"0" * 2000, "gros.pdf", max_bytes=1024)
    assert caught.value.code == "too_large"
    assert "1 ko" in caught.value.reason


def test_sniff_upload_default_limit_is_ten_megabytes():
    assert MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    sniff_upload(PDF + b"0" * 1000, "ok.pdf")  # well under the default


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"MZ\x90\x00\x03\x00",
        b"Bonjour, ceci est un texte.",
        b"RIFF\x24\x00\x00\x00WAVEfmt ",
        b" %PDF-1.4 (header not at the start)",
    ],
)
def test_sniff_upload_refuses_other_types(data):
    with pytest.raises(UploadRejected) as caught:
        sniff_upload(data, "document.pdf")
    assert caught.value.code == "unsupported"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Lettre de soutien — Angers Loire Métropole.pdf",
            "Lettre de soutien — Angers Loire Métropole.pdf",
        ),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\anne\\Documents\\statuts.pdf", "statuts.pdf"),
        ("rapport\r\nX-Injected: 1.pdf", "rapportX-Injected_ 1.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),
        ('sondage "final" ?.pdf', "sondage _final_ _.pdf"),
        ("   ", "fichier"),
        ("", "fichier"),
        (".htaccess", "htaccess"),
        ("CON.pdf", "_CON.pdf"),
        ("e\u0301te\u0301.png", "été.png"),
    ],
)
def test_safe_download_name(name, expected):
    assert safe_download_name(name) == expected


def test_safe_download_name_forces_extension_and_limits_length():
    assert safe_download_name("lettre.html", extension=".pdf") == "lettre.pdf"
    assert safe_download_name("photo", extension=".png") == "photo.png"
    long_name = safe_download_name("a" * 500 + ".pdf")
    assert long_name.endswith(".pdf")
    assert len(long_name) <= 130
