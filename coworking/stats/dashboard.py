"""The dashboard's content: key figures against the previous period, charts, what comes next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from coworking.dates import today
from coworking.events.models import Event
from coworking.events.programme import upcoming_events
from coworking.members.models import Membership
from coworking.members.services import memberships_ending
from coworking.periods import Period
from coworking.stats.chart_data import dashboard_charts
from coworking.stats.charts import Chart, french_number, french_percent
from coworking.stats.definitions import INDICATORS, IndicatorDef, format_value
from coworking.stats.indicators import compute_indicators
from coworking.stats.series import monthly_series, profession_mix

# The key figures of the dashboard, in their order.
KEY_FIGURES = (
    "members_active",
    "members_new",
    "checkins_visitor_days",
    "visitors_unique",
    "events_held",
    "events_public_share",
    "attendance_total",
    "attendees_unique",
    "partners_active",
    "press_articles",
    "mentions",
    "outcomes",
)
ENDING_SOON_DAYS = 15
ENDING_SOON_SHOWN = 10
NEXT_EVENTS_SHOWN = 5


@dataclass
class Dashboard:
    """What the dashboard shows for a period."""

    period: Period
    previous: Period
    figures: list[dict[str, object]]
    charts: list[Chart]
    next_events: list[Event]
    ending: list[Membership]
    ending_total: int
    ending_days: int = ENDING_SOON_DAYS


def dashboard(period: Period) -> Dashboard:
    """Gather the dashboard of a period: a fixed number of queries, whatever the history."""
    previous = period.previous()
    now_values = compute_indicators(period, KEY_FIGURES)
    before_values = compute_indicators(previous, KEY_FIGURES)
    ending, ending_total = memberships_ending(today(), ENDING_SOON_DAYS, ENDING_SOON_SHOWN)
    return Dashboard(
        period=period,
        previous=previous,
        figures=[
            key_figure(key, now_values[key], before_values[key], INDICATORS[key])
            for key in KEY_FIGURES
        ],
        charts=dashboard_charts(monthly_series(period), profession_mix(period)),
        next_events=upcoming_events(NEXT_EVENTS_SHOWN),
        ending=ending,
        ending_total=ending_total,
    )


def key_figure(key: str, value: Any, before: Any, definition: IndicatorDef) -> dict[str, object]:
    """Describe one key figure and its change against the previous period."""
    figure: dict[str, object] = {
        "key": key,
        "label": definition.label(),
        "definition": definition.definition(),
        "value": format_value(key, value),
        "delta": "",
        "trend": "flat",
    }
    if value is None or before is None:
        return figure
    difference = value - before
    figure["trend"] = "up" if difference > 0 else "down" if difference < 0 else "flat"
    sign = "+" if difference > 0 else "−" if difference < 0 else "±"
    if definition.unit == "percent":
        points = french_number(round(abs(difference) * 100, 1))
        figure["delta"] = _("%(sign)s%(n)s points", sign=sign, n=points)
    elif before:
        relative = french_percent(abs(difference) / before)
        figure["delta"] = _(
            "%(sign)s%(n)s (%(sign)s%(pct)s)",
            sign=sign,
            n=french_number(abs(difference)),
            pct=relative,
        )
    else:
        figure["delta"] = _("%(sign)s%(n)s", sign=sign, n=french_number(abs(difference)))
    return figure
