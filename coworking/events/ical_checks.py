"""Refuse an iCalendar file, or one of its events, that cannot be read faithfully."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it
from icalendar import Component

from coworking.dates import MAX_YEAR, MIN_YEAR, in_range, space_zone
from coworking.events.ical_refusal import IcalImportError
from coworking.events.ical_values import LINE_BREAK, comparable, raw_end, safe_text, when

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
_UNSUPPORTED_FREQUENCIES = frozenset({"SECONDLY", "MINUTELY"})
_BEGIN_END = re.compile(r"^(BEGIN|END):([A-Za-z0-9-]+)[ \t]*$", re.IGNORECASE)


# --- file level checks -------------------------------------------------------


def decode(data: bytes) -> str:
    """Return the text of the file if it looks like an iCalendar file."""
    if not data or not data.strip():
        raise IcalImportError(_l("le fichier est vide."))
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()[: len(b"BEGIN:VCALENDAR")]
    if b"\x00" in data or head.upper() != b"BEGIN:VCALENDAR":
        raise IcalImportError(
            _l("ce n'est pas un fichier iCalendar (.ics) : il doit commencer par BEGIN:VCALENDAR.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Some old exporters write Windows-1252; RFC 5545 says UTF-8.
        return data.decode("cp1252", errors="replace")


def check_structure(text: str, max_events: int) -> None:
    """Refuse a truncated file or one whose BEGIN/END lines do not balance."""
    stack: list[tuple[str, int]] = []
    closed = False
    event_count = 0
    for number, line in enumerate(LINE_BREAK.split(text), 1):
        if not line.strip() or line[0] in " \t":
            continue  # blank line or folded continuation
        if closed:
            raise IcalImportError(
                _l("contenu inattendu après END:VCALENDAR (un seul calendrier par fichier)."),
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
                    ngettext(
                        "le fichier contient plus de %(num)s événement (limite).",
                        "le fichier contient plus de %(num)s événements (limite).",
                        max_events,
                    )
                )
        elif not stack:
            raise IcalImportError(
                _l(
                    "END:%(name)s inattendu, aucun END n'était attendu : fichier mal formé.",
                    name=name,
                ),
                line=number,
            )
        elif stack[-1][0] != name:
            raise IcalImportError(
                _l(
                    "END:%(name)s inattendu, END:%(open)s (ouvert ligne %(opened)s) était "
                    "attendu : fichier mal formé.",
                    name=name,
                    open=stack[-1][0],
                    opened=stack[-1][1],
                ),
                line=number,
            )
        else:
            stack.pop()
            closed = not stack
    if stack:
        name, opened = stack[-1]
        raise IcalImportError(
            _l(
                "fichier tronqué ou incomplet : BEGIN:%(name)s (ligne %(line)s) n'est jamais "
                "fermé par END:%(name)s.",
                name=name,
                line=opened,
            )
        )


def read_calendar(text: str) -> icalendar.Calendar:
    """Parse the text with icalendar, turning any failure into a refusal."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises several types for unreadable input
        raise IcalImportError(
            _l("le fichier iCalendar est illisible (%(error)s).", error=str(exc))
        ) from exc
    if calendar.name != "VCALENDAR":
        raise IcalImportError(_l("ce n'est pas un fichier iCalendar : VCALENDAR attendu."))
    return calendar


def floating_zone(calendar: icalendar.Calendar) -> ZoneInfo:
    """Return the zone of floating times: a valid X-WR-TIMEZONE, else Paris."""
    name = calendar.get("X-WR-TIMEZONE")
    if name is None:
        return space_zone()
    try:
        zone = ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        # A non-standard hint we cannot use: drop it so expansion does not trip on it.
        del calendar["X-WR-TIMEZONE"]
        return space_zone()
    calendar["X-WR-TIMEZONE"] = zone.key
    return zone


def check_calendar(calendar: icalendar.Calendar) -> None:
    """Refuse a non-Gregorian calendar, unreadable lines, broken VTIMEZONEs."""
    scale = safe_text(calendar, "CALSCALE").upper()
    if scale not in ("", "GREGORIAN"):
        raise IcalImportError(
            _l("calendrier « %(scale)s » non pris en charge (grégorien seulement).", scale=scale)
        )
    for key, message in calendar.errors:
        if key is None:
            raise IcalImportError(_l("ligne illisible : %(error)s", error=message), "VCALENDAR")
    for timezone_component in calendar.walk("VTIMEZONE"):
        errors = list(timezone_component.errors)
        for sub in timezone_component.subcomponents:
            errors.extend(sub.errors)
        if errors:
            key, message = errors[0]
            tzid = safe_text(timezone_component, "TZID") or "?"
            reason = (
                _l(
                    "définition de fuseau horaire invalide (%(property)s : %(error)s).",
                    property=key,
                    error=message,
                )
                if key
                else _l("définition de fuseau horaire invalide (ligne : %(error)s).", error=message)
            )
            raise IcalImportError(reason, f"VTIMEZONE {tzid}")


# --- event level checks ------------------------------------------------------


def event_label(component: Component, number: int) -> Any:
    """Name an event for error messages: its rank, title and UID when known (lazy)."""
    summary = safe_text(component, "SUMMARY")
    uid = safe_text(component, "UID")
    if summary and uid:
        return _l(
            "VEVENT n°%(number)s « %(title)s » (UID %(uid)s)", number=number, title=summary, uid=uid
        )
    if summary:
        return _l("VEVENT n°%(number)s « %(title)s »", number=number, title=summary)
    if uid:
        return _l("VEVENT n°%(number)s (UID %(uid)s)", number=number, uid=uid)
    return _l("VEVENT n°%(number)s", number=number)


def validate_event(component: Component, label: Any) -> None:
    """Refuse an event whose identity, dates or used properties cannot be read."""
    for key, message in component.errors:
        if key is None:
            raise IcalImportError(_l("ligne illisible : %(error)s", error=message), label)
        if key.upper() in _USED_PROPERTIES:
            raise IcalImportError(_broken_reason(component, key.upper()), label)
    if not safe_text(component, "UID"):
        raise IcalImportError(_l("identifiant UID manquant."), label)
    if component.get("DTSTART") is None:
        raise IcalImportError(_l("date de début (DTSTART) manquante."), label)
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "DURATION", "UID"):
        if isinstance(component.get(name), list):
            raise IcalImportError(
                _l("propriété %(property)s présente plusieurs fois.", property=name), label
            )
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        _check_known_zone(component, name, label)
    _check_rules(component, label)
    start = when(component, "DTSTART")
    # Years out of range would overflow (DTSTART + one day, UTC conversions): refuse them.
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = component.get(name)
        if prop is not None and isinstance(prop.dt, date) and not in_range(prop.dt):
            raise IcalImportError(
                _l(
                    "année hors limites dans %(property)s (%(min)s à %(max)s acceptées).",
                    property=name,
                    min=MIN_YEAR,
                    max=MAX_YEAR,
                ),
                label,
            )
    end = raw_end(component, label)
    if not in_range(end):
        raise IcalImportError(
            _l(
                "année hors limites dans la fin de l'événement (%(min)s à %(max)s acceptées).",
                min=MIN_YEAR,
                max=MAX_YEAR,
            ),
            label,
        )
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise IcalImportError(
            _l("DTSTART et DTEND doivent être tous deux des dates, ou tous deux des dates-heures."),
            label,
        )
    if comparable(end) < comparable(start):
        raise IcalImportError(_l("la fin (DTEND) est antérieure au début (DTSTART)."), label)


def _broken_reason(component: Component, key: str) -> Any:
    """Return the reason for a property icalendar could not parse (lazy)."""
    value = component.get(key)
    values = value if isinstance(value, list) else [value]
    raw = next((str(item) for item in values if isinstance(item, icalendar.vBroken)), "")
    if key in _DATE_PROPERTIES or key == "DURATION":
        return _l(
            "date, heure ou durée invalide dans %(property)s : « %(value)s ».",
            property=key,
            value=raw,
        )
    return _l("valeur invalide dans %(property)s : « %(value)s ».", property=key, value=raw)


def _check_known_zone(component: Component, name: str, label: Any) -> None:
    """Refuse a TZID that neither a VTIMEZONE nor the tz database defines."""
    prop = component.get(name)
    if prop is None:
        return
    tzid = prop.params.get("TZID")
    value = prop.dt
    if tzid and isinstance(value, datetime) and value.tzinfo is None:
        raise IcalImportError(
            _l("fuseau horaire inconnu « %(tzid)s » dans %(property)s.", tzid=tzid, property=name),
            label,
        )


def _check_rules(component: Component, label: Any) -> None:
    """Refuse repetition rules finer than hourly: no event calendar needs them."""
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        frequencies = {str(value).upper() for value in rule.get("FREQ", [])}
        if frequencies & _UNSUPPORTED_FREQUENCIES:
            raise IcalImportError(
                _l("répétition à la seconde ou à la minute (RRULE) non prise en charge."), label
            )
