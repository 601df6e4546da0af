"""The one pipeline: a validated scenario specification -> inputs -> draws -> levers -> engine.

Every interface runs the model through this module and nowhere else: ``run`` and ``draai``,
``compare``, the council report, ``gevoeligheid``, the national sweep, ``sweep-sobol``, the web
lab, the REST API and the Kwaliteitskompas goal check (the last three through
:mod:`jeugdstelsel.services.compare`). Assembling the chain in one place is what makes a
scenario file give the same numbers on every path: the first version assembled it six times,
and ``run`` silently dropped the levers that ``compare`` applied.

The chain, one function per step:

1. :func:`specify` -- a :class:`~jeugdstelsel.services.scenario.Scenario` plus its source becomes
   a :class:`Spec`: the area resolved, the levers validated by the lever library (the one lever
   validation), the period checked. Nothing has run yet; every user error is raised here.
2. :func:`build_inputs` -- the population inputs (births, migration, risk index) of the areas.
3. :func:`parameter_set` -- Monte Carlo draws from the calibration's posterior, the scenario's
   overrides, and the stored municipal calibrations.
4. :func:`lever_paths` -- the levers' parameter paths and costs for those draws.
5. :func:`execute` -- one engine call for any number of specs stacked along the draw axis
   (common random numbers: draws are shared until the levers start, and the engine simulates
   the shared part once), then the yearly series.

:func:`run_specs` chains 1-5 for a list of specs; the services above it only summarise.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.core.outputs import aggregate
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.core.simulate import SimulationResult, simulate
from jeugdstelsel.errors import AreaError
from jeugdstelsel.levers import LeverPlan, Library, load_library, plan_for
from jeugdstelsel.services import discrepancy as D
from jeugdstelsel.services.calibration import Calibration, load_shipped
from jeugdstelsel.services.inputs import municipal_inputs, national_inputs
from jeugdstelsel.services.scenario import FIRST_YEAR, Scenario

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Spec:
    """A scenario that has passed every check: what the engine will be asked to run.

    ``codes`` and ``names`` are the areas (``("NL01",)`` for the country); ``plan`` holds the
    validated levers (empty without ``[[hefbomen]]``).
    """

    scenario: Scenario
    source: str
    plan: LeverPlan
    codes: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def n_years(self) -> int:
        """Simulated years: from the calibrated start (2015) to the scenario's end."""
        return self.scenario.periode.eind - FIRST_YEAR + 1

    @property
    def n_months(self) -> int:
        return self.n_years * MONTHS_PER_YEAR

    @property
    def first(self) -> int:
        """Index of the first reported year among the simulated ones."""
        return self.scenario.periode.start - FIRST_YEAR

    @property
    def years(self) -> np.ndarray:
        """The reported years."""
        return np.arange(self.scenario.periode.start, self.scenario.periode.eind + 1)

    @property
    def national(self) -> bool:
        return self.codes == ("NL01",)


def resolve_area(name: str) -> tuple[str, str]:
    """'Nederland' or a municipality (name or GM code, 2024 division) -> (code, name).

    An unknown name raises :class:`~jeugdstelsel.errors.AreaError` with close names; never a
    silent pick.
    """
    from jeugdstelsel.data.municipalities import resolve

    return resolve(name)


def specify(scenario: Scenario, source: str = "<scenario>", *,
            codes: Sequence[str] | None = None, library: Library | None = None) -> Spec:
    """Validate everything about a scenario before anything runs.

    ``codes`` (GM codes) override the scenario's area, for the sweep and the web app. Raises
    :class:`~jeugdstelsel.errors.AreaError` or
    :class:`~jeugdstelsel.errors.ScenarioError` (levers: ``LeverUseError``), in Dutch.
    """
    plan = plan_for(scenario, source, library or load_library())
    if codes is None:
        code, name = resolve_area(scenario.gebied.gemeente)
        return Spec(scenario, source, plan, (code,), (name,))
    from jeugdstelsel.data.municipalities import names as all_names

    lookup = all_names()
    unknown = [c for c in codes if c != "NL01" and c not in lookup]
    if unknown:
        raise AreaError(f"onbekende gemeentecode(s): {', '.join(unknown)} (gemeentelijke "
                        "indeling 2024)")
    return Spec(scenario, source, plan, tuple(codes),
                tuple("Nederland" if c == "NL01" else lookup[c] for c in codes))


def build_inputs(spec: Spec, risk: Mapping[str, float] | None = None, *,
                 data_through: int | None = None) -> PopulationInputs:
    """Population inputs for the spec's areas from 2015 to its end year.

    A municipality with a stored calibration (``jeugdstelsel kalibreer <gemeente>``) gets its
    calibrated risk index; one without keeps the indicator-based index. An explicit ``risk``
    wins over both. Which one was used is in the result's provenance. ``data_through`` (the
    national backtest) uses only demographic figures of years up to it.
    """
    end = spec.scenario.periode.eind
    if spec.national:
        inputs, _ = national_inputs(FIRST_YEAR, end, data_through)
    elif data_through is not None:
        raise ValueError("data_through is only defined for the national inputs")
    else:
        from jeugdstelsel.services.municipal_calibration import stored_for_run

        calibrated = {c: s.risk for c, s in stored_for_run(list(spec.codes)).items()}
        inputs = municipal_inputs(list(spec.codes), FIRST_YEAR, end,
                                  {**calibrated, **(risk or {})})
    return adjust_population(inputs, spec.scenario)


def adjust_population(inputs: PopulationInputs, scenario: Scenario) -> PopulationInputs:
    """Apply the scenario's population assumptions (births growth, migration factor)."""
    from jeugdstelsel.data.refdata import annual

    last_published = max(annual("births"))
    years = FIRST_YEAR + np.arange(inputs.n_years)
    growth = (1.0 + scenario.bevolking.geboorten_groei) ** np.maximum(years - last_published, 0)
    return dataclasses.replace(inputs, births=inputs.births * growth[:, None],
                               migration=inputs.migration * scenario.bevolking.migratie_factor)


def parameter_set(
    scenario: Scenario,
    n_areas: int,
    calibration: Calibration | None = None,
    *,
    rng: np.random.Generator | None = None,
    codes: Sequence[str] | None = None,
) -> P.ParameterSet:
    """Draws from the calibration's posterior and the declared distributions, plus overrides.

    Without an explicit ``calibration``, every municipality in ``codes`` with a stored
    calibration gets its own values of the municipally fitted parameters, drawn from its
    posterior with its own random stream, risk index included (:func:`municipal_updates`);
    the rest stay national.
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
    if calibration is not None or not codes or len(codes) != n_areas or tuple(codes) == ("NL01",):
        return params
    return params.with_values(municipal_updates(scenario, codes, params))


def municipal_updates(scenario: Scenario, codes: Sequence[str], params: P.ParameterSet
                      ) -> dict[str, np.ndarray]:
    """Each municipality's own draws of its calibrated parameters and risk index, from its
    stored posterior (``{name: (draws, len(codes))}``, changed parameters only).

    Every municipality draws from its own stream, so a run of one municipality equals its
    column in a sweep; a scenario's own parameter value wins. The method is
    :func:`jeugdstelsel.services.municipal_calibration.posterior_updates`.
    """
    from jeugdstelsel.services.municipal_calibration import posterior_updates, stored_for_run

    stored = stored_for_run(list(codes))
    if not stored:
        return {}
    return posterior_updates(params, list(codes), stored, scenario.parameters,
                             scenario.simulatie.zaad)


def calibration_used(codes: Sequence[str], calibration: Calibration | None) -> dict[str, str]:
    """Which risk index and parameters each area of a run used, in Dutch (its provenance)."""
    if tuple(codes) == ("NL01",):  # the country: no municipal calibration to look up
        return {"NL01": "landelijke kalibratie (risico-index 1)"}
    from jeugdstelsel.services.municipal_calibration import describe_for_run, stored_for_run

    stored = stored_for_run(list(codes))
    info = describe_for_run(codes, stored)
    if calibration is not None:
        for code in codes:
            if code != "NL01":
                info[code] += f"; parameters uit de opgegeven kalibratie ({calibration.area})"
    return info


def point_parameters(scenario: Scenario, rows: Mapping[str, np.ndarray], n: int, n_areas: int,
                     calibration: Calibration | None = None) -> P.ParameterSet:
    """``n`` configurations at the calibration's point, with the given parameters varied.

    For sensitivity analysis (tornado, Sobol): the scenario's overrides hold, ``rows[name]`` of
    shape ``(n,)`` replace the named parameters.
    """
    cal = calibration or load_shipped()
    base = P.build(PARAMETERS, n, n_areas, None, point=cal.point, overrides=scenario.parameters)
    return base.with_values({k: np.asarray(v, dtype=float).reshape(n, 1)
                             for k, v in rows.items()})


def lever_paths(spec: Spec, params: P.ParameterSet, inputs: PopulationInputs,
                uniforms: dict[str, np.ndarray] | None = None
                ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """The levers' parameter paths and own cost for these draws (empty without levers)."""
    return spec.plan.build(params, inputs, spec.n_months, uniforms)


@dataclass(frozen=True)
class Member:
    """One scenario's share of a stacked engine call."""

    params: P.ParameterSet
    paths: dict[str, np.ndarray]
    cost: np.ndarray | None
    # a forecast's model discrepancy (services/discrepancy.py); None for the model quantities
    # themselves (calibration fits, sensitivity)
    discrepancy: D.Discrepancy | None = None


@dataclass(frozen=True)
class Execution:
    """A stacked engine call: the raw result, the stacked draws, the yearly series."""

    result: SimulationResult
    params: P.ParameterSet
    series: dict[str, np.ndarray]  # key -> (all draws, areas, years from ``first_year``)
    slices: tuple[slice, ...]  # each member's draws

    def member(self, i: int) -> dict[str, np.ndarray]:
        """Member ``i``'s yearly series."""
        sl = self.slices[i]
        return {k: v[sl] for k, v in self.series.items()}


def stack(members: Sequence[Member], n_months: int
          ) -> tuple[P.ParameterSet, dict[str, np.ndarray], np.ndarray | None]:
    """Members along the draw axis; a member without a path keeps its parameter's value."""
    sets = [m.params for m in members]
    if len(members) == 1:
        return sets[0], dict(members[0].paths), members[0].cost
    values = {k: np.concatenate([s[k] for s in sets]) for k in sets[0].values}
    params = P.ParameterSet(values, sum(s.n_draws for s in sets), sets[0].n_municipalities,
                            sets[0].names)
    keys = sorted({k for m in members for k in m.paths})
    paths = {k: np.concatenate([
        m.paths[k] if k in m.paths else np.broadcast_to(m.params[k][None],
                                                        (n_months, *m.params[k].shape))
        for m in members], axis=1) for k in keys}
    if all(m.cost is None for m in members):
        return params, paths, None
    cost = np.concatenate([m.cost if m.cost is not None else
                           np.zeros((n_months, m.params.n_draws, m.params.n_municipalities))
                           for m in members], axis=1)
    return params, paths, cost


def execute(members: Sequence[Member], inputs: PopulationInputs, n_months: int, *,
            first_year: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> Execution:
    """One engine call for all members, then the yearly series from ``first_year``.

    A member whose forecast is anchored at a published figure (``discrepancy.apply``) and whose
    levers already act by that figure's year gets a lever-free twin with the same draws: the
    anchor is the world's, not the plan's. Twins run after the members (``slices`` names the
    members' draws only).
    """
    twins = _anchor_twins(members, inputs.start_year)
    runs = [*members, *(Member(members[i].params, {}, None) for i in twins)]
    params, paths, cost = stack(runs, n_months)
    result = simulate(params, inputs, n_months, paths=paths, extra_cost=cost, progress=progress)
    start = result.start_year if first_year is None else first_year
    needed = [y for m in members if m.discrepancy is not None
              for y in [m.discrepancy.first_anchor_year()] if y is not None]
    lo = max(min([start, *needed]), result.start_year)
    series = aggregate(result, params, first_year=lo)
    bounds = np.cumsum([0, *(m.params.n_draws for m in runs)])
    slices = tuple(slice(int(a), int(b)) for a, b in itertools.pairwise(bounds))
    for i, (m, sl) in enumerate(zip(members, slices, strict=False)):
        if m.discrepancy is not None:
            twin = twins.get(i)
            D.apply(series, lo, sl, m.discrepancy,
                    None if twin is None else slices[len(members) + twin])
    if lo != start:
        series = {k: v[..., start - lo:] for k, v in series.items()}
    return Execution(result, params, series, slices[:len(members)])


def _anchor_twins(members: Sequence[Member], start_year: int) -> dict[int, int]:
    """Members whose levers change a parameter in a month up to their anchor year: member index
    -> twin number."""
    out: dict[int, int] = {}
    for i, m in enumerate(members):
        year = m.discrepancy.anchor_year() if m.discrepancy is not None else None
        if year is None or not m.paths:
            continue
        months = (year + 1 - start_year) * MONTHS_PER_YEAR
        if months > 0 and any(
                not np.array_equal(path[:months], np.broadcast_to(m.params[k][None],
                                                                  (min(months, len(path)),
                                                                   *m.params[k].shape)))
                for k, path in m.paths.items()):
            out[i] = len(out)
    return out


def forecast_scales(calibration: Calibration | None = None) -> dict[str, D.Scale]:
    """The model-discrepancy steps of a forecast under ``calibration`` (default: the shipped
    one)."""
    return (calibration or load_shipped()).discrepancy_scales()


def forecast_discrepancy(scenario: Scenario, calibration: Calibration | None = None, *,
                         codes: Sequence[str], first_draw: int = 0,
                         scales: Mapping[str, D.Scale] | None = None) -> D.Discrepancy:
    """The model discrepancy of a forecast under ``calibration`` with the scenario's seed: what
    every forecast path (run, compare, sweep, toets) adds. ``codes``: the areas' columns (the
    country's, ``NL01``, start from its last published figures); ``first_draw``: where a chunk
    of a sweep's draws starts; ``scales``: already resolved ones (:func:`forecast_scales`)."""
    return D.Discrepancy(forecast_scales(calibration) if scales is None else scales,
                         scenario.simulatie.zaad, first_draw,
                         tuple(j for j, c in enumerate(codes) if c == "NL01"))


def simulate_draws(params: P.ParameterSet, inputs: PopulationInputs,
                   n_months: int) -> SimulationResult:
    """The engine for given draws without levers: what the calibrations fit."""
    return execute([Member(params, {}, None)], inputs, n_months).result


@dataclass(frozen=True)
class Outcome:
    """One spec after the engine: its draws, inputs and the call it was part of."""

    spec: Spec
    inputs: PopulationInputs
    params: P.ParameterSet
    execution: Execution
    index: int

    @property
    def series(self) -> dict[str, np.ndarray]:
        """Yearly series ``(draws, areas, simulated years)`` from 2015."""
        return self.execution.member(self.index)


def run_specs(specs: Sequence[Spec], *, calibration: Calibration | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Run specs on common random numbers; specs with the same areas and population share one
    engine call (their draws are stacked)."""
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        key = (spec.codes, spec.scenario.bevolking.model_dump_json(), spec.n_months)
        groups.setdefault(key, []).append(i)
    out: list[Outcome | None] = [None] * len(specs)
    scales = forecast_scales(calibration)  # once: every spec of this call shares the calibration
    for members in groups.values():
        inputs = build_inputs(specs[members[0]])
        parts = []
        drawn: dict[tuple, P.ParameterSet] = {}  # the same seed, draws and overrides: the same
        for i in members:  # parameter draws (common random numbers), so draw them once
            sim = specs[i].scenario.simulatie
            key = (sim.zaad, sim.trekkingen, tuple(sorted(specs[i].scenario.parameters.items())))
            if key not in drawn:
                drawn[key] = parameter_set(specs[i].scenario, inputs.n_municipalities,
                                           calibration, codes=specs[i].codes)
            params = drawn[key]
            paths, cost = lever_paths(specs[i], params, inputs)
            parts.append(Member(params, paths, cost, forecast_discrepancy(
                specs[i].scenario, codes=specs[i].codes, scales=scales)))
        execution = execute(parts, inputs, specs[members[0]].n_months,
                            progress=progress if len(groups) == 1 else None)
        for j, i in enumerate(members):
            out[i] = Outcome(specs[i], inputs, parts[j].params, execution, j)
    return [o for o in out if o is not None]
