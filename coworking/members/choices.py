"""Closed lists describing members: profession categories and age brackets.

Labels are French, marked with N_ for extraction; the caller translates them when displaying.
"""

from __future__ import annotations

import re
from functools import cache

from coworking.csvio import fold_text, normalize_label
from coworking.i18n import N_

__all__ = [
    "AGE_BRACKETS",
    "PROFESSION_CATEGORIES",
    "age_bracket_for_age",
    "guess_profession_category",
    "match_age_bracket",
    "match_profession_category",
]

PROFESSION_CATEGORIES: dict[str, str] = {
    "communicant": N_("Communicant"),
    "chef_entreprise": N_("Chef d'entreprise"),
    "independant": N_("Indépendant"),
    "photographe": N_("Photographe"),
    "web": N_("Web designer / développeur"),
    "etudiant": N_("Étudiant"),
    "salarie": N_("Salarié"),
    "demandeur_emploi": N_("Demandeur d'emploi"),
    "association": N_("Association / club sportif"),
    "collectivite": N_("Collectivité"),
    "autre": N_("Autre"),
}

# (slug, youngest age, oldest age or None, label)
_AGE_BRACKET_BOUNDS: tuple[tuple[str, int, int | None, str], ...] = (
    ("-25", 0, 24, N_("Moins de 25 ans")),
    ("25-34", 25, 34, N_("25 à 34 ans")),
    ("35-44", 35, 44, N_("35 à 44 ans")),
    ("45-54", 45, 54, N_("45 à 54 ans")),
    ("55-64", 55, 64, N_("55 à 64 ans")),
    ("65+", 65, None, N_("65 ans et plus")),
)
AGE_BRACKETS: dict[str, str] = {slug: label for slug, _, _, label in _AGE_BRACKET_BOUNDS}

# Checked in this order on the folded text (lowercase, no accents, punctuation
# turned into spaces); the first match wins. Status-like categories come first
# (a « demandeur d'emploi, ex-graphiste » is counted as looking for work), then
# trades, then the broad legal statuses.
_PROFESSION_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "demandeur_emploi",
        (
            r"demandeu\w* d emploi",
            r"(en )?recherche d emploi",
            r"chomage",
            r"chomeu\w*",
            r"sans emploi",
            r"pole emploi",
            r"france travail",
            r"job ?seeker",
            r"unemployed",
        ),
    ),
    (
        "etudiant",
        (
            r"etudiant\w*",
            r"student",
            r"eleve",
            r"alternant\w*",
            r"apprenti\w*",
            r"stagiaire",
            r"doctorant\w*",
            r"phd",
            r"intern",
        ),
    ),
    (
        "association",
        (
            r"association\w*",
            r"asso",
            r"club\w*",
            r"benevole\w*",
            r"ong",
            r"ngo",
            r"non ?profit",
            r"charity",
        ),
    ),
    (
        "collectivite",
        (
            r"collectivite\w*",
            r"mairie",
            r"municipal\w*",
            r"commune",
            r"agglo\w*",
            r"metropole",
            r"departement\w*",
            r"conseil (departemental|regional|general)",
            r"region\w*",
            r"prefecture",
            r"fonction publique",
            r"fonctionnaire\w*",
            r"agent territorial",
            r"local authority",
            r"city council",
            r"public sector",
        ),
    ),
    ("photographe", (r"photo\w*", r"videaste\w*", r"cameraman")),
    (
        "web",
        (
            r"develop\w*",
            r"devs?",
            r"devops",
            r"web\w*",
            r"designer\w*",
            r"design",
            r"graphiste\w*",
            r"graphic\w*",
            r"ux",
            r"ui",
            r"integrat\w*",
            r"programm\w*",
            r"codeu\w*",
            r"coder",
            r"front ?end",
            r"back ?end",
            r"full ?stack",
            r"informaticien\w*",
            r"software",
            r"wordpress",
        ),
    ),
    (
        "communicant",
        (
            r"communication\w*",
            r"communicant\w*",
            r"community manager\w*",
            r"charge\w* de com\w*",
            r"relations? presse",
            r"attache\w* de presse",
            r"marketing",
            r"journalist\w*",
            r"redact\w*",
            r"copywriter",
            r"social media",
            r"reseaux sociaux",
            r"public relations",
        ),
    ),
    (
        "independant",
        (
            r"independant\w*",
            r"free ?lance\w*",
            r"auto ?entrepreneu\w*",
            r"micro ?entrepreneu\w*",
            r"consultant\w*",
            r"self employed",
            r"profession liberale",
            r"liberal\w*",
            r"artisan\w*",
        ),
    ),
    (
        "chef_entreprise",
        (
            r"chef\w* d entreprise\w*",
            r"ceo",
            r"pdg",
            r"dg",
            r"gerant\w*",
            r"(co ?)?fondat\w*",
            r"(co ?)?founder",
            r"dirigeant\w*",
            r"directeu\w* general\w*",
            r"directrice generale",
            r"entrepreneu\w*",
            r"createu\w* d entreprise",
            r"creatrice d entreprise",
            r"business owner",
            r"owner",
            r"startuppe\w*",
        ),
    ),
    (
        "salarie",
        (
            r"salarie\w*",
            r"employe\w*",
            r"cdi",
            r"cdd",
            r"salaried",
            r"staff",
            r"en poste",
        ),
    ),
)
_COMPILED_RULES = tuple(
    (slug, re.compile(rf"\b(?:{'|'.join(keywords)})\b")) for slug, keywords in _PROFESSION_RULES
)


@cache
def _profession_keys() -> dict[str, str]:
    """Map the normalised slug and label of every category to its slug (first one wins)."""
    keys: dict[str, str] = {}
    for slug, label in PROFESSION_CATEGORIES.items():
        keys.setdefault(normalize_label(slug), slug)
        keys.setdefault(normalize_label(label), slug)
    return keys


def match_profession_category(text: str) -> str | None:
    """Return the category whose slug or label is ``text`` (any case/accents)."""
    key = normalize_label(text)
    return _profession_keys().get(key) if key else None


def guess_profession_category(text: str) -> str:
    """Guess a profession category from free text by keywords, ``autre`` if none."""
    exact = match_profession_category(text)
    if exact is not None:
        return exact
    folded = fold_text(text)
    for slug, pattern in _COMPILED_RULES:
        if pattern.search(folded):
            return slug
    return "autre"


def age_bracket_for_age(age: int) -> str:
    """Return the bracket containing ``age`` (in whole years)."""
    for slug, youngest, oldest, _ in _AGE_BRACKET_BOUNDS:
        if age >= youngest and (oldest is None or age <= oldest):
            return slug
    raise ValueError(f"negative age: {age}")


_AGE_BRACKET_ALIASES: dict[str, str] = {
    "<25": "-25",
    "moinsde25": "-25",
    "under25": "-25",
    "+65": "65+",
    ">65": "65+",
    ">=65": "65+",
    "65plus": "65+",
    "65etplus": "65+",
    "plusde65": "65+",
    "65andover": "65+",
    "over65": "65+",
}


def match_age_bracket(text: str) -> str | None:
    """Read an age bracket from its slug, its label, a range or an age in years."""
    compact = re.sub(r"\s+", "", text.casefold())
    if not compact:
        return None
    if compact in AGE_BRACKETS:
        return compact
    key = normalize_label(text)
    for slug, label in AGE_BRACKETS.items():
        if key == normalize_label(label):
            return slug
    alias = _AGE_BRACKET_ALIASES.get(compact) or _AGE_BRACKET_ALIASES.get(key)
    if alias is not None:
        return alias
    if match := re.fullmatch(r"(\d{1,3})(ans?|years?)?", compact):
        age = int(match.group(1))
        return age_bracket_for_age(age) if age <= 120 else None
    if match := re.fullmatch(r"(\d{1,3})(-|a|à|to)(\d{1,3})(ans?|years?)?", compact):
        youngest, oldest = int(match.group(1)), int(match.group(3))
        for slug, low, high, _ in _AGE_BRACKET_BOUNDS:
            if low <= youngest <= oldest and (high is None or oldest <= high):
                return slug
    return None
