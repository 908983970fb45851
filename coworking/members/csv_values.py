"""Read the cells of a members file: names, dates, e-mails, phones, handles, consents…

Each reader returns the value to store or raises :class:`InvalidValue` with the reason, a lazy
translation rendered where it is shown.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coworking.csvio import fold_text, unescape_formula
from coworking.dates import MAX_YEAR, MIN_YEAR
from coworking.members.choices import (
    AGE_BRACKETS,
    PROFESSION_CATEGORIES,
    match_age_bracket,
    match_profession_category,
)

__all__ = [
    "MAX_LENGTHS",
    "PARSERS",
    "InvalidValue",
    "clean",
    "looks_like_date",
    "normalize_linkedin",
    "normalize_mastodon",
    "normalize_twitter",
    "parse_date",
    "parse_email",
    "parse_phone",
    "parse_postcode",
    "split_full_name",
    "too_long",
]

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


def too_long(length: int, limit: int) -> Any:
    """Return the reason a value of ``length`` characters is refused (lazy)."""
    return _l(
        "Valeur trop longue (%(length)s caractères, %(max)s au plus).", length=length, max=limit
    )


def looks_like_date(value: str) -> bool:
    """Tell whether a cell holds a date as the readers accept it (without its time)."""
    return bool(_DMY.fullmatch(value) or _YMD.fullmatch(value))


def _quoted_list(labels: Iterable[str]) -> Any:
    """Return the labels quoted and joined, in the language shown (lazy)."""
    return LazyString(lambda: ", ".join(_("« %(value)s »", value=label) for label in labels))


class InvalidValue(ValueError):
    """A cell whose value is wrong; ``reason`` may be a lazy translation."""

    def __init__(self, reason: Any) -> None:
        super().__init__(reason)
        self.reason = reason


def clean(text: str, *, multiline: bool = False) -> str:
    """Undo export escaping, compose accents and tidy whitespace."""
    text = unicodedata.normalize("NFC", unescape_formula(text.strip())).strip()
    if multiline:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(text.split())


def _check_length(field_name: str, value: str) -> str:
    """Refuse ``value`` when it is longer than its column allows."""
    limit = MAX_LENGTHS.get(field_name)
    if limit is not None and len(value) > limit:
        raise InvalidValue(too_long(len(value), limit))
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
        raise InvalidValue(
            _l("Date « %(value)s » non reconnue : écrivez-la JJ/MM/AAAA.", value=text)
        )
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(_l("La date « %(value)s » n'existe pas.", value=text)) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise InvalidValue(
            _l(
                "Date « %(value)s » refusée : l'année doit être comprise entre %(min)s et %(max)s.",
                value=text,
                min=MIN_YEAR,
                max=MAX_YEAR,
            )
        )
    return parsed


def parse_email(text: str) -> str:
    """Validate an e-mail address (syntax only) and lowercase it."""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidValue(_l("Adresse e-mail « %(value)s » invalide.", value=text)) from None
    return result.normalized.lower()


_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ().\-/]+")


def parse_phone(text: str) -> str:
    """Check a phone number and restore the leading 0 Excel drops."""
    if not _PHONE_CHARACTERS.fullmatch(text):
        raise InvalidValue(_l("Numéro de téléphone « %(value)s » invalide.", value=text))
    digits = re.sub(r"\D", "", text)
    if text.isdigit() and len(text) == 9 and text[0] != "0":
        digits = "0" + digits  # a French number saved as a number by Excel
    if not 6 <= len(digits) <= 15:
        raise InvalidValue(_l("Numéro de téléphone « %(value)s » invalide.", value=text))
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
        raise InvalidValue(
            _l(
                "Compte Twitter/X « %(value)s » invalide : "
                "indiquez @identifiant ou l'adresse du profil.",
                value=text,
            )
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
    raise InvalidValue(
        _l(
            "Compte Mastodon « %(value)s » invalide : indiquez @identifiant@instance "
            "ou l'adresse du profil.",
            value=text,
        )
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
        raise InvalidValue(
            _l(
                "Profil LinkedIn « %(value)s » invalide : indiquez l'adresse du profil "
                "(https://www.linkedin.com/in/…).",
                value=text,
            )
        )
    return f"https://www.linkedin.com/{kind}/{slug}"


_POSTCODE = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,9}")
_DIGITS_ONLY_POSTCODE = re.compile(r"[0-9]{4,6}")


def parse_postcode(text: str) -> str:
    """Check a postcode and uppercase it: five digits in France (49000), four to six digits
    elsewhere (Belgium, Switzerland), or letters and digits (SW1A 1AA, 1012 AB)."""
    value = " ".join(text.upper().split())
    well_formed = _POSTCODE.fullmatch(value) and any(char.isdigit() for char in value)
    if not well_formed or (value.isdigit() and not _DIGITS_ONLY_POSTCODE.fullmatch(value)):
        raise InvalidValue(
            _l(
                "Code postal « %(value)s » invalide : cinq chiffres en France (49000), "
                "ou le code postal du pays.",
                value=text,
            )
        )
    return value


def _parse_age_bracket(text: str) -> str:
    """Read an age bracket, or an age, into a bracket slug."""
    slug = match_age_bracket(text)
    if slug is None:
        raise InvalidValue(
            _l(
                "Tranche d'âge « %(value)s » non reconnue. Valeurs possibles : %(accepted)s, "
                "ou un âge en années.",
                value=text,
                accepted=_quoted_list(AGE_BRACKETS.values()),
            )
        )
    return slug


def _parse_profession_category(text: str) -> str:
    """Read a profession category given by its label or slug."""
    slug = match_profession_category(text)
    if slug is None:
        raise InvalidValue(
            _l(
                "Catégorie « %(value)s » non reconnue. Valeurs possibles : %(accepted)s.",
                value=text,
                accepted=_quoted_list(PROFESSION_CATEGORIES.values()),
            )
        )
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
    raise InvalidValue(_l("Valeur « %(value)s » non reconnue : écrivez oui ou non.", value=text))


def _plain_text(field_name: str) -> Callable[[str], str]:
    """Build a parser that only checks the length of ``field_name``."""
    return lambda value: _check_length(field_name, value)


PARSERS: dict[str, Callable[[str], object]] = {
    "first_name": _plain_text("first_name"),
    "last_name": _plain_text("last_name"),
    "email": parse_email,
    "phone": parse_phone,
    "profession_text": _plain_text("profession_text"),
    "profession_category": _parse_profession_category,
    "organisation": _plain_text("organisation"),
    "age_bracket": _parse_age_bracket,
    "postcode": parse_postcode,
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
