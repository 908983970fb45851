"""Social-media mentions: filters, monthly counts, the export and the suggested events.

Archives are imported by ``mention_import`` (read whole, then written in short batches).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import joinedload

from coworking.audit import services as audit
from coworking.community.choices import PLATFORMS
from coworking.community.models import Mention
from coworking.community.services import CommunityError
from coworking.dates import local_midnight_utc, to_local
from coworking.events.models import Event
from coworking.extensions import db
from coworking.hashtags import normalize_hashtag

__all__ = [
    "EXPORT_HEADER",
    "MentionFilters",
    "apply_filters",
    "confirm_suggestion",
    "count_mentions",
    "dismiss_suggestion",
    "export_rows",
    "mentions_query",
    "monthly_counts",
    "paris_month",
    "top_hashtags",
    "unlink_event",
]


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


# Any select (whatever its columns): the filters only add WHERE clauses.
SelectAny = TypeVar("SelectAny", bound=Select)


def apply_filters(query: SelectAny, filters: MentionFilters) -> SelectAny:
    """Add the platform, hashtag and period (Europe/Paris days) conditions."""
    if filters.platform in PLATFORMS:
        query = query.where(Mention.platform == filters.platform)
    key = filters.hashtag_key
    if key:
        padded = literal(" ") + Mention.hashtags + literal(" ")
        query = query.where(padded.contains(f" {key} ", autoescape=True))
    if filters.start:
        query = query.where(Mention.posted_at >= local_midnight_utc(filters.start))
    if filters.end:
        query = query.where(Mention.posted_at < local_midnight_utc(filters.end + timedelta(days=1)))
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
            to_local(row.posted_at),
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
