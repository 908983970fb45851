"""French alphabetical order: sort keys that give the same order on SQLite and PostgreSQL.

Names are sorted by a key stored next to them (``Member.sort_name``, ``Partner.sort_name``)
and compared byte by byte (SQLite's BINARY, PostgreSQL's "C" collation on the key column),
so both databases, and Python for the lists sorted in memory, agree. The key is the first
level of the Unicode collation that French dictionaries follow: accents, case and ligatures
do not change the order (« Élise » with « Elise », « Œuvre » with « Oeuvre »), hyphens and
apostrophes count as a space (« Le-Goff » with « Le Goff »).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import String
from sqlalchemy.types import TypeEngine

T = TypeVar("T")

# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "ħ": "h", "þ": "th"}
)
_SEPARATORS = re.compile(r"[\W_]+")
# Between the last and first names: below every character a key holds, so that all the
# « Aubry » come before « Aubry Martin », as when the two columns are compared one by one.
_NAME_SEPARATOR = " "
_WORD_SEPARATOR = "!"
KEY_LENGTH = 300


def sort_key_type() -> TypeEngine[str]:
    """Return the column type of a sort key: compared byte by byte on both databases."""
    # SQLite compares text with BINARY by default; PostgreSQL with the database's locale,
    # which may ignore spaces and punctuation: "C" makes it compare the bytes.
    return String(KEY_LENGTH).with_variant(String(KEY_LENGTH, collation="C"), "postgresql")


def sort_key(text: str | None) -> str:
    """Return the French sort key of a text: no accents, no case, ligatures spelt out."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", letters.translate(_UNDECOMPOSED)).strip()[:KEY_LENGTH]


def name_sort_key(last_name: str | None, first_name: str | None) -> str:
    """Return the key that sorts people by last name, then first name."""
    last = sort_key(last_name).replace(" ", _WORD_SEPARATOR)
    first = sort_key(first_name).replace(" ", _WORD_SEPARATOR)
    return f"{last}{_NAME_SEPARATOR}{first}"[:KEY_LENGTH]


def french_sorted(items: Iterable[T], key: Callable[[T], str | None]) -> list[T]:
    """Return the items in French alphabetical order of key(item) (ties: the text itself)."""
    return sorted(items, key=lambda item: (sort_key(key(item)), key(item) or ""))
