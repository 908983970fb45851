import xml.etree.ElementTree as ET

import pytest

from coworking.stats.chart_drawing import nice_ticks
from coworking.stats.charts import (
    NO_DATA,
    PALETTE,
    Series,
    bar_chart,
    french_number,
    french_percent,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["janv. 2024", "févr. 2024", "mars 2024", "avr. 2024", "mai 2024", "juin 2024"]
HOSTILE = '<script>alert("x")</script>'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to check it)


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def events_chart():
    return bar_chart(
        "Événements par mois et par type",
        MONTHS,
        [
            Series("Twapéro", [1, 1, 1, 1, 1, 0]),
            Series("Atelier", [2, 0, 3, 1, 0, 0]),
            Series("Conférence", [0, 1, 0, 0, 2, 0]),
        ],
        stacked=True,
        unit="événements",
    )


def test_french_number_uses_no_break_space_and_decimal_comma():
    assert french_number(5700) == "5\u00a0700"
    assert french_number(1234567) == "1\u00a0234\u00a0567"
    assert french_number(12.5) == "12,5"
    assert french_number(0.25, 2) == "0,25"
    assert french_number(999) == "999"
    assert french_number(-1500) == "-1\u00a0500"
    assert french_number(-0.01) == "0,0"
    assert french_percent(0.425, 1) == "42,5\u00a0%"


def test_nice_ticks_are_round_numbers_from_zero():
    assert nice_ticks(23) == [0, 5, 10, 15, 20, 25]
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(5700) == [0, 2000, 4000, 6000]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(0.8, integer=False) == [0, 0.2, 0.4, 0.6, 0.8]
    assert nice_ticks(0) == [0, 1]


def test_chart_svg_is_well_formed_and_accessible():
    chart = events_chart()
    root = parse(chart.svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 640 ")
    assert root.get("width") == "100%"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Événements par mois et par type"
    assert desc is not None and "empilées" in (desc.text or "")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert chart.__html__() == chart.svg


def test_chart_has_no_script_no_css_and_no_style_attribute():
    chart = events_chart()
    root = parse(chart.svg)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"script", "style", "foreignObject", "image", "a"}
    assert all("style" not in element.attrib for element in root.iter())
    assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)
    assert "style=" not in chart.svg


def test_chart_draws_legend_axis_and_month_labels():
    chart = events_chart()
    words = texts(parse(chart.svg))
    assert {"Twapéro", "Atelier", "Conférence"} <= set(words)
    assert set(MONTHS) <= set(words)
    assert {"0", "1", "2", "3", "4"} <= set(words)  # ticks up to the highest stack, 4
    assert "événements" in words


def test_bars_use_the_colour_blind_safe_palette():
    root = parse(events_chart().svg)
    fills = {rect.get("fill") for rect in root.iter(f"{SVG}rect")}
    assert {PALETTE[0], PALETTE[1], PALETTE[2]} <= fills


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_palette_has_contrast_of_three_to_one_on_white():
    assert len(set(PALETTE)) == len(PALETTE) >= 8
    assert all(contrast_with_white(colour) >= 3 for colour in PALETTE)


def test_stacked_chart_table_has_formatted_rows_and_total():
    table = events_chart().table
    assert table.title == "Événements par mois et par type"
    assert table.headers == ("Catégorie", "Twapéro", "Atelier", "Conférence", "Total")
    assert table.rows[0] == ("janv. 2024", "1", "2", "0", "3")
    assert table.unit == "événements"
    assert len(table.rows) == len(MONTHS)


def test_large_values_are_formatted_the_french_way_in_svg_and_table():
    chart = bar_chart(
        "Visiteurs-jours par mois",
        MONTHS,
        [Series("Visiteurs-jours", [5700, 4200, 0, 1234, 980, 6100])],
        label_header="Mois",
    )
    words = texts(parse(chart.svg))
    assert "5\u00a0700" in words  # value on the bar
    assert "6\u00a0000" in words  # axis tick
    assert chart.table.headers == ("Mois", "Visiteurs-jours")
    assert chart.table.rows[0] == ("janv. 2024", "5\u00a0700")


def test_hostile_labels_are_escaped():
    chart = bar_chart(
        HOSTILE,
        [HOSTILE, 'mars"><svg onload="alert(1)">', "avril\x00\x07"],
        [
            Series('<img src=x onerror="alert(1)">', [1, 2, 3]),
            Series("B & C", [3, 2, 1]),
        ],
        unit="<b>unit</b>",
        description=HOSTILE,
    )
    root = parse(chart.svg)
    assert "<script>" not in chart.svg
    assert "<img" not in chart.svg
    assert {element.tag for element in root.iter()} <= {
        f"{SVG}{tag}"
        for tag in (
            "svg",
            "title",
            "desc",
            "text",
            "g",
            "rect",
            "line",
            "circle",
            "polyline",
        )
    }
    assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)
    assert root.find(f"{SVG}title").text == HOSTILE
    words = texts(root)
    assert HOSTILE in words
    assert "avril" in words  # control characters dropped, label kept
    assert "B & C" in words
    assert chart.table.rows[0][0] == HOSTILE  # the table holds raw text for the template


def test_empty_data_says_no_data():
    for chart in (
        bar_chart("Mentions par mois", [], []),
        bar_chart("Mentions par mois", MONTHS, []),
        bar_chart("Mentions par mois", MONTHS, [Series("Mentions", [0] * 6)]),
    ):
        root = parse(chart.svg)
        assert chart.empty
        assert NO_DATA in texts(root)
        assert root.find(f"{SVG}title").text == "Mentions par mois"
        assert root.get("role") == "img"


def test_empty_chart_still_lists_months_in_table():
    chart = bar_chart("Mentions par mois", MONTHS, [Series("Mentions", [0] * 6)])
    assert [row[1] for row in chart.table.rows] == ["0"] * 6


def test_horizontal_chart_for_profession_mix():
    professions = [
        "Communicant",
        "Chef d'entreprise",
        "Web designer / développeur et intégrateur de sites accessibles",
        "Étudiant",
    ]
    chart = bar_chart(
        "Professions des membres",
        professions,
        [Series("Membres", [12, 4, 30, 5])],
        horizontal=True,
        label_header="Profession",
    )
    root = parse(chart.svg)
    words = texts(root)
    assert "Communicant" in words and "30" in words
    assert any(word.endswith("…") for word in words)  # long label shortened
    assert chart.table.rows[2][0] == professions[2]  # but kept whole in the table
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    widths = [float(rect.get("width")) for rect in bars]
    assert widths.index(max(widths)) == 2


def test_grouped_bars_and_line_series_for_members():
    grouped = bar_chart(
        "Membres",
        MONTHS,
        [
            Series("Nouveaux", [3, 1, 0, 2, 5, 1]),
            Series("Actifs", [40, 41, 40, 42, 47, 48]),
        ],
    )
    assert "groupées" in parse(grouped.svg).find(f"{SVG}desc").text
    combined = bar_chart(
        "Membres",
        MONTHS,
        [Series("Nouveaux", [3, 1, 0, 2, 5, 1])],
        lines=[Series("Actifs", [40, 41, 40, 42, 47, 48])],
    )
    root = parse(combined.svg)
    assert len(list(root.iter(f"{SVG}polyline"))) == 1
    assert len(list(root.iter(f"{SVG}circle"))) == 6 + 1  # points and legend marker
    assert combined.table.headers == ("Catégorie", "Nouveaux", "Actifs")


def test_charts_get_distinct_ids():
    first = parse(events_chart().svg).get("id")
    second = parse(bar_chart("Autre", ["a"], [Series("x", [1])]).svg).get("id")
    assert first != second
    assert parse(bar_chart("Autre", ["a"], [Series("x", [1])], chart_id="c1").svg).get("id") == "c1"


def test_invalid_series_are_refused():
    with pytest.raises(ValueError, match="values for 6 labels"):
        bar_chart("x", MONTHS, [Series("a", [1, 2])])
    with pytest.raises(ValueError, match="invalid value"):
        bar_chart("x", ["a"], [Series("a", [-1])])
    with pytest.raises(ValueError, match="invalid value"):
        bar_chart("x", ["a"], [Series("a", [float("nan")])])
