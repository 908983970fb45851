"""Parse an uploaded iCalendar file into normalized event records, all or nothing.

The file is refused as a whole (:class:`IcalImportError`) as soon as one part of
it cannot be read faithfully; otherwise every VEVENT becomes one
:class:`ImportedEvent`, recurring series being expanded into their occurrences
within a window.  Parsing is done by ``icalendar`` and expansion by
``recurring-ical-events``; this module only checks, normalizes and maps.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from icalendar import Component

from coworking.dates import MAX_YEAR, MIN_YEAR, in_range

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_MAX_EVENTS = 20_000
DEFAULT_MAX_OCCURRENCES_PER_SERIES = 1_000
DEFAULT_EXPANSION_YEARS = 2
UNTITLED = "(sans titre)"

KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "twapero": "Twapéro",
        "conference": "Conférence",
        "atelier": "Atelier",
        "formation": "Formation",
        "barcamp": "Barcamp / hackathon",
        "afterwork": "Afterwork",
        "ag": "Assemblée générale",
        "autre": "Autre",
    }
)

# Extra spellings recognized in CATEGORIES, besides each kind's slug and label.
KIND_SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "twapero": ("twapéros",),
        "conference": ("conférences", "conf", "talk", "talks", "keynote", "conference"),
        "atelier": ("ateliers", "workshop", "workshops"),
        "formation": ("formations", "training", "trainings", "cours", "course"),
        "barcamp": ("barcamp", "barcamps", "hackathon", "hackathons", "hackaton"),
        "afterwork": ("after work", "after-work", "afterworks"),
        "ag": (
            "AG",
            "assemblée générale",
            "assemblées générales",
            "general assembly",
            "general meeting",
            "annual general meeting",
            "AGM",
        ),
        "autre": ("autres", "other", "others", "divers"),
    }
)

# Properties whose value we read: a parse error in one of them refuses the file.
# (Errors in other properties, e.g. Google's CREATED:00001231T000000Z, are ignored.)
_USED_PROPERTIES = frozenset(
    {
        "UID",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "SEQUENCE",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "URL",
        "CLASS",
        "CATEGORIES",
        "STATUS",
    }
)
_DATE_PROPERTIES = frozenset({"DTSTART", "DTEND", "RDATE", "EXDATE", "RECURRENCE-ID"})
_RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")
_UNSUPPORTED_FREQUENCIES = frozenset({"SECONDLY", "MINUTELY"})
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_BEGIN_END = re.compile(r"^(BEGIN|END):([A-Za-z0-9-]+)[ \t]*$", re.IGNORECASE)
_HTML_HINT = re.compile(
    r"<\s*(?:/?\s*(?:p|br|div|a|b|i|u|em|strong|span|ul|ol|li|h[1-6]|table|tr|td)\b|!--)",
    re.IGNORECASE,
)
_SAFE_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


class IcalImportError(ValueError):
    """Refusal of a whole iCalendar file, with a French reason and the faulty part."""

    def __init__(self, reason: str, component: str | None = None, *, line: int | None = None):
        """Store the French reason, the component named and the line, when known."""
        self.reason = reason
        self.component = component
        self.line = line
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Return the full French message (component, line and reason)."""
        prefix = ""
        if self.component:
            prefix += f"{self.component} : "
        if self.line is not None:
            prefix += f"ligne {self.line} : "
        return prefix + self.reason


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


def parse_calendar(
    data: bytes,
    *,
    expand_from: date | None = None,
    expand_to: date | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
    max_occurrences_per_series: int = DEFAULT_MAX_OCCURRENCES_PER_SERIES,
    extra_kinds: Mapping[str, str] = MappingProxyType({}),
) -> list[ImportedEvent]:
    """Parse iCalendar bytes into event records, or refuse the whole file."""
    text = _decode(data)
    _check_structure(text, max_events)
    calendar = _read_calendar(text)
    zone = _floating_zone(calendar)
    _check_calendar(calendar)
    components = list(calendar.walk("VEVENT"))
    labels = {
        id(component): _label(component, number) for number, component in enumerate(components, 1)
    }
    for component in components:
        _validate_event(component, labels[id(component)])
    reading = _Reading(
        zone=zone,
        zone_declared=calendar.get("X-WR-TIMEZONE") is not None,
        kinds=_kind_lookup(extra_kinds),
        lower=expand_from,
        upper=expand_to or _default_expansion_end(),
    )
    records: list[ImportedEvent] = []
    for group in _group_by_uid(components).values():
        budget = min(max_occurrences_per_series, max_events + 1 - len(records))
        records.extend(_records_of_group(group, reading, budget, labels[id(group[0])]))
        if len(records) > max_events:
            raise IcalImportError(f"le fichier contient plus de {max_events} événements (limite).")
    records.sort(key=lambda record: (record.start, record.uid, record.recurrence_id or ""))
    return records


@dataclass(frozen=True)
class _Reading:
    """How to read the events of one file."""

    zone: ZoneInfo  # zone of floating times
    zone_declared: bool  # whether the file says so (X-WR-TIMEZONE)
    kinds: Mapping[str, str]  # normalized spelling -> kind slug
    lower: date | None  # expansion window, local dates, inclusive
    upper: date


def _records_of_group(
    group: Sequence[Component], reading: _Reading, cap: int, label: str
) -> list[ImportedEvent]:
    """Return the records of the events sharing one UID (a series or a single event)."""
    if _is_recurring(group):
        occurrences = _expand_series(group, reading, cap, label)
        return [_record(occurrence, reading, recurring=True) for occurrence in occurrences]
    latest = _latest(group)
    if _is_cancelled(latest):
        return []
    return [_record(latest, reading, recurring=False)]


def kind_for_categories(
    categories: Iterable[str], extra_kinds: Mapping[str, str] = MappingProxyType({})
) -> str | None:
    """Return the slug of the first category naming a kind (built-in or extra)."""
    return _find_kind(categories, _kind_lookup(extra_kinds))


# --- file level checks -------------------------------------------------------


def _decode(data: bytes) -> str:
    """Return the text of the file if it looks like an iCalendar file."""
    if not data or not data.strip():
        raise IcalImportError("le fichier est vide.")
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()[: len(b"BEGIN:VCALENDAR")]
    if b"\x00" in data or head.upper() != b"BEGIN:VCALENDAR":
        raise IcalImportError(
            "ce n'est pas un fichier iCalendar (.ics) : il doit commencer par BEGIN:VCALENDAR."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Some old exporters write Windows-1252; RFC 5545 says UTF-8.
        return data.decode("cp1252", errors="replace")


def _check_structure(text: str, max_events: int) -> None:
    """Refuse a truncated file or one whose BEGIN/END lines do not balance."""
    stack: list[tuple[str, int]] = []
    closed = False
    event_count = 0
    for number, line in enumerate(_LINE_BREAK.split(text), 1):
        if not line.strip() or line[0] in " \t":
            continue  # blank line or folded continuation
        if closed:
            raise IcalImportError(
                "contenu inattendu après END:VCALENDAR (un seul calendrier par fichier).",
                line=number,
            )
        match = _BEGIN_END.match(line)
        if match is None:
            continue
        keyword, name = match.group(1).upper(), match.group(2).upper()
        if keyword == "BEGIN":
            stack.append((name, number))
            event_count += name == "VEVENT"
            if event_count > max_events:
                raise IcalImportError(
                    f"le fichier contient plus de {max_events} événements (limite)."
                )
        elif not stack or stack[-1][0] != name:
            expected = f"END:{stack[-1][0]} (ouvert ligne {stack[-1][1]})" if stack else "aucun END"
            raise IcalImportError(
                f"END:{name} inattendu, {expected} était attendu : fichier mal formé.",
                line=number,
            )
        else:
            stack.pop()
            closed = not stack
    if stack:
        name, opened = stack[-1]
        raise IcalImportError(
            f"fichier tronqué ou incomplet : BEGIN:{name} (ligne {opened}) "
            "n'est jamais fermé "
            f"par END:{name}."
        )


def _read_calendar(text: str) -> icalendar.Calendar:
    """Parse the text with icalendar, turning any failure into a refusal."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises several types for unreadable input
        raise IcalImportError(f"le fichier iCalendar est illisible ({exc}).") from exc
    if calendar.name != "VCALENDAR":
        raise IcalImportError("ce n'est pas un fichier iCalendar : VCALENDAR attendu.")
    return calendar


def _floating_zone(calendar: icalendar.Calendar) -> ZoneInfo:
    """Return the zone of floating times: a valid X-WR-TIMEZONE, else Paris."""
    name = calendar.get("X-WR-TIMEZONE")
    if name is None:
        return PARIS
    try:
        zone = ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        # A non-standard hint we cannot use: drop it so expansion does not trip on it.
        del calendar["X-WR-TIMEZONE"]
        return PARIS
    calendar["X-WR-TIMEZONE"] = zone.key
    return zone


def _check_calendar(calendar: icalendar.Calendar) -> None:
    """Refuse a non-Gregorian calendar, unreadable lines, broken VTIMEZONEs."""
    scale = _safe_text(calendar, "CALSCALE").upper()
    if scale not in ("", "GREGORIAN"):
        raise IcalImportError(f"calendrier « {scale} » non pris en charge (grégorien seulement).")
    for key, message in calendar.errors:
        if key is None:
            raise IcalImportError(f"ligne illisible : {message}", "VCALENDAR")
    for timezone_component in calendar.walk("VTIMEZONE"):
        errors = list(timezone_component.errors)
        for sub in timezone_component.subcomponents:
            errors.extend(sub.errors)
        if errors:
            key, message = errors[0]
            tzid = _safe_text(timezone_component, "TZID") or "?"
            raise IcalImportError(
                f"définition de fuseau horaire invalide ({key or 'ligne'} : {message}).",
                f"VTIMEZONE {tzid}",
            )


# --- event level checks ------------------------------------------------------


def _validate_event(component: Component, label: str) -> None:
    """Refuse an event whose identity, dates or used properties cannot be read."""
    for key, message in component.errors:
        if key is None:
            raise IcalImportError(f"ligne illisible : {message}", label)
        if key.upper() in _USED_PROPERTIES:
            raise IcalImportError(_broken_reason(component, key.upper()), label)
    if not _safe_text(component, "UID"):
        raise IcalImportError("identifiant UID manquant.", label)
    if component.get("DTSTART") is None:
        raise IcalImportError("date de début (DTSTART) manquante.", label)
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "DURATION", "UID"):
        if isinstance(component.get(name), list):
            raise IcalImportError(f"propriété {name} présente plusieurs fois.", label)
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        _check_known_zone(component, name, label)
    _check_rules(component, label)
    start = component["DTSTART"].dt
    # Years out of range would overflow (DTSTART + one day, UTC conversions): refuse them.
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = component.get(name)
        if prop is not None and isinstance(prop.dt, date) and not in_range(prop.dt):
            raise IcalImportError(
                f"année hors limites dans {name} ({MIN_YEAR} à {MAX_YEAR} acceptées).", label
            )
    end = _raw_end(component, label)
    if not in_range(end):
        raise IcalImportError(
            f"année hors limites dans la fin de l'événement ({MIN_YEAR} à {MAX_YEAR} acceptées).",
            label,
        )
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise IcalImportError(
            "DTSTART et DTEND doivent être tous deux des dates, ou tous deux des dates-heures.",
            label,
        )
    if _comparable(end) < _comparable(start):
        raise IcalImportError("la fin (DTEND) est antérieure au début (DTSTART).", label)


def _label(component: Component, number: int) -> str:
    """Name an event for error messages: its rank, title and UID when known."""
    label = f"VEVENT n°{number}"
    summary = _safe_text(component, "SUMMARY")
    uid = _safe_text(component, "UID")
    if summary:
        label += f" « {summary} »"
    if uid:
        label += f" (UID {uid})"
    return label


def _broken_reason(component: Component, key: str) -> str:
    """Return the French reason for a property icalendar could not parse."""
    value = component.get(key)
    values = value if isinstance(value, list) else [value]
    raw = next((str(item) for item in values if isinstance(item, icalendar.vBroken)), "")
    if key in _DATE_PROPERTIES or key == "DURATION":
        return f"date, heure ou durée invalide dans {key} : « {raw} »."
    return f"valeur invalide dans {key} : « {raw} »."


def _check_known_zone(component: Component, name: str, label: str) -> None:
    """Refuse a TZID that neither a VTIMEZONE nor the tz database defines."""
    prop = component.get(name)
    if prop is None:
        return
    tzid = prop.params.get("TZID")
    value = prop.dt
    if tzid and isinstance(value, datetime) and value.tzinfo is None:
        raise IcalImportError(f"fuseau horaire inconnu « {tzid} » dans {name}.", label)


def _check_rules(component: Component, label: str) -> None:
    """Refuse repetition rules finer than hourly: no event calendar needs them."""
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        frequencies = {str(value).upper() for value in rule.get("FREQ", [])}
        if frequencies & _UNSUPPORTED_FREQUENCIES:
            raise IcalImportError(
                "répétition à la seconde ou à la minute (RRULE) non prise en charge.",
                label,
            )


def _raw_end(component: Component, label: str) -> date | datetime:
    """Return DTEND, or DTSTART + DURATION, or the RFC 5545 default end."""
    start = component["DTSTART"].dt
    if component.get("DTEND") is not None:
        return component["DTEND"].dt
    duration_prop = component.get("DURATION")
    if duration_prop is not None:
        duration = duration_prop.dt
        if not isinstance(duration, timedelta) or duration < timedelta(0):
            raise IcalImportError("durée (DURATION) invalide ou négative.", label)
        if not isinstance(start, datetime) and duration % timedelta(days=1):
            raise IcalImportError("durée en heures pour un événement sur journée entière.", label)
        try:
            return start + duration
        except OverflowError:
            raise IcalImportError("durée (DURATION) trop longue.", label) from None
    if isinstance(start, datetime):
        return start
    return start + timedelta(days=1)


def _comparable(value: date | datetime) -> datetime:
    """Return a value comparable with any other date or datetime of the file."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=PARIS)
    if value.tzinfo is None:
        return value.replace(tzinfo=PARIS)
    return value


# --- grouping and expansion --------------------------------------------------


def _group_by_uid(components: Sequence[Component]) -> dict[str, list[Component]]:
    """Group events by UID, in file order."""
    groups: dict[str, list[Component]] = {}
    for component in components:
        groups.setdefault(_safe_text(component, "UID"), []).append(component)
    return groups


def _is_recurring(group: Sequence[Component]) -> bool:
    """Return whether the group is a series (rule, dates or overridden occurrence)."""
    return any(
        component.get(name) is not None for component in group for name in _RECURRENCE_PROPERTIES
    )


def _latest(group: Sequence[Component]) -> Component:
    """Return the version with the highest SEQUENCE (the last one on ties)."""
    return max(reversed(group), key=_sequence)


def _sequence(component: Component) -> int:
    """Return the SEQUENCE of a component (0 when absent)."""
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _default_expansion_end() -> date:
    """Return today (in Paris) plus the default expansion span."""
    today = datetime.now(PARIS).date()
    try:
        return today.replace(year=today.year + DEFAULT_EXPANSION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + DEFAULT_EXPANSION_YEARS, day=28)


def _expand_series(
    group: Sequence[Component], reading: _Reading, cap: int, label: str
) -> list[Component]:
    """Return the occurrences of a series whose local start date is in the window."""
    zone, lower, upper = reading.zone, reading.lower, reading.upper
    series_calendar = icalendar.Calendar()
    if reading.zone_declared:
        # recurring-ical-events then reads UTC and floating times in that zone,
        # as Google Calendar means them
        series_calendar["X-WR-TIMEZONE"] = zone.key
    for component in group:
        series_calendar.add_component(component)
    first = min(_local_date(component["DTSTART"].dt, zone) for component in group)
    earliest = datetime.combine((lower or first) - timedelta(days=1), time())
    occurrences: list[Component] = []
    try:
        for occurrence in recurring_ical_events.of(series_calendar).after(earliest):
            local = _local_date(occurrence["DTSTART"].dt, zone)
            if local > upper or len(occurrences) >= cap:
                break
            if (lower is None or local >= lower) and not _is_cancelled(occurrence):
                occurrences.append(occurrence)
    except Exception as exc:  # any failure to expand refuses the file, never a crash
        raise IcalImportError(
            f"répétition (RRULE/RDATE/EXDATE) impossible à calculer ({exc}).", label
        ) from exc
    return occurrences


def _is_cancelled(component: Component) -> bool:
    """Return whether the event or occurrence has STATUS:CANCELLED."""
    return _safe_text(component, "STATUS").upper() == "CANCELLED"


def _local_date(value: date | datetime, zone: ZoneInfo) -> date:
    """Return the calendar date of a value, seen in the floating zone."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.date()
    return value.astimezone(zone).date()


# --- records -----------------------------------------------------------------


def _record(component: Component, reading: _Reading, *, recurring: bool) -> ImportedEvent:
    """Build the normalized record of one event or occurrence."""
    zone = reading.zone
    start_value = component["DTSTART"].dt
    end_value = _raw_end(component, "")
    all_day = not isinstance(start_value, datetime)
    start = _to_utc(start_value, zone)
    end = max(_to_utc(end_value, zone), start)
    if all_day and end <= start:
        end = _to_utc(start_value + timedelta(days=1), zone)
    categories = _categories(component)
    return ImportedEvent(
        uid=_safe_text(component, "UID"),
        recurrence_id=_recurrence_id(component, zone) if recurring else None,
        title=_safe_text(component, "SUMMARY") or UNTITLED,
        description=_description(component),
        location=_safe_text(component, "LOCATION"),
        url=_safe_url(_safe_text(component, "URL")),
        start=start,
        end=end,
        all_day=all_day,
        is_public=_safe_text(component, "CLASS").upper() in ("", "PUBLIC"),
        categories=categories,
        kind=_find_kind(categories, reading.kinds),
        status=_safe_text(component, "STATUS").upper() or None,
    )


def _to_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Return aware UTC (dates: midnight in Paris; floating times: in zone)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=PARIS).astimezone(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _recurrence_id(component: Component, zone: ZoneInfo) -> str:
    """Return the stable identity of an occurrence: its original start, ISO, in UTC."""
    prop = component.get("RECURRENCE-ID") or component["DTSTART"]
    value = prop.dt
    if not isinstance(value, datetime):
        return value.isoformat()
    return _to_utc(value, zone).isoformat()


def _safe_text(component: Component, name: str) -> str:
    """Return the (first) value of a text property, stripped; empty when absent."""
    value: Any = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return ""
    return str(value).strip()


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
    text = _safe_text(component, "DESCRIPTION")
    if not text:
        text = _safe_text(component, "X-ALT-DESC")
    return html_to_text(text) if _HTML_HINT.search(text) else _tidy(text)


def html_to_text(markup: str) -> str:
    """Convert a small HTML fragment (as Google Calendar writes) to plain text."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    """Normalize line breaks and blank lines of a plain text."""
    lines = [line.rstrip() for line in _LINE_BREAK.split(text)]
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


# --- kinds -------------------------------------------------------------------


def _normalize(text: str) -> str:
    """Return text without accents, case, spaces or punctuation, for loose matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isalnum()).casefold()


def _find_kind(categories: Iterable[str], lookup: Mapping[str, str]) -> str | None:
    """Return the slug of the first category found in the lookup."""
    for category in categories:
        slug = lookup.get(_normalize(category))
        if slug is not None:
            return slug
    return None


def _kind_lookup(extra_kinds: Mapping[str, str]) -> dict[str, str]:
    """Map every normalized spelling to its kind slug (built-in kinds win ties)."""
    lookup: dict[str, str] = {}
    for slug, label in extra_kinds.items():
        for spelling in (slug, label):
            if _normalize(spelling):
                lookup[_normalize(spelling)] = slug
    for slug, label in KIND_LABELS.items():
        for spelling in (slug, label, *KIND_SYNONYMS.get(slug, ())):
            lookup[_normalize(spelling)] = slug
    return lookup
