"""Import an archive's posts as mentions: check it whole, then upsert it in short batches.

An archive is imported in two phases, so that memory stays bounded whatever its
size and a refused file writes nothing:

1. ``check_archive`` reads the whole file once, as a stream (at most
   ``COWORKING_MAX_ARCHIVE_BYTES``), checks every post, and keeps the posts, as
   rows ready to write, in an anonymous temporary file; in memory only a count and
   the date range. It needs no database: the web view runs it inside
   ``outside_write_lock()``, so kiosks keep writing meanwhile.
2. ``write_archive`` upserts those rows ``WRITE_BATCH`` at a time, in bulk (existing
   ids asked for in a few ``IN`` queries, new posts inserted with one executemany,
   known ones updated by primary key; nothing per row), and the caller commits after
   each batch.

Why short transactions rather than one: on SQLite (a shared 2-core machine),
writing 200,000 posts took 5.5 s in batches of 1,000 (23 ms a batch, 180 ms at
worst), and updating them 6.2 s in one transaction holding the write lock all
along: every kiosk check-in would have waited that long. With batches, a writer
taking the lock every 50 ms during an import of 200,000 posts waited 2 ms (median),
under a second at worst (checkpoints of the WAL included). The price: a failure in the middle (the process
killed, the database gone) leaves the batches already committed. The upsert is
keyed by (platform, external id), so importing the same file again completes the
import without duplicates.

The batches keep the lock short however many posts there are; ``MAX_POSTS`` bounds
how long the whole import takes, so that a web request ends well within a server's
worker timeout: 100 MB of short posts hold 360,000 of them (23 s to import here),
a real 100 MB tweets.js 80,000 (11 s); 200,000 posts take 16 s.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it
from sqlalchemy import insert, select, text, update

from coworking.audit import services as audit
from coworking.community.archive_records import ArchiveImportError, ImportedMention, ParseStats
from coworking.community.archives import parse_mentions
from coworking.community.models import Mention
from coworking.database import utcnow
from coworking.events.models import Event
from coworking.extensions import db
from coworking.hashtags import normalize_hashtag
from coworking.i18n import lazy_number

SUGGESTION_WINDOW = timedelta(days=2)
HASHTAGS_MAX = 500
AUTHOR_MAX = 200
URL_MAX = 2048
# Posts written in one transaction...
WRITE_BATCH = 1000
# ... or fewer when their rows are long: a batch is held in memory while it is written.
WRITE_BATCH_BYTES = 8 * 1024 * 1024
# Posts written by one import: real account archives of 100 MB hold about 80,000.
MAX_POSTS = 200_000
# Ids asked for in one query (a batch's ids and their hashes take a few): PostgreSQL
# looks 250 up through the unique index; 2,000 at once, it scanned the platform's rows.
IN_CHUNK = 250
# The columns of a row as kept between the two phases of an import, in this order.
_ROW_COLUMNS = (
    "platform",
    "external_id",
    "author",
    "posted_at",
    "text",
    "hashtags",
    "url",
    "likes",
    "reposts",
)


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


@dataclass
class ImportResult:
    stats: ParseStats = field(default_factory=ParseStats)
    created: int = 0
    updated: int = 0
    suggested: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass
class CheckedArchive:
    """An archive read and checked whole, its posts waiting in a temporary file."""

    filename: str
    result: ImportResult
    posts: int
    first_posted: datetime | None
    last_posted: datetime | None
    spool: BinaryIO
    spool_bytes: int

    def __enter__(self) -> CheckedArchive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.spool.close()

    def next_rows(self) -> list[dict[str, Any]]:
        """Return the next batch of rows: WRITE_BATCH, or fewer long ones, or the last."""
        rows = []
        size = 0
        for line in self.spool:
            values = dict(zip(_ROW_COLUMNS, json.loads(line), strict=True))
            values["posted_at"] = datetime.fromisoformat(values["posted_at"])
            rows.append(values)
            size += len(line)
            if len(rows) == WRITE_BATCH or size >= WRITE_BATCH_BYTES:
                break
        return rows

    @property
    def exhausted(self) -> bool:
        """Tell whether every row was handed out."""
        return self.spool.tell() >= self.spool_bytes


def check_archive(
    stream: BinaryIO,
    *,
    filename: str = "",
    hashtags: Sequence[str] = (),
    account: str = "",
    max_bytes: int | None = None,
) -> CheckedArchive:
    """Read and check a whole archive without writing; raises ArchiveImportError.

    ``max_bytes`` defaults to ``COWORKING_MAX_ARCHIVE_BYTES``. Close the result (it
    is a context manager) once written.
    """
    if max_bytes is None:
        max_bytes = current_app.config["COWORKING_MAX_ARCHIVE_BYTES"]
    result = ImportResult()
    posts = 0
    first: datetime | None = None
    last: datetime | None = None
    with ExitStack() as on_error:
        spool = on_error.enter_context(tempfile.TemporaryFile())
        for record in parse_mentions(
            stream,
            filename=filename,
            hashtags=hashtags,
            account_handle=account,
            stats=result.stats,
            max_bytes=max_bytes,
        ):
            row = _row(record)
            values = [row[column] for column in _ROW_COLUMNS]
            line = json.dumps(values, ensure_ascii=False, default=datetime.isoformat)
            spool.write(line.encode("utf-8") + b"\n")
            posts += 1
            if posts > MAX_POSTS:
                raise ArchiveImportError(
                    ngettext(
                        "Le fichier contient plus de %(limit)s publication à importer, la limite "
                        "d'un import : filtrez-les par hashtag ou découpez le fichier.",
                        "Le fichier contient plus de %(limit)s publications à importer, la limite "
                        "d'un import : filtrez-les par hashtag ou découpez le fichier.",
                        MAX_POSTS,
                        limit=lazy_number(MAX_POSTS),
                    )
                )
            first = record.posted_at if first is None else min(first, record.posted_at)
            last = record.posted_at if last is None else max(last, record.posted_at)
        spool_bytes = spool.tell()
        spool.seek(0)
        on_error.pop_all()  # checked: the spool now belongs to the CheckedArchive
    return CheckedArchive(filename, result, posts, first, last, spool, spool_bytes)


def write_archive(archive: CheckedArchive) -> Iterator[ImportResult]:
    """Upsert a checked archive's posts, one batch a step: commit after each step.

    The last step also records the import in the audit log. Yields the running result.
    """
    result = archive.result
    matcher: EventMatcher | None = None
    now = utcnow()
    batches = 0
    while True:
        rows = archive.next_rows()
        if rows and archive.first_posted and archive.last_posted:
            if matcher is None:
                matcher = EventMatcher(archive.first_posted, archive.last_posted)
            # The last copy of a post wins, within a batch as across batches.
            _upsert_rows(
                {(row["platform"], row["external_id"]): row for row in rows}, matcher, now, result
            )
            batches += 1
            if batches & (batches - 1) == 0:  # after batch 1, 2, 4, 8…
                _refresh_statistics()
        if archive.exhausted:
            audit.record(
                "mention.import",
                None,
                f"{archive.filename or 'archive'} ({result.stats.format}): "
                f"{result.created} new, {result.updated} updated",
                object_type="mention",
            )
            yield result
            return
        yield result


def _refresh_statistics() -> None:
    """Have PostgreSQL count the mentions again while an import multiplies them.

    Until autovacuum catches up (a minute or more), the planner believes a table that
    just received thousands of rows is nearly empty, and looks a batch's ids up by
    scanning every mention of the platform: the import slows down as it grows (a
    100,000-post import spent 200 s in lookups). ``ANALYZE`` samples at most 30,000
    rows; after batch 1, 2, 4, 8… it runs a handful of times whatever the import.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE mention"))


def import_archive(
    stream: BinaryIO,
    *,
    filename: str = "",
    hashtags: Sequence[str] = (),
    account: str = "",
    max_bytes: int | None = None,
) -> ImportResult:
    """Check then write an archive in the current transaction; raises ArchiveImportError.

    For small files and tests: the web page and the command commit batch by batch.
    """
    with check_archive(
        stream, filename=filename, hashtags=hashtags, account=account, max_bytes=max_bytes
    ) as archive:
        for _step in write_archive(archive):
            pass
    return archive.result


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
    """Insert new posts and refresh known ones, in bulk, keyed by (platform, external id)."""
    rows = {(record.platform, record.external_id): _row(record) for record in records}
    if not rows:
        return
    matcher = EventMatcher(
        min(row["posted_at"] for row in rows.values()),
        max(row["posted_at"] for row in rows.values()),
    )
    _upsert_rows(rows, matcher, utcnow(), result)


def _upsert_rows(
    rows: dict[tuple[str, str], dict[str, Any]],
    matcher: EventMatcher,
    now: datetime,
    result: ImportResult,
) -> None:
    """Write rows keyed by (platform, external id): insert new ones, update known ones.

    A known post is also found by the hash of its external id (its author was erased
    and the id named them). Posts of an erased author are left as they are: a
    re-import neither duplicates them nor restores the author.
    """
    existing = _existing_ids(rows.keys())
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

    Each external id is looked for as is and as its hash (`erased_external_id`), in
    chunks of IN_CHUNK: a few queries a batch, never one per post.
    """
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in keys:
        by_platform[platform].append(external_id)
        by_platform[platform].append(erased_external_id(external_id))
    found: dict[tuple[str, str], tuple[int, bool, bool]] = {}
    columns = select(Mention.id, Mention.external_id, Mention.event_id, Mention.author_erased)
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), IN_CHUNK):
            query = columns.where(
                Mention.platform == platform,
                Mention.external_id.in_(ids[start : start + IN_CHUNK]),
            )
            for row in db.session.execute(query):
                found[(platform, row.external_id)] = (
                    row.id,
                    row.event_id is not None,
                    bool(row.author_erased),
                )
    return found
