"""Turn a stored run (JSON) into what the result page shows: charts with tables, the term
table, the flow chart, cost-effectiveness and what drives the result."""

from __future__ import annotations

from dataclasses import dataclass, field

from jeugdstelsel.web import charts
from jeugdstelsel.web.lab import flowchart

EURO = "euro"


def _scale(unit: str, values=()) -> tuple[float, str]:
    """Euros in millions, thousands or euros, by the size of the amounts shown.

    Why: for a small municipality (Vlieland) every amount read "0,0 miljoen" (issue 17).
    """
    if unit != EURO:
        return 1.0, unit
    biggest = max((abs(v) for v in values if v is not None), default=1e6)
    if biggest >= 1e6:
        return 1e6, "miljoen euro"
    if biggest >= 1e4:
        return 1e3, "duizend euro"
    return 1.0, "euro"


def money_scale(rows: list[dict]) -> tuple[float, str]:
    """One scale for the whole cost-effectiveness table (its amounts are compared)."""
    keys = ("netto_uitgaven_mediaan", "netto_uitgaven_p10", "netto_uitgaven_p90",
            "kosten_hefbomen_mediaan")
    return _scale(EURO, [r.get(k) for r in rows for k in keys])


@dataclass
class IndicatorView:
    key: str
    label: str
    unit: str
    svg: str
    legend: str
    rows: list = field(default_factory=list)


def indicator_views(result: dict, headline_only: bool = True) -> list[IndicatorView]:
    years = result["years"]
    names = result["names"]
    out = []
    for ind in result["indicators"]:
        if headline_only and not ind["headline"]:
            continue
        div, unit = _scale(ind["unit"], [*ind["ref"]["p90"], *ind["plan"]["p90"]])
        series, bands = [], []
        for side, suffix in (("ref", "referentie"), ("plan", "plan")):
            q = ind[side]
            series.append(charts.Series(
                f"{names[side]} ({suffix}), mediaan",
                tuple(charts.Point(float(y), v / div) for y, v in zip(years, q["p50"],
                                                                      strict=True))))
            bands.append(charts.Band(
                f"{names[side]} ({suffix}), 80%-interval",
                tuple(float(y) for y in years),
                tuple(v / div for v in q["p10"]),
                tuple(v / div for v in q["p90"])))
        chart = charts.LineChart(title=f"{ind['label']} ({result['area_name']})", unit=unit,
                                 series=series, bands=bands, zero_based=False)
        d = ind["diff"]
        rows = [
            (y, ind["ref"]["p50"][i] / div, ind["ref"]["p10"][i] / div,
             ind["ref"]["p90"][i] / div, ind["plan"]["p50"][i] / div,
             ind["plan"]["p10"][i] / div, ind["plan"]["p90"][i] / div, d["p50"][i] / div,
             d["p10"][i] / div, d["p90"][i] / div, 100 * d["kans_lager"][i])
            for i, y in enumerate(years)
        ]
        out.append(IndicatorView(ind["key"], ind["label"], unit,
                                 charts.render(chart, f"grafiek-{ind['key']}"),
                                 charts.legend(chart), rows))
    return out


def term_rows(result: dict) -> list[dict]:
    rows = []
    for r in result["term_rows"]:
        div, unit = _scale(r["unit"], [r.get(k) for k in ("ref", "plan", "diff")])
        how = "totaal over de periode" if r["optelling"] == "som" else "gemiddelde"
        rows.append({**r, "unit": unit, "how": how,
                     **{k: (None if r[k] is None else r[k] / div)
                        for k in ("ref", "plan", "diff", "diff_p10", "diff_p90")},
                     "kans_lager_pct": None if r["kans_lager"] is None
                     else 100 * r["kans_lager"]})
    return rows


def flow_view(result: dict) -> dict:
    return {"svg": flowchart.render(result["flows"], result["names"]),
            "rows": flowchart.table_rows(result["flows"])}


def effectiveness_rows(rows: list[dict], div: float = 1e6) -> list[dict]:
    """Amounts divided by ``div`` (see ``money_scale``); euro per trajectory as they are."""
    out = []

    def _m(v):
        return None if v is None else v / div

    for r in rows:
        be = r.get("terugverdienjaar_mediaan")
        out.append({
            "onderdeel": r["onderdeel"],
            "netto": _m(r["netto_uitgaven_mediaan"]),
            "netto_p10": _m(r["netto_uitgaven_p10"]),
            "netto_p90": _m(r["netto_uitgaven_p90"]),
            "kosten": _m(r["kosten_hefbomen_mediaan"]),
            "vermeden": r["vermeden_trajecten_mediaan"],
            "vermeden_p10": r["vermeden_trajecten_p10"],
            "vermeden_p90": r["vermeden_trajecten_p90"],
            "bruto": r["bruto_euro_per_vermeden_traject_mediaan"],
            "netto_per": r["netto_euro_per_vermeden_traject_mediaan"],
            "kans_besparing": _pct(r["kans_besparing_raadsperiode"]),
            "kans_vermeden": _pct(r["kans_trajecten_vermeden"]),
            "terugverdienjaar": None if be is None else int(be),
            "kans_terugverdiend": _pct(r["kans_terugverdiend_binnen_periode"]),
        })
    return out


def _pct(v):
    return None if v is None else 100 * v


def driver_views(details: dict | None) -> list[dict]:
    """Tornado rows with bar geometry (percent of the widest swing) for an inline bar."""
    if not details:
        return []
    out = []
    for o in details["drivers"]["outputs"]:
        div = 1.0
        values = [v for r in o["rows"] for v in (r["laag"], r["hoog"]) if v is not None]
        centre = o["centraal"] or 0.0
        lo_all, hi_all = min([*values, centre]), max([*values, centre])
        span = (hi_all - lo_all) or 1.0
        rows = []
        for r in o["rows"]:
            a, b = sorted((r["laag"] or 0.0, r["hoog"] or 0.0))
            rows.append({**r, "left": 100 * (a - lo_all) / span,
                         "width": max(100 * (b - a) / span, 0.8),
                         "soort_nl": "hefboom" if r["soort"] == "hefboom" else "modelaanname"})
        out.append({"label": o["label"], "centraal": centre / div,
                    "centre_pos": 100 * (centre - lo_all) / span, "rows": rows})
    return out
