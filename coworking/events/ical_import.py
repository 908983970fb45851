"""Parse an uploaded iCalendar file into normalized event records, all or nothing.

The file is refused as a whole (:class:`IcalImportError`) as soon as one part of
it cannot be read faithfully; otherwise every VEVENT becomes one
:class:`ImportedEvent`, recurring series being expanded into their occurrences
within a window.  Parsing is done by ``icalendar`` and expansion by
``recurring-ical-events``; this module only checks, normalizes and maps.

Expansion is bounded before it starts, because a rule of a few bytes can ask
for years of work: every rule is priced (the steps ``dateutil`` takes from the
series' DTSTART to the end of the window, or to year 9999 for a rule that may
never match again) and the file is refused when a series or the whole file
costs too much; then every occurrence visited in the window counts, cancelled,
excluded or overridden ones included, per series and for the whole file.

The work is shared out: ``ical_checks`` (the file and each event),
``ical_cost`` (the price of the rules), ``ical_expansion`` (series and their
occurrences, counted), ``ical_records`` (records, HTML descriptions) and
``kind_matching`` (kinds from categories); refusals are ``ical_refusal``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from typing import Any

from icalendar import Component

from coworking.dates import add_years, today
from coworking.events.ical_checks import (
    check_calendar,
    check_structure,
    decode,
    event_label,
    floating_zone,
    read_calendar,
    validate_event,
)
from coworking.events.ical_cost import DEFAULT_MAX_EXPANSION_COST, check_expansion_cost
from coworking.events.ical_expansion import (
    Reading,
    Tally,
    count_starts,
    group_by_uid,
    is_recurring,
    latest,
    occurrences,
)
from coworking.events.ical_records import UNTITLED, ImportedEvent, build_record, html_to_text
from coworking.events.ical_refusal import IcalImportError
from coworking.events.ical_values import is_cancelled
from coworking.events.kind_matching import (
    KIND_SYNONYMS,
    find_kind,
    kind_for_categories,
    kind_lookup,
)

__all__ = [
    "DEFAULT_EXPANSION_YEARS",
    "DEFAULT_HISTORY_YEARS",
    "DEFAULT_MAX_EVENTS",
    "DEFAULT_MAX_EXPANSION_COST",
    "DEFAULT_MAX_OCCURRENCES_PER_SERIES",
    "KIND_SYNONYMS",
    "UNTITLED",
    "IcalImportError",
    "ImportedEvent",
    "html_to_text",
    "kind_for_categories",
    "parse_calendar",
    "with_kinds",
]

DEFAULT_MAX_EVENTS = 20_000  # events and occurrences visited (cancelled ones too), per file
DEFAULT_MAX_OCCURRENCES_PER_SERIES = 1_000  # occurrences visited in the window, per series
DEFAULT_EXPANSION_YEARS = 2  # series are expanded up to this many years after today...
DEFAULT_HISTORY_YEARS = 5  # ...and from this many years before today


def parse_calendar(
    data: bytes,
    *,
    expand_from: date | None = None,
    expand_to: date | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
    max_occurrences_per_series: int = DEFAULT_MAX_OCCURRENCES_PER_SERIES,
    max_expansion_cost: int = DEFAULT_MAX_EXPANSION_COST,
    extra_kinds: Mapping[str, str] = MappingProxyType({}),
) -> list[ImportedEvent]:
    """Parse iCalendar bytes into event records, or refuse the whole file.

    Series are expanded over the window from ``expand_from`` (default: five years
    before today) to ``expand_to`` (default: two years after today), local dates,
    inclusive; events that do not repeat are kept whatever their date.
    """
    text = decode(data)
    check_structure(text, max_events)
    calendar = read_calendar(text)
    zone = floating_zone(calendar)
    check_calendar(calendar)
    components = list(calendar.walk("VEVENT"))
    labels = {
        id(component): event_label(component, number)
        for number, component in enumerate(components, 1)
    }
    for component in components:
        validate_event(component, labels[id(component)])
    upper = expand_to or _years_from_today(DEFAULT_EXPANSION_YEARS)
    reading = Reading(
        zone=zone,
        zone_declared=calendar.get("X-WR-TIMEZONE") is not None,
        kinds=kind_lookup(extra_kinds),
        lower=min(expand_from or _years_from_today(-DEFAULT_HISTORY_YEARS), upper),
        upper=upper,
    )
    groups = list(group_by_uid(components).values())
    check_expansion_cost(
        [group for group in groups if is_recurring(group)],
        reading.upper,
        labels,
        max_occurrences_per_series,
        max_expansion_cost,
    )
    tally = Tally(max_events, max_occurrences_per_series)
    # every series' occurrences are counted before any is built
    counts: list[list[int] | None] = []
    for group in groups:
        if is_recurring(group):
            counts.append(count_starts(group, reading, tally, labels[id(group[0])]))
        else:
            tally.add(1)
            counts.append(None)
    records: list[ImportedEvent] = []
    for group, starts in zip(groups, counts, strict=True):
        records.extend(_records_of_group(group, starts, reading, tally, labels[id(group[0])]))
    records.sort(key=lambda record: (record.start, record.uid, record.recurrence_id or ""))
    return records


def with_kinds(
    records: Iterable[ImportedEvent], extra_kinds: Mapping[str, str]
) -> list[ImportedEvent]:
    """Return the records with their kind found again among built-in and extra kinds."""
    lookup = kind_lookup(extra_kinds)
    return [replace(record, kind=find_kind(record.categories, lookup)) for record in records]


def _records_of_group(
    group: Sequence[Component],
    starts: list[int] | None,
    reading: Reading,
    tally: Tally,
    label: Any,
) -> list[ImportedEvent]:
    """Return the records of the events sharing one UID (a series when its starts are counted)."""
    if starts is not None:
        return [
            build_record(occurrence, reading.zone, reading.kinds, recurring=True)
            for occurrence in occurrences(group, starts, reading, tally, label)
        ]
    event = latest(group)
    if is_cancelled(event):
        return []
    return [build_record(event, reading.zone, reading.kinds, recurring=False)]


def _years_from_today(years: int) -> date:
    """Return the space's today moved by whole years (28 February for 29 February)."""
    return add_years(today(), years)
