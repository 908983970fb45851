import datetime as dt
import tracemalloc

import pytest
from flask_babel import force_locale

from coworking.csvio import write_csv
from coworking.members.choices import (
    AGE_BRACKETS,
    PROFESSION_CATEGORIES,
    guess_profession_category,
    match_age_bracket,
)
from coworking.members.csv_columns import member_csv_header, member_csv_row
from coworking.members.csv_import import (
    MAX_LISTED_ERRORS,
    MemberCsvError,
    MemberRow,
    RowError,
    parse_members_csv,
)
from coworking.members.csv_values import (
    normalize_linkedin,
    normalize_mastodon,
    normalize_twitter,
    parse_date,
    split_full_name,
)
from tests.hostile_csv import (
    ERRORS_PER_INVALID_ROW,
    members_extreme_dates,
    members_invalid_rows,
)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def errors_of(data: bytes, **kwargs: int) -> list[RowError]:
    with pytest.raises(MemberCsvError) as excinfo:
        parse_members_csv(data, **kwargs)
    return excinfo.value.errors


def test_french_excel_file_in_windows_1252_with_semicolons():
    data = crlf(
        "Nom;Prénom;E-mail;Téléphone;Métier;Structure;Date d'adhésion;"
        "Code postal;Ville;Tranche d'âge;Comment nous avez-vous connus ?;Twitter;"
        "Cotisation\n"
        "Lefèvre;Hélène;Helene.Lefevre@Exemple.fr;612345678;Graphiste indépendante;"
        "Studio Hélène;05/03/2024;49000;Angers;25-34;Twapéro;@helene_graph;20\n"
        "Moreau;Stéphane;s.moreau@example.org;06.98.76.54.32;Gérant;Moreau & Fils;"
        "15/09/23;49100;Angers;45 à 54 ans;Bouche-à-oreille;"
        "https://twitter.com/maine_labs;\n"
        ";;;;;;;;;;;;\n"
    ).encode("cp1252")
    assert "é".encode("cp1252") in data  # the real shape: one byte per accent

    parsed = parse_members_csv(data)

    assert parsed.encoding == "cp1252"
    assert parsed.delimiter == ";"
    assert parsed.ignored_columns == ["Cotisation"]
    assert parsed.columns["joined_on"] == "Date d'adhésion"
    assert parsed.rows == [
        MemberRow(
            line=2,
            first_name="Hélène",
            last_name="Lefèvre",
            email="helene.lefevre@exemple.fr",
            phone="06 12 34 56 78",
            profession_text="Graphiste indépendante",
            profession_category="web",
            organisation="Studio Hélène",
            joined_on=dt.date(2024, 3, 5),
            postcode="49000",
            city="Angers",
            age_bracket="25-34",
            heard_from="Twapéro",
            twitter="helene_graph",
        ),
        MemberRow(
            line=3,
            first_name="Stéphane",
            last_name="Moreau",
            email="s.moreau@example.org",
            phone="06 98 76 54 32",
            profession_text="Gérant",
            profession_category="chef_entreprise",
            organisation="Moreau & Fils",
            joined_on=dt.date(2023, 9, 15),
            postcode="49100",
            city="Angers",
            age_bracket="45-54",
            heard_from="Bouche-à-oreille",
            twitter="maine_labs",
        ),
    ]


def test_utf8_bom_file_with_commas_and_english_headers():
    data = (
        "\ufeff"
        + crlf(
            "First Name,Last Name,Email,Phone,Job,Company,Member since,City,"
            "Postcode,Age bracket,How did you hear about us?,LinkedIn,Mastodon,"
            "Data processing consent,Newsletter,Favourite snack\n"
            'Ann,Smith,Ann.Smith@Example.com,+44 20 7946 0958,"Developer, freelance",'
            "Acme Ltd,2023-11-02,Angers,49000,35-44,Twitter,"
            "https://www.linkedin.com/in/ann-smith-42/,@ann@Mastodon.Social,yes,no,"
            "crisps\n"
        )
    ).encode()

    parsed = parse_members_csv(data)

    assert parsed.encoding == "utf-8-sig"
    assert parsed.delimiter == ","
    assert parsed.ignored_columns == ["Favourite snack"]
    assert parsed.rows == [
        MemberRow(
            line=2,
            first_name="Ann",
            last_name="Smith",
            email="ann.smith@example.com",
            phone="+44 20 7946 0958",
            profession_text="Developer, freelance",
            profession_category="web",
            organisation="Acme Ltd",
            joined_on=dt.date(2023, 11, 2),
            city="Angers",
            postcode="49000",
            age_bracket="35-44",
            heard_from="Twitter",
            linkedin="https://www.linkedin.com/in/ann-smith-42",
            mastodon="ann@mastodon.social",
            consent_data=True,
            consent_newsletter=False,
        )
    ]


def test_tab_separated_file_with_a_full_name_column():
    data = crlf(
        "Nom complet\tCourriel\tDate d'inscription\tDroit à l'image\tNotes\n"
        "DUPONT Jean\tjean.dupont@example.fr\t01-02-2022\tx\t"
        '"Vient le mardi,\nparfois le jeudi; ou pas"\n'
        "Zoé Martin\t\t\t\t\n"
        "Dupont, Marie\t\t\tnon\t\n"
    ).encode()

    parsed = parse_members_csv(data)

    assert parsed.delimiter == "\t"
    assert [(row.line, row.first_name, row.last_name) for row in parsed.rows] == [
        (2, "Jean", "DUPONT"),
        (3, "Zoé", "Martin"),  # row numbers count records, as a spreadsheet does
        (4, "Marie", "Dupont"),
    ]
    jean = parsed.rows[0]
    assert jean.joined_on == dt.date(2022, 2, 1)
    assert jean.consent_photos is True
    assert jean.notes == "Vient le mardi,\nparfois le jeudi; ou pas"
    assert parsed.rows[2].consent_photos is False


def test_bad_file_lists_every_bad_row_with_its_line_and_field():
    data = crlf(
        "Nom;Prénom;E-mail;Date d'adhésion;Date de départ;Tranche d'âge;Twitter\n"
        "Durand;Paul;paul.durand@example.fr;31/02/2024;;;\n"
        ";;sans-nom@example.fr;01/01/2024;;;\n"
        "Petit;Léa;lea@petit;01/01/2024;;;\n"
        "Roux;Marc;PAUL.DURAND@example.fr;01/01/2024;;;\n"
        "Blanc;Emma;emma@example.fr;10/05/2024;01/01/2024;;\n"
        "Noir;Jules;jules@example.fr;hier;;très vieux;\n"
        "Vert;Ana;ana@example.fr;;;;ceci n'est pas un compte\n"
        "Bon;Élève;bon@example.fr;01/01/2024;;;\n"
    ).encode("cp1252")

    errors = errors_of(data)

    assert [(error.line, error.field) for error in errors] == [
        (2, "joined_on"),
        (3, "last_name"),
        (4, "email"),
        (5, "email"),
        (6, "left_on"),
        (7, "joined_on"),
        (7, "age_bracket"),
        (8, "twitter"),
    ]
    assert errors[0].column == "Date d'adhésion"
    assert str(errors[0]) == (
        "Ligne 2, colonne « Date d'adhésion » : La date « 31/02/2024 » n'existe pas."
    )
    assert "lignes 2 et 5" in errors[3].message
    assert "précède" in errors[4].message


def test_error_message_of_the_exception_lists_all_rows():
    data = b"Nom;E-mail\r\nA;x@\r\nB;y@\r\n"

    with pytest.raises(MemberCsvError) as excinfo:
        parse_members_csv(data)

    assert str(excinfo.value).splitlines() == [
        "Ligne 2, colonne « E-mail » : Adresse e-mail « x@ » invalide.",
        "Ligne 3, colonne « E-mail » : Adresse e-mail « y@ » invalide.",
    ]


def test_a_file_of_invalid_rows_keeps_the_first_100_errors_and_counts_the_rest():
    """50,000 bad rows made 450,000 errors, all kept: hundreds of megabytes, a 60 MB page."""
    data = members_invalid_rows(5_000)
    tracemalloc.start()
    try:
        with pytest.raises(MemberCsvError) as excinfo:
            parse_members_csv(data)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    error = excinfo.value
    assert len(error.errors) == MAX_LISTED_ERRORS == 100
    assert error.total == 5_000 * ERRORS_PER_INVALID_ROW
    assert error.unlisted == 44_900
    assert [e.line for e in error.errors][:10] == [2] * 9 + [3]  # the first ones, in file order
    assert str(error).splitlines()[-1] == "… et 44\u202f900 autres erreurs."
    assert peak < 8 * 1024 * 1024, peak  # was about 33 MB, growing with the file


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b";;;\r\n;;\r\n"])
def test_empty_file_is_refused(data):
    assert [error.message for error in errors_of(data)] == ["Le fichier est vide."]


def test_header_only_file_is_refused():
    (error,) = errors_of(b"Nom;Pr\xe9nom;E-mail\r\n;;\r\n")

    assert "que la ligne d'en-tête" in error.message


def test_spreadsheet_instead_of_csv_is_refused():
    (error,) = errors_of(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")

    assert error.line is None
    assert "classeur Excel (.xlsx)" in error.message
    assert "CSV (séparateur : point-virgule)" in error.message


def test_file_without_header_is_refused():
    (error,) = errors_of(b"Dupont;Jean;jean@example.fr\r\nMartin;Zoe;zoe@example.fr\r\n")

    assert "pas de ligne d'en-tête" in error.message


def test_file_without_name_column_is_refused():
    (error,) = errors_of(b"E-mail;Ville\r\njean@example.fr;Angers\r\n")

    assert error.line == 1
    assert "Aucune colonne de nom" in error.message


def test_too_many_rows_is_refused():
    data = b"Nom\r\n" + b"".join(b"Membre %d\r\n" % n for n in range(4))

    (error,) = errors_of(data, max_rows=3)

    assert "limite de 3 membres" in error.message
    assert len(parse_members_csv(data, max_rows=4).rows) == 4


def test_row_with_too_many_values_is_reported():
    data = b"Nom;Ville\r\nDupont;Angers; France\r\nMartin;Angers;\r\n"

    (error,) = errors_of(data)

    assert (error.line, error.field) == (2, None)
    assert "3 valeurs pour 2 colonnes" in error.message


def test_headers_match_whatever_their_case_accents_and_punctuation():
    data = crlf(
        "PRENOM;nom de famille;E-mail *;Tél.;Société;Date d'adhésion;CP;"
        "Commune;Âge;Source;Commentaire;Consentement (photos);Mobile;\n"
        "Zoé;Martin;zoe@example.fr;;SCOP Ouest;2024-01-15;49000;Angers;29;Flyer;"
        "RAS;oui;07 11 22 33 44;\n"
    ).encode()

    parsed = parse_members_csv(data)

    assert parsed.ignored_columns == []
    assert set(parsed.columns) == {
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation",
        "joined_on",
        "postcode",
        "city",
        "age_bracket",
        "heard_from",
        "notes",
        "consent_photos",
    }
    (row,) = parsed.rows
    assert row.phone == "07 11 22 33 44"  # from « Mobile » since « Tél. » is empty
    assert row.age_bracket == "25-34"
    assert row.consent_photos is True


def test_name_column_next_to_a_first_name_column_is_the_last_name():
    parsed = parse_members_csv(b"First name,Name\r\nAnn,Smith\r\n")

    assert (parsed.rows[0].first_name, parsed.rows[0].last_name) == ("Ann", "Smith")


def test_full_name_column_is_ignored_when_separate_columns_exist():
    parsed = parse_members_csv(b"Nom;Pr\xe9nom;Nom complet\r\nMartin;Zo\xe9;Zo\xe9 M.\r\n")

    assert parsed.ignored_columns == ["Nom complet"]
    assert parsed.rows[0].first_name == "Zoé"


def test_untitled_column_holding_data_is_reported_as_ignored():
    parsed = parse_members_csv(b"Nom;;\r\nMartin;VIP;\r\n")

    assert parsed.ignored_columns == ["colonne B (sans titre)"]


def test_explicit_category_wins_and_must_be_known():
    data = crlf(
        "Nom;Métier;Catégorie\nMartin;Développeuse;Salarié\nDurand;Photographe;Astronaute\n"
    ).encode()

    (error,) = errors_of(data)

    assert (error.line, error.field) == (3, "profession_category")
    assert "« Web designer / développeur »" in error.message
    parsed = parse_members_csv(data.split(b"\r\nDurand")[0])
    assert parsed.rows[0].profession_category == "salarie"


def test_export_then_parse_back_gives_the_same_members():
    members = [
        MemberRow(
            line=2,
            first_name="Élodie",
            last_name="Le Gall",
            email="elodie@example.fr",
            phone="+33 6 12 34 56 78",
            profession_text="Développeuse",
            profession_category="web",
            organisation='=HYPERLINK("http://evil.example")',
            age_bracket="25-34",
            postcode="49000",
            city="Angers",
            joined_on=dt.date(2023, 1, 31),
            left_on=dt.date(2024, 12, 1),
            twitter="maine_labs",
            mastodon="elodie@piaille.fr",
            linkedin="https://www.linkedin.com/in/elodie-le-gall",
            heard_from="Twapéro",
            consent_data=True,
            consent_photos=False,
            consent_newsletter=None,
            notes="-- vient le mardi\nAdhérente ; très active",
        ),
        MemberRow(line=3, first_name="Zoé", last_name="Martin"),
    ]

    exported = write_csv((member_csv_row(m) for m in members), member_csv_header())

    assert exported.startswith(b"\xef\xbb\xbf")
    assert b"\"'=HYPERLINK(" in exported
    parsed = parse_members_csv(exported)
    assert parsed.rows == members
    assert parsed.ignored_columns == []


def test_member_csv_row_uses_french_labels():
    row = member_csv_row(MemberRow(line=2, last_name="X", profession_category="web"))

    assert row[member_csv_header().index("Catégorie professionnelle")] == (
        "Web designer / développeur"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2024", dt.date(2024, 3, 5)),
        ("5/3/2024", dt.date(2024, 3, 5)),
        ("05/03/24", dt.date(2024, 3, 5)),
        ("05/03/99", dt.date(1999, 3, 5)),
        ("05-03-2024", dt.date(2024, 3, 5)),
        ("05.03.2024", dt.date(2024, 3, 5)),
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("05/03/2024 00:00", dt.date(2024, 3, 5)),
        ("2024-03-05T00:00:00", dt.date(2024, 3, 5)),
        ("29/02/2024", dt.date(2024, 2, 29)),
    ],
)
def test_parse_date_accepts_french_and_iso_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2024", "29/02/2023", "2024-13-01", "mars 2024"])
def test_parse_date_refuses_impossible_or_unknown_dates(text):
    with pytest.raises(ValueError, match=text):
        parse_date(text)


@pytest.mark.parametrize(
    "text", ["01/01/0001", "31/12/9999", "9999-12-31", "0001-01-01", "31/12/1899", "01/01/2201"]
)
def test_parse_date_refuses_years_out_of_the_register_range(text):
    with pytest.raises(ValueError, match=f"{text}.*entre 1900 et 2200"):
        parse_date(text)


def test_dates_of_year_1_or_9999_are_refused_naming_the_row_and_the_column():
    errors = errors_of(members_extreme_dates())

    assert [(error.line, error.column) for error in errors] == [
        (2, "Date d'adhésion"),
        (3, "Date de départ"),
        (4, "Date d'adhésion"),
    ]
    assert str(errors[0]) == (
        "Ligne 2, colonne « Date d'adhésion » : Date « 01/01/0001 » refusée : "
        "l'année doit être comprise entre 1900 et 2200."
    )


@pytest.mark.parametrize(
    "text",
    [
        "maine_labs",
        "@maine_labs",
        "https://twitter.com/maine_labs",
        "http://www.twitter.com/#!/maine_labs",
        "https://x.com/maine_labs?lang=fr",
        "twitter.com/@maine_labs/",
    ],
)
def test_twitter_handles_are_normalised(text):
    assert normalize_twitter(text) == "maine_labs"


@pytest.mark.parametrize(
    "text",
    [
        "@MaineLabs@Mastodon.Social",
        "https://mastodon.social/@MaineLabs",
        "MaineLabs@mastodon.social",
    ],
)
def test_mastodon_handles_are_normalised(text):
    assert normalize_mastodon(text) == "MaineLabs@mastodon.social"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://fr.linkedin.com/in/jean-dupont-4a5b6c/",
            "https://www.linkedin.com/in/jean-dupont-4a5b6c",
        ),
        (
            "linkedin.com/company/maine-labs?trk=x",
            "https://www.linkedin.com/company/maine-labs",
        ),
        ("jean-dupont-4a5b6c", "https://www.linkedin.com/in/jean-dupont-4a5b6c"),
    ],
)
def test_linkedin_profiles_are_normalised(text, expected):
    assert normalize_linkedin(text) == expected


@pytest.mark.parametrize("text", ["Jean Dupont", "https://example.org/in/jean"])
def test_linkedin_refuses_what_is_not_a_profile(text):
    with pytest.raises(ValueError, match="LinkedIn"):
        normalize_linkedin(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jean Dupont", ("Jean", "Dupont")),
        ("Jean de La Fontaine", ("Jean", "de La Fontaine")),
        ("DUPONT Jean-Pierre", ("Jean-Pierre", "DUPONT")),
        ("LE GALL Anne Marie", ("Anne Marie", "LE GALL")),
        ("Anne Marie LE GALL", ("Anne Marie", "LE GALL")),
        ("Dupont, Jean", ("Jean", "Dupont")),
        ("Zoé", ("Zoé", "")),
    ],
)
def test_split_full_name(text, expected):
    assert split_full_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Développeur Python", "web"),
        ("Web designer / développeur", "web"),
        ("graphiste", "web"),
        ("Étudiante en master", "etudiant"),
        ("student", "etudiant"),
        ("Photographe indépendant", "photographe"),
        ("Chargée de com", "communicant"),
        ("Community manager", "communicant"),
        ("Freelance", "independant"),
        ("Auto-entrepreneur", "independant"),
        ("CEO & co-founder", "chef_entreprise"),
        ("Gérante", "chef_entreprise"),
        ("Chef d'entreprise", "chef_entreprise"),
        ("Demandeuse d'emploi", "demandeur_emploi"),
        ("Mairie d'Angers", "collectivite"),
        ("Club de rugby", "association"),
        ("Salariée", "salarie"),
        ("Boulanger", "autre"),
        ("devis", "autre"),
        ("chef_entreprise", "chef_entreprise"),
    ],
)
def test_guess_profession_category(text, expected):
    assert guess_profession_category(text) == expected


def test_choices_are_ordered_and_labelled_in_french():
    assert list(PROFESSION_CATEGORIES)[0] == "communicant"
    assert list(PROFESSION_CATEGORIES)[-1] == "autre"
    assert len(PROFESSION_CATEGORIES) == 11
    assert list(AGE_BRACKETS) == ["-25", "25-34", "35-44", "45-54", "55-64", "65+"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-25", "-25"),
        ("Moins de 25 ans", "-25"),
        ("18-24", "-25"),
        ("25", "25-34"),
        ("25 à 34 ans", "25-34"),
        ("65 ans et plus", "65+"),
        ("+65", "65+"),
        ("25-40", None),
        ("vieux", None),
    ],
)
def test_match_age_bracket(text, expected):
    assert match_age_bracket(text) == expected


def test_excel_unicode_text_export_in_utf16_with_tabs():
    data = "Prénom\tNom\r\nZoé\tMartin\r\n".encode("utf-16")

    parsed = parse_members_csv(data)

    assert parsed.encoding == "utf-16"
    assert (parsed.rows[0].first_name, parsed.rows[0].last_name) == ("Zoé", "Martin")


def test_errors_raised_in_french_read_in_english_where_english_is_shown(app):
    """Row errors, their locations and the count of the others render when they are read."""
    data = write_csv([["Martin", "x0", "vieux"]] * 150, ["Nom", "E-mail", "Tranche d'âge"])
    with pytest.raises(MemberCsvError) as excinfo:
        parse_members_csv(data)
    error = excinfo.value
    assert (
        str(error).splitlines()[0]
        == "Ligne 2, colonne « E-mail » : Adresse e-mail « x0 » invalide."
    )

    with app.test_request_context("/"), force_locale("en"):
        lines = str(error).splitlines()
        assert lines[0] == "Line 2, column “E-mail”: Invalid e-mail address “x0”."
        assert lines[1].startswith(
            "Line 2, column “Tranche d'âge”: Age bracket “vieux” not recognised. Possible values: "
            "“Moins de 25 ans”, “25 à 34 ans”"
        )
        assert lines[-1] == "… and 200 more errors."
        assert error.errors[1].message.endswith(", or an age in years.")
    assert error.errors[1].message.endswith(", ou un âge en années.")
