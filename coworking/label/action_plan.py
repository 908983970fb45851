"""The action plan that computes: for each unmet metric criterion, the gap, the pace, the date.

The *pace* is how fast the indicator moved over the period: its value minus its value over the
previous period of the same length (`Period.previous`), per month. At that pace, the target is
reached ``gap / pace`` months after the period's end; a pace that is nil or goes the wrong way
leaves it « hors d'atteinte au rythme actuel ». Counts summed over the period (events, articles…)
also get their monthly average and the average the target asks. One more query, whatever the
number of criteria (the indicators of the previous period).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from coworking.dates import add_months
from coworking.label.readiness import Readiness
from coworking.periods import Period
from coworking.stats.charts import french_number
from coworking.stats.definitions import INDICATORS, format_value
from coworking.stats.indicators import compute_indicators

__all__ = ["PlanStep", "action_plan", "months_in"]

# Past this many months, a date means nothing for an application: out of reach.
HORIZON_MONTHS = 120
# Counts that add up over the period (their monthly average means something).
SUMMED = frozenset(
    {
        "events_held",
        "events_public",
        "events_free",
        "events_workshops_trainings",
        "events_co_organised",
        "attendance_total",
        "checkins_visitor_days",
        "press_articles",
        "mentions",
        "mentions_reach",
        "outcomes",
        "members_new",
        "general_assemblies",
    }
)


def months_in(period: Period) -> float:
    """Return the period's length in months (days / 30.44)."""
    return period.days / (365.25 / 12)


@dataclass
class PlanStep:
    """An unmet metric criterion and what its current pace promises."""

    code: str
    title: str
    indicator_key: str
    value: float | None
    previous: float | None
    target: float
    comparator: str
    gap_text: str
    pace: float | None  # change of the indicator per month over the period
    monthly: float | None  # for summed counts: the period's monthly average
    needed_monthly: float | None  # for summed counts: the monthly average the target asks
    reach_on: date | None

    @property
    def pace_text(self) -> str:
        """Say the pace: « +2,5 événements par mois », « −1,2 point par mois »."""
        if self.pace is None:
            return _("rythme inconnu (pas de données sur la période précédente)")
        definition = INDICATORS[self.indicator_key]
        sign = "+" if self.pace > 0 else ("−" if self.pace < 0 else "")
        if definition.unit == "percent":
            points = round(abs(self.pace) * 100, 1)
            if points < 2:
                return _("%(sign)s%(n)s point par mois", sign=sign, n=french_number(points))
            return _("%(sign)s%(n)s points par mois", sign=sign, n=french_number(points))
        amount = french_number(round(abs(self.pace), 1))
        return _(
            "%(sign)s%(n)s %(noun)s par mois",
            sign=sign,
            n=amount,
            noun=definition.noun(abs(self.pace)),
        ).replace("  ", " ")

    @property
    def monthly_text(self) -> str:
        """Say the monthly average and the one the target asks, for summed counts."""
        if self.monthly is None or self.needed_monthly is None:
            return ""
        return _(
            "%(now)s par mois en moyenne, %(needed)s par mois pour la cible",
            now=french_number(round(self.monthly, 1)),
            needed=french_number(round(self.needed_monthly, 1)),
        )

    @property
    def previous_text(self) -> str:
        return format_value(self.indicator_key, self.previous)

    @property
    def reach_text(self) -> str:
        """Say when the pace reaches the target: « vers mars 2028 » or out of reach."""
        if self.reach_on is None:
            return _("hors d'atteinte au rythme actuel")
        return _("cible atteinte vers %(month)s", month=format_date(self.reach_on, "MMMM y"))


def action_plan(readiness: Readiness) -> list[PlanStep]:
    """Return a step for each unmet metric criterion, in the readiness order."""
    unmet = [
        r
        for r in readiness.results
        if not r.met
        and r.kind == "metric"
        and r.indicator_key in INDICATORS
        and r.target is not None
    ]
    if not unmet:
        return []
    period = readiness.period
    previous = compute_indicators(
        period.previous(), sorted({r.indicator_key for r in unmet if r.indicator_key})
    )
    months = months_in(period)
    steps = []
    for result in unmet:
        key = result.indicator_key or ""
        target = float(result.target or 0)
        value = result.value
        before = previous.get(key)
        pace = None
        if value is not None and before is not None:
            pace = (float(value) - float(before)) / months
        summed = key in SUMMED
        steps.append(
            PlanStep(
                code=result.code,
                title=result.title,
                indicator_key=key,
                value=value,
                previous=before,
                target=target,
                comparator=result.comparator,
                gap_text=result.gap_text,
                pace=pace,
                monthly=float(value) / months if summed and value is not None else None,
                needed_monthly=target / months if summed else None,
                reach_on=_reach_on(period, value, target, pace),
            )
        )
    return steps


def _reach_on(
    period: Period, value: float | None, target: float, pace: float | None
) -> date | None:
    """Return the month the pace brings the value to the target, None when it never does."""
    if value is None or pace is None or pace == 0:
        return None
    remaining = target - float(value)
    if remaining == 0 or (remaining > 0) != (pace > 0):
        return None
    needed = math.ceil(remaining / pace - 1e-9)
    if needed > HORIZON_MONTHS:
        return None
    return add_months(period.end, max(needed, 1))
