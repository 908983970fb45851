"""Price the expansion of repetition rules, and refuse a file whose rules cost too much.

dateutil walks a rule from its DTSTART, period after period, and stops at the
first occurrence after the end of what it is asked for; a period it filters out
entirely (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 filters out every day) does not
stop it, so a rule that never matches again is walked to the year 9999. The
price of a rule is therefore the periods from DTSTART to the end of the window
(each costing its step and the occurrences it yields) and, unless its shape
guarantees an occurrence every few periods, the periods from there to 9999.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as ngettext  # lazy; named so that extraction finds it
from icalendar import Component

from coworking.events.ical_refusal import IcalImportError
from coworking.events.ical_values import as_list, comparable, when

# Price of expanding rules, in steps of dateutil (about a microsecond each here):
DEFAULT_MAX_EXPANSION_COST = 3_000_000  # per file
MAX_SERIES_EXPANSION_COST = 300_000  # per series
SERIES_SETUP_COST = 300  # building one series, whatever its rule

_LAST_INSTANT = datetime.combine(date.max, time())  # naive, like the walls it ends
_STEP_COST = MappingProxyType({"YEARLY": 20, "MONTHLY": 3, "WEEKLY": 2, "DAILY": 1, "HOURLY": 1})
_DAYS_PER_PERIOD = MappingProxyType({"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7})
_WEEKDAY_RULE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME_PARTS = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND"})


def check_expansion_cost(
    series: Sequence[Sequence[Component]],
    upper: date,
    labels: Mapping[int, Any],
    max_occurrences_per_series: int,
    max_expansion_cost: int,
) -> None:
    """Refuse, before expanding anything, a series or a file whose rules cost too much.

    ``upper`` is the last day of the expansion window; ``labels`` name each series' first
    event (by ``id``) in messages.
    """
    total = 0
    for group in series:
        label = labels[id(group[0])]
        horizon = _horizon(group, upper)
        cost = SERIES_SETUP_COST
        for component in group:
            if _count_dates(component, "RDATE") > max_occurrences_per_series:
                raise IcalImportError(
                    ngettext(
                        "la série compte plus de %(num)s date (RDATE) (limite).",
                        "la série compte plus de %(num)s dates (RDATE) (limite).",
                        max_occurrences_per_series,
                    ),
                    label,
                )
            for rule in _rules(component):
                cost += _rule_cost(rule, when(component, "DTSTART"), horizon)
        if cost > MAX_SERIES_EXPANSION_COST:
            raise IcalImportError(
                _l(
                    "répétition trop coûteuse à calculer (RRULE) : elle commence trop tôt, "
                    "se répète trop souvent ou ne tombe presque jamais (limite)."
                ),
                label,
            )
        total += cost
        if total > max_expansion_cost:
            raise IcalImportError(
                _l(
                    "le fichier demande trop de calculs pour ses séries répétées (limite atteinte "
                    "à cette série)."
                ),
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
    return sum(len(getattr(item, "dts", [item])) for item in as_list(value))


def _horizon(group: Sequence[Component], upper: date) -> datetime:
    """Return the last instant the series' expansion may ask dateutil for (wall time)."""
    horizon = datetime.combine(upper + timedelta(days=3), time())
    for component in group:
        recurrence = component.get("RECURRENCE-ID")
        if recurrence is None or str(recurrence.params.get("RANGE", "")).upper() != (
            "THISANDFUTURE"
        ):
            continue
        # recurring-ical-events looks further by how far the occurrence moved back
        moved_back = comparable(recurrence.dt) - comparable(when(component, "DTSTART"))
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
