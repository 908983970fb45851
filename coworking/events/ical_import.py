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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
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
DEFAULT_MAX_EVENTS = 20_000  # events and occurrences visited (cancelled ones too), per file
DEFAULT_MAX_OCCURRENCES_PER_SERIES = 1_000  # occurrences visited in the window, per series
DEFAULT_EXPANSION_YEARS = 2  # series are expanded up to this many years after today...
DEFAULT_HISTORY_YEARS = 5  # ...and from this many years before today
# Price of expanding rules, in steps of dateutil (about a microsecond each here):
DEFAULT_MAX_EXPANSION_COST = 3_000_000  # per file
MAX_SERIES_EXPANSION_COST = 300_000  # per series
SERIES_SETUP_COST = 300  # building one series, whatever its rule
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
    max_expansion_cost: int = DEFAULT_MAX_EXPANSION_COST,
    extra_kinds: Mapping[str, str] = MappingProxyType({}),
) -> list[ImportedEvent]:
    """Parse iCalendar bytes into event records, or refuse the whole file.

    Series are expanded over the window from ``expand_from`` (default: five years
    before today) to ``expand_to`` (default: two years after today), local dates,
    inclusive; events that do not repeat are kept whatever their date.
    """
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
    upper = expand_to or _years_from_today(DEFAULT_EXPANSION_YEARS)
    reading = _Reading(
        zone=zone,
        zone_declared=calendar.get("X-WR-TIMEZONE") is not None,
        kinds=_kind_lookup(extra_kinds),
        lower=min(expand_from or _years_from_today(-DEFAULT_HISTORY_YEARS), upper),
        upper=upper,
    )
    groups = list(_group_by_uid(components).values())
    _check_expansion_cost(
        [group for group in groups if _is_recurring(group)],
        reading,
        labels,
        max_occurrences_per_series,
        max_expansion_cost,
    )
    tally = _Tally(max_events, max_occurrences_per_series)
    # every series' occurrences are counted before any is built
    counts: list[list[int] | None] = []
    for group in groups:
        if _is_recurring(group):
            counts.append(_count_starts(group, reading, tally, labels[id(group[0])]))
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
    lookup = _kind_lookup(extra_kinds)
    return [replace(record, kind=_find_kind(record.categories, lookup)) for record in records]


@dataclass(frozen=True)
class _Reading:
    """How to read the events of one file."""

    zone: ZoneInfo  # zone of floating times
    zone_declared: bool  # whether the file says so (X-WR-TIMEZONE)
    kinds: Mapping[str, str]  # normalized spelling -> kind slug
    lower: date  # expansion window, local dates, inclusive
    upper: date

    @property
    def window(self) -> str:
        """Return the window in words, for messages."""
        return f"du {self.lower:%d/%m/%Y} au {self.upper:%d/%m/%Y}"


@dataclass
class _Tally:
    """Events and occurrences visited so far in the file, against the limits."""

    max_events: int
    max_per_series: int
    visited: int = 0

    def add(self, count: int, label: str | None = None) -> None:
        """Count visited events or occurrences; refuse the file past the limit."""
        self.visited += count
        if self.visited > self.max_events:
            raise IcalImportError(
                f"le fichier contient plus de {self.max_events} événements ou occurrences "
                "(limite, occurrences annulées comprises).",
                label,
            )

    @property
    def room(self) -> int:
        """Return how many occurrences one more series may visit before a limit is passed."""
        return min(self.max_per_series, self.max_events - self.visited)


def _records_of_group(
    group: Sequence[Component],
    starts: list[int] | None,
    reading: _Reading,
    tally: _Tally,
    label: str,
) -> list[ImportedEvent]:
    """Return the records of the events sharing one UID (a series when its starts are counted)."""
    if starts is not None:
        occurrences = _occurrences(group, starts, reading, tally, label)
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


# --- the price of expansion --------------------------------------------------
#
# dateutil walks a rule from its DTSTART, period after period, and stops at the
# first occurrence after the end of what it is asked for; a period it filters out
# entirely (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 filters out every day) does not
# stop it, so a rule that never matches again is walked to the year 9999. The
# price of a rule is therefore the periods from DTSTART to the end of the window
# (each costing its step and the occurrences it yields) and, unless its shape
# guarantees an occurrence every few periods, the periods from there to 9999.

_LAST_INSTANT = datetime.combine(date.max, time())  # naive, like the walls it ends
_STEP_COST = MappingProxyType({"YEARLY": 20, "MONTHLY": 3, "WEEKLY": 2, "DAILY": 1, "HOURLY": 1})
_DAYS_PER_PERIOD = MappingProxyType({"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7})
_WEEKDAY_RULE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME_PARTS = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND"})


def _check_expansion_cost(
    series: Sequence[Sequence[Component]],
    reading: _Reading,
    labels: Mapping[int, str],
    max_occurrences_per_series: int,
    max_expansion_cost: int,
) -> None:
    """Refuse, before expanding anything, a series or a file whose rules cost too much."""
    total = 0
    for group in series:
        label = labels[id(group[0])]
        horizon = _horizon(group, reading)
        cost = SERIES_SETUP_COST
        for component in group:
            if _count_dates(component, "RDATE") > max_occurrences_per_series:
                raise IcalImportError(
                    f"la série compte plus de {max_occurrences_per_series} dates (RDATE) (limite).",
                    label,
                )
            for rule in _rules(component):
                cost += _rule_cost(rule, component["DTSTART"].dt, horizon)
        if cost > MAX_SERIES_EXPANSION_COST:
            raise IcalImportError(
                "répétition trop coûteuse à calculer (RRULE) : elle commence trop tôt, "
                "se répète trop souvent ou ne tombe presque jamais (limite).",
                label,
            )
        total += cost
        if total > max_expansion_cost:
            raise IcalImportError(
                "le fichier demande trop de calculs pour ses séries répétées (limite atteinte "
                "à cette série).",
                label,
            )


def _rules(component: Component) -> list[Mapping[str, list[Any]]]:
    """Return the RRULEs of an event (none, one or several)."""
    rules = component.get("RRULE")
    if rules is None:
        return []
    return list(rules) if isinstance(rules, list) else [rules]


def _count_dates(component: Component, name: str) -> int:
    """Return how many dates the (possibly repeated) property lists."""
    value: Any = component.get(name)
    if value is None:
        return 0
    return sum(len(getattr(item, "dts", [item])) for item in _as_list(value))


def _as_list(value: Any) -> list[Any]:
    """Return a property's values as a list (icalendar gives a list when repeated)."""
    return value if isinstance(value, list) else [value]


def _horizon(group: Sequence[Component], reading: _Reading) -> datetime:
    """Return the last instant the series' expansion may ask dateutil for (wall time)."""
    horizon = datetime.combine(reading.upper + timedelta(days=3), time())
    for component in group:
        recurrence = component.get("RECURRENCE-ID")
        if recurrence is None or str(recurrence.params.get("RANGE", "")).upper() != (
            "THISANDFUTURE"
        ):
            continue
        # recurring-ical-events looks further by how far the occurrence moved back
        moved_back = _comparable(recurrence.dt) - _comparable(component["DTSTART"].dt)
        horizon += max(moved_back, timedelta(0))
    return min(horizon, _LAST_INSTANT)


def _rule_cost(rule: Mapping[str, list[Any]], start: date | datetime, horizon: datetime) -> int:
    """Return the steps dateutil may take to expand one rule up to the horizon."""
    freq = str(_first(rule, "FREQ", "")).upper()
    if freq not in _STEP_COST:
        return 0  # refused elsewhere (finer than hourly) or by dateutil itself
    interval = _positive(_first(rule, "INTERVAL", 1))
    begin = _wall(start)
    until = _first(rule, "UNTIL", None)
    end = min(horizon, _wall(until)) if isinstance(until, date) else horizon
    step = _STEP_COST[freq]
    per_period = step + _occurrences_per_period(rule, freq)
    periods = _periods(freq, begin, end, interval)
    gap = _gap(rule, freq, interval, start)
    if gap is not None:
        count = _first(rule, "COUNT", None)
        if count is not None:  # an occurrence every gap periods at worst
            periods = min(periods, _positive(count) * gap)
        return (periods + gap) * per_period
    return periods * per_period + _periods(freq, max(begin, end), _LAST_INSTANT, interval) * step


def _first(rule: Mapping[str, list[Any]], name: str, default: Any) -> Any:
    """Return the first value of a rule part, or the default."""
    values = rule.get(name) or [default]
    return values[0]


def _positive(value: Any) -> int:
    """Return the value as an integer of at least 1."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _wall(value: date | datetime) -> datetime:
    """Return the wall-clock time of a date or datetime, naive (estimates only)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value, time())


def _periods(freq: str, begin: datetime, end: datetime, interval: int) -> int:
    """Return how many periods of the rule a walk from begin to end goes through."""
    if end <= begin:
        return 1
    if freq == "YEARLY":
        steps = end.year - begin.year
    elif freq == "MONTHLY":
        steps = (end.year - begin.year) * 12 + end.month - begin.month
    elif freq == "WEEKLY":
        steps = (end - begin).days // 7
    elif freq == "DAILY":
        steps = (end - begin).days
    else:
        steps = (end - begin) // timedelta(hours=1)
    return steps // interval + 1


def _occurrences_per_period(rule: Mapping[str, list[Any]], freq: str) -> int:
    """Return at most how many occurrences one period of the rule yields."""
    times = 1
    for name in _TIME_PARTS - ({"BYHOUR"} if freq == "HOURLY" else set()):
        times *= max(1, len(rule.get(name, [])))
    full = _DAYS_PER_PERIOD.get(freq, 1) * times
    if rule.get("BYSETPOS"):
        return min(full, len(rule["BYSETPOS"]))
    return min(full, _days_per_period(rule, freq) * times)


def _days_per_period(rule: Mapping[str, list[Any]], freq: str) -> int:
    """Return at most how many days of one period the rule keeps."""
    full = _DAYS_PER_PERIOD.get(freq, 1)
    if freq in ("DAILY", "HOURLY") or any(
        name in rule for name in ("BYYEARDAY", "BYWEEKNO", "BYEASTER")
    ):
        return full
    days, monthdays = rule.get("BYDAY", []), rule.get("BYMONTHDAY", [])
    if any(_int(day) == 0 for day in monthdays):  # dateutil drops a 0 and keeps every day
        return full
    months = 1
    if freq == "YEARLY":
        months = len(rule.get("BYMONTH", [])) or (12 if days or monthdays else 1)
    if monthdays:
        return min(full, len(monthdays) * months)
    if not days:
        return 1 if freq == "WEEKLY" else months
    if freq == "WEEKLY":
        return min(full, len(days))
    numbered = all(_weekday_rule(day)[0] for day in days)
    return min(full, len(days) * months * (1 if numbered else 5))


def _gap(
    rule: Mapping[str, list[Any]], freq: str, interval: int, start: date | datetime
) -> int | None:
    """Return how many periods at most separate two occurrences, or None if unbounded.

    Only the shapes calendar applications write are recognized; for any other
    rule an occurrence is not guaranteed, and the walk may run to the year 9999.
    """
    parts = {name for name in rule if name.startswith("BY")} - _TIME_PARTS
    days = [_weekday_rule(day) for day in rule.get("BYDAY", [])]
    if any(weekday is None for _number, weekday in days):
        return None
    numbers = [number for number, _weekday in days]
    if freq == "HOURLY":  # BYHOUR: dateutil refuses hours the interval never reaches
        if not parts:
            return 24
        return 24 * 7 if parts == {"BYDAY"} and not any(numbers) and interval < 24 else None
    if not parts:  # dateutil repeats the day of DTSTART: no 31st in some months, no 29/2
        if freq == "MONTHLY" and start.day > 28:
            return 12
        return 400 if freq == "YEARLY" and (start.month, start.day) == (2, 29) else 1
    if parts == {"BYDAY"} and not any(numbers):
        if freq == "DAILY":
            return 7 if interval % 7 else None
        return 1
    if freq in ("DAILY", "WEEKLY") and parts <= {"BYMONTH", "BYDAY"} and not any(numbers):
        return 366 if interval == 1 else None
    if freq not in ("MONTHLY", "YEARLY"):
        return None
    gap = 1
    months = [_int(month) for month in rule.get("BYMONTH", [])]
    if freq == "MONTHLY" and months:
        reached = {(start.month - 1 + interval * n) % 12 + 1 for n in range(12)}
        if not reached & set(months):
            return None
        gap = 12
    rest = parts - {"BYMONTH"}
    limit = 52 if freq == "YEARLY" and not months else 4
    if not rest:
        return gap if start.day <= 28 else None
    if rest == {"BYDAY"} and all(abs(number) <= limit for number in numbers):  # 0: every
        return gap
    if rest == {"BYMONTHDAY"} and all(
        0 < abs(_int(day)) <= 28 for day in rule.get("BYMONTHDAY", [])
    ):
        return gap
    if rest == {"BYDAY", "BYSETPOS"} and not any(numbers):
        most = limit * len({weekday for _number, weekday in days})
        if all(0 < abs(_int(position)) <= most for position in rule.get("BYSETPOS", [])):
            return gap
    return None


def _weekday_rule(value: Any) -> tuple[int, str | None]:
    """Split a BYDAY value (``-1FR``) into its number (0 when none) and weekday."""
    match = _WEEKDAY_RULE.match(str(value).strip().upper())
    if match is None:
        return 0, None
    return int(match.group(1) or 0), match.group(2)


def _int(value: Any) -> int:
    """Return the value as an integer (0, which no rule part accepts, when it is not one)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


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


def _years_from_today(years: int) -> date:
    """Return today (in Paris) moved by whole years (28 February for 29 February)."""
    today = datetime.now(PARIS).date()
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def _series_of(group: Sequence[Component], reading: _Reading) -> list[recurring_ical_events.Series]:
    """Return recurring-ical-events' series for the events sharing one UID."""
    series_calendar = icalendar.Calendar()
    if reading.zone_declared:
        # recurring-ical-events then reads UTC and floating times in that zone,
        # as Google Calendar means them
        series_calendar["X-WR-TIMEZONE"] = reading.zone.key
    for component in group:
        series_calendar.add_component(component)
    return recurring_ical_events.of(series_calendar).series


def _count_starts(
    group: Sequence[Component], reading: _Reading, tally: _Tally, label: str
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


def _occurrences(
    group: Sequence[Component],
    counts: Sequence[int],
    reading: _Reading,
    tally: _Tally,
    label: str,
) -> list[Component]:
    """Return the occurrences of a series whose local start date is in the window."""
    zone, lower, upper = reading.zone, reading.lower, reading.upper
    occurrences: list[Component] = []
    with _refusing_failures(label):
        for series, starts in zip(_series_of(group, reading), counts, strict=True):
            for built, occurrence in enumerate(series.between(*_span(reading)), 1):
                if built > starts:  # an overridden occurrence moved into the window
                    tally.add(1, label)
                if built > tally.max_per_series:
                    raise _too_many_occurrences(tally, reading, label)
                component = occurrence.as_component(False)
                local = _local_date(component["DTSTART"].dt, zone)
                if lower <= local <= upper and not _is_cancelled(component):
                    occurrences.append(component)
    return occurrences


def _span(reading: _Reading) -> tuple[datetime, datetime]:
    """Return the span asked of recurring-ical-events (naive: read in the series' zone)."""
    # a day of margin on both sides, the window being in local dates of the file
    return (
        datetime.combine(reading.lower - timedelta(days=1), time()),
        datetime.combine(reading.upper + timedelta(days=2), time()),
    )


@contextmanager
def _refusing_failures(label: str) -> Iterator[None]:
    """Turn any failure of the expansion into a refusal naming the event, never a crash."""
    try:
        yield
    except IcalImportError:
        raise
    except Exception as exc:
        raise IcalImportError(
            f"répétition (RRULE/RDATE/EXDATE) impossible à calculer ({exc}).", label
        ) from exc


def _count_up_to(items: Iterable[object], limit: int) -> int:
    """Return how many distinct items there are, counting no further than the limit."""
    seen: set[object] = set()
    for item in items:
        seen.add(item)  # DTSTART comes both from the rule and as a date of its own
        if len(seen) >= limit:
            break
    return len(seen)


def _too_many_occurrences(tally: _Tally, reading: _Reading, label: str) -> IcalImportError:
    """Return the refusal of a series that repeats too often in the window."""
    return IcalImportError(
        f"la série répète plus de {tally.max_per_series} occurrences dans la fenêtre d'import "
        f"({reading.window}), occurrences annulées ou exclues comprises (limite).",
        label,
    )


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
