"""Write a comparison's tables and charts into a folder (the caller makes it atomic)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jeugdstelsel.reports import charts
from jeugdstelsel.services.compare import Comparison
from jeugdstelsel.services.effectiveness import cost_effectiveness


def write_comparison(comp: Comparison, folder: Path, term_start: int
                     ) -> tuple[dict[str, Path], pd.DataFrame, pd.DataFrame]:
    """CSV and Parquet tables plus PNG charts; returns (charts, term table, effectiveness)."""
    term = comp.term(term_start)
    eff = cost_effectiveness(comp, term_start)
    tables = {"verschillen_per_jaar": comp.differences(), "verschillen_raadsperiode": term,
              "niveaus_per_jaar": comp.levels(), "kosteneffectiviteit": eff}
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False, sep=";", decimal=",")
    comp.draws().to_parquet(folder / "trekkingen.parquet", index=False)
    paths = {"banden": charts.bands(comp, folder / "banden.png"),
             "verschillen": charts.bands(comp, folder / "verschillen.png", differences=True),
             "stromen": charts.flows(comp, folder / "stromen.png",
                                     year=term_start + 3 if term_start + 3 in comp.years
                                     else None)}
    return paths, term, eff
