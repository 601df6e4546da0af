"""Global sensitivity (Sobol) of the national model's headline outputs, distributed with Dask.

Why Sobol and why distributed: with 44 uncertain parameters a one-at-a-time analysis misses
interactions; Saltelli's scheme needs ``N (D + 2)`` model runs (``calc_second_order=False``),
about 12,000 national runs for N=256. Each run is one draw of the vectorised kernel, so chunks
of sample rows go to the same workers as the sweep. Indices from SALib (Saltelli 2002,
"Making best use of model evaluations to compute sensitivity indices"; Saltelli et al. 2010
for the estimators SALib's ``sobol.analyze`` uses), with bootstrap confidence intervals.

The single-area, one-at-a-time analysis lives in :mod:`jeugdstelsel.services.sensitivity`;
this one samples every non-fixed declared parameter uniformly over its declared range (not the
calibration posterior: the question is which assumptions matter at all), holding parameters the
scenario overrides at their override.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.core.outputs import SERIES_BY_KEY
from jeugdstelsel.services.scenario import FIRST_YEAR, Scenario
from jeugdstelsel.services.sweep import HEADLINE, SUMMED_OVER_PERIOD

ROWS_PER_CHUNK = 512


@dataclass(frozen=True)
class SobolProblem:
    """The parameters varied, their bounds, and the scenario that fixes the rest."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    scenario: Scenario

    def salib(self) -> dict:
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [list(b) for b in self.bounds]}


def problem(scenario: Scenario) -> SobolProblem:
    """Every non-fixed declared parameter the scenario does not override."""
    chosen = [p for p in PARAMETERS
              if p.distribution != "fixed" and p.name not in scenario.parameters]
    return SobolProblem(tuple(p.name for p in chosen), tuple((p.low, p.high) for p in chosen),
                        scenario)


def evaluate(prob: SobolProblem, rows: np.ndarray) -> np.ndarray:
    """Model outputs ``(rows, headline)`` for parameter rows ``(rows, D)``; a worker task.

    Each row is one draw of the national model through the pipeline: the calibration's point
    values, the scenario's overrides and levers (at their central effect), and the row's values
    for the varied parameters. Outputs are the headline series
    in the scenario's last year (flows summed over its period).
    """
    from jeugdstelsel.services import pipeline
    from jeugdstelsel.services.sweep import _configure_numba

    _configure_numba()
    s = prob.scenario
    nl = s.model_copy(update={"gebied": s.gebied.model_copy(update={"gemeente": "Nederland"})})
    spec = pipeline.specify(nl, "sweep-sobol")
    inputs = pipeline.build_inputs(spec)
    n = rows.shape[0]
    params = pipeline.point_parameters(s, {name: rows[:, j] for j, name in enumerate(prob.names)},
                                       n, 1)
    # the plan's levers at their central effect: the rows vary the model, not the levers
    central = spec.plan.central_uniforms(n)
    member = pipeline.Member(params, *pipeline.lever_paths(spec, params, inputs, central))
    series = pipeline.execute([member], inputs, spec.n_months).series
    first = s.periode.start - FIRST_YEAR
    out = []
    for key in HEADLINE:
        v = series[key][:, 0, first:]
        out.append(v.sum(axis=1) if key in SUMMED_OVER_PERIOD else v[:, -1])
    return np.stack(out, axis=1)


@dataclass
class SobolResult:
    indices: pd.DataFrame
    files: list[Path]
    runs: int
    seconds: float


def run_sobol(scenario: Scenario, out: Path, *, n: int = 256, seed: int | None = None,
              client=None, scheduler: str | None = None, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> SobolResult:
    """Sample (Saltelli/Sobol sequence), evaluate in chunks on Dask, analyse, write CSV + chart."""
    from distributed import as_completed
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    from jeugdstelsel.services.sweep import SweepError, close_cluster, open_client

    if n < 2 or n & (n - 1):
        raise SweepError(f"--n moet een macht van 2 zijn (Sobol-reeks), niet {n}")
    t0 = time.perf_counter()
    prob = problem(scenario)
    zaad = scenario.simulatie.zaad if seed is None else seed
    X = sobol_sample.sample(prob.salib(), n, calc_second_order=False, seed=zaad)
    cluster = None
    own = client is None
    if own:
        cluster, client = open_client(scheduler, workers)
    try:
        starts = list(range(0, len(X), ROWS_PER_CHUNK))
        futures = {client.submit(evaluate, prob, X[i: i + ROWS_PER_CHUNK], pure=False,
                                 retries=3): i for i in starts}
        Y = np.empty((len(X), len(HEADLINE)))
        for done, fut in enumerate(as_completed(futures), start=1):
            i = futures[fut]
            Y[i: i + ROWS_PER_CHUNK] = fut.result()
            if progress:
                progress(done, len(starts))
    finally:
        if own:
            close_cluster(cluster, client)
    rows = []
    for j, key in enumerate(HEADLINE):
        res = sobol_analyze.analyze(prob.salib(), Y[:, j], calc_second_order=False,
                                    print_to_console=False,
                                    seed=np.random.default_rng(zaad))  # not ``if 0:``
        for k, name in enumerate(prob.names):
            rows.append({"uitkomst": key, "omschrijving": SERIES_BY_KEY[key].label_nl,
                         "parameter": name, "S1": res["S1"][k], "S1_conf": res["S1_conf"][k],
                         "ST": res["ST"][k], "ST_conf": res["ST_conf"][k]})
    table = pd.DataFrame(rows)
    from jeugdstelsel.services.sensitivity import NOT_CONVERGED, convergence_status

    bad = ((convergence_status(table["S1"], table["S1_conf"]) == NOT_CONVERGED)
           | (convergence_status(table["ST"], table["ST_conf"]) == NOT_CONVERGED))
    table["N"] = n
    table["status"] = np.where(bad, NOT_CONVERGED, "geconvergeerd")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "sobol_indices.csv"
    table.to_csv(csv, index=False)
    files = [csv, *_chart(table, out)]
    return SobolResult(table, files, len(X), time.perf_counter() - t0)


def _chart(table: pd.DataFrame, out: Path, top: int = 15) -> list[Path]:
    """Bar chart of total (ST) and first-order (S1) indices per headline output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jeugdstelsel.core.model import PARAMETERS_BY_NAME

    keys = list(dict.fromkeys(table["uitkomst"]))
    cols = 2
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(13, 3.6 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        g = table[table["uitkomst"] == key].sort_values("ST", ascending=False).head(top)[::-1]
        y = np.arange(len(g))
        labels = [PARAMETERS_BY_NAME[p].label_nl for p in g["parameter"]]
        ax.barh(y + 0.2, g["ST"], 0.4, xerr=g["ST_conf"], label="totaal (ST)", color="#154273")
        ax.barh(y - 0.2, g["S1"], 0.4, xerr=g["S1_conf"], label="eerste orde (S1)",
                color="#8fa8c8")
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_title(SERIES_BY_KEY[key].label_nl, fontsize=9)
        ax.set_xlabel("Sobol-index")
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Gevoeligheid van de landelijke uitkomsten (Sobol, 95%-betrouwbaarheid)")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / (3.6 * rows)))  # room for the suptitle
    path = out / "sobol_indices.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return [path]
