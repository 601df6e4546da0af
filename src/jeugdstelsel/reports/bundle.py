"""Write a comparison's tables, charts and provenance into a (staging) folder.

The caller makes it safe and atomic: ``folder = prepare_output(out)`` before the simulation,
then ``with folder.writing() as tmp: write_comparison(comp, tmp, term_start)``.

Tables are CSV for Excel (``;``, decimal comma, UTF-8 with BOM, no -0); the draws stay
machine-readable in ``trekkingen.parquet``; ``meta.json`` holds the provenance.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from jeugdstelsel.reports import charts
from jeugdstelsel.reports.tables import write_excel_csv
from jeugdstelsel.services.compare import Comparison
from jeugdstelsel.services.effectiveness import cost_effectiveness
from jeugdstelsel.services.provenance import Provenance
from jeugdstelsel.services.provenance import of as provenance_of

TABLE_FILES = {
    "verschillen_per_jaar": "verschil met de referentie per jaar (gepaarde trekkingen)",
    "verschillen_raadsperiode": "verschil met de referentie over de raadsperiode",
    "niveaus_per_jaar": "mediaan en 80%-interval van elk scenario per jaar",
    "kosteneffectiviteit": "netto uitgaven, vermeden trajecten en terugverdientijd",
}


def comparison_meta(comp: Comparison, term_start: int, prov: Provenance) -> dict:
    """What ``meta.json`` of a comparison holds."""
    return {
        "herkomst": prov.as_dict(),
        "gebied": {"code": comp.area, "naam": comp.area_name},
        "jaren": [int(y) for y in comp.years],
        "trekkingen": int(comp.n_draws),
        "referentie": comp.base.name,
        "scenarios": [{"naam": r.name, "bestand": r.source} for r in comp.results],
        "raadsperiode_start": int(term_start),
        "bestanden": {
            **{f"{k}.csv": f"{v}; voor Excel: ';' en decimaalkomma"
               for k, v in TABLE_FILES.items()},
            "trekkingen.parquet": "elke uitkomst per scenario, trekking en jaar (machineleesbaar)",
            "banden.png": "mediaan en 80%-interval per scenario",
            "verschillen.png": "verschil met de referentie",
            "stromen.png": "stromen door de lagen in één jaar",
        },
    }


def write_comparison(comp: Comparison, folder: Path, term_start: int, *,
                     provenance: Provenance | None = None, charts_process=None
                     ) -> tuple[dict[str, Path], pd.DataFrame, pd.DataFrame]:
    """CSV and Parquet tables, PNG charts and meta.json; returns (charts, term, effectiveness).

    ``charts_process``: a :class:`~jeugdstelsel.reports.chart_process.ChartProcess` that
    draws the charts while the tables are written; the caller waits for it before the folder
    is moved into place.
    """
    folder = Path(folder)
    prov = provenance or provenance_of(comp)
    at = charts_process
    paths = {"banden": charts.bands(comp, folder / "banden.png", charts=at),
             "verschillen": charts.bands(comp, folder / "verschillen.png", differences=True,
                                         charts=at),
             "stromen": charts.flows(comp, folder / "stromen.png",
                                     year=term_start + 3 if term_start + 3 in comp.years
                                     else None, charts=at)}
    term = comp.term(term_start)
    eff = cost_effectiveness(comp, term_start)
    tables = {"verschillen_per_jaar": comp.differences(), "verschillen_raadsperiode": term,
              "niveaus_per_jaar": comp.levels(), "kosteneffectiviteit": eff}
    for name, table in tables.items():
        write_excel_csv(table, folder / f"{name}.csv")
    comp.draws().to_parquet(folder / "trekkingen.parquet", index=False)
    (folder / "meta.json").write_text(
        json.dumps(comparison_meta(comp, term_start, prov), indent=1, ensure_ascii=False),
        encoding="utf-8")
    return paths, term, eff
