"""The server-side SVG charts: Dutch numbers, distinguishable series, empty data."""

from __future__ import annotations

import re

from jeugdstelsel.web import charts


def test_dutch_number_notation():
    assert charts.nl_number(476560) == "476.560"
    assert charts.nl_number(12.5) == "12,5"
    assert charts.nl_number(9.6, 2) == "9,60"
    assert charts.nl_number(-1234.5, 1) == "-1.234,5"


def _chart(n_series=3, provisional=False):
    series = [
        charts.Series(
            f"reeks {i}",
            tuple(
                charts.Point(2016 + t, 100 * (i + 1) + t, provisional and t == 4) for t in range(6)
            ),
        )
        for i in range(n_series)
    ]
    return charts.LineChart("Titel", "aantal", series, vlines=[(2020.5, "Trendbreuk 2021")])


def test_every_series_differs_in_dash_and_marker_not_only_colour():
    svg = charts.render(_chart(4), "g")
    dashes = re.findall(r'<polyline [^>]*?(stroke-dasharray="[^"]+")?/>', svg)
    assert len(set(dashes)) == 4
    assert "<rect" in svg and "<polygon" in svg and "<circle" in svg


def test_provisional_points_are_hollow_and_explained():
    chart = _chart(1, provisional=True)
    svg = charts.render(chart, "g")
    assert svg.count('fill="#ffffff"') == 1
    assert "voorlopig" in charts.legend(chart)


def test_accessible_name_and_trend_break_label():
    svg = charts.render(_chart(), "x")
    assert 'role="img"' in svg and 'aria-labelledby="x-t x-d"' in svg
    assert "Trendbreuk 2021" in svg


def test_titles_are_escaped():
    chart = charts.LineChart(
        "<script>", "a", [charts.Series("<b>", (charts.Point(1, 1),))], x_is_year=False
    )
    svg = charts.render(chart, "e")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in charts.legend(chart)


def test_no_data_gives_a_sentence_not_an_empty_chart():
    html = charts.render(charts.LineChart("Leeg", "a", []), "leeg")
    assert "Geen gegevens" in html
