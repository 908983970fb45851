"""Social-media mentions: filters, monthly counts, event suggestions and bulk import.

An archive is parsed whole first (``read_mentions``); only then is anything written,
in bulk: existing ids are loaded once per platform, new posts inserted with one
executemany, known posts updated by primary key. Nothing per row.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, insert, literal, select, update
from sqlalchemy.orm import joinedload

from coworking.audit import services as audit
from coworking.community.archives import (
    ArchiveImportError,
    ImportedMention,
    ParseStats,
    normalize_hashtag,
    read_mentions,
)
from coworking.community.choices import PLATFORMS
from coworking.community.models import Mention
from coworking.community.services import CommunityError, paris_midnight
from coworking.database import utcnow
from coworking.events.models import Event
from coworking.extensions import db

SUGGESTION_WINDOW = timedelta(days=2)
HASHTAGS_MAX = 500
EXTERNAL_ID_MAX = 200
AUTHOR_MAX = 200
URL_MAX = 2048
IN_CHUNK = 500
WHOLE_PLATFORM_ABOVE = 4 * IN_CHUNK


# --- filters and counts -----------------------------------------------------------------


@dataclass(frozen=True)
class MentionFilters:
    platform: str = ""
    hashtag: str = ""
    start: date | None = None
    end: date | None = None

    @property
    def hashtag_key(self) -> str:
        return normalize_hashtag(self.hashtag)

    def args(self) -> dict[str, str]:
        """Return the filters as query-string arguments (for links and the pager)."""
        values = {
            "platform": self.platform,
            "hashtag": self.hashtag,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
        }
        return {key: value for key, value in values.items() if value}


def apply_filters(query: Select[Any], filters: MentionFilters) -> Select[Any]:
    """Add the platform, hashtag and period (Europe/Paris days) conditions."""
    if filters.platform in PLATFORMS:
        query = query.where(Mention.platform == filters.platform)
    key = filters.hashtag_key
    if key:
        padded = literal(" ") + Mention.hashtags + literal(" ")
        query = query.where(padded.contains(f" {key} ", autoescape=True))
    if filters.start:
        query = query.where(Mention.posted_at >= paris_midnight(filters.start))
    if filters.end:
        query = query.where(Mention.posted_at < paris_midnight(filters.end + timedelta(days=1)))
    return query


def mentions_query(filters: MentionFilters) -> Select[Any]:
    query = (
        select(Mention)
        .options(joinedload(Mention.event), joinedload(Mention.suggested_event))
        .order_by(Mention.posted_at.desc(), Mention.id.desc())
    )
    return apply_filters(query, filters)


def count_mentions(filters: MentionFilters) -> int:
    return db.session.scalar(apply_filters(select(func.count(Mention.id)), filters)) or 0


def paris_month(column: Any) -> Any:
    """Return a SQL expression for the "YYYY-MM" month of a UTC datetime in Europe/Paris."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("Europe/Paris", column), "YYYY-MM")
    # SQLite has no time zones. Only the last two hours of a month can change month, and
    # at the end of a month Paris is UTC+2 from March to September (summer time starts on
    # the last Sunday of March, before the 31st 22:00 UTC) and UTC+1 from October to
    # February (it ends on the last Sunday of October), so this offset is exact.
    summer = func.strftime("%m", column).between("03", "09")
    offset = case((summer, "+2 hours"), else_="+1 hours")
    return func.strftime("%Y-%m", column, offset)


def monthly_counts(filters: MentionFilters) -> list[tuple[str, int, int, int]]:
    """Return (month "YYYY-MM", mentions, likes, reposts) for the filtered mentions."""
    month = paris_month(Mention.posted_at).label("month")
    query = apply_filters(
        select(
            month,
            func.count(Mention.id),
            func.coalesce(func.sum(Mention.likes), 0),
            func.coalesce(func.sum(Mention.reposts), 0),
        ),
        filters,
    )
    rows = db.session.execute(query.group_by(month).order_by(month))
    return [(str(row[0]), int(row[1]), int(row[2]), int(row[3])) for row in rows]


def top_hashtags(filters: MentionFilters, limit: int = 15) -> list[tuple[str, int]]:
    """Return the most frequent hashtags of the filtered mentions.

    Hashtags are one space-separated column; counting them per tag in portable SQL
    would need a table of tags, so this reads that single column only.
    """
    counts: dict[str, int] = defaultdict(int)
    query = apply_filters(select(Mention.hashtags).where(Mention.hashtags != ""), filters)
    for tags in db.session.scalars(query.execution_options(yield_per=2000)):
        for tag in set(tags.split()):
            counts[tag] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def export_rows(filters: MentionFilters) -> Iterable[tuple[Any, ...]]:
    """Yield the CSV rows of the filtered mentions, oldest first, streamed."""
    from coworking.i18n import to_paris

    query = apply_filters(
        select(
            Mention.platform,
            Mention.posted_at,
            Mention.author,
            Mention.text,
            Mention.hashtags,
            Mention.url,
            Mention.likes,
            Mention.reposts,
            Event.title,
        )
        .outerjoin(Event, Event.id == Mention.event_id)
        .order_by(Mention.posted_at, Mention.id),
        filters,
    )
    for row in db.session.execute(query.execution_options(yield_per=1000)):
        yield (
            row.platform,
            to_paris(row.posted_at),
            row.author,
            row.text,
            " ".join(f"#{tag}" for tag in row.hashtags.split()),
            row.url or "",
            row.likes,
            row.reposts,
            row.title or "",
        )


EXPORT_HEADER = (
    "plateforme",
    "publié le",
    "auteur",
    "texte",
    "hashtags",
    "URL",
    "j'aime",
    "partages",
    "événement",
)


# --- event suggestions ------------------------------------------------------------------


class EventMatcher:
    """Find the event whose hashtags a post shares and that starts within two days of it."""

    def __init__(self, start: datetime, end: datetime) -> None:
        rows = db.session.execute(
            select(Event.id, Event.starts_at, Event.hashtags).where(
                Event.hashtags != "",
                Event.cancelled.is_(False),
                Event.starts_at >= start - SUGGESTION_WINDOW,
                Event.starts_at <= end + SUGGESTION_WINDOW,
            )
        )
        by_tag: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        for row in rows:
            for tag in {normalize_hashtag(t) for t in row.hashtags.split()}:
                if tag:
                    by_tag[tag].append((row.starts_at, row.id))
        self._times: dict[str, list[datetime]] = {}
        self._ids: dict[str, list[int]] = {}
        for tag, items in by_tag.items():
            items.sort()
            self._times[tag] = [at for at, _id in items]
            self._ids[tag] = [event_id for _at, event_id in items]

    def match(self, posted_at: datetime, hashtags: Iterable[str]) -> int | None:
        """Return the id of the closest matching event in time, or None."""
        best: tuple[timedelta, int] | None = None
        for tag in hashtags:
            times = self._times.get(tag)
            if not times:
                continue
            low = bisect.bisect_left(times, posted_at - SUGGESTION_WINDOW)
            high = bisect.bisect_right(times, posted_at + SUGGESTION_WINDOW)
            for index in range(low, high):
                candidate = (abs(times[index] - posted_at), self._ids[tag][index])
                if best is None or candidate < best:
                    best = candidate
        return best[1] if best else None


def confirm_suggestion(mention: Mention) -> None:
    """Link the mention to its suggested event."""
    if mention.suggested_event_id is None:
        raise CommunityError(_("Aucun événement n'est suggéré pour cette publication."), "event")
    mention.event_id = mention.suggested_event_id
    mention.suggested_event_id = None
    db.session.flush()
    audit.record("mention.link", mention, f"{mention.platform} {mention.external_id}")


def dismiss_suggestion(mention: Mention) -> None:
    mention.suggested_event_id = None
    db.session.flush()
    audit.record("mention.dismiss", mention, f"{mention.platform} {mention.external_id}")


def unlink_event(mention: Mention) -> None:
    mention.event_id = None
    db.session.flush()
    audit.record("mention.unlink", mention, f"{mention.platform} {mention.external_id}")


# --- import -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    stats: ParseStats = field(default_factory=ParseStats)
    created: int = 0
    updated: int = 0
    suggested: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated


def import_archive(
    stream: BinaryIO,
    *,
    filename: str = "",
    hashtags: Sequence[str] = (),
    account: str = "",
) -> ImportResult:
    """Parse an archive whole, then upsert its posts; raises ArchiveImportError."""
    result = ImportResult()
    records = read_mentions(
        stream,
        filename=filename,
        hashtags=hashtags,
        account_handle=account,
        stats=result.stats,
    )
    upsert_mentions(records, result)
    audit.record(
        "mention.import",
        None,
        f"{filename or 'archive'} ({result.stats.format}): "
        f"{result.created} new, {result.updated} updated",
        object_type="mention",
    )
    return result


def _row(record: ImportedMention) -> dict[str, Any]:
    """Return the column values of a parsed post, cut to the column sizes."""
    tags: list[str] = []
    seen: set[str] = set()
    length = 0
    for tag in record.hashtags:
        key = normalize_hashtag(tag)
        if not key or key in seen or length + len(key) + 1 > HASHTAGS_MAX:
            continue
        seen.add(key)
        tags.append(key)
        length += len(key) + 1
    url = record.url if record.url and len(record.url) <= URL_MAX else None
    return {
        "platform": record.platform,
        "external_id": record.external_id,
        "author": record.author[:AUTHOR_MAX],
        "posted_at": record.posted_at,
        "text": record.text,
        "hashtags": " ".join(tags),
        "url": url,
        "likes": record.likes,
        "reposts": record.reposts,
    }


def erased_external_id(external_id: str) -> str:
    """Return the stable replacement of an external id that named an erased member.

    The SHA-256 of the old id: the post stays counted once, and a re-import of the
    same post finds it again (see `upsert_mentions`) without the id naming anyone.
    """
    return hashlib.sha256(external_id.encode("utf-8")).hexdigest()


def upsert_mentions(records: Sequence[ImportedMention], result: ImportResult) -> None:
    """Insert new posts and refresh known ones, in bulk, keyed by (platform, external id).

    A known post is also found by the hash of its external id (its author was erased
    and the id named them). Posts of an erased author are left as they are: a
    re-import neither duplicates them nor restores the author.
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        if len(record.external_id) > EXTERNAL_ID_MAX:
            raise ArchiveImportError(
                f"Identifiant de publication trop long ({record.external_id[:40]}…).",
                None,
                "id",
            )
        rows[(record.platform, record.external_id)] = _row(record)  # the last copy wins
    if not rows:
        return
    existing = _existing_ids(rows.keys())
    matcher = EventMatcher(
        min(row["posted_at"] for row in rows.values()),
        max(row["posted_at"] for row in rows.values()),
    )
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, row in rows.items():
        known = existing.get(key) or existing.get((key[0], erased_external_id(key[1])))
        if known is not None and known[2]:
            continue  # the author was erased: keep the anonymised row untouched
        suggestion = matcher.match(row["posted_at"], row["hashtags"].split())
        if known is None:
            row.update(suggested_event_id=suggestion, created_at=now)
            inserts.append(row)
        else:
            mention_id, linked, _erased = known
            row.update(id=mention_id, suggested_event_id=None if linked else suggestion)
            updates.append(row)
        if suggestion is not None and not (known and known[1]):
            result.suggested += 1
    if inserts:
        db.session.execute(insert(Mention), inserts)
    if updates:
        db.session.execute(update(Mention), updates)
    db.session.flush()
    result.created += len(inserts)
    result.updated += len(updates)


def _existing_ids(
    keys: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], tuple[int, bool, bool]]:
    """Return {(platform, external id): (id, linked to an event, author erased)}.

    Each external id is looked for as is and as its hash (`erased_external_id`).

    Small imports ask for their ids in chunks; big ones load the platform's ids at once.
    Either way a handful of queries, never one per post.
    """
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in keys:
        by_platform[platform].append(external_id)
        by_platform[platform].append(erased_external_id(external_id))
    found: dict[tuple[str, str], tuple[int, bool, bool]] = {}
    columns = select(Mention.id, Mention.external_id, Mention.event_id, Mention.author_erased)
    for platform, ids in by_platform.items():
        if len(ids) > 2 * WHOLE_PLATFORM_ABOVE:
            # A whole account archive: one query for all of the platform's ids.
            queries = [columns.where(Mention.platform == platform)]
        else:
            queries = [
                columns.where(
                    Mention.platform == platform,
                    Mention.external_id.in_(ids[start : start + IN_CHUNK]),
                )
                for start in range(0, len(ids), IN_CHUNK)
            ]
        for query in queries:
            for row in db.session.execute(query):
                found[(platform, row.external_id)] = (
                    row.id,
                    row.event_id is not None,
                    bool(row.author_erased),
                )
    return found
