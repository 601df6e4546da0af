"""The council report's charts, each with a text alternative that gives its numbers.

An accessible PDF (PDF/UA) needs an alternative text for every figure; a screen-reader user
should learn what the chart shows, so the text names the medians and 80% intervals of the first
and the last year of the council term for every panel, not just the chart's title.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from jeugdstelsel.services.compare import INDICATORS_BY_KEY, Comparison
from jeugdstelsel.services.council_report import CHART_PANELS, Chart, nl, value
from jeugdstelsel.services.sensitivity import SensitivityResult


def _bands_alt(comp: Comparison, years: np.ndarray, differences: bool) -> str:
    first, last = int(years[0]), int(years[-1])
    js = [int(np.flatnonzero(comp.years == y)[0]) for y in (first, last)]
    parts = []
    for key in CHART_PANELS:
        label = INDICATORS_BY_KEY[key].label_nl
        items = []
        for res in comp.results[1:] if differences else comp.results:
            v = res.indicators[key] - (comp.base.indicators[key] if differences else 0.0)
            qs = [np.percentile(v[:, j], [10, 50, 90]) for j in js]
            items.append(f"{res.name}: {first} {value(key, qs[0][1], differences)} "
                         f"({value(key, qs[0][0], differences)} tot "
                         f"{value(key, qs[0][2], differences)}), {last} "
                         f"{value(key, qs[1][1], differences)} "
                         f"({value(key, qs[1][0], differences)} tot "
                         f"{value(key, qs[1][2], differences)})")
        parts.append(f"{label}: " + "; ".join(items))
    what = (f"Verschil met {comp.base.name} per jaar" if differences
            else "Elk scenario per jaar")
    return f"{what}, mediaan en 80%-interval. " + ". ".join(parts) + "."


def _tornado_alt(sens: SensitivityResult) -> str:
    parts = []
    for _, g in sens.tornado.groupby("indicator", sort=False):
        top = g.nlargest(3, "bereik")
        items = [f"{r['label']}: {nl(r['laag'], 1)} tot {nl(r['hoog'], 1)}"
                 for _, r in top.iterrows()]
        parts.append(f"{g['uitkomst'].iloc[0]} (centraal {nl(top['centraal'].iloc[0], 1)}): "
                     + "; ".join(items))
    return ("Tornado: elke aanname afzonderlijk naar haar onder- en bovengrens; de drie "
            "sterkste per uitkomst. " + ". ".join(parts) + ".")


def charts_for(comp: Comparison, mask: np.ndarray, sens: SensitivityResult | None
               ) -> list[Chart]:
    """The charts of the report (drawn later, into the renderer's temporary folder)."""
    from jeugdstelsel.reports import charts

    years = comp.years[mask]
    out = [
        Chart("verschillen", f"Verschil met {comp.base.name}", _bands_alt(comp, years, True),
              "Lijn: mediaan van het gepaarde verschil; band: 80%-interval.",
              partial(charts.bands, comp, differences=True, panels=CHART_PANELS)),
        Chart("banden", "De scenario's over de jaren", _bands_alt(comp, years, False),
              "Lijn: mediaan; band: 80%-interval.",
              partial(charts.bands, comp, panels=CHART_PANELS)),
    ]
    if sens is not None and len(sens.tornado):
        out.append(Chart("tornado", "Welke aannames het meest uitmaken", _tornado_alt(sens),
                         "Balk: de uitkomst als één aanname op haar onder- of bovengrens staat.",
                         partial(charts.tornado, sens.tornado)))
    return out
