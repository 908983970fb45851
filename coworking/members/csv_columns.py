"""The columns of a members file: the titles recognised for each field, and those of an export."""

from __future__ import annotations

from coworking.csvio import normalize_label
from coworking.members.choices import AGE_BRACKETS, PROFESSION_CATEGORIES

__all__ = [
    "HEADER_ALIASES",
    "MEMBER_CSV_COLUMNS",
    "field_for_title",
    "member_csv_header",
    "member_csv_row",
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


def _alias_index() -> dict[str, str]:
    """Map every normalised column title to its field."""
    index: dict[str, str] = {}
    for field_name, aliases in HEADER_ALIASES.items():
        for alias in (field_name, *aliases):
            index.setdefault(normalize_label(alias), field_name)
    return index


_ALIASES = _alias_index()


def field_for_title(title: str) -> str | None:
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
