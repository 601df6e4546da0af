"""Run a scenario: inputs + calibrated parameters -> Monte Carlo simulation -> summary.

This is the service the CLI, the web application, the scenario lab and the sweep call. It reads
the embedded data (no network) and never writes files; :mod:`jeugdstelsel.services.results`
writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME
from jeugdstelsel.core.outputs import SERIES, SERIES_BY_KEY, aggregate
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.core.simulate import simulate
from jeugdstelsel.errors import AreaError
from jeugdstelsel.services.calibration import Calibration, load_shipped
from jeugdstelsel.services.inputs import municipal_inputs, national_inputs
from jeugdstelsel.services.scenario import FIRST_YEAR, Scenario

STATISTICS = {"mediaan": 50.0, "p10": 10.0, "p90": 90.0, "p2.5": 2.5, "p97.5": 97.5}
NATIONAL = ("nederland", "nl", "nl01", "landelijk")




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

    def summary(self) -> pd.DataFrame:
        """Long format: one row per area, series, year and statistic."""
        return summarise(self.series, self.years, self.areas, self.area_names)


def summarise(
    series: dict[str, np.ndarray],
    years: np.ndarray,
    areas: tuple[str, ...],
    area_names: tuple[str, ...],
) -> pd.DataFrame:
    """Median, 80% and 95% bands and the mean over draws, in long format."""
    frames = []
    for key, values in series.items():
        meta = SERIES_BY_KEY[key]
        stats = {name: np.percentile(values, q, axis=0) for name, q in STATISTICS.items()}
        stats["gemiddelde"] = values.mean(axis=0)
        for stat, table in stats.items():  # table: (areas, years)
            frame = pd.DataFrame(
                {
                    "gebied": np.repeat(areas, len(years)),
                    "gebiedsnaam": np.repeat(area_names, len(years)),
                    "reeks": key,
                    "omschrijving": meta.label_nl,
                    "eenheid": meta.unit,
                    "jaar": np.tile(years, len(areas)),
                    "statistiek": stat,
                    "waarde": table.reshape(-1),
                }
            )
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def resolve_area(name: str) -> tuple[str, str]:
    """'Nederland' or a municipality (name or GM code) -> (code, name)."""
    from jeugdstelsel.data.municipalities import fold, municipality_table, normalise_code

    if name.strip().lower() in NATIONAL:
        return "NL01", "Nederland"
    table = municipality_table()
    code = normalise_code(name)
    by_code = dict(zip(table["gm_code"], table["name"], strict=True))
    if code in by_code:
        return code, by_code[code]
    by_name = {fold(n): c for c, n in by_code.items()}
    if fold(name) in by_name:
        c = by_name[fold(name)]
        return c, by_code[c]
    import difflib

    close = difflib.get_close_matches(fold(name), list(by_name), n=3, cutoff=0.6)
    hint = f" Bedoelt u: {', '.join(by_code[by_name[c]] for c in close)}?" if close else ""
    raise AreaError(
        f"gebied '{name}' is onbekend: gebruik 'Nederland', een gemeentenaam of een "
        f"GM-code (gemeentelijke indeling 2024).{hint}"
    )


def build_inputs(
    scenario: Scenario, codes: list[str] | None = None, risk: dict[str, float] | None = None
) -> tuple[PopulationInputs, tuple[str, ...]]:
    """Population inputs for the scenario's area from 2015 to its end year.

    A municipality with a stored calibration (``jeugdstelsel calibrate <gemeente>``) gets its
    calibrated risk index; one without keeps the indicator-based index. An explicit ``risk``
    wins over both. Without a usable store the look-up is skipped silently.
    """
    from jeugdstelsel.services.municipal_calibration import stored_for_run

    end = scenario.periode.eind
    if codes is None:
        code, name = resolve_area(scenario.gebied.gemeente)
        if code == "NL01":
            inputs, _ = national_inputs(FIRST_YEAR, end)
            names = ("Nederland",)
        else:
            calibrated = {c: s.risk for c, s in stored_for_run([code]).items()}
            inputs = municipal_inputs([code], FIRST_YEAR, end, {**calibrated, **(risk or {})})
            names = (name,)
    else:
        from jeugdstelsel.data.municipalities import names as all_names

        calibrated = {c: s.risk for c, s in stored_for_run(codes).items()}
        inputs = municipal_inputs(codes, FIRST_YEAR, end, {**calibrated, **(risk or {})})
        lookup = all_names()
        names = tuple(lookup.get(c, c) for c in inputs.names)
    return _adjust_population(inputs, scenario), names


def _adjust_population(inputs: PopulationInputs, scenario: Scenario) -> PopulationInputs:
    """Apply the scenario's population assumptions (births growth, migration factor)."""
    from jeugdstelsel.data.refdata import annual

    last_published = max(annual("births"))
    years = FIRST_YEAR + np.arange(inputs.n_years)
    growth = (1.0 + scenario.bevolking.geboorten_groei) ** np.maximum(years - last_published, 0)
    return PopulationInputs(
        inputs.start_year,
        inputs.population0,
        inputs.births * growth[:, None],
        inputs.migration * scenario.bevolking.migratie_factor,
        inputs.risk,
        inputs.names,
    )


def parameter_set(
    scenario: Scenario,
    n_areas: int,
    calibration: Calibration | None = None,
    *,
    rng: np.random.Generator | None = None,
    codes: tuple[str, ...] | list[str] | None = None,
) -> P.ParameterSet:
    """Draws from the calibration's posterior and the declared distributions, plus overrides.

    Without an explicit ``calibration``, every municipality (``codes``; for a one-area run the
    scenario's municipality) with a stored calibration gets its own values of the municipally
    fitted parameters, drawn from its posterior block; the rest stay national.
    """
    cal = calibration or load_shipped()
    if rng is None:
        rng = np.random.default_rng(scenario.simulatie.zaad)
    params = P.build(
        PARAMETERS,
        scenario.simulatie.trekkingen,
        n_areas,
        rng,
        point=cal.point,
        posterior=cal.posterior(),
        overrides=scenario.parameters,
    )
    if calibration is not None:
        return params
    if codes is None and n_areas == 1:
        try:
            codes = (resolve_area(scenario.gebied.gemeente)[0],)
        except AreaError:
            codes = None
    if not codes or len(codes) != n_areas:
        return params
    from jeugdstelsel.services.municipal_calibration import stored_for_run

    stored = stored_for_run(list(codes))
    if not stored:
        return params
    updates: dict[str, np.ndarray] = {}
    for m, code in enumerate(codes):
        if code not in stored:
            continue
        names, mean, cov = stored[code].municipal_block()
        z = rng.multivariate_normal(mean, cov, size=params.n_draws, method="svd")
        for j, name in enumerate(names):
            if name in scenario.parameters:
                continue  # a scenario's own value wins
            column = updates.setdefault(name, params[name].copy())
            column[:, m] = PARAMETERS_BY_NAME[name].from_unit(z[:, j])
    return params.with_values(updates)


def run(
    scenario: Scenario,
    *,
    codes: list[str] | None = None,
    calibration: Calibration | None = None,
    progress: Callable[[int, int], None] | None = None,
    paths_builder: Callable | None = None,
) -> RunResult:
    """Simulate a scenario from 2015 (the calibrated start) and report its period.

    ``paths_builder(params, inputs, n_months)`` may return ``(paths, extra_cost)`` for levers.
    """
    inputs, names = build_inputs(scenario, codes)
    n_years = scenario.periode.eind - FIRST_YEAR + 1
    params = parameter_set(scenario, inputs.n_municipalities, calibration, codes=inputs.names)
    paths, extra = (None, None)
    if paths_builder is not None:
        paths, extra = paths_builder(params, inputs, n_years * 12)
    result = simulate(
        params, inputs, n_years * 12, paths=paths, extra_cost=extra, progress=progress
    )
    series = aggregate(result, params)
    first = scenario.periode.start - FIRST_YEAR
    series = {k: v[:, :, first:] for k, v in series.items()}
    cal = calibration or load_shipped()
    return RunResult(
        scenario,
        np.arange(scenario.periode.start, scenario.periode.eind + 1),
        tuple(inputs.names),
        names,
        series,
        params,
        {
            "area": cal.area,
            "fitted_through": cal.fitted_through,
            "created": cal.created,
            "gemeentelijke_kalibratie": _municipal_info(inputs.names, calibration),
        },
    )


def _municipal_info(codes: tuple[str, ...], calibration: Calibration | None) -> dict[str, str]:
    """Which risk index and parameters each area used, in Dutch (shown in reports)."""
    from jeugdstelsel.services.municipal_calibration import describe_for_run, stored_for_run

    stored = stored_for_run(list(codes))
    info = describe_for_run(codes, stored)
    if calibration is not None:
        for code in codes:
            if code != "NL01":
                info[code] += f"; parameters uit de opgegeven kalibratie ({calibration.area})"
    return info


def observed_national() -> pd.DataFrame:
    """Published national figures beside the model's series (key, year, value, status)."""
    from jeugdstelsel.data.refdata import annual

    rows = []
    for s in SERIES:
        if s.observed is None:
            continue
        for year, (value, status) in annual(s.observed).items():
            rows.append(
                {
                    "reeks": s.key,
                    "jaar": year,
                    "waargenomen": value,
                    "status": status,
                    "bron": s.observed,
                }
            )
    return pd.DataFrame(rows)
