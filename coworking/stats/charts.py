"""Server-made SVG charts shared by the web pages and the PDF dossier.

The SVG is plain markup: no JavaScript, no CSS (neither ``<style>`` nor
``style=`` attributes, which the Content Security Policy forbids), text kept as
``<text>`` so it stays searchable and selectable in the PDF. Every chart also
carries its numbers as a table, so a page can show them to everybody.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coworking.stats import chart_drawing
from coworking.stats.chart_drawing import Layout, draw_svg, empty_svg

__all__ = [
    "NO_DATA",
    "PALETTE",
    "Chart",
    "ChartTable",
    "Series",
    "bar_chart",
    "french_number",
    "french_percent",
]

NO_DATA = "Aucune donnée"
THOUSANDS_SEPARATOR = chart_drawing.THOUSANDS_SEPARATOR
PALETTE = chart_drawing.PALETTE


@dataclass(frozen=True)
class Series:
    """A named row of values, one per label."""

    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class ChartTable:
    """The numbers of a chart, formatted, for an accessible HTML table."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    unit: str = ""


@dataclass(frozen=True)
class Chart:
    """A rendered chart: standalone SVG markup and its data table."""

    title: str
    svg: str
    table: ChartTable
    empty: bool = False

    def __html__(self) -> str:
        """Return the SVG so Jinja inserts it unescaped (it is escaped here)."""
        return self.svg

    def __str__(self) -> str:
        return self.svg


def french_number(value: float, decimals: int | None = None) -> str:
    """Format a number the French way: ``5 700``, ``12,5``.

    Integral values print without decimals unless ``decimals`` is given;
    other values print with one decimal.
    """
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    rounded = round(value, decimals)
    integer, _, fraction = f"{abs(rounded):,.{decimals}f}".partition(".")
    result = integer.replace(",", THOUSANDS_SEPARATOR)
    if fraction:
        result += "," + fraction
    return f"-{result}" if rounded < 0 else result


def french_percent(value: float, decimals: int = 0) -> str:
    """Format a ratio between 0 and 1 as a French percentage: ``42 %``."""
    return f"{french_number(value * 100, decimals)}{THOUSANDS_SEPARATOR}%"


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    lines: Sequence[Series] = (),
    unit: str = "",
    label_header: str = "Catégorie",
    number_format: Callable[[float], str] = french_number,
    description: str | None = None,
    chart_id: str | None = None,
) -> Chart:
    """Draw a bar chart (simple, grouped or stacked; vertical or horizontal).

    ``lines`` adds series drawn as lines over vertical bars (for example active
    members as a line over new members as bars). A chart without any non-zero
    value says « Aucune donnée ».
    """
    labels = [str(label) for label in labels]
    series = list(series)
    lines = list(lines)
    if lines and horizontal:
        raise ValueError("lines are only drawn on vertical bar charts")
    for one in (*series, *lines):
        _check_values(one, len(labels))
    table = _table(title, labels, series, lines, stacked, unit, label_header, number_format)
    chart_id = chart_id or _chart_id(title, labels, series, lines)
    all_values = [v for one in (*series, *lines) for v in one.values]
    if not labels or not all_values or not any(all_values):
        svg = empty_svg(title, description, chart_id)
        return Chart(title=title, svg=svg, table=table, empty=True)
    layout = Layout(labels, series, lines, stacked, horizontal, unit, number_format)
    desc = description or _describe(title, labels, series, lines, stacked, unit, number_format)
    svg = draw_svg(title, desc, chart_id, layout)
    return Chart(title=title, svg=svg, table=table)


# -- data checks and table ------------------------------------------------------------


def _check_values(series: Series, expected: int) -> None:
    """Refuse series of the wrong length or with negative / non-finite values."""
    if len(series.values) != expected:
        count = len(series.values)
        raise ValueError(f"series {series.name!r} has {count} values for {expected} labels")
    for value in series.values:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"series {series.name!r} has an invalid value {value!r}")


def _table(
    title: str,
    labels: list[str],
    series: list[Series],
    lines: list[Series],
    stacked: bool,
    unit: str,
    label_header: str,
    number_format: Callable[[float], str],
) -> ChartTable:
    """Build the accessible table of a chart, with a total column when stacked."""
    everything = [*series, *lines]
    with_total = stacked and len(series) > 1
    headers = [label_header, *(one.name for one in everything)]
    if with_total:
        headers.append("Total")
    rows = []
    for index, label in enumerate(labels):
        cells = [label, *(number_format(one.values[index]) for one in everything)]
        if with_total:
            cells.append(number_format(sum(one.values[index] for one in series)))
        rows.append(tuple(cells))
    return ChartTable(title=title, headers=tuple(headers), rows=tuple(rows), unit=unit)


def _describe(
    title: str,
    labels: list[str],
    series: list[Series],
    lines: list[Series],
    stacked: bool,
    unit: str,
    number_format: Callable[[float], str],
) -> str:
    """Write a one-sentence summary of the chart for screen readers."""
    if len(series) > 1:
        kind = "Diagramme en barres empilées" if stacked else "Diagramme en barres groupées"
    else:
        kind = "Diagramme en barres"
    names = ", ".join(one.name for one in (*series, *lines))
    totals = [sum(one.values[i] for one in series) for i in range(len(labels))]
    if not series:
        totals = [max(one.values[i] for one in lines) for i in range(len(labels))]
    top = max(range(len(labels)), key=totals.__getitem__)
    suffix = f" {unit}" if unit else ""
    span = labels[0] if len(labels) == 1 else f"de {labels[0]} à {labels[-1]}"
    return (
        f"{kind} « {title} » ({names}), {span}. "
        f"Valeur la plus haute : {number_format(totals[top])}{suffix} ({labels[top]}). "
        "Le détail figure dans le tableau des données."
    )


def _chart_id(title: str, labels: list[str], series: list[Series], lines: list[Series]) -> str:
    """Derive a stable element id from the chart's content."""
    digest = hashlib.sha256(
        repr((title, labels, [(s.name, list(s.values)) for s in (*series, *lines)])).encode()
    ).hexdigest()
    return f"chart-{digest[:10]}"
