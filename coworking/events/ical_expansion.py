"""Expand series into their occurrences within a window, counting every one visited."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it
from icalendar import Component

from coworking.events.ical_refusal import IcalImportError
from coworking.events.ical_values import is_cancelled, local_date, safe_text
from coworking.i18n import lazy_date

_RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")


@dataclass(frozen=True)
class Reading:
    """How to read the events of one file."""

    zone: ZoneInfo  # zone of floating times
    zone_declared: bool  # whether the file says so (X-WR-TIMEZONE)
    kinds: Mapping[str, str]  # normalized spelling -> kind slug
    lower: date  # expansion window, local dates, inclusive
    upper: date

    @property
    def window(self) -> Any:
        """Return the window in words, for messages (lazy)."""
        return _l(
            "du %(first)s au %(last)s", first=lazy_date(self.lower), last=lazy_date(self.upper)
        )


@dataclass
class Tally:
    """Events and occurrences visited so far in the file, against the limits."""

    max_events: int
    max_per_series: int
    visited: int = 0

    def add(self, count: int, label: Any = None) -> None:
        """Count visited events or occurrences; refuse the file past the limit."""
        self.visited += count
        if self.visited > self.max_events:
            raise IcalImportError(
                ngettext(
                    "le fichier contient plus de %(num)s événement ou occurrence "
                    "(limite, occurrences annulées comprises).",
                    "le fichier contient plus de %(num)s événements ou occurrences "
                    "(limite, occurrences annulées comprises).",
                    self.max_events,
                ),
                label,
            )

    @property
    def room(self) -> int:
        """Return how many occurrences one more series may visit before a limit is passed."""
        return min(self.max_per_series, self.max_events - self.visited)


def group_by_uid(components: Sequence[Component]) -> dict[str, list[Component]]:
    """Group events by UID, in file order."""
    groups: dict[str, list[Component]] = {}
    for component in components:
        groups.setdefault(safe_text(component, "UID"), []).append(component)
    return groups


def is_recurring(group: Sequence[Component]) -> bool:
    """Return whether the group is a series (rule, dates or overridden occurrence)."""
    return any(
        component.get(name) is not None for component in group for name in _RECURRENCE_PROPERTIES
    )


def latest(group: Sequence[Component]) -> Component:
    """Return the version with the highest SEQUENCE (the last one on ties)."""
    return max(reversed(group), key=_sequence)


def _sequence(component: Component) -> int:
    """Return the SEQUENCE of a component (0 when absent)."""
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _series_of(group: Sequence[Component], reading: Reading) -> list[recurring_ical_events.Series]:
    """Return recurring-ical-events' series for the events sharing one UID."""
    series_calendar = icalendar.Calendar()
    if reading.zone_declared:
        # recurring-ical-events then reads UTC and floating times in that zone,
        # as Google Calendar means them
        series_calendar["X-WR-TIMEZONE"] = reading.zone.key
    for component in group:
        series_calendar.add_component(component)
    return recurring_ical_events.of(series_calendar).series


def count_starts(
    group: Sequence[Component], reading: Reading, tally: Tally, label: Any
) -> list[int]:
    """Count the starts a series has in the window, refusing it past the limits.

    Only the window is asked for (``after`` would restart dateutil's walk at every
    step), and every start counts, cancelled or excluded ones included. Nothing is
    kept: dateutil's caches of one series at a time are held, not the whole file's.
    """
    counts: list[int] = []
    with _refusing_failures(label):
        for series in _series_of(group, reading):
            room = tally.room
            starts = _count_up_to(series.rrule_between(*_span(reading)), room + 1)
            tally.add(starts, label)  # refuses when the file's limit is the one passed
            if starts > room:
                raise _too_many_occurrences(tally, reading, label)
            counts.append(starts)
    return counts


def occurrences(
    group: Sequence[Component],
    counts: Sequence[int],
    reading: Reading,
    tally: Tally,
    label: Any,
) -> list[Component]:
    """Return the occurrences of a series whose local start date is in the window."""
    zone, lower, upper = reading.zone, reading.lower, reading.upper
    found: list[Component] = []
    with _refusing_failures(label):
        for series, starts in zip(_series_of(group, reading), counts, strict=True):
            for built, occurrence in enumerate(series.between(*_span(reading)), 1):
                if built > starts:  # an overridden occurrence moved into the window
                    tally.add(1, label)
                if built > tally.max_per_series:
                    raise _too_many_occurrences(tally, reading, label)
                component = occurrence.as_component(False)
                local = local_date(component["DTSTART"].dt, zone)
                if lower <= local <= upper and not is_cancelled(component):
                    found.append(component)
    return found


def _span(reading: Reading) -> tuple[datetime, datetime]:
    """Return the span asked of recurring-ical-events (naive: read in the series' zone)."""
    # a day of margin on both sides, the window being in local dates of the file
    return (
        datetime.combine(reading.lower - timedelta(days=1), time()),
        datetime.combine(reading.upper + timedelta(days=2), time()),
    )


@contextmanager
def _refusing_failures(label: Any) -> Iterator[None]:
    """Turn any failure of the expansion into a refusal naming the event, never a crash."""
    try:
        yield
    except IcalImportError:
        raise
    except Exception as exc:
        raise IcalImportError(
            _l(
                "répétition (RRULE/RDATE/EXDATE) impossible à calculer (%(error)s).", error=str(exc)
            ),
            label,
        ) from exc


def _count_up_to(items: Iterable[object], limit: int) -> int:
    """Return how many distinct items there are, counting no further than the limit."""
    seen: set[object] = set()
    for item in items:
        seen.add(item)  # DTSTART comes both from the rule and as a date of its own
        if len(seen) >= limit:
            break
    return len(seen)


def _too_many_occurrences(tally: Tally, reading: Reading, label: Any) -> IcalImportError:
    """Return the refusal of a series that repeats too often in the window."""
    return IcalImportError(
        ngettext(
            "la série répète plus de %(num)s occurrence dans la fenêtre d'import "
            "(%(window)s), occurrences annulées ou exclues comprises (limite).",
            "la série répète plus de %(num)s occurrences dans la fenêtre d'import "
            "(%(window)s), occurrences annulées ou exclues comprises (limite).",
            tally.max_per_series,
            window=reading.window,
        ),
        label,
    )
