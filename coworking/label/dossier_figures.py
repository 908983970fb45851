"""The figures of a dossier, taken from coworking.stats: indicators, series, mixes, charts.

This module only calls the indicator, series and chart functions of
``coworking.stats`` (the ones the dashboard uses) and formats their results;
it computes no figure itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from coworking.stats import chart_data
from coworking.stats.charts import Chart, french_number
from coworking.stats.definitions import INDICATORS, format_value
from coworking.stats.indicators import compute_indicators
from coworking.stats.series import compute_mixes, monthly_series

KEY_FIGURES = (
    "members_active",
    "members_new",
    "checkins_visitor_days",
    "visitors_unique",
    "events_held",
    "events_public_share",
    "attendance_total",
    "attendees_unique",
    "attendees_returning_share",
    "partners_active",
    "press_articles",
    "mentions",
)
COMMUNITY_KEYS = (
    "members_active",
    "members_new",
    "members_retention",
    "profession_categories",
    "checkins_visitor_days",
    "visitors_unique",
    "occupancy_rate",
    "days_open_per_week",
)
PROGRAMME_KEYS = (
    "events_held",
    "months_with_8_events",
    "events_public",
    "events_public_share",
    "events_free",
    "events_free_share",
    "events_workshops_trainings",
    "events_co_organised",
    "general_assemblies",
    "attendance_total",
    "attendance_average",
    "attendees_unique",
    "attendees_first_timers_share",
    "attendees_returning_share",
    "no_show_rate",
)
PARTNER_KEYS = ("partners_active", "events_co_organised")
VISIBILITY_KEYS = ("press_articles", "mentions", "mentions_reach")


@dataclass
class DossierFigures:
    """Indicator values, series and mixes of a period, formatted in one language."""

    period: Any
    lang: str
    indicators: dict[str, Any]
    series: Any = None
    mixes: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    chart_builders: dict[str, Callable[[], Chart]] = field(default_factory=dict)

    key_figures = KEY_FIGURES
    community_keys = COMMUNITY_KEYS
    programme_keys = PROGRAMME_KEYS
    partner_keys = PARTNER_KEYS
    visibility_keys = VISIBILITY_KEYS

    def has(self, key: str) -> bool:
        return key in self.indicators

    def label(self, key: str) -> str:
        return INDICATORS[key].label(self.lang)

    def fmt(self, key: str) -> str:
        return format_value(key, self.indicators.get(key), self.lang)

    @property
    def bridge(self) -> list[tuple[str, str, str]]:
        """Return the members bridge as (sign, label, value) rows: at the start + new +
        returning − left = at the end (the indicators add up by definition)."""
        rows = [
            ("", "members_at_start"),
            ("+", "members_new"),
            ("+", "members_returning"),
            ("−", "members_left"),
            ("=", "members_at_end"),
        ]
        return [(sign, self.label(key), self.fmt(key)) for sign, key in rows if self.has(key)]

    def mix(self, name: str) -> list[tuple[str, float]]:
        return self.mixes.get(name, [])

    @property
    def glossary(self) -> list[dict[str, str]]:
        """Every indicator with its definition, in registry order."""
        units = {
            "count": _("nombre"),
            "percent": _("part, en %"),
            "ratio": _("moyenne"),
            "euros": _("euros"),
            "days": _("jours"),
        }
        return [
            {**definition.as_dict(self.lang), "unit": units.get(definition.unit, definition.unit)}
            for definition in INDICATORS.values()
        ]

    def criterion_target(self, result: Any) -> str:
        """Write a metric criterion's target in words: « au moins 200 ».

        Words rather than « ≥ »: the bundled Inter subsets have no mathematical
        signs, and a fallback font would make the PDF differ between machines.
        """
        if result.kind == "declaration":
            if result.target is None:
                return _("oui")
            return _("au moins %(value)s", value=french_number(result.target))
        if result.target is None:
            return "—"
        key = result.indicator_key
        value = format_value(key, result.target, self.lang) if key in INDICATORS else result.target
        words = {
            "ge": _("au moins %(value)s", value=value),
            "gt": _("plus de %(value)s", value=value),
            "le": _("au plus %(value)s", value=value),
            "lt": _("moins de %(value)s", value=value),
            "eq": _("exactement %(value)s", value=value),
        }
        return words.get(result.comparator, str(value))

    def criterion_value(self, result: Any) -> str:
        """Write a metric criterion's value exactly as the indicator tables print it."""
        key = result.indicator_key
        if result.kind == "declaration":
            return result.declared_text or result.value_text
        if key not in INDICATORS:
            return "—"
        return format_value(key, result.value, self.lang)

    def draw_charts(self) -> dict[str, Chart]:
        """Draw every chart of the dossier once."""
        return {name: build() for name, build in self.chart_builders.items()}


def figures_for_dossier(period: Any, lang: str) -> DossierFigures:
    """Compute the indicators, monthly series and mixes of the period with the stats functions.

    The charts are the dashboard's (coworking.stats.chart_data), drawn later, once,
    by ``draw_charts`` so that the build can time them apart.
    """
    indicators = compute_indicators(period)
    series = monthly_series(period)
    mixes = compute_mixes(period)
    return DossierFigures(
        period=period,
        lang=lang,
        indicators=indicators,
        series=series,
        mixes={
            name: [(item.label, item.count) for item in mix.items] for name, mix in mixes.items()
        },
        chart_builders={
            "events": lambda: chart_data.events_per_month_chart(series),
            "members": lambda: chart_data.members_chart(series),
            "visitor_days": lambda: chart_data.visitor_days_chart(series),
            "mentions": lambda: chart_data.mentions_chart(series),
            "professions": lambda: chart_data.profession_chart(mixes["professions"]),
        },
    )
