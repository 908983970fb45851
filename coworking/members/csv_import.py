"""Read a members spreadsheet (CSV) into validated rows, all or nothing.

The file is whatever a space already keeps: a French Excel export in
Windows-1252 with ``;``, a UTF-8 Google Sheets export with ``,``, a tab file;
column titles in French or English. Every problem is collected and reported
with its spreadsheet row and column, so the manager fixes the file once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from coworking.csvio import (
    CsvFormatError,
    decode_text,
    detect_encoding,
    fold_text,
    iter_records,
    normalize_label,
    sniff_dialect,
    unescape_formula,
)
from coworking.dates import MAX_YEAR, MIN_YEAR
from coworking.members.choices import (
    AGE_BRACKETS,
    PROFESSION_CATEGORIES,
    guess_profession_category,
    match_age_bracket,
    match_profession_category,
)

__all__ = [
    "HEADER_ALIASES",
    "MAX_LENGTHS",
    "MAX_LISTED_ERRORS",
    "MEMBER_CSV_COLUMNS",
    "MemberCsvError",
    "MemberRow",
    "ParsedMembers",
    "RowError",
    "member_csv_header",
    "member_csv_row",
    "normalize_linkedin",
    "normalize_mastodon",
    "normalize_twitter",
    "parse_date",
    "parse_members_csv",
    "split_full_name",
]

# Column titles recognised for each field, compared after ``normalize_label``
# (case, accents, spaces and punctuation do not matter).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "last_name": (
        "nom",
        "nom de famille",
        "nom d'usage",
        "last name",
        "lastname",
        "surname",
        "family name",
    ),
    "first_name": ("prénom", "prénoms", "first name", "given name", "forename"),
    "full_name": (
        "nom complet",
        "nom et prénom",
        "nom prénom",
        "prénom et nom",
        "prénom nom",
        "identité",
        "full name",
        "name",
    ),
    "email": (
        "e-mail",
        "courriel",
        "mail",
        "adresse mail",
        "adresse e-mail",
        "adresse courriel",
        "adresse électronique",
        "email address",
        "mail address",
    ),
    "phone": (
        "téléphone",
        "tel",
        "tél.",
        "n° de téléphone",
        "nº de téléphone",
        "numéro de téléphone",
        "téléphone portable",
        "tél. portable",
        "phone",
        "phone number",
        "mobile",
        "mobile phone",
        "portable",
        "gsm",
    ),
    "profession_text": (
        "métier",
        "profession",
        "job",
        "job title",
        "poste",
        "fonction",
        "activité",
        "activité professionnelle",
        "occupation",
    ),
    "profession_category": (
        "catégorie",
        "catégorie professionnelle",
        "catégorie de métier",
        "catégorie socio-professionnelle",
        "csp",
        "profession category",
        "category",
    ),
    "organisation": (
        "structure",
        "nom de la structure",
        "organisation",
        "organization",
        "entreprise",
        "nom de l'entreprise",
        "société",
        "raison sociale",
        "employeur",
        "company",
        "employer",
    ),
    "joined_on": (
        "date d'adhésion",
        "adhésion",
        "date d'inscription",
        "inscription",
        "membre depuis",
        "date d'arrivée",
        "joined",
        "joined on",
        "join date",
        "date joined",
        "member since",
    ),
    "left_on": (
        "date de départ",
        "départ",
        "date de sortie",
        "sortie",
        "left",
        "left on",
        "date left",
    ),
    "twitter": (
        "twitter",
        "compte twitter",
        "twitter handle",
        "twitter / x",
        "x",
        "compte x",
    ),
    "mastodon": ("mastodon", "compte mastodon", "mastodon handle", "fediverse"),
    "linkedin": ("linkedin", "profil linkedin", "linkedin profile", "linkedin url"),
    "postcode": ("code postal", "cp", "postcode", "post code", "postal code", "zip"),
    "city": ("ville", "commune", "localité", "city", "town"),
    "age_bracket": (
        "tranche d'âge",
        "âge",
        "age bracket",
        "age range",
        "age group",
    ),
    "heard_from": (
        "comment nous avez-vous connus ?",
        "comment nous avez-vous connu ?",
        "connu par",
        "source",
        "origine",
        "heard of us",
        "how did you hear of us?",
        "how did you hear about us?",
    ),
    "notes": (
        "notes",
        "note",
        "commentaire",
        "commentaires",
        "remarques",
        "comments",
    ),
    "consent_data": (
        "consentement",
        "consentement rgpd",
        "consentement données",
        "consentement traitement des données",
        "rgpd",
        "accord rgpd",
        "consent",
        "data consent",
        "data processing consent",
        "gdpr",
        "gdpr consent",
    ),
    "consent_photos": (
        "droit à l'image",
        "consentement photo",
        "consentement photos",
        "autorisation photo",
        "photos",
        "photo consent",
    ),
    "consent_newsletter": (
        "newsletter",
        "consentement newsletter",
        "lettre d'information",
        "inscrit à la newsletter",
        "newsletter consent",
    ),
}

# Upper bounds on stored text; the model's columns must be at least this wide.
MAX_LENGTHS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 30,
    "profession_text": 200,
    "organisation": 200,
    "twitter": 15,
    "mastodon": 320,
    "linkedin": 300,
    "postcode": 10,
    "city": 100,
    "heard_from": 200,
    "notes": 10_000,
}

# Columns of an export that this module reads back (field, French title).
MEMBER_CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("last_name", "Nom"),
    ("first_name", "Prénom"),
    ("email", "E-mail"),
    ("phone", "Téléphone"),
    ("profession_category", "Catégorie professionnelle"),
    ("profession_text", "Métier"),
    ("organisation", "Structure"),
    ("age_bracket", "Tranche d'âge"),
    ("postcode", "Code postal"),
    ("city", "Ville"),
    ("joined_on", "Date d'adhésion"),
    ("left_on", "Date de départ"),
    ("twitter", "Twitter / X"),
    ("mastodon", "Mastodon"),
    ("linkedin", "LinkedIn"),
    ("heard_from", "Comment nous avez-vous connus ?"),
    ("consent_data", "Consentement RGPD"),
    ("consent_photos", "Droit à l'image"),
    ("consent_newsletter", "Newsletter"),
    ("notes", "Notes"),
)

# A refused file lists this many problems, then says how many more there are.
MAX_LISTED_ERRORS = 100

_NAME_FIELDS = ("first_name", "last_name", "full_name")
_DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
_HEADER_HINT = "Nom, Prénom, E-mail…"


def _alias_index() -> dict[str, str]:
    """Map every normalised column title to its field."""
    index: dict[str, str] = {}
    for field_name, aliases in HEADER_ALIASES.items():
        for alias in (field_name, *aliases):
            index.setdefault(normalize_label(alias), field_name)
    return index


_ALIASES = _alias_index()


# --------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in the file; ``message`` is French, for the user.

    ``line`` is the spreadsheet row (the header is row 1), ``field`` the member
    attribute, ``column`` the column title as written in the file.
    """

    line: int | None
    field: str | None
    message: str
    column: str | None = None

    def __str__(self) -> str:
        """Render the error as one French sentence with its location."""
        where = []
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        if not where:
            return self.message
        location = ", ".join(where)
        return f"{location[0].upper()}{location[1:]} : {self.message}"


class MemberCsvError(ValueError):
    """The file cannot be imported: ``errors`` lists the first problems, ``total`` counts all.

    A file of 50,000 bad rows has hundreds of thousands of problems: keeping them all
    took hundreds of megabytes and made a page of 60 MB, where the first ones suffice.
    """

    def __init__(self, errors: Sequence[RowError], total: int | None = None) -> None:
        self.errors = list(errors)
        self.total = max(total or 0, len(self.errors))
        lines = [str(error) for error in self.errors]
        if self.unlisted:
            lines.append(f"… et {_french_number(self.unlisted)} autres erreurs.")
        super().__init__("\n".join(lines))

    @property
    def unlisted(self) -> int:
        """Return how many problems were counted but not kept."""
        return self.total - len(self.errors)


def _french_number(number: int) -> str:
    """Write a count the French way (narrow no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u202f")


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberRow:
    """One valid member read from the file, its fields normalised."""

    line: int
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    profession_text: str | None = None
    profession_category: str | None = None
    organisation: str | None = None
    age_bracket: str | None = None
    postcode: str | None = None
    city: str | None = None
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    twitter: str | None = None
    mastodon: str | None = None
    linkedin: str | None = None
    heard_from: str | None = None
    consent_data: bool | None = None
    consent_photos: bool | None = None
    consent_newsletter: bool | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedMembers:
    """The valid rows of an imported file and what was learnt reading it."""

    rows: list[MemberRow]
    ignored_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    delimiter: str = ";"


# --------------------------------------------------------------- value parsers


class _InvalidValue(ValueError):
    """A cell whose value is wrong; the message is French."""


def _clean(text: str, *, multiline: bool = False) -> str:
    """Undo export escaping, compose accents and tidy whitespace."""
    text = unicodedata.normalize("NFC", unescape_formula(text.strip())).strip()
    if multiline:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(text.split())


def _check_length(field_name: str, value: str) -> str:
    """Refuse ``value`` when it is longer than its column allows."""
    limit = MAX_LENGTHS.get(field_name)
    if limit is not None and len(value) > limit:
        raise _InvalidValue(f"Valeur trop longue ({len(value)} caractères, {limit} au plus).")
    return value


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")
_TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2})?$")


def parse_date(text: str) -> dt.date:
    """Read ``dd/mm/yyyy``, ``dd/mm/yy``, ``dd-mm-yyyy`` or ISO ``yyyy-mm-dd``.

    A midnight time that spreadsheets append (``05/03/2024 00:00``) is
    dropped. Two-digit years follow the POSIX rule: 00-68 → 2000s, 69-99 → 1900s.
    Years outside MIN_YEAR..MAX_YEAR are refused, as in every form: the register
    computes with these dates (months added, UTC midnights) and year 1 or 9999
    would overflow there.
    """
    value = _TIME_SUFFIX.sub("", text.strip())
    if match := _YMD.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DMY.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year <= 68 else 1900
    else:
        raise _InvalidValue(f"Date « {text} » non reconnue : écrivez-la JJ/MM/AAAA.")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise _InvalidValue(f"La date « {text} » n'existe pas.") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise _InvalidValue(
            f"Date « {text} » refusée : l'année doit être comprise entre {MIN_YEAR} et {MAX_YEAR}."
        )
    return parsed


def _parse_email(text: str) -> str:
    """Validate an e-mail address (syntax only) and lowercase it."""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise _InvalidValue(f"Adresse e-mail « {text} » invalide.") from None
    return result.normalized.lower()


_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ().\-/]+")


def _parse_phone(text: str) -> str:
    """Check a phone number and restore the leading 0 Excel drops."""
    if not _PHONE_CHARACTERS.fullmatch(text):
        raise _InvalidValue(f"Numéro de téléphone « {text} » invalide.")
    digits = re.sub(r"\D", "", text)
    if text.isdigit() and len(text) == 9 and text[0] != "0":
        digits = "0" + digits  # a French number saved as a number by Excel
    if not 6 <= len(digits) <= 15:
        raise _InvalidValue(f"Numéro de téléphone « {text} » invalide.")
    if len(digits) == 10 and digits[0] == "0" and not text.startswith("+"):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return text


_TWITTER_URL = re.compile(
    r"(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?@?([^/?#\s]+)"
    r"(?:[/?#].*)?",
    re.IGNORECASE,
)
_TWITTER_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")


def normalize_twitter(text: str) -> str:
    """Reduce a Twitter/X handle or profile URL to the bare handle."""
    value = text.strip()
    if match := _TWITTER_URL.fullmatch(value):
        value = match.group(1)
    value = value.removeprefix("@")
    if not _TWITTER_HANDLE.fullmatch(value):
        raise _InvalidValue(
            f"Compte Twitter/X « {text} » invalide : indiquez @identifiant ou l'adresse du profil."
        )
    return value


_MASTODON_URL = re.compile(
    r"https?://([a-z0-9.-]+\.[a-z]{2,})/(?:@|users/)([A-Za-z0-9_.]+)/?", re.IGNORECASE
)
_MASTODON_HANDLE = re.compile(
    r"@?([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)@([a-z0-9-]+(?:\.[a-z0-9-]+)+)",
    re.IGNORECASE,
)


def normalize_mastodon(text: str) -> str:
    """Reduce a Mastodon handle or profile URL to ``user@instance``."""
    value = text.strip()
    if match := _MASTODON_URL.fullmatch(value):
        return f"{match.group(2)}@{match.group(1).lower()}"
    if match := _MASTODON_HANDLE.fullmatch(value):
        return f"{match.group(1)}@{match.group(2).lower()}"
    raise _InvalidValue(
        f"Compte Mastodon « {text} » invalide : indiquez @identifiant@instance "
        "ou l'adresse du profil."
    )


_LINKEDIN_URL = re.compile(
    r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(in|company|school|pub)/([^/?#\s]+)"
    r"/?(?:[?#].*)?",
    re.IGNORECASE,
)
_LINKEDIN_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,99}")


def normalize_linkedin(text: str) -> str:
    """Turn a LinkedIn profile URL or bare profile name into a canonical URL."""
    value = text.strip()
    if match := _LINKEDIN_URL.fullmatch(value):
        kind, slug = match.group(1).lower(), match.group(2)
    elif _LINKEDIN_SLUG.fullmatch(value):
        kind, slug = "in", value
    else:
        raise _InvalidValue(
            f"Profil LinkedIn « {text} » invalide : indiquez l'adresse du profil "
            "(https://www.linkedin.com/in/…)."
        )
    return f"https://www.linkedin.com/{kind}/{slug}"


_POSTCODE = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,9}")


def _parse_postcode(text: str) -> str:
    """Check a postcode (French or foreign) and uppercase it."""
    value = text.upper()
    if not _POSTCODE.fullmatch(value):
        raise _InvalidValue(f"Code postal « {text} » invalide.")
    return value


def _parse_age_bracket(text: str) -> str:
    """Read an age bracket, or an age, into a bracket slug."""
    slug = match_age_bracket(text)
    if slug is None:
        accepted = ", ".join(f"« {label} »" for label in AGE_BRACKETS.values())
        raise _InvalidValue(
            f"Tranche d'âge « {text} » non reconnue. Valeurs possibles : {accepted}, "
            "ou un âge en années."
        )
    return slug


def _parse_profession_category(text: str) -> str:
    """Read a profession category given by its label or slug."""
    slug = match_profession_category(text)
    if slug is None:
        accepted = ", ".join(f"« {label} »" for label in PROFESSION_CATEGORIES.values())
        raise _InvalidValue(f"Catégorie « {text} » non reconnue. Valeurs possibles : {accepted}.")
    return slug


_TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "x", "1", "true", "vrai", "ok"})
_FALSE_WORDS = frozenset({"non", "n", "no", "0", "false", "faux"})


def _parse_consent(text: str) -> bool:
    """Read a yes/no cell: oui/non, yes/no, x, 1/0, vrai/faux."""
    word = fold_text(text)
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise _InvalidValue(f"Valeur « {text} » non reconnue : écrivez oui ou non.")


def _plain_text(field_name: str) -> Callable[[str], str]:
    """Build a parser that only checks the length of ``field_name``."""
    return lambda value: _check_length(field_name, value)


_PARSERS: dict[str, Callable[[str], object]] = {
    "first_name": _plain_text("first_name"),
    "last_name": _plain_text("last_name"),
    "email": _parse_email,
    "phone": _parse_phone,
    "profession_text": _plain_text("profession_text"),
    "profession_category": _parse_profession_category,
    "organisation": _plain_text("organisation"),
    "age_bracket": _parse_age_bracket,
    "postcode": _parse_postcode,
    "city": _plain_text("city"),
    "joined_on": parse_date,
    "left_on": parse_date,
    "twitter": normalize_twitter,
    "mastodon": normalize_mastodon,
    "linkedin": normalize_linkedin,
    "heard_from": _plain_text("heard_from"),
    "consent_data": _parse_consent,
    "consent_photos": _parse_consent,
    "consent_newsletter": _parse_consent,
    "notes": _plain_text("notes"),
}


def split_full_name(text: str) -> tuple[str, str]:
    """Split a full name into ``(first name, last name)``.

    ``"Dupont, Jean"`` and ``"DUPONT Jean"`` (surname in capitals, the French
    habit) are understood; otherwise the first word is the first name. A single
    word is taken as a first name.
    """
    value = " ".join(text.split())
    if "," in value:
        last, _, first = value.partition(",")
        return first.strip(), last.strip()
    words = value.split(" ")
    if len(words) == 1:
        return value, ""
    capitals = [len(word) > 1 and word.isupper() for word in words]
    if any(capitals) and not all(capitals):
        count = capitals.index(False) if capitals[0] else 0
        if count:  # "DUPONT Jean"
            return " ".join(words[count:]), " ".join(words[:count])
        start = len(capitals) - capitals[::-1].index(False)
        if all(capitals[start:]):  # "Jean DUPONT"
            return " ".join(words[:start]), " ".join(words[start:])
    return words[0], " ".join(words[1:])


# ------------------------------------------------------------------ the parser


@dataclass(slots=True)
class _Layout:
    """Which columns of the file feed which field."""

    header: list[str]
    columns: dict[str, list[int]]
    ignored: list[str]
    untitled: list[int]

    def title(self, field_name: str) -> str | None:
        """Return the title of the first column feeding ``field_name``."""
        indexes = self.columns.get(field_name)
        return self.header[indexes[0]].strip() if indexes else None


def _column_letter(index: int) -> str:
    """Name a zero-based column index as a spreadsheet does (A, B, …, AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _field_for_title(title: str) -> str | None:
    """Find the field a column title stands for, if any."""
    key = normalize_label(title)
    if key in _ALIASES:
        return _ALIASES[key]
    if key.startswith("consent"):
        if "photo" in key or "image" in key:
            return "consent_photos"
        if "newsletter" in key or "lettre" in key:
            return "consent_newsletter"
        return "consent_data"
    return None


def _layout(header: list[str]) -> _Layout:
    """Match the header's titles to member fields."""
    columns: dict[str, list[int]] = {}
    ignored: list[str] = []
    untitled: list[int] = []
    for index, title in enumerate(header):
        field_name = _field_for_title(title) if title.strip() else None
        if field_name is not None:
            columns.setdefault(field_name, []).append(index)
        elif title.strip():
            ignored.append(title.strip())
        else:
            untitled.append(index)
    if "full_name" in columns:
        if "first_name" in columns and "last_name" not in columns:
            columns["last_name"] = columns.pop("full_name")  # "First name" + "Name"
        elif "first_name" in columns or "last_name" in columns:
            ignored.extend(header[index].strip() for index in columns.pop("full_name"))
    return _Layout(header, columns, ignored, untitled)


def _looks_like_data(cells: list[str]) -> bool:
    """Tell whether a first row holds member data rather than titles."""
    for cell in cells:
        value = cell.strip()
        if "@" in value and "." in value.split("@")[-1]:
            return True
        if _DMY.fullmatch(value) or _YMD.fullmatch(value):
            return True
    return False


def _file_error(message: str, line: int | None = None) -> MemberCsvError:
    """Wrap a whole-file problem as an import error."""
    return MemberCsvError([RowError(line, None, message)])


def _parse_row(
    line: int, cells: list[str], layout: _Layout
) -> tuple[MemberRow | None, list[RowError]]:
    """Validate one data row into a member, or say everything wrong with it."""
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    width = len(layout.header)
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        errors.append(
            RowError(
                line,
                None,
                f"Cette ligne a {len(cells)} valeurs pour {width} colonnes : une "
                "valeur contient-elle le séparateur sans guillemets ?",
            )
        )
    for field_name, indexes in layout.columns.items():
        multiline = field_name == "notes"
        raw = next(
            (
                _clean(cells[index], multiline=multiline)
                for index in indexes
                if index < len(cells) and cells[index].strip()
            ),
            "",
        )
        if not raw:
            continue
        if field_name == "full_name":
            values["first_name"], values["last_name"] = split_full_name(raw)
            continue
        try:
            values[field_name] = _PARSERS[field_name](raw)
        except _InvalidValue as exc:
            errors.append(RowError(line, field_name, str(exc), layout.title(field_name)))
    errors.extend(_check_row(line, values, layout))
    if errors:
        return None, errors
    if values.get("profession_text") and "profession_category" not in values:
        values["profession_category"] = guess_profession_category(str(values["profession_text"]))
    return MemberRow(line=line, **values), []


def _check_row(line: int, values: dict[str, object], layout: _Layout) -> list[RowError]:
    """Apply the rules that involve several fields of one row."""
    errors: list[RowError] = []
    if not values.get("first_name") and not values.get("last_name"):
        column = layout.title("last_name") or layout.title("full_name")
        errors.append(RowError(line, "last_name", "Nom et prénom manquants.", column))
    for name_field in ("first_name", "last_name"):
        name = values.get(name_field)
        if isinstance(name, str) and len(name) > MAX_LENGTHS[name_field]:
            errors.append(
                RowError(
                    line,
                    name_field,
                    f"Valeur trop longue ({len(name)} caractères, "
                    f"{MAX_LENGTHS[name_field]} au plus).",
                    layout.title(name_field) or layout.title("full_name"),
                )
            )
    joined_on, left_on = values.get("joined_on"), values.get("left_on")
    if isinstance(joined_on, dt.date) and isinstance(left_on, dt.date) and left_on < joined_on:
        errors.append(
            RowError(
                line,
                "left_on",
                f"La date de départ ({left_on:%d/%m/%Y}) précède la date "
                f"d'adhésion ({joined_on:%d/%m/%Y}).",
                layout.title("left_on"),
            )
        )
    return errors


def _data_rows(
    records: Iterator[tuple[int, list[str]]], max_rows: int
) -> Iterator[tuple[int, list[str]]]:
    """Yield the non-blank rows after the header, stopping past ``max_rows``."""
    count = 0
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > max_rows:
            limit = _french_number(max_rows)
            raise _file_error(
                f"Le fichier dépasse la limite de {limit} membres par import : "
                "découpez-le en plusieurs fichiers."
            )
        yield line, cells


def _read_header(records: Iterator[tuple[int, list[str]]]) -> _Layout:
    """Read the first non-blank row as the header and match its titles."""
    for line, cells in records:
        if any(cell.strip() for cell in cells):
            layout = _layout(cells)
            if not any(name in layout.columns for name in _NAME_FIELDS):
                if _looks_like_data(cells):
                    raise _file_error(
                        "Le fichier n'a pas de ligne d'en-tête : la première ligne "
                        f"doit donner le titre des colonnes ({_HEADER_HINT}).",
                        line=line,
                    )
                raise _file_error(
                    "Aucune colonne de nom reconnue : le fichier doit avoir une "
                    "colonne « Nom », « Prénom » ou « Nom complet ».",
                    line=line,
                )
            return layout
    raise _file_error("Le fichier est vide.")


def _untitled_in_use(layout: _Layout, cells: list[str]) -> set[int]:
    """Return the untitled columns that nevertheless hold a value in ``cells``."""
    return {index for index in layout.untitled if index < len(cells) and cells[index].strip()}


def _duplicate_email_error(
    line: int, email: str | None, first_line_of_email: dict[str, int], layout: _Layout
) -> RowError | None:
    """Report an e-mail already seen on an earlier row, else remember it."""
    if email is None:
        return None
    first_line = first_line_of_email.setdefault(email, line)
    if first_line == line:
        return None
    return RowError(
        line,
        "email",
        f"Adresse e-mail « {email} » en double : lignes {first_line} et {line}.",
        layout.title("email"),
    )


def parse_members_csv(
    data: bytes, *, max_rows: int = 50_000, max_errors: int = MAX_LISTED_ERRORS
) -> ParsedMembers:
    """Read a members CSV file, raising ``MemberCsvError`` with the first ``max_errors``
    problems and the count of all."""
    try:
        encoding = detect_encoding(data)
        text = decode_text(data)
    except CsvFormatError as exc:
        raise _file_error(exc.message, exc.line) from None
    if not text.strip():
        raise _file_error("Le fichier est vide.")
    dialect = sniff_dialect(text)
    records = iter_records(text, dialect)
    rows: list[MemberRow] = []
    errors: list[RowError] = []
    error_count = 0
    row_count = 0
    untitled_in_use: set[int] = set()
    first_line_of_email: dict[str, int] = {}
    try:
        layout = _read_header(records)
        for line, cells in _data_rows(records, max_rows):
            row_count += 1
            untitled_in_use |= _untitled_in_use(layout, cells)
            member, row_errors = _parse_row(line, cells, layout)
            email = _row_email(member, cells, layout)
            duplicate = _duplicate_email_error(line, email, first_line_of_email, layout)
            if duplicate is not None:
                row_errors.append(duplicate)
            if row_errors:
                error_count += len(row_errors)
                errors.extend(row_errors[: max(0, max_errors - len(errors))])
                rows.clear()  # the file is refused: no need to keep its good rows
            elif member is not None and not error_count:
                rows.append(member)
    except CsvFormatError as exc:
        raise _file_error(exc.message, exc.line) from None
    if error_count:
        raise MemberCsvError(errors, error_count)
    if not row_count:
        raise _file_error(
            "Le fichier ne contient que la ligne d'en-tête : aucun membre à importer."
        )
    untitled = [
        f"colonne {_column_letter(index)} (sans titre)" for index in sorted(untitled_in_use)
    ]
    return ParsedMembers(
        rows=rows,
        ignored_columns=layout.ignored + untitled,
        columns={name: title for name in layout.columns if (title := layout.title(name))},
        encoding=encoding,
        delimiter=dialect.delimiter,
    )


def _row_email(member: MemberRow | None, cells: list[str], layout: _Layout) -> str | None:
    """Return the row's normalised e-mail, even when another field is invalid."""
    if member is not None:
        return member.email
    for index in layout.columns.get("email", []):
        if index < len(cells) and cells[index].strip():
            try:
                return _parse_email(_clean(cells[index]))
            except _InvalidValue:
                return None
    return None


# ---------------------------------------------------------------------- export


def member_csv_header() -> list[str]:
    """Return the French column titles of a members export."""
    return [title for _, title in MEMBER_CSV_COLUMNS]


def member_csv_row(member: object) -> list[object]:
    """Return the export cells of any object with the member field names."""
    cells: list[object] = []
    for field_name, _ in MEMBER_CSV_COLUMNS:
        value = getattr(member, field_name, None)
        if field_name == "profession_category" and value:
            value = PROFESSION_CATEGORIES.get(str(value), value)
        elif field_name == "age_bracket" and value:
            value = AGE_BRACKETS.get(str(value), value)
        cells.append(value)
    return cells
