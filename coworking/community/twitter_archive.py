"""Read the posts of a Twitter/X account archive's ``data/tweets.js``; retweets are skipped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from coworking.community.archive_records import (
    ArchiveImportError,
    ImportedMention,
    ParseStats,
    foreign_json,
)
from coworking.community.archive_stream import ByteSource, JsonStream
from coworking.community.archive_values import (
    checked,
    collect_hashtags,
    count,
    in_utc,
    twitter_date,
)

TWITTER_STATUS_URL = "https://x.com/i/web/status/{id}"

_YTD_PREFIX = re.compile(r"window\.YTD\.(\w+)\.part(\d+)\s*=\s*")
_TWEET_FILES = frozenset({"tweets", "tweet"})


def parse_twitter(source: ByteSource, handle: str, stats: ParseStats) -> Iterator[ImportedMention]:
    """Yield the posts of a tweets.js file; retweets (others' posts) are skipped."""
    reader = JsonStream(source)
    if reader.peek() == "w":
        prefix = reader.startswith(_YTD_PREFIX)
        if prefix is None:
            raise ArchiveImportError(_l("Début de fichier tweets.js inattendu (window.YTD…)."))
        if prefix.group(1) not in _TWEET_FILES:
            raise ArchiveImportError(
                _l(
                    "Ce fichier de l'archive Twitter/X (« %(name)s ») ne contient pas les "
                    "tweets : choisissez data/tweets.js.",
                    name=prefix.group(1),
                )
            )
    elif reader.peek() != "[":
        raise foreign_json()
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


def _tweet_mention(item: Any, location: Any, handle: str) -> ImportedMention | None:
    """Build a mention from one tweets.js item, None for a retweet."""
    tweet = item.get("tweet", item) if isinstance(item, dict) else None
    if not isinstance(tweet, dict) or not ("id_str" in tweet or "id" in tweet):
        raise ArchiveImportError(
            _l(
                "Cet élément n'est pas un tweet : le fichier n'est pas "
                "un tweets.js d'archive Twitter/X."
            ),
            location,
        )
    raw_text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(raw_text, str):
        raise ArchiveImportError(_l("Texte du tweet absent."), location, "full_text")
    text = html.unescape(raw_text)
    if text.startswith("RT @"):
        return None
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "").strip()
    if not (tweet_id.isascii() and tweet_id.isdigit()):
        raise ArchiveImportError(
            _l("Identifiant de tweet invalide « %(id)s ».", id=tweet_id), location, "id_str"
        )
    found = tweet.get("entities")
    entities: dict[str, Any] = found if isinstance(found, dict) else {}
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
        hashtags=collect_hashtags(declared, text),
        url=TWITTER_STATUS_URL.format(id=tweet_id),
        likes=count(tweet.get("favorite_count"), location, "favorite_count"),
        reposts=count(tweet.get("retweet_count"), location, "retweet_count"),
    )
    return checked(mention, location, _TWEET_FIELDS)


def _expand_short_links(text: str, urls: Any) -> str:
    """Replace t.co short links by the links they stand for."""
    for entry in urls or ():
        if isinstance(entry, dict) and entry.get("url") and entry.get("expanded_url"):
            text = text.replace(str(entry["url"]), str(entry["expanded_url"]))
    return text


def _parse_twitter_date(value: Any, location: Any, field: str = "created_at") -> datetime:
    """Parse ``Thu Dec 06 20:15:00 +0000 2012`` (locale-independent) into aware UTC."""
    if not isinstance(value, str):
        raise ArchiveImportError(_l("Date absente."), location, field)
    parsed = twitter_date(value)
    if parsed is None:
        raise ArchiveImportError(_l("Date illisible « %(value)s ».", value=value), location, field)
    return in_utc(parsed, value, location, field)
