"""Run one scenario through the pipeline and summarise it (median, bands, per year).

The chain itself (area, levers, inputs, draws, engine) is :mod:`jeugdstelsel.services.pipeline`;
this module turns one outcome into a :class:`RunResult`. It reads the embedded data (no network)
and never writes files; :mod:`jeugdstelsel.services.results` writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.outputs import SERIES
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.errors import AreaError
from jeugdstelsel.services import pipeline, provenance
from jeugdstelsel.services.calibration import Calibration, load_shipped
from jeugdstelsel.services.discrepancy import describe
from jeugdstelsel.services.provenance import Provenance
from jeugdstelsel.services.scenario import FIRST_YEAR, Scenario

__all__ = ["FIRST_YEAR", "AreaError", "RunResult", "build_inputs", "observed_national",
           "parameter_set", "resolve_area", "run", "summarise"]

@dataclass(frozen=True)
class RunResult:
    """A finished run: per-draw series and what went in."""

    scenario: Scenario
    years: np.ndarray  # reported years
    areas: tuple[str, ...]
    area_names: tuple[str, ...]
    series: dict[str, np.ndarray]  # key -> (draws, areas, years)
    params: P.ParameterSet
    calibration_info: dict = field(default_factory=dict)
    source: str = "<scenario>"
    provenance: Provenance | None = None  # tool version, calibration, data vintage, seed
    # the model-discrepancy steps its bands carry (services/discrepancy.py: ``describe``)
    discrepancy: tuple[dict, ...] = ()

    def summary(self) -> pd.DataFrame:
        """Long format: one row per area, series, year and statistic."""
        return summarise(self.series, self.years, self.areas, self.area_names)


def summarise(
    series: dict[str, np.ndarray],
    years: np.ndarray,
    areas: tuple[str, ...],
    area_names: tuple[str, ...],
) -> pd.DataFrame:
    """Median, 80% and 95% bands and the mean over draws, in long format (one implementation:
    :func:`jeugdstelsel.services.summary.summarise`)."""
    from jeugdstelsel.services.summary import summarise as fast

    return fast(series, years, areas, area_names)


# The chain's steps live in the pipeline; these names stay for existing callers.
resolve_area = pipeline.resolve_area
adjust_population = pipeline.adjust_population
parameter_set = pipeline.parameter_set


def build_inputs(
    scenario: Scenario, codes: list[str] | None = None, risk: dict[str, float] | None = None
) -> tuple[PopulationInputs, tuple[str, ...]]:
    """Population inputs and area names for a scenario (see :func:`pipeline.build_inputs`)."""
    spec = pipeline.specify(scenario, codes=codes)
    return pipeline.build_inputs(spec, risk), spec.names


def run(
    scenario: Scenario,
    *,
    source: str = "<scenario>",
    codes: list[str] | None = None,
    calibration: Calibration | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Simulate a scenario, levers included, from 2015 (the calibrated start); report its period.

    Everything is validated (area, levers, period) before the engine starts.
    """
    spec = pipeline.specify(scenario, source, codes=codes)
    return result_of(pipeline.run_specs([spec], calibration=calibration, progress=progress)[0],
                     calibration)


def result_of(outcome: pipeline.Outcome, calibration: Calibration | None = None) -> RunResult:
    """A pipeline outcome as a run result: the reported years of every series."""
    spec = outcome.spec
    series = {k: v[:, :, spec.first:] for k, v in outcome.series.items()}
    cal = calibration or load_shipped()
    municipal = pipeline.calibration_used(outcome.inputs.names, calibration)
    return RunResult(
        spec.scenario,
        spec.years,
        tuple(outcome.inputs.names),
        spec.names,
        series,
        outcome.params,
        {
            "area": cal.area,
            "fitted_through": cal.fitted_through,
            "created": cal.created,
            "gemeentelijke_kalibratie": municipal,
        },
        spec.source,
        provenance.for_run(spec.scenario, cal, municipal, spec.source),
        tuple(describe(pipeline.forecast_scales(cal))),
    )


NEWS_PREFIX = "Nieuwsbericht:"


def source_kind(title: str) -> str:
    """Who published a figure: ``cbs``, ``nji``, ``nieuwsbericht`` or ``overig``.

    A figure from a news article is labelled as such wherever it is shown, never as CBS.
    """
    text = str(title)
    if text.startswith(NEWS_PREFIX):
        return "nieuwsbericht"
    if "NJi" in text or "Nederlands Jeugdinstituut" in text:
        return "nji"
    if "CBS" in text or "StatLine" in text:
        return "cbs"
    return "overig"


def observed_national() -> pd.DataFrame:
    """Published national figures beside the model's series: key, year, value, status, the
    publication it comes from (``bron``) and who published it (``soort_bron``)."""
    from jeugdstelsel.data.refdata import annual, series

    rows = []
    for s in SERIES:
        if s.observed is None:
            continue
        table = series(s.observed)
        titles = dict(zip(table["period"], table["source_title"], strict=True))
        for year, (value, status) in annual(s.observed).items():
            title = titles.get(str(year), s.observed)
            rows.append(
                {
                    "reeks": s.key,
                    "jaar": year,
                    "waargenomen": value,
                    "status": status,
                    "bron": title,
                    "soort_bron": source_kind(title),
                }
            )
    return pd.DataFrame(rows)
