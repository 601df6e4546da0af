"""The Excel workbook: every series per scenario with draw statistics, differences, levers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jeugdstelsel.core.outputs import SERIES_BY_KEY
from jeugdstelsel.services.compare import Comparison

STATS = {"mediaan": 50.0, "p10": 10.0, "p90": 90.0, "p2_5": 2.5, "p97_5": 97.5}


def series_table(comp: Comparison, index: int) -> pd.DataFrame:
    """All model series of one scenario: one row per series and statistic, years as columns."""
    res = comp.results[index]
    rows = []
    for key, values in res.series.items():
        meta = SERIES_BY_KEY[key]
        stats = {k: np.percentile(values, q, axis=0) for k, q in STATS.items()}
        stats["gemiddelde"] = values.mean(axis=0)
        stats["sd"] = values.std(axis=0)
        for stat, row in stats.items():
            rows.append({"reeks": key, "omschrijving": meta.label_nl, "eenheid": meta.unit,
                         "statistiek": stat, **{str(y): float(v) for y, v in zip(
                             comp.years, row, strict=True)}})
    return pd.DataFrame(rows)


def lever_table(comp: Comparison) -> pd.DataFrame:
    rows = []
    for res in comp.results:
        for a in res.plan.active:
            lv = a.lever
            rows.append({"scenario": res.name, "hefboom": lv.key, "naam": lv.naam,
                         "dosis": a.use.dosis, "eenheid": lv.dosis.eenheid,
                         "start": a.use.start, "eind": a.use.eind or "",
                         "aanloop_maanden": lv.aanloop_maanden,
                         "effecten": "; ".join(f"{e.parameter} {e.bewerking} "
                                               f"[{e.per_eenheid[0]:g}, {e.per_eenheid[1]:g}]"
                                               f" per eenheid" for e in lv.all_effects),
                         "kosten": f"{lv.kosten.euro_per_eenheid_per_jaar:g} euro per eenheid "
                                   f"per jaar ({lv.kosten.grondslag})",
                         "bronnen": " | ".join(f"{b.seed}: '{b.passage}'" for b in lv.bronnen)})
    return pd.DataFrame(rows)


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "scenario"
    out, i = base, 2
    while out in used:
        out, i = f"{base[:25]} {i}", i + 1
    used.add(out)
    return out


def write_workbook(comp: Comparison, path: Path, *, term: pd.DataFrame | None = None,
                   effectiveness: pd.DataFrame | None = None,
                   tornado: pd.DataFrame | None = None) -> Path:
    """One sheet per scenario (all series, draw statistics) plus comparison sheets."""
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        info = pd.DataFrame({"veld": ["gebied", "jaren", "trekkingen", "zaad", "referentie"],
                             "waarde": [comp.area_name, f"{comp.years[0]}-{comp.years[-1]}",
                                        comp.n_draws, comp.base.scenario.simulatie.zaad,
                                        comp.base.name]})
        info.to_excel(xl, sheet_name=_sheet_name("toelichting", used), index=False)
        comp.differences().to_excel(xl, sheet_name=_sheet_name("verschillen per jaar", used),
                                    index=False)
        if term is not None:
            term.to_excel(xl, sheet_name=_sheet_name("raadsperiode", used), index=False)
        if effectiveness is not None:
            effectiveness.to_excel(xl, sheet_name=_sheet_name("kosteneffectiviteit", used),
                                   index=False)
        if tornado is not None:
            tornado.to_excel(xl, sheet_name=_sheet_name("gevoeligheid", used), index=False)
        lever_table(comp).to_excel(xl, sheet_name=_sheet_name("hefbomen", used), index=False)
        for i, res in enumerate(comp.results):
            series_table(comp, i).to_excel(xl, sheet_name=_sheet_name(res.name, used),
                                           index=False)
    return path
