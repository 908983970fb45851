"""The label dossier's content: figures equal to the indicators, sections, PDF/A, annexes, safety."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from coworking.extensions import db
from coworking.label import dossier_build, dossier_data, dossier_files, services
from coworking.label.dossier_figures import KEY_FIGURES
from coworking.stats.definitions import INDICATORS, format_value
from coworking.stats.indicators import compute_indicators
from tests.conftest import make_app
from tests.factories import make_document, make_partner, sample_pdf, sample_png
from tests.scenarios_dossier import build_year, complete_space_profile
from tests.test_pdf import decompressed_streams, passwd_markers

PERIOD = (date(2024, 1, 1), date(2024, 12, 31))

SECTION_TITLES_FR = (
    "Synthèse",
    "Identité et gouvernance",
    "Le lieu",
    "La communauté",
    "La programmation",
    "Partenaires et ancrage territorial",
    "Visibilité",
    "Impact et témoignages",
    "Modèle économique",
    "Grille des critères",
    "Annexes",
    "Liste des événements de la période",
    "Glossaire des indicateurs",
    "Documents annexés",
)


def pdftotext(pdf: bytes, tmp: Path, *pages: int, layout: bool = False) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp / f"doc-{hashlib.sha256(pdf).hexdigest()[:8]}.pdf"
    path.write_bytes(pdf)
    arguments = [tool, "-layout"] if layout else [tool]
    if pages:
        arguments += ["-f", str(pages[0]), "-l", str(pages[-1])]
    result = subprocess.run(
        [*arguments, str(path), "-"], capture_output=True, text=True, check=True
    )
    return normalize(result.stdout)


def normalize(text: str) -> str:
    """Fold the spaces of numbers (no-break, narrow) and runs of blanks into one space."""
    return re.sub(r"[ \u00a0\u202f\t]+", " ", text).replace(" %", "%")


def pdfinfo(pdf: bytes, tmp: Path) -> str:
    tool = shutil.which("pdfinfo")
    if tool is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    path = tmp / "info.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """One dossier of a year of life, with annexes, a photo and a corrupt letter."""
    tmp = tmp_path_factory.mktemp("dossier")
    app = make_app(f"sqlite:///{tmp / 'full.sqlite3'}", tmp)
    with app.app_context():
        db.create_all()
        build_year()
        make_document(sample_pdf("Statuts de l'association", 2), kind="statutes", title="Statuts")
        make_document(
            sample_pdf("Lettre de soutien de la ville"),
            kind="support_letter",
            title="Lettre d'Angers Loire Métropole",
        )
        make_document(b"%PDF-1.4 broken", kind="support_letter", title="Lettre abîmée")
        make_document(
            sample_png(), kind="photo", title="Photo du twapéro", content_type="image/png"
        )
        db.session.commit()
        period = services.check_period(*PERIOD)
        build = dossier_build.build_dossier(period, lang="fr", title="Candidature 2024")
        indicators = compute_indicators(period)
        text = pdftotext(build.pdf, tmp)
        layout = pdftotext(build.pdf, tmp, layout=True)
    yield {"build": build, "indicators": indicators, "text": text, "layout": layout, "tmp": tmp}
    with app.app_context():
        db.engine.dispose()


def test_every_figure_is_printed_as_the_indicator_computes_it(full):
    from coworking.label.dossier_figures import (
        COMMUNITY_KEYS,
        PARTNER_KEYS,
        PROGRAMME_KEYS,
        VISIBILITY_KEYS,
    )

    lines = [normalize(line).strip() for line in full["layout"].splitlines()]
    keys = {*COMMUNITY_KEYS, *PROGRAMME_KEYS, *PARTNER_KEYS, *VISIBILITY_KEYS}
    assert set(KEY_FIGURES) <= keys
    for key in keys:
        label = INDICATORS[key].label("fr")
        value = normalize(format_value(key, full["indicators"][key], "fr"))
        assert f"{label} {value}" in lines, (key, value)
    # The synthesis shows the key figures as cards: values above their labels, three a row.
    synthesis = full["text"][full["text"].index("Chiffres clés") :]
    words = synthesis.split("\n\n")
    cursor = 1
    for row in range(0, len(KEY_FIGURES), 3):
        keys_in_row = KEY_FIGURES[row : row + 3]
        values = [normalize(format_value(k, full["indicators"][k], "fr")) for k in keys_in_row]
        labels = [INDICATORS[k].label("fr") for k in keys_in_row]
        first = words.index(values[0], cursor)
        assert words[first : first + 3] == values, keys_in_row
        assert [w.replace("\n", " ") for w in words[first + 3 : first + 6]] == labels
        cursor = first + 6


def test_every_indicator_appears_in_the_glossary_with_its_definition(full):
    text = " ".join(full["text"].split())
    for definition in INDICATORS.values():
        assert f"[{definition.key}]" in text
        assert " ".join(definition.definition("fr").split())[:40] in text


def test_every_section_title_is_present_and_in_the_table_of_contents(full):
    text = full["text"]
    for title in SECTION_TITLES_FR:
        assert text.count(title) >= 2, title  # once in the table of contents, once as a heading
    toc = pdftotext(full["build"].pdf, full["tmp"], 2)
    assert re.search(r"Synthèse[ .]+3", toc)


def test_pdf_is_tagged_pdf_a_with_title_language_and_author(full):
    pdf = full["build"].pdf
    info = pdfinfo(pdf, full["tmp"])
    assert "Tagged:          yes" in info
    assert "Title:           Candidature 2024" in info
    assert "Author:          Maine Labs" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    reader = PdfReader(BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert reader.pdf_header.startswith("%PDF-1.7")
    assert b"pdfaid:part" in decompressed_streams(pdf)


def test_page_count_is_reasonable_and_counts_the_annexed_pages(full):
    build = full["build"]
    assert build.page_count == len(PdfReader(BytesIO(build.pdf)).pages)
    assert 15 <= build.page_count <= 40
    last_pages = pdftotext(build.pdf, full["tmp"], build.page_count - 2, build.page_count)
    assert "Statuts de l'association" in last_pages
    assert f"{build.page_count} / {build.page_count}" in last_pages
    letter = pdftotext(build.pdf, full["tmp"], build.page_count)
    assert "Lettre de soutien de la ville" in letter


def test_corrupt_annex_is_skipped_with_a_warning(full):
    build = full["build"]
    assert build.warnings == ["Annexe « Lettre abîmée » ignorée : ce n'est pas un PDF lisible."]
    assert [a["title"] for a in build.snapshot["annexes"]] == [
        "Statuts",
        "Lettre d'Angers Loire Métropole",
    ]


def test_cover_carries_the_content_hash_of_the_snapshot(full):
    build = full["build"]
    assert (
        build.content_sha256
        == hashlib.sha256(dossier_build.canonical_json(build.snapshot)).hexdigest()
    )
    cover = pdftotext(build.pdf, full["tmp"], 1)
    assert build.content_sha256 in cover.replace("\n", "").replace(" ", "")
    assert build.sha256 == hashlib.sha256(build.pdf).hexdigest()
    assert build.snapshot["indicators"] == {
        key: dossier_build._number(value) for key, value in full["indicators"].items()
    }


def test_photos_are_resized_before_they_reach_the_pdf(full):
    reader = PdfReader(BytesIO(full["build"].pdf))
    widths = []
    for page in reader.pages:
        for image in page.images:
            widths.append(image.image.width)
    assert widths, "the photo is placed on a page"
    assert max(widths) <= dossier_files.PICTURE_MAX_PIXELS
    assert len(full["build"].pdf) < 2_000_000


def test_only_consented_testimonials_and_no_member_names(full):
    text = full["text"]
    assert "J'ai trouvé mon stage grâce au twapéro." in text
    assert "SECRET-SANS-CONSENTEMENT" not in text
    assert "Marc Confidentiel" not in text
    assert not re.search(r"Membre\d+", text)  # the factory's member names
    assert "@example.org" not in text


def test_logo_is_on_the_cover_resized(app_ctx, tmp_path):
    from PIL import Image

    image = Image.new("RGBA", (1800, 900), (11, 58, 91, 255))
    output = BytesIO()
    image.save(output, "PNG")
    logo = make_document(output.getvalue(), kind="logo", title="Logo", content_type="image/png")
    complete_space_profile(logo_document_id=logo.id)
    db.session.commit()
    build = dossier_build.build_dossier(services.check_period(*PERIOD), lang="fr", title="Logo")
    cover = PdfReader(BytesIO(build.pdf)).pages[0]
    widths = [picture.image.width for picture in cover.images]
    assert widths == [dossier_files.LOGO_MAX_PIXELS]
    assert logo.id in build.document_ids


def test_timings_are_split_by_phase(full):
    timings = full["build"].timings
    assert set(timings) == {"data", "charts", "html", "layout", "write", "annexes", "total"}
    assert all(value >= 0 for value in timings.values())


def test_empty_space_says_not_filled_in(app_ctx, tmp_path):
    period = services.check_period(*PERIOD)
    build = dossier_build.build_dossier(period, lang="fr", title="Vide")
    text = pdftotext(build.pdf, tmp_path)
    assert text.count("non renseigné") >= 10
    assert "Espace non renseigné" in text
    assert "Aucun événement sur la période." in text
    assert build.warnings == []


def test_english_dossier_uses_english_labels_and_metadata(app_ctx, tmp_path):
    build_year()
    db.session.commit()
    period = services.check_period(*PERIOD)
    build = dossier_build.build_dossier(period, lang="en", title="Application 2024")
    text = pdftotext(build.pdf, tmp_path)
    assert INDICATORS["events_held"].label("en") in text
    assert INDICATORS["events_held"].definition("en")[:30] in " ".join(text.split())
    assert PdfReader(BytesIO(build.pdf)).trailer["/Root"]["/Lang"] == "en"
    assert "Twapero" in text  # event kinds in English


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (None, date(2024, 1, 1), "start"),
        (date(2024, 1, 1), None, "end"),
        (date(2024, 6, 1), date(2024, 5, 31), "end"),
        (date(2019, 1, 1), date(2024, 1, 1), "end"),
    ],
)
def test_bad_periods_are_refused_naming_the_field(app_ctx, start, end, field):
    with pytest.raises(services.DossierError) as caught:
        services.check_period(start, end)
    assert caught.value.field == field
    assert caught.value.message


def test_five_years_is_the_longest_period(app_ctx):
    period = services.check_period(date(2020, 1, 1), date(2024, 12, 31))
    assert period.days == 1827


HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd">'
    ' <style>@import url(file:///etc/passwd);</style> <iframe src="file:///etc/passwd"></iframe>'
)


def test_hostile_text_everywhere_leaks_nothing_of_etc_passwd(app_ctx, tmp_path):
    from coworking.space.models import BoardMember, BudgetLine

    build_year(
        extra={
            "profile": {
                "name": "Labs " + HOSTILE,
                "description": HOSTILE,
                "address": HOSTILE,
                "accessibility": HOSTILE,
                "prices": HOSTILE,
            },
            "event_title": "Twapéro " + HOSTILE[:150],
            "event_location": HOSTILE[:290],
            "event_description": HOSTILE,
            "press_title": HOSTILE,
            "testimonial": HOSTILE,
        }
    )
    make_partner(name=HOSTILE[:190], kind="entreprise")
    db.session.add(BoardMember(name=HOSTILE[:190], role="Secrétaire", position=3))
    db.session.add(
        BudgetLine(year=2024, direction="expense", category=HOSTILE[:99], amount_cents=100)
    )
    make_document(sample_pdf("Statuts"), kind="statutes", title=HOSTILE[:190])
    db.session.commit()
    period = services.check_period(*PERIOD)
    build = dossier_build.build_dossier(period, lang="fr", title=HOSTILE[:200])
    streams = decompressed_streams(build.pdf)
    for marker in passwd_markers():
        assert marker not in build.pdf
        assert marker not in streams
    assert b"root:x:0:0" not in streams
    text = pdftotext(build.pdf, tmp_path)
    assert "root:" not in text
    # The markup is printed as text, escaped, never interpreted.
    assert '<img src="file:///etc/passwd">' in text.replace("\n", " ")
    assert "<iframe" in text
    reader = PdfReader(BytesIO(build.pdf))
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    assert not any(
        "/Annots" in page
        and any(
            annot.get_object().get("/Subtype") == "/FileAttachment" for annot in page["/Annots"]
        )
        for page in reader.pages
    )


def test_data_gathering_runs_a_constant_number_of_queries(app, count_queries):
    with app.app_context():
        build_year(events=3)
        db.session.commit()
    with app.app_context():
        period = services.check_period(*PERIOD)
        with count_queries() as small:
            dossier_data.gather_data(period, "fr")
    with app.app_context():
        build_year(start=date(2024, 2, 1), events=11)
        for index in range(5):
            make_document(sample_pdf(), kind="support_letter", title=f"Lettre {index}")
            make_document(
                sample_png(40, 30),
                kind="photo",
                title=f"Photo {index}",
                content_type="image/png",
            )
        db.session.commit()
    with app.app_context():
        period = services.check_period(*PERIOD)
        with count_queries() as large:
            data = dossier_data.gather_data(period, "fr")
        assert len(data.events) == 14 and len(data.annexes) == 5
    assert small.count == large.count, (small.statements, large.statements)
