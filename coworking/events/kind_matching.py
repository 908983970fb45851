"""Find an event's kind among its iCalendar categories, built-in and admins' kinds alike."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from coworking.kinds import EVENT_KIND_LABELS

# Extra spellings recognized in CATEGORIES, besides each kind's slug and label.
KIND_SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "twapero": ("twapéros",),
        "conference": ("conférences", "conf", "talk", "talks", "keynote", "conference"),
        "atelier": ("ateliers", "workshop", "workshops"),
        "formation": ("formations", "training", "trainings", "cours", "course"),
        "barcamp": ("barcamp", "barcamps", "hackathon", "hackathons", "hackaton"),
        "afterwork": ("after work", "after-work", "afterworks"),
        "ag": (
            "AG",
            "assemblée générale",
            "assemblées générales",
            "general assembly",
            "general meeting",
            "annual general meeting",
            "AGM",
        ),
        "autre": ("autres", "other", "others", "divers"),
    }
)


def kind_for_categories(
    categories: Iterable[str], extra_kinds: Mapping[str, str] = MappingProxyType({})
) -> str | None:
    """Return the slug of the first category naming a kind (built-in or extra)."""
    return find_kind(categories, kind_lookup(extra_kinds))


def find_kind(categories: Iterable[str], lookup: Mapping[str, str]) -> str | None:
    """Return the slug of the first category found in the lookup."""
    for category in categories:
        slug = lookup.get(_normalize(category))
        if slug is not None:
            return slug
    return None


def kind_lookup(extra_kinds: Mapping[str, str]) -> dict[str, str]:
    """Map every normalized spelling to its kind slug (built-in kinds win ties)."""
    lookup: dict[str, str] = {}
    for slug, label in extra_kinds.items():
        for spelling in (slug, label):
            if _normalize(spelling):
                lookup[_normalize(spelling)] = slug
    for slug, label in EVENT_KIND_LABELS.items():
        for spelling in (slug, label, *KIND_SYNONYMS.get(slug, ())):
            lookup[_normalize(spelling)] = slug
    return lookup


def _normalize(text: str) -> str:
    """Return text without accents, case, spaces or punctuation, for loose matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isalnum()).casefold()
