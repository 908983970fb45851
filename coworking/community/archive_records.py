"""What reading a social-media archive yields: its posts, its counts, or its refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coworking.errors import ServiceError

__all__ = ["ArchiveImportError", "ImportedMention", "ParseStats", "foreign_json", "line", "item"]


class ArchiveImportError(ServiceError):
    """A whole archive refused, on the form's ``archive`` field.

    ``reason`` says why; ``location`` where (« ligne 12 », « élément 3 »); ``archive_field``
    names the field of the archive at fault (``created_at``, a CSV column). Reason and
    location may be lazy translations: they, and ``message``, are rendered in the language of
    the moment they are read (French outside a request).
    """

    def __init__(self, reason: Any, location: Any = None, field: str | None = None) -> None:
        self._reason = reason
        self._location = location
        self.archive_field = field
        super().__init__(LazyString(self._full_message), "archive")

    @property
    def reason(self) -> str:
        """Return why the archive is refused, in the current language."""
        return str(self._reason)

    @property
    def location(self) -> str | None:
        """Return where in the archive the problem is, in the current language, or None."""
        return None if self._location is None else str(self._location)

    def _full_message(self) -> str:
        """Return the location, the archive's field and the reason, in the current language."""
        where = [str(self._location)] if self._location is not None else []
        if self.archive_field:
            where.append(_("champ « %(field)s »", field=self.archive_field))
        if not where:
            return self.reason
        return _("%(part)s : %(reason)s", part=", ".join(where), reason=self.reason)


def line(number: int) -> Any:
    """Return the location of a line of the file, for messages (lazy)."""
    return _l("ligne %(line)s", line=number)


def item(number: int) -> Any:
    """Return the location of an item of a JSON array, for messages (lazy)."""
    return _l("élément %(number)s", number=number)


def foreign_json() -> ArchiveImportError:
    """Build the refusal for JSON that is neither a tweets.js nor an outbox.json."""
    return ArchiveImportError(
        _l(
            "Ce fichier JSON n'est ni une archive Twitter/X (data/tweets.js) "
            "ni une archive Mastodon (outbox.json)."
        )
    )


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
