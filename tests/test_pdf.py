import logging
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject, StreamObject

from coworking.label.pdf import RefusedURLError, StaticURLFetcher, create_pdf_timed
from coworking.stats.charts import Series, bar_chart

STATIC = Path(__file__).resolve().parent.parent / "static"


def create_pdf(html: str, **options) -> bytes:
    """Render HTML to PDF bytes, as the dossier does."""
    return create_pdf_timed(html, **options)[0]


PASSWD = Path("/etc/passwd")

TEMPLATE = """<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>Dossier de labellisation — Maine Labs</title>
  <meta name="author" content="Maine Labs">
  <link rel="stylesheet" href="/static/css/fonts.css">
  <style>
    @page {{ size: A4; margin: 2cm }}
    body {{ font-family: Inter, sans-serif; font-size: 11pt }}
  </style>
</head>
<body>
  <h1>La programmation</h1>
  <p>Douze twapéros à Angers, <em>5&nbsp;700 visiteurs-jours</em>,
     <strong>œuvre</strong>.</p>
  {body}
</body>
</html>
"""

HOSTILE_BODY = """
  <img src="file:///etc/passwd" alt="a">
  <img src="/static/../../etc/passwd" alt="b">
  <img src="/static/%2e%2e/%2e%2e/etc/passwd" alt="c">
  <img src="static:../../etc/passwd" alt="d">
  <img src="http://127.0.0.1:1/x.png" alt="e">
  <link rel="attachment" href="file:///etc/passwd">
  <a rel="attachment" href="file:///etc/passwd">pièce jointe</a>
  <iframe src="file:///etc/passwd"></iframe>
  <object data="file:///etc/passwd" type="text/plain"></object>
  <embed src="file:///etc/passwd" type="image/svg+xml">
  <style>@import url(file:///etc/passwd); @import url("http://127.0.0.1:1/x.css");</style>
  <div style="background: url(file:///etc/passwd)">fond</div>
"""


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def run(name: str, pdf_path: Path, *arguments: str) -> str:
    result = subprocess.run(  # noqa: S603 (fixed tool, our own temporary file)
        [tool(name), str(pdf_path), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def decompressed_streams(pdf: bytes) -> bytes:
    reader = PdfReader(BytesIO(pdf))
    chunks = []
    for number in range(1, reader.trailer["/Size"]):
        try:
            obj = reader.get_object(IndirectObject(number, 0, reader))
        except Exception:  # noqa: S112 (free entries in the xref table)
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)


def passwd_markers() -> list[bytes]:
    lines = [line for line in PASSWD.read_bytes().splitlines() if line.count(b":") >= 6]
    return [line for line in lines[:3] if len(line) > 10]


@pytest.fixture(scope="module")
def hostile_pdf(tmp_path_factory):
    html = TEMPLATE.format(body=HOSTILE_BODY)
    pdf = create_pdf(html, static_folder=STATIC)
    path = tmp_path_factory.mktemp("pdf") / "hostile.pdf"
    path.write_bytes(pdf)
    return path


def test_pdf_is_tagged_with_title_author_and_language(tmp_path):
    pdf = create_pdf(TEMPLATE.format(body=""), static_folder=STATIC)
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "dossier.pdf"
    path.write_bytes(pdf)
    info = run("pdfinfo", path)
    assert "Tagged:          yes" in info
    assert "Title:           Dossier de labellisation — Maine Labs" in info
    assert "Author:          Maine Labs" in info
    assert PdfReader(BytesIO(pdf)).trailer["/Root"]["/Lang"] == "fr"
    catalog = PdfReader(BytesIO(pdf)).trailer["/Root"]
    assert catalog["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"  # sRGB output intent
    assert b"pdfaid:part" in decompressed_streams(pdf)  # PDF/A-3u XMP metadata


def test_bundled_font_is_fetched_and_embedded(tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(create_pdf(TEMPLATE.format(body=""), static_folder=STATIC))
    fonts = run("pdffonts", path)
    assert "Inter-Bold" in fonts
    assert "Inter-Italic" in fonts
    assert "DejaVu" not in fonts and "Liberation" not in fonts


def test_metadata_arguments_override_the_html():
    html = "<html><head><title>Brouillon</title></head><body><p>Texte</p></body></html>"
    pdf = create_pdf(
        html,
        static_folder=STATIC,
        title="Dossier 2024",
        authors=["Maine Labs"],
        lang="fr-FR",
    )
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == "Dossier 2024"
    assert reader.metadata.author == "Maine Labs"
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"


def test_language_defaults_to_french():
    pdf = create_pdf("<p>Bonjour</p>", static_folder=STATIC, pdf_variant=None)
    assert PdfReader(BytesIO(pdf)).trailer["/Root"]["/Lang"] == "fr"


def test_hostile_html_leaks_no_server_file(hostile_pdf):
    pdf = hostile_pdf.read_bytes()
    streams = decompressed_streams(pdf)
    text = run("pdftotext", hostile_pdf, "-")
    assert "La programmation" in text  # the document itself rendered
    markers = passwd_markers()
    assert markers
    for marker in markers:
        assert marker not in pdf
        assert marker not in streams
        assert marker.decode() not in text
    assert b"root:" not in streams


def test_hostile_html_embeds_no_attachment(hostile_pdf):
    reader = PdfReader(hostile_pdf)
    assert reader.attachments == {}
    streams = decompressed_streams(hostile_pdf.read_bytes())
    for name in (b"/EmbeddedFiles", b"/FileAttachment", b"/Filespec", b"/EmbeddedFile"):
        assert name not in hostile_pdf.read_bytes()
        assert name not in streams


def test_refused_fetches_are_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="coworking.label.pdf"):
        create_pdf(TEMPLATE.format(body=HOSTILE_BODY), static_folder=STATIC)
    refused = [r.getMessage() for r in caplog.records if r.name == "coworking.label.pdf"]
    assert any("file:///etc/passwd" in message for message in refused)
    assert any("127.0.0.1" in message for message in refused)
    assert not any("fonts.css" in message or ".woff2" in message for message in refused)


def test_chart_renders_inline_in_the_pdf(tmp_path):
    chart = bar_chart(
        "Visiteurs-jours par mois",
        ["janv. 2024", "févr. 2024", "mars 2024"],
        [Series("Visiteurs-jours", [5700, 4200, 3100])],
    )
    pdf, timings = create_pdf_timed(TEMPLATE.format(body=chart.svg), static_folder=STATIC)
    assert set(timings) == {"layout", "write", "total", "pages"}
    assert all(seconds >= 0 for seconds in timings.values())
    path = tmp_path / "chart.pdf"
    path.write_bytes(pdf)
    text = run("pdftotext", path, "-")
    assert "Visiteurs-jours par mois" in text
    assert "févr. 2024" in text


@pytest.fixture
def static_folder(tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "dossier.css").write_text("body { color: black }")
    (folder / "secret-link").symlink_to(PASSWD)
    (tmp_path / "outside.css").write_text("body { color: red }")
    return folder


def test_fetcher_serves_static_files_under_three_url_forms(static_folder):
    fetcher = StaticURLFetcher(static_folder, base_url="https://coworking.example/")
    for url in (
        "static:css/dossier.css",
        "https://coworking.example/static/css/dossier.css",
        (static_folder / "css" / "dossier.css").as_uri(),
    ):
        response = fetcher.fetch(url)
        assert response.read() == b"body { color: black }"
        assert response.content_type == "text/css"
        response.close()
    assert fetcher.fetch("data:text/plain,bonjour").read() == b"bonjour"
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/share/x.css",
        "static:../outside.css",
        "static:css/../../outside.css",
        "static:css/%2e%2e/%2e%2e/outside.css",
        "static:secret-link",
        "static:css/missing.css",
        "https://coworking.example/static/../outside.css",
        "https://coworking.example/etc/passwd",
        "https://other.example/static/css/dossier.css",
        "http://127.0.0.1:1/x.png",
        "ftp://example.org/x.css",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_else(static_folder, url):
    fetcher = StaticURLFetcher(static_folder, base_url="https://coworking.example/")
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_file_urls_climbing_out_of_static(static_folder):
    fetcher = StaticURLFetcher(static_folder)
    with pytest.raises(RefusedURLError):
        fetcher.fetch(static_folder.as_uri() + "/css/../../outside.css")
    with pytest.raises(RefusedURLError):
        fetcher.fetch((static_folder.parent / "outside.css").as_uri())


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def test_french_narrow_spaces_stay_narrow_spaces_in_the_pdf():
    """U+202F (« ; ! ? », inside « ») has a glyph in our Inter: the PDF's text keeps it (with an
    ordinary space in its place, a reader copying the text, or a validator, sees a fault)."""
    from coworking.typography import typeset

    body = f"<p>{typeset('Pourquoi ? « Parce que » ; voilà !')}</p>"
    pdf = create_pdf(TEMPLATE.format(body=body), static_folder=STATIC)
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert "Pourquoi\u202f? «\u202fParce que\u202f»\u202f; voilà\u202f!" in text
