import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from coworking.csvio import (
    CsvFormatError,
    decode_text,
    escape_formula,
    format_cell,
    iter_csv,
    iter_records,
    normalize_label,
    sniff_dialect,
    unescape_formula,
    write_csv,
)


def test_export_starts_with_bom_uses_semicolons_and_crlf():
    data = write_csv([["Dupont", "Élodie"]], ["Nom", "Prénom"])

    assert data.startswith(b"\xef\xbb\xbf")
    assert data == "\ufeffNom;Prénom\r\nDupont;Élodie\r\n".encode()


def test_export_formats_values_for_french_excel():
    row = [
        None,
        True,
        False,
        dt.date(2024, 3, 5),
        dt.datetime(2024, 3, 5, 18, 30),
        12,
        Decimal("12.50"),
        1.5,
    ]

    assert [format_cell(value) for value in row] == [
        "",
        "oui",
        "non",
        "2024-03-05",
        "2024-03-05 18:30",
        "12",
        "12,50",
        "1,5",
    ]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","clic")',
        "+33 6 12 34 56 78",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_export_neutralises_formula_triggers(text):
    data = write_csv([[text]], ["Notes"])

    cell = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))[1][0]
    assert cell == "'" + text
    assert unescape_formula(cell) == text


def test_export_leaves_harmless_text_and_our_own_numbers_alone():
    assert escape_formula("Maine Labs") == "Maine Labs"
    assert escape_formula("'déjà cité'") == "'déjà cité'"
    assert format_cell(-3) == "-3"
    assert unescape_formula("'déjà cité'") == "'déjà cité'"


def test_export_quotes_delimiters_quotes_and_newlines():
    data = write_csv([['Angers; "Le Quai"', "ligne 1\nligne 2"]], ["Lieu", "Notes"])

    text = data.decode("utf-8-sig")
    assert text == 'Lieu;Notes\r\n"Angers; ""Le Quai""";"ligne 1\nligne 2"\r\n'
    assert list(iter_records(text)) == [
        (1, ["Lieu", "Notes"]),
        (2, ['Angers; "Le Quai"', "ligne 1\nligne 2"]),
    ]


def test_iter_csv_streams_one_line_at_a_time():
    chunks = list(iter_csv(([n] for n in range(3)), ["n"]))

    assert chunks == ["\ufeffn\r\n", "0\r\n", "1\r\n", "2\r\n"]


def test_decode_utf8_with_and_without_bom():
    assert decode_text("\ufeffPrénom;Nom\r\n".encode()) == "Prénom;Nom\r\n"
    assert decode_text("Prénom;Nom\r\n".encode()) == "Prénom;Nom\r\n"


def test_decode_windows_1252_as_saved_by_french_excel():
    data = "Prénom;Métier\r\nHélène;Cheffe d'équipe – œnologue\r\n".encode("cp1252")

    assert decode_text(data) == "Prénom;Métier\r\nHélène;Cheffe d'équipe – œnologue\r\n"


def test_decode_utf16_unicode_text_from_excel():
    data = "Prénom\tNom\r\nZoé\tMartin\r\n".encode("utf-16")

    assert decode_text(data) == "Prénom\tNom\r\nZoé\tMartin\r\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ancien classeur Excel (.xls)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"Nom;Pr\x00nom\r\n", "données binaires"),
    ],
)
def test_decode_refuses_binary_files(data, expected):
    with pytest.raises(CsvFormatError) as excinfo:
        decode_text(data)

    assert expected in excinfo.value.message
    assert "pas un fichier CSV" in excinfo.value.message


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Nom;Prénom;Ville\r\nDupont;Jean;Angers, France\r\n", ";"),
        ('last name,first name,city\r\nSmith,Ann,"Angers; Maine-et-Loire"\r\n', ","),
        (
            "Nom\tPrénom\tNotes\r\nMartin\tZoé\tvient le mardi, parfois le jeudi; ou pas\r\n",
            "\t",
        ),
        ('Nom complet\r\n"Dupont, Jean"\r\nZoé Martin\r\n', ";"),
        (";;;\r\n;;\r\n", ";"),
        ("", ";"),
    ],
)
def test_sniff_dialect_picks_the_delimiter_of_the_header(text, delimiter):
    assert sniff_dialect(text).delimiter == delimiter


def test_iter_records_numbers_rows_like_a_spreadsheet():
    text = 'Nom;Notes\r\nDupont;"deux\r\nlignes"\r\n\r\nMartin;\r\n'

    assert list(iter_records(text)) == [
        (1, ["Nom", "Notes"]),
        (2, ["Dupont", "deux\r\nlignes"]),
        (3, []),
        (4, ["Martin", ""]),
    ]


def test_iter_records_reports_an_unreadable_row():
    text = "Nom;Notes\r\nDupont;" + "x" * 200_000 + "\r\n"

    with pytest.raises(CsvFormatError) as excinfo:
        list(iter_records(text))

    assert excinfo.value.line == 2


def test_normalize_label_ignores_case_accents_and_punctuation():
    assert normalize_label("Date d'adhésion *") == "datedadhesion"
    assert normalize_label("DATE D ADHESION") == "datedadhesion"
    assert normalize_label("  E-mail  ") == "email"
    assert normalize_label("N° de téléphone") == "ndetelephone"
