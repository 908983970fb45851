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

Refusal is for the whole file: ``parse_mentions`` is a generator that raises
``ArchiveImportError`` as soon as it meets a problem, possibly after having
yielded records. Callers that write to a database must therefore go through the
whole file before their first write (``mentions.check_archive`` keeps the records
in a temporary file meanwhile; ``read_mentions`` collects them, for small files).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any, BinaryIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from coworking.dates import MAX_YEAR, MIN_YEAR
from coworking.urls import clean_url

PLATFORMS = ("twitter", "mastodon", "linkedin", "facebook", "instagram", "other")
LOCAL_TIMEZONE = ZoneInfo("Europe/Paris")

CHUNK_BYTES = 1 << 20
HEAD_BYTES = 64 * 1024
# One array item (a tweet, an activity) or CSV line: real ones are a few kilobytes, and
# a bigger one costs several times its size in memory while it is decoded and checked.
MAX_VALUE_CHARS = 1024 * 1024
# Counts go to INTEGER columns: PostgreSQL's hold 32 bits.
MAX_COUNT = 2**31 - 1
EXTERNAL_ID_MAX = 200
TWITTER_STATUS_URL = "https://x.com/i/web/status/{id}"

_BOM = b"\xef\xbb\xbf"
# Neither PostgreSQL (NUL) nor UTF-8 (lone surrogates, from JSON "\ud800") can store these.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_JSON_WS = re.compile(r"[ \t\n\r]*")
_YTD_PREFIX = re.compile(r"window\.YTD\.(\w+)\.part(\d+)\s*=\s*")
_TWEET_FILES = frozenset({"tweets", "tweet"})
_HASHTAG_IN_TEXT = re.compile(r"(?<![\w&/#])[#＃](\w*[^\W\d]\w*)")
_TAG_SEPARATORS = re.compile(r"[\s,;]+")
_AS_PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
_BINARY_SIGNATURES = (
    (
        b"PK\x03\x04",
        "une archive ZIP : extrayez-en data/tweets.js (Twitter/X) ou outbox.json (Mastodon)",
    ),
    (b"PK\x05\x06", "une archive ZIP vide"),
    (b"\x1f\x8b", "un fichier compressé (gzip) : décompressez-le d'abord"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"%PDF-", "un document PDF"),
    (b"Rar!", "une archive RAR"),
    (b"7z\xbc\xaf", "une archive 7-Zip"),
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_FRENCH_DATE = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:(?:\s+|T)(?:à\s+)?(\d{1,2})\s*[:hH]\s*(\d{2})?(?::(\d{2}))?)?"
)


class ArchiveImportError(Exception):
    """A whole archive refused: French ``reason``; ``location`` like "ligne 12"."""

    def __init__(self, reason: str, location: str | None = None, field: str | None = None) -> None:
        super().__init__(reason, location, field)
        self.reason = reason
        self.location = location
        self.field = field

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (self.location, self.field and f"champ « {self.field} »") if part
        )
        return f"{where} : {self.reason}" if where else self.reason


@dataclass(frozen=True, slots=True)
class ImportedMention:
    """One post, normalised whatever the archive it came from."""

    platform: str
    external_id: str
    author: str
    posted_at: datetime
    text: str
    hashtags: tuple[str, ...]
    url: str | None
    likes: int
    reposts: int


@dataclass(slots=True)
class ParseStats:
    """Counts filled while an archive is parsed, for the import summary."""

    format: str = ""
    posts: int = 0
    kept: int = 0
    skipped_reposts: int = 0
    skipped_private: int = 0
    skipped_other: int = 0
    filtered_out: int = 0


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
    source = _ByteSource(stream, max_bytes)
    stats.format = _detect_format(source.head(), filename)
    if stats.format == "twitter":
        records = _parse_twitter(source, _as_handle(account_handle), stats)
    elif stats.format == "mastodon":
        records = _parse_mastodon(source, stats)
    else:
        records = _parse_csv(source, stats)
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


def normalize_hashtag(tag: str) -> str:
    """Strip '#', case and accents from a hashtag: #Twapéro → twapero."""
    folded = tag.strip().lstrip("#＃").strip().casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def wanted_hashtags(hashtags: Iterable[str]) -> frozenset[str]:
    """Return the matching keys of filter hashtags (an entry may list several)."""
    return frozenset(
        key
        for entry in hashtags
        for part in _TAG_SEPARATORS.split(entry)
        if (key := normalize_hashtag(part))
    )


def hashtags_in_text(text: str) -> list[str]:
    """Return the hashtags written in a text, as written (without '#'), in order."""
    return _HASHTAG_IN_TEXT.findall(text)


def html_to_text(markup: str) -> str:
    """Turn post HTML into text: paragraphs and <br> make newlines, links their text."""
    parser = _TextExtractor()
    parser.feed(markup or "")
    parser.close()
    return parser.text()


# --- format detection -----------------------------------------------------------------


def _detect_format(head: bytes, filename: str) -> str:
    """Return "twitter", "mastodon" or "csv" from the first bytes, or refuse."""
    stripped = head.removeprefix(_BOM).lstrip()
    if not stripped:
        raise ArchiveImportError("Le fichier est vide.")
    for signature, description in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise ArchiveImportError(
                f"Ce fichier est {description}, pas une archive de publications."
            )
    if b"\x00" in head[:4096]:
        raise ArchiveImportError(
            "Ce fichier est binaire (ou encodé en UTF-16) : "
            "attendu tweets.js, outbox.json ou un CSV."
        )
    if stripped.startswith(b"window.YTD."):
        return "twitter"
    if stripped.startswith(b"{"):
        return "mastodon"
    if stripped.startswith(b"["):
        return "twitter"
    if filename.lower().endswith((".js", ".json")):
        raise ArchiveImportError(
            f"Le fichier « {filename} » ne contient pas de données JSON "
            "d'archive Twitter/X ou Mastodon."
        )
    return "csv"


def _foreign_json() -> ArchiveImportError:
    """Build the refusal for JSON that is neither a tweets.js nor an outbox.json."""
    return ArchiveImportError(
        "Ce fichier JSON n'est ni une archive Twitter/X (data/tweets.js) "
        "ni une archive Mastodon (outbox.json)."
    )


# --- streaming input ------------------------------------------------------------------


class _ByteSource:
    """A binary stream whose first bytes can be looked at before being read."""

    def __init__(self, stream: BinaryIO, max_bytes: int | None = None) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self._read = 0
        self._head = b""
        self._head_read = False

    def _next(self, size: int) -> bytes:
        """Read up to ``size`` bytes, refusing the file once it is over ``max_bytes``."""
        chunk = self._stream.read(size)
        self._read += len(chunk)
        if self._max_bytes is not None and self._read > self._max_bytes:
            raise ArchiveImportError(
                f"Le fichier dépasse {_megabytes(self._max_bytes)}, "
                "la taille maximale d'une archive à importer."
            )
        return chunk

    def head(self) -> bytes:
        """Return the first bytes (some non-blank ones, unless the file is blank)."""
        if not self._head_read:
            self._head_read = True
            while True:
                chunk = self._next(HEAD_BYTES)
                self._head += chunk
                # Short reads are possible: go on until enough to recognise the format.
                if not chunk or len(self._head.removeprefix(_BOM).lstrip()) >= 64:
                    break
        return self._head

    def read(self) -> bytes:
        """Return the next chunk, empty at the end."""
        self.head()
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        return self._next(CHUNK_BYTES)

    def lines(self) -> Iterator[bytes]:
        """Yield the lines, each with its b"\\n" ending (the last one may have none)."""
        pending = b""
        while chunk := self.read():
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
            if len(pending) > MAX_VALUE_CHARS:
                raise ArchiveImportError(
                    "Ligne anormalement longue : ce n'est pas un CSV de publications."
                )
        if pending:
            yield pending


class _JsonStream:
    """Walk a UTF-8 JSON text incrementally, decoding one value at a time."""

    def __init__(self, source: _ByteSource) -> None:
        self._source = source
        self._utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False

    def _fill(self) -> None:
        """Append the next chunk to the buffer, dropping what was already consumed."""
        chunk = self._source.read()
        self._eof = not chunk
        try:
            text = self._utf8.decode(chunk, final=self._eof)
        except UnicodeDecodeError:
            raise ArchiveImportError("Le fichier n'est pas encodé en UTF-8.") from None
        self._buf = self._buf[self._pos :] + text
        self._pos = 0

    def peek(self) -> str:
        """Return the next non-blank character without consuming it, "" at the end."""
        while True:
            self._pos = _JSON_WS.match(self._buf, self._pos).end()
            if self._pos < len(self._buf) or self._eof:
                return self._buf[self._pos : self._pos + 1]
            self._fill()

    def startswith(self, pattern: re.Pattern[str], limit: int = 256) -> re.Match[str] | None:
        """Match a pattern at the current position (after blanks) and consume it."""
        self.peek()
        while len(self._buf) - self._pos < limit and not self._eof:
            self._fill()
        match = pattern.match(self._buf, self._pos)
        if match:
            self._pos = match.end()
        return match

    def expect(self, char: str, location: str | None) -> None:
        """Consume the given punctuation character or refuse the file."""
        found = self.peek()
        if found != char:
            raise self._syntax_error(found, location)
        self._pos += 1

    def value(self, location: str | None) -> Any:
        """Decode and consume the next JSON value, reading more input as needed."""
        self.peek()
        while True:
            try:
                obj, end = self._decoder.raw_decode(self._buf, self._pos)
            except RecursionError:
                raise ArchiveImportError(
                    "Données JSON imbriquées trop profondément : ce n'est pas une archive.",
                    location,
                ) from None
            except json.JSONDecodeError as exc:
                incomplete = (
                    exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - 16
                )
                if self._eof or not incomplete:
                    raise (
                        _truncated(location) if self._eof and incomplete else _malformed(location)
                    ) from None
                if len(self._buf) - self._pos > MAX_VALUE_CHARS:
                    raise ArchiveImportError(
                        "Un élément du fichier est anormalement volumineux.", location
                    ) from None
                self._fill()
                continue
            except ValueError:  # an integer of more than sys.get_int_max_str_digits() digits
                raise ArchiveImportError(
                    "Nombre anormalement long dans les données JSON.", location
                ) from None
            if end == len(self._buf) and not self._eof and isinstance(obj, int | float):
                self._fill()  # a number may go on in the next chunk
                continue
            self._pos = end
            return obj

    def items(self, label: str = "élément") -> Iterator[tuple[str, Any]]:
        """Yield (location, value) for each item of the array starting here."""
        self.expect("[", None)
        if self.peek() == "]":
            self._pos += 1
            return
        for index in itertools.count(1):
            location = f"{label} {index}"
            yield location, self.value(location)
            found = self.peek()
            if found == "]":
                self._pos += 1
                return
            if found != ",":
                raise self._syntax_error(found, f"après l'{label} {index}")
            self._pos += 1

    def keys(self) -> Iterator[str]:
        """Yield the keys of the object starting here; the caller reads each value."""
        self.expect("{", None)
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value(None)
            if not isinstance(key, str):
                raise _malformed(None)
            self.expect(":", None)
            yield key
            found = self.peek()
            if found == "}":
                self._pos += 1
                return
            if found != ",":
                raise self._syntax_error(found, None)
            self._pos += 1

    def finish(self, allow: str = "") -> None:
        """Refuse anything but blanks (and the ``allow`` characters) after the data."""
        while (found := self.peek()) and found in allow:
            self._pos += 1
        if found:
            raise ArchiveImportError("Données inattendues après la fin des données JSON.")

    def _syntax_error(self, found: str, location: str | None) -> ArchiveImportError:
        """Refuse the file, as truncated when the input ran out."""
        return _truncated(location) if not found else _malformed(location)


def _truncated(location: str | None) -> ArchiveImportError:
    """Build the refusal for a JSON file that stops in the middle of the data."""
    return ArchiveImportError(
        "Le fichier est tronqué : il s'arrête au milieu des données (téléchargement incomplet ?).",
        location,
    )


def _malformed(location: str | None) -> ArchiveImportError:
    """Build the refusal for invalid JSON syntax."""
    return ArchiveImportError("Le fichier JSON est mal formé.", location)


# --- Twitter/X ------------------------------------------------------------------------


def _parse_twitter(
    source: _ByteSource, handle: str, stats: ParseStats
) -> Iterator[ImportedMention]:
    """Yield the posts of a tweets.js file; retweets (others' posts) are skipped."""
    reader = _JsonStream(source)
    if reader.peek() == "w":
        prefix = reader.startswith(_YTD_PREFIX)
        if prefix is None:
            raise ArchiveImportError("Début de fichier tweets.js inattendu (window.YTD…).")
        if prefix.group(1) not in _TWEET_FILES:
            raise ArchiveImportError(
                f"Ce fichier de l'archive Twitter/X (« {prefix.group(1)} ») "
                "ne contient pas les tweets : "
                "choisissez data/tweets.js."
            )
    elif reader.peek() != "[":
        raise _foreign_json()
    for location, item in reader.items():
        stats.posts += 1
        mention = _tweet_mention(item, location, handle)
        if mention is None:
            stats.skipped_reposts += 1
            continue
        yield mention
    reader.finish(allow=";")


_TWEET_FIELDS = {
    "external_id": "id_str",
    "author": "compte",
    "text": "full_text",
    "hashtags": "entities.hashtags",
    "url": "id_str",
}


def _tweet_mention(item: Any, location: str, handle: str) -> ImportedMention | None:
    """Build a mention from one tweets.js item, None for a retweet."""
    tweet = item.get("tweet", item) if isinstance(item, dict) else None
    if not isinstance(tweet, dict) or not ("id_str" in tweet or "id" in tweet):
        raise ArchiveImportError(
            "Cet élément n'est pas un tweet : le fichier n'est pas "
            "un tweets.js d'archive Twitter/X.",
            location,
        )
    raw_text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(raw_text, str):
        raise ArchiveImportError("Texte du tweet absent.", location, "full_text")
    text = html.unescape(raw_text)
    if text.startswith("RT @"):
        return None
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "").strip()
    if not (tweet_id.isascii() and tweet_id.isdigit()):
        raise ArchiveImportError(
            f"Identifiant de tweet invalide « {tweet_id} ».", location, "id_str"
        )
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    text = _expand_short_links(text, entities.get("urls"))
    declared = [
        tag.get("text", "") for tag in entities.get("hashtags") or () if isinstance(tag, dict)
    ]
    mention = ImportedMention(
        platform="twitter",
        external_id=tweet_id,
        author=handle,
        posted_at=_parse_twitter_date(tweet.get("created_at"), location),
        text=text,
        hashtags=_collect_hashtags(declared, text),
        url=TWITTER_STATUS_URL.format(id=tweet_id),
        likes=_count(tweet.get("favorite_count"), location, "favorite_count"),
        reposts=_count(tweet.get("retweet_count"), location, "retweet_count"),
    )
    return _checked(mention, location, _TWEET_FIELDS)


def _expand_short_links(text: str, urls: Any) -> str:
    """Replace t.co short links by the links they stand for."""
    for entry in urls or ():
        if isinstance(entry, dict) and entry.get("url") and entry.get("expanded_url"):
            text = text.replace(str(entry["url"]), str(entry["expanded_url"]))
    return text


def _parse_twitter_date(value: Any, location: str, field: str = "created_at") -> datetime:
    """Parse ``Thu Dec 06 20:15:00 +0000 2012`` (locale-independent) into aware UTC."""
    if not isinstance(value, str):
        raise ArchiveImportError("Date absente.", location, field)
    parsed = _twitter_date(value)
    if parsed is None:
        raise ArchiveImportError(f"Date illisible « {value} ».", location, field)
    return _in_utc(parsed, value, location, field)


def _twitter_date(value: str) -> datetime | None:
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


# --- Mastodon -------------------------------------------------------------------------


def _parse_mastodon(source: _ByteSource, stats: ParseStats) -> Iterator[ImportedMention]:
    """Yield the public posts of an outbox.json (no boosts, no private posts)."""
    reader = _JsonStream(source)
    if reader.peek() != "{":
        raise _foreign_json()
    collection_type: Any = None
    saw_items = False
    for key in reader.keys():  # noqa: SIM118 (a streaming reader, not a dict)
        if key == "type":
            collection_type = reader.value(None)
            if collection_type not in {"OrderedCollection", "OrderedCollectionPage"}:
                raise _foreign_json()
        elif key == "orderedItems" and reader.peek() == "[":
            saw_items = True
            for location, activity in reader.items():
                stats.posts += 1
                yield from _activity_mentions(activity, location, stats)
        else:
            reader.value(None)
    reader.finish()
    if collection_type is None or not saw_items:
        raise _foreign_json()


def _activity_mentions(
    activity: Any, location: str, stats: ParseStats
) -> Iterator[ImportedMention]:
    """Yield the mention carried by one outbox activity, if it is a public post."""
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        raise ArchiveImportError(
            "Cet élément n'est pas une activité ActivityPub : le fichier n'est pas un outbox.json.",
            location,
        )
    note = activity.get("object")
    if activity["type"] == "Announce":
        stats.skipped_reposts += 1
    elif activity["type"] != "Create" or not isinstance(note, dict) or note.get("type") != "Note":
        stats.skipped_other += 1
    elif not _is_public(note, activity):
        stats.skipped_private += 1
    else:
        yield _note_mention(note, activity, location)


_NOTE_FIELDS = {
    "external_id": "id",
    "author": "attributedTo",
    "text": "content",
    "hashtags": "tag",
    "url": "url",
}


def _note_mention(note: dict[str, Any], activity: dict[str, Any], location: str) -> ImportedMention:
    """Build a mention from a Mastodon Note."""
    note_id = note.get("id")
    if not isinstance(note_id, str) or not note_id:
        raise ArchiveImportError("Identifiant de publication absent.", location, "id")
    text = html_to_text(_note_content(note))
    declared = [
        tag.get("name", "")
        for tag in _as_list(note.get("tag"))
        if isinstance(tag, dict)
        and tag.get("type") == "Hashtag"
        and isinstance(tag.get("name"), str)
    ]
    mention = ImportedMention(
        platform="mastodon",
        external_id=note_id,
        author=_fediverse_handle(note.get("attributedTo") or activity.get("actor")),
        posted_at=_parse_iso_date(
            note.get("published") or activity.get("published"), location, "published"
        ),
        text=text,
        hashtags=_collect_hashtags(declared, text),
        url=_note_url(note),
        likes=_collection_total(note.get("likes"), location, "likes"),
        reposts=_collection_total(note.get("shares"), location, "shares"),
    )
    return _checked(mention, location, _NOTE_FIELDS)


def _note_content(note: dict[str, Any]) -> str:
    """Return the Note's HTML, from ``content`` or the first ``contentMap`` entry."""
    content = note.get("content")
    if isinstance(content, str):
        return content
    content_map = note.get("contentMap")
    if isinstance(content_map, dict):
        return next((value for value in content_map.values() if isinstance(value, str)), "")
    return ""


def _is_public(note: dict[str, Any], activity: dict[str, Any]) -> bool:
    """Tell whether a post is public or unlisted (addressed to the Public audience)."""
    audience = [
        *_as_list(note.get("to", activity.get("to"))),
        *_as_list(note.get("cc", activity.get("cc"))),
    ]
    return any(isinstance(entry, str) and entry in _AS_PUBLIC for entry in audience)


def _note_url(note: dict[str, Any]) -> str | None:
    """Return the post's web address (``url``, else its ``id``) when it is http(s)."""
    for candidate in (*_as_list(note.get("url")), note.get("id")):
        href = candidate.get("href") if isinstance(candidate, dict) else candidate
        if isinstance(href, str) and (cleaned := clean_url(href)):
            return cleaned
    return None


def _fediverse_handle(actor: Any) -> str:
    """Turn an actor URI (https://piaille.fr/users/ml) into @ml@piaille.fr."""
    if isinstance(actor, dict):
        actor = actor.get("id")
    if isinstance(actor, list):
        actor = next((entry for entry in actor if isinstance(entry, str)), None)
    if not isinstance(actor, str):
        return ""
    parts = urlsplit(actor)
    segments = [segment for segment in parts.path.split("/") if segment]
    if not parts.hostname or not segments:
        return actor
    if "users" in segments[:-1]:
        name = segments[segments.index("users") + 1]
    else:
        name = segments[-1].removeprefix("@")
    return f"@{name}@{parts.hostname}"


def _collection_total(collection: Any, location: str, field: str) -> int:
    """Return ``totalItems`` of an embedded likes/shares collection, else 0."""
    total = collection.get("totalItems") if isinstance(collection, dict) else None
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return 0
    return _count(total, location, f"{field}.totalItems")


def _as_list(value: Any) -> list[Any]:
    """Return a JSON-LD value that may be single or repeated as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _parse_iso_date(value: Any, location: str, field: str) -> datetime:
    """Parse an ISO 8601 timestamp into aware UTC (naive means UTC in ActivityPub)."""
    if not isinstance(value, str):
        raise ArchiveImportError("Date absente.", location, field)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ArchiveImportError(f"Date illisible « {value} ».", location, field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _in_utc(parsed, value, location, field)


class _TextExtractor(HTMLParser):
    """Collect the visible text of post HTML, keeping line structure."""

    _BLOCKS = frozenset(
        {
            "p",
            "div",
            "blockquote",
            "ul",
            "ol",
            "li",
            "pre",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
        }
    )
    _HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._hidden_depth = 0
        self._hashtag_links: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag == "br":
            self._parts.append("\n")
        elif tag in self._BLOCKS:
            self._parts.append("\n\n")
        elif tag == "a":
            attributes = dict(attrs)
            classes = (attributes.get("class") or "").split()
            is_tag = "hashtag" in classes or "tag" in (attributes.get("rel") or "").split()
            self._hashtag_links.append(len(self._parts) if is_tag else -1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._parts.append("\n")
        elif tag not in self._HIDDEN:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in self._BLOCKS:
            self._parts.append("\n\n")
        elif tag == "a" and self._hashtag_links:
            start = self._hashtag_links.pop()
            if start >= 0 and not "".join(self._parts[start:]).lstrip().startswith(("#", "＃")):
                self._parts.insert(start, "#")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def text(self) -> str:
        """Return the collected text with tidy line breaks."""
        lines = [line.strip(" ") for line in "".join(self._parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- CSV ------------------------------------------------------------------------------


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
    "date": "date",
    "platform": "plateforme",
    "author": "auteur",
    "text": "texte",
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


def _parse_csv(source: _ByteSource, stats: ParseStats) -> Iterator[ImportedMention]:
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
        columns = _map_columns(header, f"ligne {1 + skipped}")
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                stats.posts += 1
                yield _csv_mention(row, columns, len(header), f"ligne {line + skipped}")
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ArchiveImportError(
            f"CSV illisible ({exc}).", f"ligne {reader.line_num + skipped}"
        ) from None


def _decoded_lines(source: _ByteSource) -> Iterator[str]:
    """Yield text lines, decoding UTF-8 (with or without BOM) or, failing that, cp1252.

    The choice is made line by line while only ASCII has been seen, so the file
    is streamed and never decoded twice: ASCII is the same in both encodings.
    """
    encoding: str | None = None
    for number, raw in enumerate(source.lines(), 1):
        if number == 1:
            raw = raw.removeprefix(_BOM)
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
                "Encodage illisible : enregistrez le fichier en CSV UTF-8.",
                f"ligne {number}",
            ) from None


def _header_key(name: str) -> str:
    """Return a header's comparison key: accents, case, underscores, hyphens ignored."""
    key = normalize_hashtag(name.replace("\ufeff", "")).replace("’", "'")
    return " ".join(re.sub(r"[_\-·.]+", " ", key).split())


def _map_columns(header: list[str], location: str) -> dict[str, int]:
    """Map each known field to its column index; refuse missing required ones."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        for field, aliases in _CSV_COLUMNS.items():
            if key in aliases and field not in columns:
                columns[field] = index
    missing = [label for field, label in _REQUIRED_COLUMNS.items() if field not in columns]
    if missing:
        found = ", ".join(name.strip() for name in header if name.strip()) or "aucun"
        raise ArchiveImportError(
            f"Colonnes obligatoires absentes : {', '.join(missing)} (en-têtes trouvés : {found}).",
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
    row: list[str], columns: dict[str, int], width: int, location: str
) -> ImportedMention:
    """Build a mention from one CSV row."""
    if any(cell.strip() for cell in row[width:]):
        raise ArchiveImportError(
            "La ligne a plus de colonnes que l'en-tête "
            "(séparateur non protégé par des guillemets ?).",
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
    declared = [tag for tag in _TAG_SEPARATORS.split(cell("hashtags")) if tag]
    mention = ImportedMention(
        platform=platform,
        external_id=cell("id") or _stable_id(platform, posted_at, author, text),
        author=author,
        posted_at=posted_at,
        text=text,
        hashtags=_collect_hashtags(declared, text),
        url=url,
        likes=_count(cell("likes"), location, "likes"),
        reposts=_count(cell("reposts"), location, "reposts"),
    )
    return _checked(mention, location, _CSV_FIELDS)


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


def _parse_csv_date(value: str, location: str) -> datetime:
    """Parse a CSV date (ISO 8601, dd/mm/yyyy [hh:mm], Twitter style) into aware UTC.

    A date without offset is local time in Europe/Paris, as typed by a manager.
    """
    if not value:
        raise ArchiveImportError("Date absente.", location, "date")
    parsed = _iso_or_french_date(value) or _twitter_date(value)
    if parsed is None:
        raise ArchiveImportError(
            f"Date illisible « {value} » (formats acceptés : 2024-03-14 19:30, 14/03/2024 19:30).",
            location,
            "date",
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL_TIMEZONE)
    return _in_utc(parsed, value, location, "date")


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


# --- shared helpers -------------------------------------------------------------------


def _in_utc(parsed: datetime, value: str, location: str, field: str) -> datetime:
    """Return an aware datetime in UTC, refusing years outside MIN_YEAR..MAX_YEAR.

    Checked before the conversion: year 1 or 9999 with an offset overflows it.
    """
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ArchiveImportError(
            f"Date hors limites « {value} » : "
            f"l'année doit être comprise entre {MIN_YEAR} et {MAX_YEAR}.",
            location,
            field,
        )
    return parsed.astimezone(UTC)


def _checked(mention: ImportedMention, location: str, fields: dict[str, str]) -> ImportedMention:
    """Return the mention if the database can store it, else refuse the file.

    ``fields`` names, for the message, the archive's field behind each attribute.
    """
    if len(mention.external_id) > EXTERNAL_ID_MAX:
        raise ArchiveImportError(
            f"Identifiant de publication trop long ({mention.external_id[:40]}…) : "
            f"{EXTERNAL_ID_MAX} caractères au plus.",
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
                "Caractère invalide (caractère nul ou demi-caractère UTF-16 isolé).",
                location,
                fields[attribute],
            )
    return mention


def _megabytes(size: int) -> str:
    """Return a size in the French way: 100 Mo, 1,5 Mo."""
    number = f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} Mo"


def _collect_hashtags(declared: Iterable[str], text: str) -> tuple[str, ...]:
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


def _count(value: Any, location: str, field: str) -> int:
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
        raise ArchiveImportError(f"Nombre invalide « {value} ».", location, field)
    if number > MAX_COUNT:
        raise ArchiveImportError(
            f"Nombre trop grand « {str(value)[:40]} » : au plus {MAX_COUNT}.",
            location,
            field,
        )
    return number


def _as_handle(handle: str) -> str:
    """Return an account handle with its leading '@', or "" when none is given."""
    handle = handle.strip()
    return f"@{handle.lstrip('@')}" if handle else ""
