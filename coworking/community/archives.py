"""Parse social-media archives (Twitter/X, Mastodon, CSV) into mention records.

Formats are recognised by their content, not by the file name:

* a Twitter/X account archive's ``data/tweets.js``
  (``window.YTD.tweets.part0 = [{"tweet": {...}}, ...]``; also the older
  ``window.YTD.tweet.part0`` and a bare JSON array of the same items);
* a Mastodon account archive's ``outbox.json`` (ActivityStreams
  ``OrderedCollection`` whose ``orderedItems`` are ``Create``/``Announce``);
* a CSV with the columns date, platform, author, text (and optionally URL,
  likes, reposts, hashtags, id), headers in French or English.

The file is read once, in chunks: JSON archives are walked one array item at a
time with the standard library's ``JSONDecoder.raw_decode``, so memory stays
bounded by one chunk plus one item (``MAX_VALUE_CHARS``), even for hundreds of
thousands of posts. ``max_bytes`` refuses a file as soon as more was read.

Every value is checked before it is yielded so that the database can store it:
dates within years ``MIN_YEAR``..``MAX_YEAR`` (Python overflows converting year 1
or 9999 to UTC), counts within a 32-bit integer, no NUL or lone UTF-16 surrogate,
JSON nested no deeper than the interpreter's recursion limit.

The work is shared out: ``archive_stream`` reads (chunks, lines, JSON values),
``twitter_archive``, ``mastodon_archive`` and ``mention_csv`` parse each format,
``archive_values`` checks dates, counts and text, ``archive_records`` holds the
records and the refusal; hashtags are the kernel's (``coworking.hashtags``).

Refusal is for the whole file: ``parse_mentions`` is a generator that raises
``ArchiveImportError`` as soon as it meets a problem, possibly after having
yielded records. Callers that write to a database must therefore go through the
whole file before their first write (``mention_import.check_archive`` keeps the records
in a temporary file meanwhile; ``read_mentions`` collects them, for small files).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from coworking.community.archive_records import ArchiveImportError, ImportedMention, ParseStats
from coworking.community.archive_stream import BOM, ByteSource
from coworking.community.archive_values import as_handle
from coworking.community.choices import PLATFORMS as PLATFORM_LABELS
from coworking.community.mastodon_archive import html_to_text, parse_mastodon
from coworking.community.mention_csv import parse_csv
from coworking.community.twitter_archive import parse_twitter
from coworking.hashtags import normalize_hashtag, wanted_hashtags

__all__ = [
    "PLATFORMS",
    "ArchiveImportError",
    "ImportedMention",
    "ParseStats",
    "html_to_text",
    "parse_mentions",
    "read_mentions",
]

PLATFORMS = tuple(PLATFORM_LABELS)

_BINARY_SIGNATURES = (
    (
        b"PK\x03\x04",
        _l("une archive ZIP : extrayez-en data/tweets.js (Twitter/X) ou outbox.json (Mastodon)"),
    ),
    (b"PK\x05\x06", _l("une archive ZIP vide")),
    (b"\x1f\x8b", _l("un fichier compressé (gzip) : décompressez-le d'abord")),
    (b"\x89PNG", _l("une image PNG")),
    (b"\xff\xd8\xff", _l("une image JPEG")),
    (b"GIF8", _l("une image GIF")),
    (b"%PDF-", _l("un document PDF")),
    (b"Rar!", _l("une archive RAR")),
    (b"7z\xbc\xaf", _l("une archive 7-Zip")),
)


def parse_mentions(
    stream: BinaryIO,
    *,
    filename: str = "",
    hashtags: Iterable[str] = (),
    account_handle: str = "",
    stats: ParseStats | None = None,
    max_bytes: int | None = None,
) -> Iterator[ImportedMention]:
    """Yield the mentions of an archive read once from a binary stream.

    ``filename`` only sharpens error messages; ``account_handle`` is the author
    given to Twitter/X posts (an account archive does not repeat it); a file longer
    than ``max_bytes`` is refused. Raises ``ArchiveImportError`` while iterating:
    read the whole file before writing anything.
    """
    wanted = wanted_hashtags(hashtags)
    stats = stats if stats is not None else ParseStats()
    source = ByteSource(stream, max_bytes)
    stats.format = _detect_format(source.head(), filename)
    if stats.format == "twitter":
        records = parse_twitter(source, as_handle(account_handle), stats)
    elif stats.format == "mastodon":
        records = parse_mastodon(source, stats)
    else:
        records = parse_csv(source, stats)
    for record in records:
        if wanted and not wanted.intersection(map(normalize_hashtag, record.hashtags)):
            stats.filtered_out += 1
            continue
        stats.kept += 1
        yield record


def read_mentions(
    stream: BinaryIO,
    *,
    filename: str = "",
    hashtags: Iterable[str] = (),
    account_handle: str = "",
    stats: ParseStats | None = None,
    max_bytes: int | None = None,
) -> list[ImportedMention]:
    """Return all the mentions of an archive, or raise ArchiveImportError."""
    return list(
        parse_mentions(
            stream,
            filename=filename,
            hashtags=hashtags,
            account_handle=account_handle,
            stats=stats,
            max_bytes=max_bytes,
        )
    )


# --- format detection -----------------------------------------------------------------


def _detect_format(head: bytes, filename: str) -> str:
    """Return "twitter", "mastodon" or "csv" from the first bytes, or refuse."""
    stripped = head.removeprefix(BOM).lstrip()
    if not stripped:
        raise ArchiveImportError(_l("Le fichier est vide."))
    for signature, description in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise ArchiveImportError(
                _l("Ce fichier est %(kind)s, pas une archive de publications.", kind=description)
            )
    if b"\x00" in head[:4096]:
        raise ArchiveImportError(
            _l(
                "Ce fichier est binaire (ou encodé en UTF-16) : "
                "attendu tweets.js, outbox.json ou un CSV."
            )
        )
    if stripped.startswith(b"window.YTD."):
        return "twitter"
    if stripped.startswith(b"{"):
        return "mastodon"
    if stripped.startswith(b"["):
        return "twitter"
    if filename.lower().endswith((".js", ".json")):
        raise ArchiveImportError(
            _l(
                "Le fichier « %(name)s » ne contient pas de données JSON "
                "d'archive Twitter/X ou Mastodon.",
                name=filename,
            )
        )
    return "csv"
