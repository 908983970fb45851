"""Laying out and drawing a bar chart as SVG: positions, axes, bars, lines, labels, legend.

`charts.bar_chart` checks the data and builds the table; this module only draws.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # charts imports this module to draw
    from coworking.stats.charts import Series

NO_DATA = "Aucune donnée"

# Okabe–Ito colours that reach 3:1 against white, the orange darkened
# (#E69F00 → #A66F00), then indigo and wine from Paul Tol's palette and a grey
# for "autre". Every colour has a contrast of at least 3:1 on white.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue 5.2:1
    "#D55E00",  # vermillion 3.9:1
    "#009E73",  # bluish green 3.4:1
    "#CC79A7",  # reddish purple 3.1:1
    "#A66F00",  # dark orange 4.3:1
    "#332288",  # indigo 12.2:1
    "#882255",  # wine 8.7:1
    "#6B6B6B",  # grey 5.3:1
)

# The bundled font (Inter) has no U+202F NARROW NO-BREAK SPACE, so the
# thousands separator is U+00A0 NO-BREAK SPACE: it never falls back to another
# font in the PDF and still never breaks a number across lines.
THOUSANDS_SEPARATOR = "\u00a0"
FONT_FAMILY = "Inter, Source Sans 3, DejaVu Sans, Arial, sans-serif"

TEXT_COLOUR = "#1A1A1A"
MUTED_COLOUR = "#595959"
GRID_COLOUR = "#D9D9D9"

WIDTH = 640
MARGIN = 12
TITLE_SIZE = 16
LEGEND_SIZE = 12
TICK_SIZE = 11
VALUE_SIZE = 11
PLOT_HEIGHT = 220
ROW_HEIGHT = 26
CHAR_WIDTH = 0.58  # average advance of Inter, in ems, for layout estimates

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# -- layout ---------------------------------------------------------------------------


def nice_ticks(maximum: float, target: int = 5, *, integer: bool = True) -> list[float]:
    """Return round axis ticks from 0 to at least ``maximum`` (0, 5, 10…)."""
    if not math.isfinite(maximum) or maximum <= 0:
        return [0, 1] if integer else [0, 1.0]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    count = math.ceil(maximum / step - 1e-9)
    return [clean(i * step) for i in range(count + 1)]


def _text_width(text: str, size: float) -> float:
    """Estimate the rendered width of a text (no font metrics on the server)."""
    return len(text) * size * CHAR_WIDTH


class Layout:
    """Positions of every element of a bar chart, in viewBox units."""

    def __init__(
        self,
        labels: list[str],
        series: list[Series],
        lines: list[Series],
        stacked: bool,
        horizontal: bool,
        unit: str,
        number_format: Callable[[float], str],
    ) -> None:
        self.labels = labels
        self.series = series
        self.lines = lines
        self.stacked = stacked and len(series) > 1
        self.horizontal = horizontal
        self.unit = unit
        self.fmt = number_format
        values = [v for one in (*series, *lines) for v in one.values]
        maximum = max(values)
        if self.stacked:
            maximum = max(maximum, *(sum(s.values[i] for s in series) for i in range(len(labels))))
        integer = all(float(v).is_integer() for v in values)
        self.ticks = nice_ticks(maximum, integer=integer)
        self.top = self.ticks[-1]
        self.legend_items = [one.name for one in (*series, *lines)]
        self.show_legend = len(self.legend_items) > 1
        self.legend_rows = self._legend_rows()
        self.header_height = MARGIN + TITLE_SIZE + 8
        if self.show_legend:
            self.header_height += len(self.legend_rows) * (LEGEND_SIZE + 8)
        if self.unit:
            self.header_height += TICK_SIZE + 6
        if horizontal:
            self._layout_horizontal()
        else:
            self._layout_vertical()

    def _legend_rows(self) -> list[list[tuple[float, int]]]:
        """Wrap legend items into rows of (x, item index)."""
        rows: list[list[tuple[float, int]]] = [[]]
        x: float = MARGIN
        for index, name in enumerate(self.legend_items):
            width = 12 + 6 + _text_width(name, LEGEND_SIZE) + 18
            if rows[-1] and x + width > WIDTH - MARGIN:
                rows.append([])
                x = MARGIN
            rows[-1].append((x, index))
            x += width
        return rows

    def _layout_vertical(self) -> None:
        tick_width = max(_text_width(self.fmt(t), TICK_SIZE) for t in self.ticks)
        self.plot_left = float(MARGIN + tick_width + 8)
        self.plot_right = float(WIDTH - MARGIN)
        self.plot_top = self.header_height + 8
        self.band = (self.plot_right - self.plot_left) / len(self.labels)
        label_width = max(_text_width(label, TICK_SIZE) for label in self.labels)
        self.rotate_labels = label_width > self.band * 0.9
        if self.rotate_labels:
            label_height = label_width * math.sin(math.radians(45)) + TICK_SIZE
            # A rotated first label must not run off the left edge.
            self.plot_left = max(self.plot_left, MARGIN + label_width * 0.7 - self.band / 2)
            self.band = (self.plot_right - self.plot_left) / len(self.labels)
        else:
            label_height = TICK_SIZE + 4
        self.plot_bottom = self.plot_top + PLOT_HEIGHT
        self.height = self.plot_bottom + 8 + label_height + MARGIN

    def _layout_horizontal(self) -> None:
        self.label_chars = int(WIDTH * 0.4 / (TICK_SIZE * CHAR_WIDTH))
        label_width = max(
            _text_width(_shorten(label, self.label_chars), TICK_SIZE) for label in self.labels
        )
        self.plot_left = float(MARGIN + label_width + 8)
        value_width = max(_text_width(self.fmt(self.top), VALUE_SIZE), 24)
        self.plot_right = WIDTH - MARGIN - value_width - 6
        self.plot_top = self.header_height + 4
        self.band = ROW_HEIGHT
        self.plot_bottom = self.plot_top + ROW_HEIGHT * len(self.labels)
        self.height = self.plot_bottom + 8 + TICK_SIZE + MARGIN

    def scale(self, value: float) -> float:
        """Map a value to a coordinate along the value axis."""
        if self.horizontal:
            return self.plot_left + (self.plot_right - self.plot_left) * value / self.top
        return self.plot_bottom - (self.plot_bottom - self.plot_top) * value / self.top

    def bars(self) -> list[tuple[int, int, float, float, float, float]]:
        """List (label index, series index, x, y, width, height) of every bar."""
        result = []
        slots = 1 if self.stacked else len(self.series)
        inner = self.band * 0.75
        thickness = inner / max(slots, 1)
        for i in range(len(self.labels)):
            start = self.band * i + (self.band - inner) / 2
            base = 0.0
            for s, one in enumerate(self.series):
                value = one.values[i]
                low, high = (base, base + value) if self.stacked else (0.0, value)
                base = high if self.stacked else base
                slot = 0 if self.stacked else s
                offset = start + slot * thickness
                if value <= 0:
                    continue
                a, b = sorted((self.scale(low), self.scale(high)))
                if self.horizontal:
                    result.append((i, s, a, self.plot_top + offset, b - a, thickness))
                else:
                    result.append((i, s, self.plot_left + offset, a, thickness, b - a))
        return result


# -- SVG ------------------------------------------------------------------------------


def clean(value: float) -> float:
    """Drop float noise such as 0.30000000000000004 and integral floats."""
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def _shorten(text: str, limit: int) -> str:
    """Cut a long label with an ellipsis (the table keeps it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe(text: str) -> str:
    """Escape text for XML content or a double-quoted attribute."""
    return escape(_XML_INVALID.sub("", text), quote=True)


def _n(value: float) -> str:
    """Format a coordinate compactly."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _element(tag: str, text: str | None = None, /, **attributes: object) -> str:
    """Write one SVG element; ``font_size`` becomes ``font-size``."""
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{_safe(str(value))}"'
        for name, value in attributes.items()
        if value is not None
    )
    if text is None:
        return f"<{tag}{attrs}/>"
    return f"<{tag}{attrs}>{_safe(text)}</{tag}>"


def _open_svg(title: str, desc: str, chart_id: str, height: float) -> list[str]:
    """Write the root element with its accessible name and description."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}"'
        f' width="100%" role="img" class="chart" id="{_safe(chart_id)}"'
        f' aria-labelledby="{_safe(chart_id)}-title {_safe(chart_id)}-desc"'
        f' font-family="{_safe(FONT_FAMILY)}" fill="{TEXT_COLOUR}">',
        _element("title", title, id=f"{chart_id}-title"),
        _element("desc", desc, id=f"{chart_id}-desc"),
        _element(
            "text",
            title,
            x=MARGIN,
            y=MARGIN + TITLE_SIZE,
            font_size=TITLE_SIZE,
            font_weight="bold",
        ),
    ]


def empty_svg(title: str, description: str | None, chart_id: str) -> str:
    """Draw a chart that only says there is no data."""
    height = 120
    parts = _open_svg(title, description or f"{title} : {NO_DATA.lower()}.", chart_id, height)
    parts.append(
        _element(
            "rect",
            x=MARGIN,
            y=MARGIN + TITLE_SIZE + 10,
            width=WIDTH - 2 * MARGIN,
            height=height - 2 * MARGIN - TITLE_SIZE - 10,
            fill="none",
            stroke=GRID_COLOUR,
        )
    )
    parts.append(
        _element(
            "text",
            NO_DATA,
            x=WIDTH / 2,
            y=(MARGIN + TITLE_SIZE + height) / 2 + 5,
            font_size=14,
            text_anchor="middle",
            fill=MUTED_COLOUR,
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def draw_svg(title: str, desc: str, chart_id: str, layout: Layout) -> str:
    """Draw a non-empty bar chart."""
    parts = _open_svg(title, desc, chart_id, layout.height)
    parts += _legend(layout)
    parts += _axis(layout)
    parts += _bar_elements(layout)
    parts += _line_elements(layout)
    parts += _category_labels(layout)
    parts.append("</svg>")
    return "".join(parts)


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _legend(layout: Layout) -> list[str]:
    """Draw the unit caption and, for several series, a legend."""
    parts = []
    y = MARGIN + TITLE_SIZE + 8
    if layout.show_legend:
        parts.append('<g class="legend">')
        for row in layout.legend_rows:
            for x, index in row:
                colour = _colour(index)
                if index < len(layout.series):
                    parts.append(
                        _element("rect", x=_n(x), y=_n(y), width=12, height=12, fill=colour)
                    )
                else:
                    parts.append(
                        _element(
                            "line",
                            x1=_n(x),
                            y1=_n(y + 6),
                            x2=_n(x + 12),
                            y2=_n(y + 6),
                            stroke=colour,
                            stroke_width=2.5,
                        )
                    )
                    parts.append(_element("circle", cx=_n(x + 6), cy=_n(y + 6), r=3.5, fill=colour))
                parts.append(
                    _element(
                        "text",
                        layout.legend_items[index],
                        x=_n(x + 18),
                        y=_n(y + 10.5),
                        font_size=LEGEND_SIZE,
                    )
                )
            y += LEGEND_SIZE + 8
        parts.append("</g>")
    if layout.unit:
        parts.append(
            _element(
                "text",
                layout.unit,
                x=MARGIN,
                y=_n(y + TICK_SIZE),
                font_size=TICK_SIZE,
                fill=MUTED_COLOUR,
            )
        )
    return parts


def _axis(layout: Layout) -> list[str]:
    """Draw gridlines and tick labels along the value axis."""
    parts = ['<g class="axis">']
    for tick in layout.ticks:
        position = _n(layout.scale(tick))
        text = layout.fmt(tick)
        if layout.horizontal:
            parts.append(
                _element(
                    "line",
                    x1=position,
                    y1=_n(layout.plot_top),
                    x2=position,
                    y2=_n(layout.plot_bottom),
                    stroke=MUTED_COLOUR if tick == 0 else GRID_COLOUR,
                )
            )
            parts.append(
                _element(
                    "text",
                    text,
                    x=position,
                    y=_n(layout.plot_bottom + 6 + TICK_SIZE),
                    font_size=TICK_SIZE,
                    text_anchor="middle",
                    fill=MUTED_COLOUR,
                )
            )
        else:
            parts.append(
                _element(
                    "line",
                    x1=_n(layout.plot_left),
                    y1=position,
                    x2=_n(layout.plot_right),
                    y2=position,
                    stroke=MUTED_COLOUR if tick == 0 else GRID_COLOUR,
                )
            )
            parts.append(
                _element(
                    "text",
                    text,
                    x=_n(layout.plot_left - 6),
                    y=_n(layout.scale(tick) + TICK_SIZE * 0.35),
                    font_size=TICK_SIZE,
                    text_anchor="end",
                    fill=MUTED_COLOUR,
                )
            )
    parts.append("</g>")
    return parts


def _bar_elements(layout: Layout) -> list[str]:
    """Draw the bars, each with a tooltip, and values on single-series bars."""
    parts = ['<g class="bars">']
    single = len(layout.series) == 1 and not layout.lines
    for i, s, x, y, width, height in layout.bars():
        value = layout.series[s].values[i]
        tooltip = f"{layout.labels[i]} — {layout.series[s].name} : {layout.fmt(value)}"
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"'
            f' fill="{_colour(s)}" stroke="#FFFFFF" stroke-width="0.75">'
            f"{_element('title', tooltip)}</rect>"
        )
        if single:
            parts.append(_value_label(layout, layout.fmt(value), x, y, width, height))
    parts.append("</g>")
    return parts


def _value_label(layout: Layout, text: str, x: float, y: float, width: float, height: float) -> str:
    """Write a value at the end of a bar, when there is room for it."""
    if layout.horizontal:
        return _element(
            "text",
            text,
            x=_n(x + width + 4),
            y=_n(y + height / 2 + 4),
            font_size=VALUE_SIZE,
        )
    if _text_width(text, VALUE_SIZE) > layout.band:
        return ""
    return _element(
        "text",
        text,
        x=_n(x + width / 2),
        y=_n(y - 4),
        font_size=VALUE_SIZE,
        text_anchor="middle",
    )


def _line_elements(layout: Layout) -> list[str]:
    """Draw the line series with a marker on every point."""
    parts = []
    for offset, one in enumerate(layout.lines):
        colour = _colour(len(layout.series) + offset)
        points = [
            (layout.plot_left + layout.band * (i + 0.5), layout.scale(value))
            for i, value in enumerate(one.values)
        ]
        parts.append('<g class="line">')
        parts.append(
            _element(
                "polyline",
                points=" ".join(f"{_n(x)},{_n(y)}" for x, y in points),
                fill="none",
                stroke=colour,
                stroke_width=2.5,
            )
        )
        for (x, y), label, value in zip(points, layout.labels, one.values, strict=True):
            tooltip = f"{label} — {one.name} : {layout.fmt(value)}"
            parts.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}"'
                f' stroke="#FFFFFF" stroke-width="1">{_element("title", tooltip)}'
                "</circle>"
            )
        parts.append("</g>")
    return parts


def _category_labels(layout: Layout) -> list[str]:
    """Write the labels along the category axis (months, professions…)."""
    parts = ['<g class="labels">']
    for i, label in enumerate(layout.labels):
        middle = layout.band * (i + 0.5)
        if layout.horizontal:
            parts.append(
                _element(
                    "text",
                    _shorten(label, layout.label_chars),
                    x=_n(layout.plot_left - 6),
                    y=_n(layout.plot_top + middle + TICK_SIZE * 0.35),
                    font_size=TICK_SIZE,
                    text_anchor="end",
                )
            )
        elif layout.rotate_labels:
            x, y = layout.plot_left + middle + 3, layout.plot_bottom + 10
            parts.append(
                _element(
                    "text",
                    label,
                    x=_n(x),
                    y=_n(y),
                    font_size=TICK_SIZE,
                    text_anchor="end",
                    transform=f"rotate(-45 {_n(x)} {_n(y)})",
                )
            )
        else:
            parts.append(
                _element(
                    "text",
                    label,
                    x=_n(layout.plot_left + middle),
                    y=_n(layout.plot_bottom + 6 + TICK_SIZE),
                    font_size=TICK_SIZE,
                    text_anchor="middle",
                )
            )
    parts.append("</g>")
    return parts
