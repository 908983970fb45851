"""Read a CSV of posts (date, platform, author, text…), its headers in French or English."""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from coworking.community.archive_records import ArchiveImportError, ImportedMention, ParseStats
from coworking.community.archive_records import line as line_location
from coworking.community.archive_stream import BOM, ByteSource
from coworking.community.archive_values import (
    checked,
    collect_hashtags,
    count,
    in_utc,
    twitter_date,
)
from coworking.dates import space_zone
from coworking.hashtags import normalize_hashtag, split_hashtags
from coworking.urls import clean_url

_FRENCH_DATE = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:(?:\s+|T)(?:à\s+)?(\d{1,2})\s*[:hH]\s*(\d{2})?(?::(\d{2}))?)?"
)


def _names(listing: str) -> frozenset[str]:
    """Return the set of names written one per "|"-separated slot."""
    return frozenset(name.strip() for name in listing.split("|"))


# Header names are compared by _header_key: no accents, no case, "_" and "-" as spaces.
_CSV_COLUMNS: dict[str, frozenset[str]] = {
    "date": _names(
        "date | date de publication | date publication | publie le | cree le"
        " | date et heure | horodatage | posted at | published | published at"
        " | created at | datetime | timestamp"
    ),
    "platform": _names(
        "plateforme | plate forme | reseau | reseau social | media social | source"
        " | site | platform | network | social network"
    ),
    "author": _names(
        "auteur | auteure | auteur ice | compte | utilisateur | utilisatrice | pseudo"
        " | nom d'utilisateur | author | handle | account | user | username"
    ),
    "text": _names(
        "texte | contenu | message | publication | text | content | post | body | tweet"
    ),
    "url": _names(
        "url | lien | adresse | permalien | lien du post | url du post | link | permalink"
    ),
    "likes": _names(
        "j'aime | jaime | mentions j'aime | favoris | reactions | likes | like"
        " | favorites | favourites"
    ),
    "reposts": _names(
        "partages | partage | repartages | reprises | reposts | repost | retweets | shares | boosts"
    ),
    "hashtags": _names("hashtags | hashtag | mots diese | mot diese | mots cles | tags"),
    "id": _names("id | identifiant | identifiant externe | id externe | external id | post id"),
}
_REQUIRED_COLUMNS = {
    "date": _l("date"),
    "platform": _l("plateforme"),
    "author": _l("auteur"),
    "text": _l("texte"),
}
_PLATFORM_NAMES = {
    "twitter": _names(
        "twitter | x | twitter/x | x/twitter | x (twitter) | twitter (x) | x.com | twitter.com"
    ),
    "mastodon": _names("mastodon | fediverse | fedivers | masto"),
    "linkedin": _names("linkedin | linked in"),
    "facebook": _names("facebook | fb | meta"),
    "instagram": _names("instagram | insta | ig"),
}
_PLATFORM_DOMAINS = {
    "twitter.com": "twitter",
    "x.com": "twitter",
    "linkedin.com": "linkedin",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
}


def parse_csv(source: ByteSource, stats: ParseStats) -> Iterator[ImportedMention]:
    """Yield the rows of a mentions CSV, refusing the file at the first bad row."""
    lines = _decoded_lines(source)
    header_line = next(lines, "")
    skipped = 0
    if header_line.strip().lower().startswith("sep=") and len(header_line.strip()) == 5:
        delimiter, skipped = header_line.strip()[4], 1  # Excel's "sep=;" hint line
        header_line = next(lines, "")
    else:
        delimiter = max((";", ",", "\t"), key=header_line.count)
    reader = csv.reader(itertools.chain([header_line], lines), delimiter=delimiter)
    try:
        header = next(reader)
        columns = _map_columns(header, line_location(1 + skipped))
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                stats.posts += 1
                yield _csv_mention(row, columns, len(header), line_location(line + skipped))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ArchiveImportError(
            _l("CSV illisible (%(error)s).", error=str(exc)),
            line_location(reader.line_num + skipped),
        ) from None


def _decoded_lines(source: ByteSource) -> Iterator[str]:
    """Yield text lines, decoding UTF-8 (with or without BOM) or, failing that, cp1252.

    The choice is made line by line while only ASCII has been seen, so the file
    is streamed and never decoded twice: ASCII is the same in both encodings.
    """
    encoding: str | None = None
    for number, raw in enumerate(source.lines(), 1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        if encoding is None and not raw.isascii():
            try:
                raw.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "cp1252"
        try:
            yield raw.decode(encoding or "ascii")
        except UnicodeDecodeError:
            raise ArchiveImportError(
                _l("Encodage illisible : enregistrez le fichier en CSV UTF-8."),
                line_location(number),
            ) from None


def _header_key(name: str) -> str:
    """Return a header's comparison key: accents, case, underscores, hyphens ignored."""
    key = normalize_hashtag(name.replace("\ufeff", "")).replace("’", "'")
    return " ".join(re.sub(r"[_\-·.]+", " ", key).split())


def _map_columns(header: list[str], location: Any) -> dict[str, int]:
    """Map each known field to its column index; refuse missing required ones."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        for field, aliases in _CSV_COLUMNS.items():
            if key in aliases and field not in columns:
                columns[field] = index
    missing = [label for field, label in _REQUIRED_COLUMNS.items() if field not in columns]
    if missing:
        found = ", ".join(name.strip() for name in header if name.strip())
        raise ArchiveImportError(
            _l(
                "Colonnes obligatoires absentes : %(missing)s (en-têtes trouvés : %(found)s).",
                missing=LazyString(lambda: ", ".join(map(str, missing))),
                found=found or _l("aucun"),
            ),
            location,
        )
    return columns


_CSV_FIELDS = {
    "external_id": "id",
    "author": "author",
    "text": "text",
    "hashtags": "hashtags",
    "url": "url",
}


def _csv_mention(
    row: list[str], columns: dict[str, int], width: int, location: Any
) -> ImportedMention:
    """Build a mention from one CSV row."""
    if any(cell.strip() for cell in row[width:]):
        raise ArchiveImportError(
            _l(
                "La ligne a plus de colonnes que l'en-tête "
                "(séparateur non protégé par des guillemets ?)."
            ),
            location,
        )

    def cell(field: str) -> str:
        index = columns.get(field)
        return row[index].strip() if index is not None and index < len(row) else ""

    text = cell("text")
    url = clean_url(cell("url"))
    platform = _platform(cell("platform"), url)
    author = cell("author")
    posted_at = _parse_csv_date(cell("date"), location)
    declared = split_hashtags(cell("hashtags"))
    mention = ImportedMention(
        platform=platform,
        external_id=cell("id") or _stable_id(platform, posted_at, author, text),
        author=author,
        posted_at=posted_at,
        text=text,
        hashtags=collect_hashtags(declared, text),
        url=url,
        likes=count(cell("likes"), location, "likes"),
        reposts=count(cell("reposts"), location, "reposts"),
    )
    return checked(mention, location, _CSV_FIELDS)


def _platform(value: str, url: str | None) -> str:
    """Return the platform code of a CSV cell, guessed from the URL if empty."""
    key = _header_key(value)
    for platform, names in _PLATFORM_NAMES.items():
        if key in names or key == platform:
            return platform
    if not key and url:
        host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("m.")
        return _PLATFORM_DOMAINS.get(host, "other")
    return "other"


def _parse_csv_date(value: str, location: Any) -> datetime:
    """Parse a CSV date (ISO 8601, dd/mm/yyyy [hh:mm], Twitter style) into aware UTC.

    A date without offset is local time in Europe/Paris, as typed by a manager.
    """
    if not value:
        raise ArchiveImportError(_l("Date absente."), location, "date")
    parsed = _iso_or_french_date(value) or twitter_date(value)
    if parsed is None:
        raise ArchiveImportError(
            _l(
                "Date illisible « %(value)s » "
                "(formats acceptés : 2024-03-14 19:30, 14/03/2024 19:30).",
                value=value,
            ),
            location,
            "date",
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=space_zone())
    return in_utc(parsed, value, location, "date")


def _iso_or_french_date(value: str) -> datetime | None:
    """Return the datetime written in ISO 8601 or dd/mm/yyyy [hh:mm[:ss]], or None."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    match = _FRENCH_DATE.fullmatch(value)
    if match is None:
        return None
    day, month, year, hour, minute, second = (int(group or 0) for group in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 (localised by the caller)
    except ValueError:
        return None


def _stable_id(platform: str, posted_at: datetime, author: str, text: str) -> str:
    """Return an id that stays the same when the same post is imported again."""
    material = "\x1f".join((platform, posted_at.isoformat(), author.casefold(), text))
    return "csv-" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]
