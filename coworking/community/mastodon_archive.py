"""Read the public posts of a Mastodon account archive's ``outbox.json`` (no boosts)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from coworking.community.archive_records import (
    ArchiveImportError,
    ImportedMention,
    ParseStats,
    foreign_json,
)
from coworking.community.archive_stream import ByteSource, JsonStream
from coworking.community.archive_values import checked, collect_hashtags, count, in_utc
from coworking.urls import clean_url

_AS_PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})


def parse_mastodon(source: ByteSource, stats: ParseStats) -> Iterator[ImportedMention]:
    """Yield the public posts of an outbox.json (no boosts, no private posts)."""
    reader = JsonStream(source)
    if reader.peek() != "{":
        raise foreign_json()
    collection_type: Any = None
    saw_items = False
    for key in reader.keys():  # noqa: SIM118 (a streaming reader, not a dict)
        if key == "type":
            collection_type = reader.value(None)
            if collection_type not in {"OrderedCollection", "OrderedCollectionPage"}:
                raise foreign_json()
        elif key == "orderedItems" and reader.peek() == "[":
            saw_items = True
            for location, activity in reader.items():
                stats.posts += 1
                yield from _activity_mentions(activity, location, stats)
        else:
            reader.value(None)
    reader.finish()
    if collection_type is None or not saw_items:
        raise foreign_json()


def _activity_mentions(
    activity: Any, location: Any, stats: ParseStats
) -> Iterator[ImportedMention]:
    """Yield the mention carried by one outbox activity, if it is a public post."""
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        raise ArchiveImportError(
            _l(
                "Cet élément n'est pas une activité ActivityPub : "
                "le fichier n'est pas un outbox.json."
            ),
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


def _note_mention(note: dict[str, Any], activity: dict[str, Any], location: Any) -> ImportedMention:
    """Build a mention from a Mastodon Note."""
    note_id = note.get("id")
    if not isinstance(note_id, str) or not note_id:
        raise ArchiveImportError(_l("Identifiant de publication absent."), location, "id")
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
        hashtags=collect_hashtags(declared, text),
        url=_note_url(note),
        likes=_collection_total(note.get("likes"), location, "likes"),
        reposts=_collection_total(note.get("shares"), location, "shares"),
    )
    return checked(mention, location, _NOTE_FIELDS)


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


def _collection_total(collection: Any, location: Any, field: str) -> int:
    """Return ``totalItems`` of an embedded likes/shares collection, else 0."""
    total = collection.get("totalItems") if isinstance(collection, dict) else None
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return 0
    return count(total, location, f"{field}.totalItems")


def _as_list(value: Any) -> list[Any]:
    """Return a JSON-LD value that may be single or repeated as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _parse_iso_date(value: Any, location: Any, field: str) -> datetime:
    """Parse an ISO 8601 timestamp into aware UTC (naive means UTC in ActivityPub)."""
    if not isinstance(value, str):
        raise ArchiveImportError(_l("Date absente."), location, field)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ArchiveImportError(
            _l("Date illisible « %(value)s ».", value=value), location, field
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return in_utc(parsed, value, location, field)


def html_to_text(markup: str) -> str:
    """Turn post HTML into text: paragraphs and <br> make newlines, links their text."""
    parser = _TextExtractor()
    parser.feed(markup or "")
    parser.close()
    return parser.text()


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
