"""The charts of a period, drawn from the monthly series and mixes: one builder for the pages and the PDF."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from coworking.periods import Month, Period
from coworking.stats.charts import Chart, Series, bar_chart
from coworking.stats.series import Mix, MonthlySeries

__all__ = [
    "dashboard_charts",
    "events_per_month_chart",
    "members_chart",
    "mentions_chart",
    "mix_chart",
    "month_labels",
    "profession_chart",
    "visitor_days_chart",
]


def month_labels(months: list[Month], period: Period | None = None) -> list[str]:
    """Label months « janv. 2024 » (« Jan 2024 » in English); a month the period cuts by its
    days: « 30 nov. 2025 », « 15–30 nov. 2025 »."""
    labels = []
    for m in months:
        if period is None or not period.cuts(m):
            labels.append(format_date(date(m.year, m.month, 1), "MMM yyyy"))
            continue
        first, last = period.month_days(m)
        if first == last:
            labels.append(format_date(first, "d MMM yyyy"))
        else:
            labels.append(f"{first.day}–{format_date(last, 'd MMM yyyy')}")
    return labels


def events_per_month_chart(series: MonthlySeries) -> Chart:
    """Events held per month, stacked by kind."""
    return bar_chart(
        _("Événements par mois et par type"),
        month_labels(series.months, series.period),
        [
            Series(series.kind_labels.get(kind, kind), values)
            for kind, values in series.events_by_kind.items()
        ],
        stacked=True,
        unit=_("événements"),
        label_header=_("Mois"),
    )


def visitor_days_chart(series: MonthlySeries) -> Chart:
    """Coworking visitor-days per month."""
    return bar_chart(
        _("Journées de coworking par mois"),
        month_labels(series.months, series.period),
        [Series(_("Journées de coworking"), series.visitor_days)],
        unit=_("journées"),
        label_header=_("Mois"),
    )


def members_chart(series: MonthlySeries) -> Chart:
    """New members per month as bars, active members as a line."""
    return bar_chart(
        _("Nouveaux membres et membres actifs"),
        month_labels(series.months, series.period),
        [Series(_("Nouveaux membres"), series.members_new)],
        lines=[Series(_("Membres actifs"), series.members_active)],
        unit=_("membres"),
        label_header=_("Mois"),
    )


def mentions_chart(series: MonthlySeries) -> Chart:
    """Social-media mentions per month."""
    return bar_chart(
        _("Mentions sur les réseaux sociaux par mois"),
        month_labels(series.months, series.period),
        [Series(_("Mentions"), series.mentions)],
        unit=_("mentions"),
        label_header=_("Mois"),
    )


def mix_chart(title: str, mix: Mix, unit: str, label_header: str) -> Chart:
    """A horizontal bar chart of a mix (professions, cities, partners…)."""
    return bar_chart(
        title,
        [item.label for item in mix.items],
        [Series(unit.capitalize(), [item.count for item in mix.items])],
        horizontal=True,
        unit=unit,
        label_header=label_header,
    )


def profession_chart(mix: Mix) -> Chart:
    """Active members by profession category."""
    return mix_chart(
        _("Membres actifs par catégorie professionnelle"), mix, _("membres"), _("Catégorie")
    )


def dashboard_charts(series: MonthlySeries, professions: Mix) -> list[Chart]:
    """Return the charts of the dashboard (and of the dossier), in their order."""
    return [
        events_per_month_chart(series),
        visitor_days_chart(series),
        members_chart(series),
        profession_chart(professions),
        mentions_chart(series),
    ]
