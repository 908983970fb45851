"""Hashtags as people write them, and the key two spellings of one hashtag share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["hashtags_in_text", "normalize_hashtag", "split_hashtags", "wanted_hashtags"]

_HASHTAG_IN_TEXT = re.compile(r"(?<![\w&/#])[#＃](\w*[^\W\d]\w*)")
_TAG_SEPARATORS = re.compile(r"[\s,;]+")


def normalize_hashtag(tag: str) -> str:
    """Strip '#', case and accents from a hashtag: #Twapéro → twapero."""
    folded = tag.strip().lstrip("#＃").strip().casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def split_hashtags(entry: str) -> list[str]:
    """Split a list of hashtags separated by spaces, commas or semicolons."""
    return [tag for tag in _TAG_SEPARATORS.split(entry) if tag]


def wanted_hashtags(hashtags: Iterable[str]) -> frozenset[str]:
    """Return the matching keys of filter hashtags (an entry may list several)."""
    return frozenset(
        key
        for entry in hashtags
        for part in split_hashtags(entry)
        if (key := normalize_hashtag(part))
    )


def hashtags_in_text(text: str) -> list[str]:
    """Return the hashtags written in a text, as written (without '#'), in order."""
    return _HASHTAG_IN_TEXT.findall(text)
