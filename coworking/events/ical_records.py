"""Build the normalized record of an iCalendar event, its HTML description turned into text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Component

from coworking.events.ical_values import LINE_BREAK, raw_end, safe_text, to_utc, when
from coworking.events.kind_matching import find_kind

UNTITLED = "(sans titre)"

_HTML_HINT = re.compile(
    r"<\s*(?:/?\s*(?:p|br|div|a|b|i|u|em|strong|span|ul|ol|li|h[1-6]|table|tr|td)\b|!--)",
    re.IGNORECASE,
)
_SAFE_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class ImportedEvent:
    """One event (or one occurrence of a series) read from an iCalendar file."""

    uid: str
    recurrence_id: str | None
    title: str
    description: str
    location: str
    url: str
    start: datetime
    end: datetime
    all_day: bool
    is_public: bool
    categories: tuple[str, ...]
    kind: str | None
    status: str | None


def build_record(
    component: Component, zone: ZoneInfo, kinds: Mapping[str, str], *, recurring: bool
) -> ImportedEvent:
    """Build the normalized record of one event or occurrence (floating times in ``zone``)."""
    start_value = when(component, "DTSTART")
    end_value = raw_end(component, "")
    all_day = not isinstance(start_value, datetime)
    start = to_utc(start_value, zone)
    end = max(to_utc(end_value, zone), start)
    if all_day and end <= start:
        end = to_utc(start_value + timedelta(days=1), zone)
    categories = _categories(component)
    return ImportedEvent(
        uid=safe_text(component, "UID"),
        recurrence_id=_recurrence_id(component, zone) if recurring else None,
        title=safe_text(component, "SUMMARY") or UNTITLED,
        description=_description(component),
        location=safe_text(component, "LOCATION"),
        url=_safe_url(safe_text(component, "URL")),
        start=start,
        end=end,
        all_day=all_day,
        is_public=safe_text(component, "CLASS").upper() in ("", "PUBLIC"),
        categories=categories,
        kind=find_kind(categories, kinds),
        status=safe_text(component, "STATUS").upper() or None,
    )


def _recurrence_id(component: Component, zone: ZoneInfo) -> str:
    """Return the stable identity of an occurrence: its original start, ISO, in UTC."""
    value = when(component, "RECURRENCE-ID" if component.get("RECURRENCE-ID") else "DTSTART")
    if not isinstance(value, datetime):
        return value.isoformat()
    return to_utc(value, zone).isoformat()


def _safe_url(value: str) -> str:
    """Keep only http(s) URLs (never javascript: or data: links)."""
    return value if _SAFE_URL.match(value) else ""


def _categories(component: Component) -> tuple[str, ...]:
    """Return the categories of an event, in order, without duplicates."""
    value: Any = component.get("CATEGORIES")
    if value is None:
        return ()
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        for category in getattr(item, "cats", [item]):
            text = str(category).strip()
            if text and text not in found:
                found.append(text)
    return tuple(found)


def _description(component: Component) -> str:
    """Return the description as plain text (HTML descriptions are converted)."""
    text = safe_text(component, "DESCRIPTION")
    if not text:
        text = safe_text(component, "X-ALT-DESC")
    return html_to_text(text) if _HTML_HINT.search(text) else _tidy(text)


def html_to_text(markup: str) -> str:
    """Convert a small HTML fragment (as Google Calendar writes) to plain text."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    """Normalize line breaks and blank lines of a plain text."""
    lines = [line.rstrip() for line in LINE_BREAK.split(text)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, keeping line breaks and link targets."""

    _BLOCKS = frozenset({"p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self._href:
            if _SAFE_URL.match(self._href) and self._href not in "".join(self._link_text):
                self.parts.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._href is not None:
            self._link_text.append(data)
