"""Check the values of an archive's posts: dates, counts, ids and text the database can store."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from flask_babel import lazy_gettext as _l

from coworking.community.archive_records import ArchiveImportError, ImportedMention
from coworking.dates import MAX_YEAR, MIN_YEAR
from coworking.hashtags import hashtags_in_text, normalize_hashtag
from coworking.i18n import lazy_number

# Counts go to INTEGER columns: PostgreSQL's hold 32 bits.
MAX_COUNT = 2**31 - 1
EXTERNAL_ID_MAX = 200
MEBIBYTE = 1024 * 1024

# Neither PostgreSQL (NUL) nor UTF-8 (lone surrogates, from JSON "\ud800") can store these.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def in_utc(parsed: datetime, value: str, location: Any, field: str) -> datetime:
    """Return an aware datetime in UTC, refusing years outside MIN_YEAR..MAX_YEAR.

    Checked before the conversion: year 1 or 9999 with an offset overflows it.
    """
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ArchiveImportError(
            _l(
                "Date hors limites « %(value)s » : "
                "l'année doit être comprise entre %(min)s et %(max)s.",
                value=value,
                min=MIN_YEAR,
                max=MAX_YEAR,
            ),
            location,
            field,
        )
    return parsed.astimezone(UTC)


def twitter_date(value: str) -> datetime | None:
    """Return the aware datetime of a Twitter-style date, with its own offset, or None."""
    parts = value.split()
    if len(parts) != 6 or parts[1][:3].lower() not in _MONTHS:
        return None
    _weekday, month, day, clock, offset, year = parts
    try:
        hour, minute, second = (int(piece) for piece in clock.split(":"))
        zone = timezone(
            (-1 if offset[0] == "-" else 1)
            * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        )
        local = datetime(
            int(year),
            _MONTHS[month[:3].lower()],
            int(day),
            hour,
            minute,
            second,
            tzinfo=zone,
        )
    except (ValueError, IndexError):
        return None
    return local


def checked(mention: ImportedMention, location: Any, fields: Mapping[str, str]) -> ImportedMention:
    """Return the mention if the database can store it, else refuse the file.

    ``fields`` names, for the message, the archive's field behind each attribute.
    """
    if len(mention.external_id) > EXTERNAL_ID_MAX:
        raise ArchiveImportError(
            _l(
                "Identifiant de publication trop long (%(id)s…) : %(max)s caractères au plus.",
                id=mention.external_id[:40],
                max=EXTERNAL_ID_MAX,
            ),
            location,
            fields["external_id"],
        )
    values = {
        "external_id": mention.external_id,
        "author": mention.author,
        "text": mention.text,
        "hashtags": " ".join(mention.hashtags),
        "url": mention.url or "",
    }
    for attribute, value in values.items():
        if _UNSTORABLE.search(value):
            raise ArchiveImportError(
                _l("Caractère invalide (caractère nul ou demi-caractère UTF-16 isolé)."),
                location,
                fields[attribute],
            )
    return mention


def megabytes(size: int) -> Any:
    """Return a size in mebibytes for messages, in the language shown: 100 Mo, 1,5 Mo (lazy)."""
    return _l("%(size)s Mo", size=lazy_number(round(size / MEBIBYTE, 1)))


def collect_hashtags(declared: Iterable[str], text: str) -> tuple[str, ...]:
    """Return declared then written hashtags, lowercased as written, deduplicated."""
    seen: set[str] = set()
    tags: list[str] = []
    for tag in itertools.chain(declared, hashtags_in_text(text)):
        written = tag.strip().lstrip("#＃").strip().lower()
        key = normalize_hashtag(written)
        if key and key not in seen:
            seen.add(key)
            tags.append(written)
    return tuple(tags)


def count(value: Any, location: Any, field: str) -> int:
    """Return a like or repost count given as a number or a string ("12", "1 204")."""
    if value is None or value == "":
        return 0
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        number = value
    elif isinstance(value, str):
        digits = re.sub(r"[\s\u00a0\u202f]", "", value)
        if digits.isascii() and digits.isdigit():
            # Leading zeros aside, more digits than MAX_COUNT has is too big anyway.
            digits = digits.lstrip("0") or "0"
            number = int(digits) if len(digits) <= len(str(MAX_COUNT)) else MAX_COUNT + 1
    if number is None:
        raise ArchiveImportError(_l("Nombre invalide « %(value)s ».", value=value), location, field)
    if number > MAX_COUNT:
        raise ArchiveImportError(
            _l(
                "Nombre trop grand « %(value)s » : au plus %(max)s.",
                value=str(value)[:40],
                max=MAX_COUNT,
            ),
            location,
            field,
        )
    return number


def as_handle(handle: str) -> str:
    """Return an account handle with its leading '@', or "" when none is given."""
    handle = handle.strip()
    return f"@{handle.lstrip('@')}" if handle else ""
