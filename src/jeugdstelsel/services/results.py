"""Write a run's results: long-format CSV and Parquet, a CSV for Excel, a chart, the scenario used.

Files go into an output folder checked by :func:`jeugdstelsel.reports.files.prepare_output`
(call it before simulating, so a bad folder is refused before any time is spent) and are moved
into place only when all of them are complete, so an interrupted or failed run leaves nothing
half-written and never touches a file the user had there.

Files:

* ``results.csv`` / ``results.parquet``: machine-readable long format (``,`` and ``.``), one row
  per area, series, year and statistic (README, "Resultaten").
* ``resultaten_excel.csv``: for people and Excel: ``;``, decimal comma, UTF-8 with BOM, one row
  per area, series and year with the statistics side by side, rounded to 2 decimals.
* ``grafiek.png``, ``scenario.toml``, and ``meta.json`` with the provenance (tool version,
  calibration, data vintage, seed).
"""

from __future__ import annotations

import contextlib
import json
import os
import weakref
from pathlib import Path

import numpy as np
import pandas as pd

from jeugdstelsel.numbers import nl_number, no_negative_zero
from jeugdstelsel.reports.files import RUN_FILES, OutputFolder, prepare_output
from jeugdstelsel.reports.tables import write_excel_csv
from jeugdstelsel.services import provenance as prov
from jeugdstelsel.services.run import RunResult, observed_national
from jeugdstelsel.services.scenario import dumps
from jeugdstelsel.services.summary import STATISTIC_NAMES, summarise

CHART_SERIES = (
    ("jeugdzorg_0_22", "Jongeren met jeugdzorg (0-22)"),
    ("jeugdhulp_zonder_verblijf_0_22", "Jeugdhulp zonder verblijf"),
    ("jeugdhulp_met_verblijf_0_22", "Jeugdhulp met verblijf"),
    ("jeugdbescherming_0_22", "Jeugdbescherming"),
    ("trajecten_gestart", "Gestarte trajecten"),
    ("uitgaven", "Uitgaven"),
)
EXCEL_CSV = "resultaten_excel.csv"
EXCEL_DECIMALS = 2

# table() is asked for twice per CLI run (files, then the printed tables): keep the last one
_LAST: tuple[weakref.ref, pd.DataFrame] | None = None


def dutch_number(value: float, _pos: object = None) -> str:
    """12345.6 -> '12.346'; small values keep one decimal with a decimal comma."""
    return nl_number(value, 1 if abs(value) < 100 and value != int(value) else 0)


def _summary(result: RunResult) -> pd.DataFrame:
    return summarise(result.series, result.years, result.areas, result.area_names)


def table(result: RunResult) -> pd.DataFrame:
    """The long-format results with the published figure beside the model where one exists.

    Computed once per result: asking again for the same result (the CLI writes the files, then
    prints from the same table) returns the same frame; do not modify it.
    """
    global _LAST
    if _LAST is not None and _LAST[0]() is result:
        return _LAST[1]
    frame = _summary(result)
    if result.areas == ("NL01",):
        obs = observed_national()
        frame = frame.merge(obs, on=["reeks", "jaar"], how="left")
    else:
        frame["waargenomen"] = float("nan")
        frame["status"] = None
        frame["bron"] = None
    try:
        _LAST = (weakref.ref(result), frame)
    except TypeError:  # an object without weak references: just don't cache
        _LAST = None
    return frame


def excel_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per area, series and year; the statistics as columns (for people, Excel)."""
    ident = ["gebied", "gebiedsnaam", "reeks", "omschrijving", "eenheid", "jaar"]
    stats = [s for s in STATISTIC_NAMES if s in set(frame["statistiek"])]
    try:  # fast path: summarise() orders rows by series, statistic, area, year
        wide = _wide_from_ordered(frame, stats)
    except ValueError:
        wide = None
    if wide is None:
        wide = frame.pivot_table(index=ident, columns="statistiek", values="waarde",
                                 sort=False).reset_index()[ident + stats]
        extra = frame[frame["statistiek"] == stats[0]]
        for col in ("waargenomen", "status", "bron"):
            if col in frame.columns:
                wide[col] = extra[col].to_numpy()
    for col in [*stats, "waargenomen"]:
        if col in wide.columns:
            wide[col] = no_negative_zero(np.round(wide[col].to_numpy(dtype=float),
                                                  EXCEL_DECIMALS))
    return wide


def _wide_from_ordered(frame: pd.DataFrame, stats: list[str]) -> pd.DataFrame:
    reeks = frame["reeks"].to_numpy()
    stat = frame["statistiek"].to_numpy()
    n_series = len(pd.unique(reeks))
    n_stats = len(stats)
    if len(frame) % (n_series * n_stats):
        raise ValueError("not in summarise() order")
    per_stat = len(frame) // (n_series * n_stats)
    shaped = stat.reshape(n_series, n_stats, per_stat)
    if not all((shaped[:, i, :] == s).all() for i, s in enumerate(stats)):
        raise ValueError("not in summarise() order")
    first = frame.iloc[
        (np.arange(n_series)[:, None] * n_stats * per_stat + np.arange(per_stat)[None]).ravel()]
    values = frame["waarde"].to_numpy().reshape(n_series, n_stats, per_stat)
    wide = first[["gebied", "gebiedsnaam", "reeks", "omschrijving", "eenheid", "jaar"]
                 ].reset_index(drop=True)
    for i, s in enumerate(stats):
        wide[s] = values[:, i, :].reshape(-1)
    for col in ("waargenomen", "status", "bron"):
        if col in frame.columns:
            wide[col] = first[col].to_numpy()
    return wide


def chart(result: RunResult, frame: pd.DataFrame, path: Path, charts=None) -> None:
    """Main series with 80% and 95% bands; published figures as markers beside the model.

    ``charts``: a started :class:`jeugdstelsel.reports.chart_process.ChartProcess` to draw in.
    """
    from jeugdstelsel.reports.run_chart import run_chart
    from jeugdstelsel.services.reliability import shipped

    verdicts = shipped()  # the backtest's verdict beside each series' title
    series = [(key, f"{title} ({verdicts.short(key)})" if verdicts and verdicts.short(key)
               else title) for key, title in CHART_SERIES]
    run_chart(result, frame, Path(path), series, charts)


def meta(result: RunResult) -> dict:
    """What ``meta.json`` holds: areas, years, draws, calibration, and the provenance."""
    from jeugdstelsel.services.reliability import shipped

    p = prov.of(result)
    verdicts = shipped()
    return {
        "herkomst": p.as_dict(),
        "betrouwbaarheid": verdicts.as_dict() if verdicts else "niet getoetst",
        "gebieden": list(result.areas),
        "jaren": [int(y) for y in result.years],
        "trekkingen": int(result.params.n_draws),
        "kalibratie": result.calibration_info,
        "modelafwijking": _discrepancy_note(result),
        "demografie": _demography_note(result),
        "eenheden": "zie kolom 'eenheid'; statistieken over Monte Carlo-trekkingen",
        "bestanden": {
            "results.csv": "lang formaat, machineleesbaar (scheidingsteken ',', decimaalpunt)",
            "results.parquet": "dezelfde tabel als results.csv",
            EXCEL_CSV: "voor Excel: ';' en decimaalkomma, statistieken naast elkaar, "
                       f"afgerond op {EXCEL_DECIMALS} decimalen",
            "grafiek.png": "hoofdreeksen met 80%- en 95%-band en gepubliceerde cijfers",
            "scenario.toml": "het doorgerekende scenario",
        },
    }


def _discrepancy_note(result: RunResult) -> dict:
    """What the bands after each series' last published figure contain besides the
    parameters' uncertainty (services/discrepancy.py): the steps this run used."""
    return {"uitleg": "na het laatste gepubliceerde cijfer van een reeks bevat de band ook de "
                      "modelafwijking: een toevalswandeling op log(cijfer/model) met deze stap "
                      "per jaar, geschat uit de fit van de landelijke kalibratie; voor "
                      "Nederland begint elke trekking na dat jaar bij het gepubliceerde cijfer "
                      "(vertrekpunt; een voorlopig cijfer op zijn verwachte definitieve waarde), "
                      "een gemeente volgt het pad van het model",
            "reeksen": list(result.discrepancy)}


def _demography_note(result: RunResult) -> dict:
    """What the population of the run rests on beside published figures (services/inputs.py):
    derived and held years of births and migration, and the migration index per year."""
    from jeugdstelsel.services.inputs import national_inputs
    from jeugdstelsel.services.scenario import FIRST_YEAR

    _, notes = national_inputs(FIRST_YEAR, int(result.scenario.periode.eind))
    pop = result.scenario.bevolking
    return {"uitleg": "migratie van jongeren per leeftijdsband = die van een gemiddeld jaar maal "
                      "de migratie-index van het kalenderjaar (migratiesaldo tegen het "
                      "gemiddelde, CBS 37296ned); na het laatste bekende jaar het gemiddelde "
                      "van de laatste vijf jaren (aanname); geboorten na het laatst "
                      "gepubliceerde jaar gelijk gehouden (aanname)",
            "migratie_index": {str(y): v for y, v in notes.migration_index.items()},
            "migratie_afgeleid_uit_bevolking": list(notes.derived_migration),
            "migratie_aangehouden": list(notes.held_migration),
            "geboorten_geinterpoleerd": list(notes.interpolated_births),
            "geboorten_aangehouden": list(notes.held_births),
            "scenario": {"geboorten_groei": pop.geboorten_groei,
                         "migratie_factor": pop.migratie_factor}}


def write(result: RunResult, out_dir: str | os.PathLike[str] | OutputFolder, *,
          overwrite: bool = False) -> list[Path]:
    """Write the run's files (module docstring) into ``out_dir``; returns their paths.

    ``out_dir`` is preferably the :class:`OutputFolder` that ``prepare_output`` returned before
    the simulation; a plain path is checked here (same rules, later).
    """
    with writing(result, out_dir, overwrite=overwrite) as folder:
        pass
    return folder.written


@contextlib.contextmanager
def writing(result: RunResult, out_dir: str | os.PathLike[str] | OutputFolder, *,
            overwrite: bool = False, charts=None, frame: pd.DataFrame | None = None):
    """:func:`write`, with room for the caller inside: the body runs while the chart is drawn.

    ``charts``: a :class:`~jeugdstelsel.reports.chart_process.ChartProcess` started before the
    simulation. The files are written and the chart is handed to it on entry; the body (the
    CLI prints its tables) runs meanwhile; on exit the chart is waited for and only then is
    anything moved into place (``folder.written`` lists it). ``frame``: :func:`table` of the
    result, if the caller made it already.
    """
    folder = prepare_output(out_dir, overwrite=overwrite, names=RUN_FILES)
    frame = table(result) if frame is None else frame
    with folder.writing() as tmp:
        chart(result, frame, tmp / "grafiek.png", charts)
        frame.to_csv(tmp / "results.csv", index=False)
        frame.to_parquet(tmp / "results.parquet", index=False)
        write_excel_csv(excel_table(frame), tmp / EXCEL_CSV)
        (tmp / "scenario.toml").write_text(dumps(result.scenario), encoding="utf-8")
        (tmp / "meta.json").write_text(
            json.dumps(meta(result), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        yield folder
        if charts is not None:
            charts.wait()
