"""National sweep: every municipality x every scenario on common random numbers, in chunks.

Why chunks: 342 municipalities x 5 scenarios x 1,000 draws is 1.7 million simulated cells; the
model state and its accumulators take tens of kilobytes per cell, so the whole sweep does not fit
one process. Work is cut into *chunks* (a block of municipalities x a range of draws) whose
estimated memory fits a budget. Each chunk runs every scenario for its cells, so the paired
differences against the reference scenario use the same draws (common random numbers).

Why results do not depend on chunking or on the worker: every municipality is an independent
cell of the kernel, and a chunk's parameter draws are *sliced* from the parameter set that
:func:`jeugdstelsel.services.run.parameter_set` builds for the full number of draws (drawn once
from ``default_rng(seed)``; municipalities share a draw's values). A chunk therefore computes
exactly the numbers an unchunked :func:`jeugdstelsel.services.run.run` would, bit for bit. The
national per-draw sum of the municipalities is folded in block order (see
:mod:`jeugdstelsel.services.sweep_store`), so it too is the same locally and on a cluster.

Execution always goes through Dask ``distributed``: a ``LocalCluster`` of worker processes by
default, an existing scheduler with ``scheduler="tcp://host:port"``. One code path means the
same retries (a chunk whose worker dies is rescheduled by the scheduler), the same results and
the same tests for both; docs/sweep.md gives the reasons and the measurements.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.dimensions import N_AGES
from jeugdstelsel.core.outputs import SERIES, SERIES_BY_KEY
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.core.simulate import (
    GROUP_ACCUMULATORS,
    KERNEL_PARAMS,
    N_STOCKS,
    PERIOD_MONTHS,
    START_STOCKS,
    TOTAL_ACCUMULATORS,
)
from jeugdstelsel.core.units import Dimension
from jeugdstelsel.errors import SweepError
from jeugdstelsel.services.scenario import FIRST_YEAR, Scenario, ScenarioError

HEADLINE = tuple(s.key for s in SERIES if s.headline)
# Series summed per draw over the municipalities for the national total: the additive headline
# series (shares and mean waiting times do not add up), re-entries for the national share and
# the population for rates.
NATIONAL_KEYS = (*(k for k in HEADLINE if SERIES_BY_KEY[k].unit.dimension
                    not in (Dimension.PERCENT, Dimension.WEEKS)),
                 "trajecten_gestart_herhaald", "bevolking_0_22")
# Effects summarised over the period: flows are summed over the years, levels taken at the end.
SUMMED_OVER_PERIOD = frozenset({"trajecten_gestart", "uitgaven"})
STAT_NAMES = ("mediaan", "p10", "p90", "p2.5", "p97.5", "gemiddelde")
STAT_Q = (50.0, 10.0, 90.0, 2.5, 97.5)
DEFAULT_CHUNK_MB = 256
MAX_BLOCK_MUNICIPALITIES = 8  # keeps enough chunks for load balancing over 16 workers




@dataclass(frozen=True)
class SweepPlan:
    """What a sweep computes; frozen so that its hash identifies stored results.

    ``scenarios[0]`` is the reference. ``block`` municipalities and ``chunk_draws`` draws make a
    chunk; both follow from the plan alone (never from the workers), so a rerun on another
    machine cuts the same chunks and folds the national total in the same order.
    """

    names: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    codes: tuple[str, ...]
    draws: int
    seed: int
    start: int
    end: int
    chunk_draws: int
    block: int
    risk: tuple[tuple[str, float], ...] = ()  # per-municipality calibrated risk index (seam)
    routekaart: bool = False  # also the reform agenda's targets per municipality (draw level)

    @property
    def reference(self) -> str:
        return self.names[0]

    @property
    def n_years(self) -> int:
        return self.end - self.start + 1

    @property
    def n_months(self) -> int:
        return (self.end - FIRST_YEAR + 1) * 12

    def blocks(self) -> list[tuple[str, ...]]:
        return [self.codes[i: i + self.block] for i in range(0, len(self.codes), self.block)]

    def draw_ranges(self) -> list[tuple[int, int]]:
        return [(lo, min(lo + self.chunk_draws, self.draws))
                for lo in range(0, self.draws, self.chunk_draws)]

    def chunks(self) -> list[Chunk]:
        return [Chunk(b, codes, lo, hi) for b, codes in enumerate(self.blocks())
                for lo, hi in self.draw_ranges()]

    def scenario_hashes(self) -> dict[str, str]:
        """A hash per scenario of everything that changes its numbers."""
        return {n: _hash(s.model_dump(mode="json", exclude={"gebied"}))
                for n, s in zip(self.names, self.scenarios, strict=True)}

    def identity(self) -> dict:
        """The manifest: stored partitions are reused only while this is unchanged."""
        from jeugdstelsel.services.calibration import load_shipped

        cal = load_shipped()
        return {"versie": 1, "scenarios": self.scenario_hashes(), "referentie": self.reference,
                "zaad": self.seed, "trekkingen": self.draws, "start": self.start,
                "eind": self.end, "gemeenten": _hash(list(self.codes)),
                "blok": self.block, "trekkingen_per_chunk": self.chunk_draws,
                "risico": _hash([list(r) for r in self.risk]),
                "kalibratie": {"gebied": cal.area, "gemaakt": cal.created},
                "hefbomen": importlib.util.find_spec("jeugdstelsel.levers") is not None,
                **({"routekaart": True} if self.routekaart else {})}


@dataclass(frozen=True)
class Chunk:
    """A block of municipalities x a range of draws ``[lo, hi)``; all scenarios."""

    block: int
    codes: tuple[str, ...]
    lo: int
    hi: int


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def bytes_per_cell(n_months: int, n_years: int) -> int:
    """Estimated peak bytes of one (draw, municipality, scenario) cell in a chunk.

    From the arrays :func:`~jeugdstelsel.core.simulate.simulate` and
    :func:`~jeugdstelsel.core.outputs.aggregate` allocate: the state (stocks x ages), the
    per-period accumulators and start stocks, the per-month parameter copy of the kernel's
    inputs, the yearly series with their temporaries (x3), and lever paths (a few per month).
    About 1.4 kB per simulated month plus a fixed part; the benchmark measures the real peak.
    """
    periods = n_months // PERIOD_MONTHS
    state = N_STOCKS * N_AGES * 8 * 2  # x and the spin-up copy
    groups = (len(GROUP_ACCUMULATORS) + len(START_STOCKS) + 2) * periods * 2 * 8
    totals = len(TOTAL_ACCUMULATORS) * periods * 8
    params = (len(KERNEL_PARAMS) + 12) * 8 * 2
    series = len(SERIES) * (n_months // 12) * 8 * 3
    paths = 4 * n_months * 8  # lever paths and their cost, when a scenario has levers
    return state + groups + totals + params + series + paths


def plan(paths: Sequence[Path], *, codes: Sequence[str] | None, draws: int | None = None,
         basis: Path | None = None, seed: int | None = None, chunk_draws: int | None = None,
         chunk_mb: int = DEFAULT_CHUNK_MB, risk: dict[str, float] | None = None) -> SweepPlan:
    """Load and check the scenario files and cut the work into chunks.

    Every scenario runs with the same draws and seed (the reference's seed unless ``seed`` is
    given), over the same period: otherwise the paired differences would compare different
    things. ``codes=None`` means all municipalities of the 2024 division.
    """
    from jeugdstelsel.services.scenario import load

    files = ([Path(basis)] if basis else []) + [Path(p) for p in paths]
    if not files:
        raise SweepError("geef minstens één scenariobestand")
    return plan_scenarios([load(f) for f in files], [f.stem for f in files],
                          [str(f) for f in files], codes=codes, draws=draws, seed=seed,
                          chunk_draws=chunk_draws, chunk_mb=chunk_mb, risk=risk)


def plan_scenarios(loaded: Sequence[Scenario], stems: Sequence[str], sources: Sequence[str], *,
                   codes: Sequence[str] | None, draws: int | None = None,
                   seed: int | None = None, chunk_draws: int | None = None,
                   chunk_mb: int = DEFAULT_CHUNK_MB, risk: dict[str, float] | None = None,
                   routekaart: bool = False) -> SweepPlan:
    """:func:`plan` for scenarios already loaded (the Routekaart's baseline and plan);
    ``routekaart`` adds the reform agenda's targets per municipality to every block."""
    from jeugdstelsel.data.municipalities import municipality_table

    names = _unique_names(list(stems))
    files = list(sources)
    ref = loaded[0]
    periods = {(s.periode.start, s.periode.eind) for s in loaded}
    if len(periods) > 1:
        detail = ", ".join(f"{n}: {s.periode.start}-{s.periode.eind}"
                           for n, s in zip(names, loaded, strict=True))
        raise ScenarioError(f"alle scenario's in een sweep moeten dezelfde periode hebben "
                            f"({detail})")
    n_draws = draws if draws is not None else ref.simulatie.trekkingen
    if n_draws < 2:
        raise SweepError("een sweep heeft minstens 2 trekkingen nodig voor banden")
    zaad = ref.simulatie.zaad if seed is None else seed
    scenarios = tuple(s.model_copy(update={"simulatie": s.simulatie.model_copy(
        update={"trekkingen": n_draws, "zaad": zaad})}) for s in loaded)
    from jeugdstelsel.services import pipeline

    table = municipality_table()
    known = list(table["gm_code"])
    if codes is None:
        chosen = tuple(known)
    else:
        from jeugdstelsel.data.municipalities import normalise_code

        chosen = tuple(dict.fromkeys(normalise_code(c) for c in codes))
        unknown = [c for c in chosen if c not in set(known)]
        if unknown:
            raise SweepError(f"onbekende gemeentecode(s): {', '.join(unknown)}; gebruik GM-codes "
                             f"van de gemeentelijke indeling 2024 of 'alle'")
    for f, s in zip(files, scenarios, strict=True):  # levers checked before any worker starts
        pipeline.specify(s, str(f), codes=chosen[:1])
    per_cell = bytes_per_cell((ref.periode.eind - FIRST_YEAR + 1) * 12,
                              ref.periode.eind - FIRST_YEAR + 1)
    budget = chunk_mb * 2**20
    d = min(chunk_draws or n_draws, n_draws)
    if chunk_draws is None and d * len(scenarios) * per_cell > budget:
        d = max(1, budget // (len(scenarios) * per_cell))
    # Small sweeps get one municipality per chunk so that every worker has work; large ones
    # at most MAX_BLOCK_MUNICIPALITIES. Only plan inputs decide, never the cluster.
    block = int(max(1, min(MAX_BLOCK_MUNICIPALITIES, len(chosen) // 128,
                           budget // (d * len(scenarios) * per_cell))))
    return SweepPlan(tuple(names), scenarios, chosen, n_draws, zaad, ref.periode.start,
                     ref.periode.eind, int(d), block, tuple(sorted((risk or {}).items())),
                     routekaart)


def _unique_names(stems: list[str]) -> list[str]:
    out: list[str] = []
    for stem in stems:
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem) or "scenario"
        base, i = name, 2
        while name in out:
            name, i = f"{base}_{i}", i + 1
        out.append(name)
    return out


# ----------------------------------------------------------------------------------------------
# Worker side: a chunk -> per-draw series -> statistics. Top-level functions, so they pickle.


@functools.lru_cache(maxsize=4)
def _all_inputs(end: int, risk: tuple[tuple[str, float], ...]) -> PopulationInputs:
    """Inputs of all 342 municipalities, built once per worker process.

    Building inputs fits the national migration (tenths of a second); per chunk and scenario
    that would cost minutes over a national sweep. Rows are sliced per block: the values of a
    municipality do not depend on which others are in the subset.
    """
    from jeugdstelsel.data.municipalities import municipality_table
    from jeugdstelsel.services.inputs import municipal_inputs
    from jeugdstelsel.services.municipal_calibration import stored_for_run

    # the same risk index a run of one municipality uses: its calibration, unless overridden
    codes = list(municipality_table()["gm_code"])
    calibrated = {c: s.risk for c, s in stored_for_run(codes).items()}
    return municipal_inputs(None, FIRST_YEAR, end, {**calibrated, **dict(risk)} or None)


_SCENARIO_INPUTS: dict[tuple, PopulationInputs] = {}


def _scenario_inputs(plan: SweepPlan, scenario: Scenario) -> PopulationInputs:
    """All municipalities' inputs with the scenario's population assumptions, once per worker.

    ``adjust_population`` reads the reference figures (about 0.03 s a call, every scenario of
    every chunk before this cache). It only scales births and migration element-wise, so
    adjusting all municipalities and slicing rows afterwards gives the same numbers bit for
    bit. The key holds everything it reads from the scenario (``bevolking``).
    """
    from jeugdstelsel.services.pipeline import adjust_population

    key = (plan.end, plan.risk, scenario.bevolking.model_dump_json())
    if key not in _SCENARIO_INPUTS:
        if len(_SCENARIO_INPUTS) >= 32:  # another plan on a long-lived worker
            _SCENARIO_INPUTS.clear()
        _SCENARIO_INPUTS[key] = adjust_population(_all_inputs(plan.end, plan.risk), scenario)
    return _SCENARIO_INPUTS[key]


def block_inputs(plan: SweepPlan, scenario: Scenario, codes: Sequence[str]) -> PopulationInputs:
    """The inputs :func:`jeugdstelsel.services.run.build_inputs` gives for these codes."""
    full = _scenario_inputs(plan, scenario)
    where = {c: i for i, c in enumerate(full.names)}
    idx = np.array([where[c] for c in codes])
    return PopulationInputs(full.start_year, full.population0[idx], full.births[:, idx],
                            full.migration[idx], full.risk[idx], tuple(codes),
                            full.migration_index)


@dataclass(frozen=True)
class SweepDraws:
    """A scenario's draws for a sweep: the national ones and each municipality's own.

    ``national`` holds every parameter ``(draws, 1)``, shared by all municipalities;
    ``municipal[name]`` ``(draws, len(codes))`` the municipally calibrated parameters, drawn as
    :func:`jeugdstelsel.services.pipeline.parameter_set` draws them for a run of one
    municipality (its own random stream), so a sweep's column equals that run.
    """

    national: P.ParameterSet
    municipal: dict[str, np.ndarray]
    codes: tuple[str, ...]

    @property
    def n_draws(self) -> int:
        return self.national.n_draws


def draw_parameters(plan: SweepPlan) -> dict[str, SweepDraws]:
    """All draws of every scenario, made once in the driver.

    Why in the driver: the posterior draws go through an SVD (LAPACK), whose last bits depend
    on the BLAS thread count, which differs between the driver and Dask workers (the nanny sets
    ``OMP_NUM_THREADS=1``) and between machines of a cluster. Drawing once and shipping the
    arrays (a few MB per scenario) makes every worker use the very same numbers that
    :func:`jeugdstelsel.services.run.run` draws in this process.
    """
    from jeugdstelsel.services.pipeline import municipal_updates, parameter_set

    out = {}
    for name, s in zip(plan.names, plan.scenarios, strict=True):
        national = parameter_set(s, 1)
        out[name] = SweepDraws(national, municipal_updates(s, plan.codes, national), plan.codes)
    return out


def chunk_parameters(full: SweepDraws, codes: Sequence[str], lo: int, hi: int
                     ) -> P.ParameterSet:
    """Draws ``lo..hi`` of a scenario for the municipalities ``codes`` (``("NL01",)``: the
    country, national draws only)."""
    n = len(codes)
    values = {k: np.repeat(v[lo:hi], n, axis=1) for k, v in full.national.values.items()}
    if tuple(codes) != ("NL01",) and full.municipal:
        where = {c: i for i, c in enumerate(full.codes)}
        idx = np.array([where[c] for c in codes])
        for k, v in full.municipal.items():
            values[k] = np.ascontiguousarray(v[lo:hi][:, idx])
    return P.ParameterSet(values, hi - lo, n, full.national.names)


def chunk_levers(plan: SweepPlan, scenario: Scenario, full: SweepDraws,
                 codes: Sequence[str], inputs, lo: int, hi: int):
    """Lever paths and cost for draws ``lo..hi`` (``({}, None)`` without levers).

    Paths are built by the pipeline for *all* draws and then sliced, so the lever effect sizes
    drawn per draw are the same whatever the chunking.
    """
    from jeugdstelsel.services import pipeline

    spec = pipeline.specify(scenario, codes=codes)
    if not spec.plan.active:
        return {}, None
    paths, extra = pipeline.lever_paths(spec, chunk_parameters(full, codes, 0, plan.draws),
                                        inputs)
    paths = {k: np.ascontiguousarray(v[:, lo:hi]) for k, v in paths.items()}
    extra = None if extra is None else np.ascontiguousarray(extra[:, lo:hi])
    return paths, extra


def simulate_cells(plan: SweepPlan, scenario: Scenario, full: SweepDraws,
                   codes: Sequence[str], lo: int, hi: int) -> dict[str, np.ndarray]:
    """Per-draw yearly series ``(hi-lo, municipalities, years)`` for the plan's period."""
    return _simulate_one(plan, scenario, full, block_inputs(plan, scenario, codes), codes, lo,
                         hi)


def _simulate_one(plan: SweepPlan, scenario: Scenario, full: SweepDraws,
                  inputs: PopulationInputs, codes: Sequence[str], lo: int,
                  hi: int) -> dict[str, np.ndarray]:
    from jeugdstelsel.services import pipeline

    member = pipeline.Member(chunk_parameters(full, codes, lo, hi),
                             *chunk_levers(plan, scenario, full, codes, inputs, lo, hi),
                             pipeline.forecast_discrepancy(scenario, codes=codes, first_draw=lo))
    ex = pipeline.execute([member], inputs, plan.n_months, first_year=plan.start)
    return _member_series(plan, ex, 0)


def _member_series(plan: SweepPlan, ex, i: int) -> dict[str, np.ndarray]:
    """Member ``i``'s yearly series, plus the first line's share when the plan has a
    Routekaart (it needs the engine's layer accumulators, which the series do not keep)."""
    out = {k: np.ascontiguousarray(v) for k, v in ex.member(i).items()}
    if plan.routekaart:
        from jeugdstelsel.services.routekaart import SHARE_FIRST_LINE, first_line_share

        out[SHARE_FIRST_LINE] = first_line_share(ex, ex.slices[i],
                                                 plan.start - ex.result.start_year)
    return out


def _same_inputs(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f))
               for f in ("population0", "births", "migration", "migration_index", "risk"))


def simulate_scenarios(plan: SweepPlan, draws: dict[str, SweepDraws], codes: Sequence[str],
                       lo: int, hi: int) -> dict[str, dict[str, np.ndarray]]:
    """All scenarios of a chunk in one engine call, stacked along the draw axis.

    On common random numbers the scenarios' draws are identical until their levers start, and
    the engine then simulates the shared spin-up and years only once; the numbers equal those
    of :func:`simulate_cells` per scenario. Scenarios with different population inputs cannot
    share a call and run one by one.
    """
    inputs = [block_inputs(plan, s, codes) for s in plan.scenarios]
    return _simulate_stacked(plan, draws, inputs, codes, lo, hi)


def _simulate_stacked(plan: SweepPlan, draws: dict[str, SweepDraws],
                      inputs: list[PopulationInputs], codes: Sequence[str], lo: int,
                      hi: int) -> dict[str, dict[str, np.ndarray]]:
    """:func:`simulate_scenarios` for given inputs per scenario (municipalities or the
    country)."""
    if not all(_same_inputs(inputs[0], other) for other in inputs[1:]):
        return {name: _simulate_one(plan, s, draws[name], inp, codes, lo, hi)
                for name, s, inp in zip(plan.names, plan.scenarios, inputs, strict=True)}
    from jeugdstelsel.services import pipeline

    members = [pipeline.Member(chunk_parameters(draws[name], codes, lo, hi),
                               *chunk_levers(plan, scenario, draws[name], codes, inputs[0], lo,
                                             hi),
                               pipeline.forecast_discrepancy(scenario, codes=codes, first_draw=lo))
               for name, scenario in zip(plan.names, plan.scenarios, strict=True)]
    ex = pipeline.execute(members, inputs[0], plan.n_months, first_year=plan.start)
    return {name: _member_series(plan, ex, i) for i, name in enumerate(plan.names)}


def _configure_numba() -> int:
    """Numba threads for this task: the worker's share of the cores (no oversubscription).

    ``JEUGDSTELSEL_NUMBA_THREADS`` (set by :func:`run_sweep` on each worker) wins; Numba's
    setting is per calling thread, so it is applied inside every task.
    """
    import numba

    wanted = int(os.environ.get("JEUGDSTELSEL_NUMBA_THREADS", "0") or 0)
    if wanted <= 0:
        return numba.get_num_threads()
    n = max(1, min(wanted, numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(n)
    return n


@dataclass
class ChunkOutput:
    """What a chunk sends back: small when it holds all draws (statistics), raw otherwise."""

    block: int
    lo: int
    hi: int
    codes: tuple[str, ...]
    raw: dict[str, dict[str, np.ndarray]] | None  # scenario -> key -> (draws, m, years)
    finished: BlockResult | None
    national: dict[str, np.ndarray]  # scenario -> (keys, draws, municipalities, years)
    seconds: float
    peak_rss: int
    pid: int
    host: str = ""
    cpu_seconds: float = 0.0  # process CPU during the task (wall ``seconds`` is load-dependent)


@dataclass
class BlockResult:
    """Statistics of a block with all its draws: partitions and effect rows as Parquet files
    (bytes, :func:`jeugdstelsel.services.sweep_store.encode`), ready to write."""

    partitions: dict[tuple[str, str], bytes] = field(default_factory=dict)
    effects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    routekaart: dict[tuple[str, str], bytes] = field(default_factory=dict)


def run_chunk(plan: SweepPlan, chunk: Chunk, draws: dict[str, SweepDraws]) -> ChunkOutput:
    """Worker entry point: simulate every scenario for the chunk's cells."""
    import resource
    import socket

    t0, c0 = time.perf_counter(), time.process_time()
    _configure_numba()
    raw = simulate_scenarios(plan, draws, chunk.codes, chunk.lo, chunk.hi)
    national = {name: national_part(series) for name, series in raw.items()}
    finished = None
    if chunk.lo == 0 and chunk.hi == plan.draws:
        finished = finish_block(plan, chunk.codes, raw)
        raw = None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return ChunkOutput(chunk.block, chunk.lo, chunk.hi, chunk.codes, raw, finished, national,
                       time.perf_counter() - t0, peak, os.getpid(), socket.gethostname(),
                       time.process_time() - c0)


def national_part(series: dict[str, np.ndarray]) -> np.ndarray:
    """(keys, draws, municipalities, years): per-draw values the national total is made of.

    The store adds them municipality by municipality in code order, so the national sum does
    not depend on how municipalities and draws were cut into chunks.
    """
    return np.stack([series[k] for k in NATIONAL_KEYS])


def quantiles(rows: np.ndarray, q: Sequence[float], *,
              overwrite_input: bool = False) -> np.ndarray:
    """``np.percentile(rows, q, axis=1)`` bit for bit: ``(r, n)`` -> ``(len(q), r)``.

    Why not ``np.percentile``: for several quantiles it runs introselect for a dozen kth
    indices per row, which costs more than a full sort of the row with NumPy's SIMD sort
    (measured 16.5 ms against 6.5 ms for 660 rows x 1,000 draws, even on contiguous rows).
    Order statistics do not depend on how they were found, and the interpolation below repeats
    NumPy's ``linear`` method step by step (virtual index ``(n - 1) q``, neighbours clipped to
    the ends, gamma = index - floor, ``_lerp`` with its two-sided formula, NaN rows -> NaN),
    so the results are NumPy's; tests/sweep check that, ties and NaN included. (Only the sign
    of a zero could differ: a sort may order -0.0 and 0.0 differently from a partition.)
    ``overwrite_input`` sorts a C-contiguous ``rows`` in place instead of a copy.
    """
    if overwrite_input and rows.flags.c_contiguous:
        ordered = rows
        ordered.sort(axis=1)
    else:
        ordered = np.sort(np.ascontiguousarray(rows), axis=1)
    n = ordered.shape[1]
    virtual = (n - 1) * np.true_divide(np.asarray(q, dtype=float), 100)
    previous = np.floor(virtual)
    following = previous + 1
    previous[virtual >= n - 1] = -1
    following[virtual >= n - 1] = -1
    previous[virtual < 0] = 0
    following[virtual < 0] = 0
    previous, following = previous.astype(np.intp), following.astype(np.intp)
    gamma = np.asarray(virtual - previous, dtype=virtual.dtype)[:, None]
    a, b = ordered[:, previous].T, ordered[:, following].T
    diff_b_a = b - a
    out = np.add(a, diff_b_a * gamma)
    np.subtract(b, diff_b_a * (1 - gamma), out=out, where=gamma >= 0.5)
    last = ordered[:, -1]
    nan = np.isnan(last)
    if nan.any():
        np.copyto(out, last, where=nan)
    return out


def medians(rows: np.ndarray) -> np.ndarray:
    """``np.median`` of every row, bit for bit: the mean of the middle one or two values."""
    ordered = np.sort(np.ascontiguousarray(rows), axis=1)
    n = ordered.shape[1]
    middle = ordered[:, (n - 1) // 2: n // 2 + 1]
    out = middle.mean(axis=1)
    nan = np.isnan(ordered[:, -1])
    out[nan] = np.nan
    return out


def statistics(values: np.ndarray) -> np.ndarray:
    """(draws, municipalities, columns) -> (6, municipalities, columns): median, p10, p90,
    p2.5, p97.5 and mean over draws.

    Percentiles sort each column's draws as one contiguous row (:func:`quantiles`). Means stay
    per municipality on a contiguous (draws, columns) array, reduced along the draws: numpy's
    summation order depends on the array's shape and strides, and the mean must not depend on
    the block width.
    """
    d, shape = values.shape[0], values.shape[1:]
    out = np.empty((len(STAT_NAMES), *shape))
    rows = np.ascontiguousarray(values.reshape(d, -1).T)
    out[:len(STAT_Q)] = quantiles(rows, STAT_Q, overwrite_input=True).reshape(len(STAT_Q),
                                                                               *shape)
    for j in range(shape[0]):
        out[-1, j] = np.ascontiguousarray(values[:, j]).mean(axis=0)
    return out


def finish_block(plan: SweepPlan, codes: Sequence[str],
                 raw: dict[str, dict[str, np.ndarray]]) -> BlockResult:
    """Statistics, paired differences and effect summaries for a block with all its draws.

    All series of a scenario are stacked into one ``(draws, m, series x years)`` array so that
    one sort serves them all (per-series calls cost a quarter of a chunk's time); percentiles
    and means are element-wise over draws, so the numbers are those of :func:`statistics` on
    each series.
    """
    from jeugdstelsel.services import sweep_store as store
    from jeugdstelsel.services.routekaart import SHARE_FIRST_LINE

    out = BlockResult()
    years = np.arange(plan.start, plan.end + 1)
    if plan.routekaart:  # targets from every draw, before the statistics drop them
        from jeugdstelsel.services.routekaart import sweep_rows

        for name in plan.names:
            for j, code in enumerate(codes):
                out.routekaart[(name, code)] = store.encode(store.effect_table(
                    sweep_rows(raw[name], j, years, name)))
    raw = {n: {k: v for k, v in series.items() if k != SHARE_FIRST_LINE}
           for n, series in raw.items()}
    ref = raw[plan.reference]
    keys = list(ref)
    ref_stack = np.concatenate([ref[k] for k in keys], axis=2)
    for name in plan.names:
        series = raw[name]
        stack = np.concatenate([series[k] for k in keys], axis=2)
        stats = _unstack(statistics(stack), keys, len(years))
        diffs = (_unstack(statistics(stack - ref_stack), keys, len(years))
                 if name != plan.reference else None)
        for j, code in enumerate(codes):
            out.partitions[(name, code)] = store.encode(
                store.partition_table(stats, diffs, j, years))
            if name != plan.reference:
                out.effects[(name, code)] = store.encode(
                    store.effect_table(effects(series, ref, j)))
    return out


def _unstack(stats: np.ndarray, keys: list[str], n_years: int) -> dict[str, np.ndarray]:
    return {k: stats[:, :, i * n_years:(i + 1) * n_years] for i, k in enumerate(keys)}


def effects(series: dict[str, np.ndarray], ref: dict[str, np.ndarray], j: int) -> list[dict]:
    """Per headline series: the paired difference with the reference over the period.

    Flows (trajectories, spending) are summed over the years, levels are taken in the last
    year. Two ranking measures per young person (0-22, mean over the period, reference):
    specialist and first-line trajectories avoided per 1,000 and net euro saved (lever costs
    included, since ``uitgaven`` holds them). Medians and percentiles of all rows are taken in
    one sort each (the values of ``np.median`` and ``np.percentile``).
    """
    pop = ref["bevolking_0_22"][:, j].mean(axis=1)
    meta, values, refs, diffs = [], [], [], []
    for key in HEADLINE:
        a, b = series[key][:, j], ref[key][:, j]
        if key in SUMMED_OVER_PERIOD:
            a, b, how = a.sum(axis=1), b.sum(axis=1), "som over de periode"
        else:
            a, b, how = a[:, -1], b[:, -1], "laatste jaar"
        meta.append((key, SERIES_BY_KEY[key].label_nl, SERIES_BY_KEY[key].unit, how))
        values.append(a)
        refs.append(b)
        diffs.append(a - b)
    avoided = (ref["trajecten_gestart"][:, j].sum(1) - series["trajecten_gestart"][:, j].sum(1))
    meta.append(("trajecten_voorkomen_per_1000", "Gestarte trajecten voorkomen per 1.000 jongeren",
                 "per 1.000 jongeren", "som over de periode"))
    diffs.append(1000.0 * avoided / pop)
    saved = ref["uitgaven"][:, j].sum(1) - series["uitgaven"][:, j].sum(1)
    meta.append(("netto_euro_per_jongere", "Netto besparing per jongere (0-22)",
                 "euro per jongere", "som over de periode"))
    diffs.append(saved / pop)
    mid = medians(np.stack(values + refs))
    q50, q10, q90 = quantiles(np.stack(diffs), (50.0, 10.0, 90.0))
    n = len(values)
    rows = []
    for i, (key, label, unit, how) in enumerate(meta):
        rows.append({"reeks": key, "omschrijving": label, "eenheid": unit, "maat": how,
                     "scenario_mediaan": float(mid[i]) if i < n else float("nan"),
                     "referentie_mediaan": float(mid[n + i]) if i < n else float("nan"),
                     "verschil_mediaan": float(q50[i]), "verschil_p10": float(q10[i]),
                     "verschil_p90": float(q90[i]), "kans_lager": float(np.mean(diffs[i] < 0))})
    return rows


def national_model(plan: SweepPlan, draws: dict[str, SweepDraws]) -> dict[str, np.ndarray]:
    """The national model (the country as one area) per scenario: (keys, draws, years).

    All scenarios in one engine call like a chunk (:func:`simulate_scenarios`), so they share
    the years before their levers start: about half the CPU of one call per scenario.
    """
    from jeugdstelsel.services import pipeline

    _configure_numba()
    inputs = []
    for s in plan.scenarios:
        nl = s.model_copy(update={"gebied": s.gebied.model_copy(update={"gemeente": "Nederland"})})
        inputs.append(pipeline.build_inputs(pipeline.specify(nl)))
    series = _simulate_stacked(plan, draws, inputs, ("NL01",), 0, plan.draws)
    return {name: np.stack([series[name][k][:, 0] for k in NATIONAL_KEYS]) for name in plan.names}


# ----------------------------------------------------------------------------------------------
# Driver side.


@dataclass
class SweepReport:
    """What a finished sweep did: counts, times, memory and where the results are."""

    out: Path
    partitions_total: int
    partitions_computed: int
    partitions_skipped: int
    chunks_computed: int
    seconds: float
    workers: int
    peak_rss_per_worker: dict[str, int]
    national_difference: object = None  # pandas.DataFrame, sum of municipalities vs model
    files: list[Path] = field(default_factory=list)


# Dask settings of the local cluster: no dashboard profiling, slower housekeeping timers.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "500ms",
}


KEEP_FREED_BYTES = 2**30  # allocations below this come from (and return to) the heap
# glibc's allocator thresholds, set to KEEP_FREED_BYTES for a local cluster's workers.
ALLOCATOR_VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")


def local_cluster(n_workers: int | None = None, *, malloc_trim: bool = False,
                  numba_threads: int | None = None, memory_limit: str | int = "auto"):
    """A ``LocalCluster`` of worker processes, tuned for this NumPy/Numba workload.

    ``malloc_trim=False`` replaces the ``MALLOC_TRIM_THRESHOLD_`` the nanny sets by default
    (with it the allocator returns memory eagerly) by thresholds that keep freed memory for the
    next chunk (measured in docs/sweep.md). Numba gets the worker's share of the cores.

    The periodic work of a cluster is turned down to what a batch job needs
    (:data:`QUIET_CLUSTER`): the statistical profiler (a stack sample every 10 ms, for the
    dashboard), the 20 ms event-loop tick, the 0.5 s system monitor and the 0.1 s memory
    monitor. Idle, 2 workers and the driver used 12% of a core for these (0.5 + 0.8 CPU-s per
    10 s), 2% without; during a sweep about 0.1 s CPU per chunk in driver and workers.
    """
    import logging

    import dask
    from distributed import LocalCluster

    cores = os.cpu_count() or 1
    n = n_workers or max(1, min(cores, 8))
    threads = numba_threads or max(1, cores // n)
    # Not NUMBA_NUM_THREADS: the nanny writes these into the *parent's* os.environ too, and a
    # changed NUMBA_NUM_THREADS makes every later Numba compile in that process fail. Tasks
    # apply JEUGDSTELSEL_NUMBA_THREADS with numba.set_num_threads instead (_configure_numba).
    environ = {"JEUGDSTELSEL_NUMBA_THREADS": str(threads), "OMP_NUM_THREADS": "1"}
    if not malloc_trim:
        # Keep freed memory in the process for the next chunk: a chunk allocates and frees
        # ~100 MB of arrays, which glibc otherwise maps fresh (above its 32 MB mmap ceiling)
        # and the kernel zeroes page by page, every chunk (docs/sweep.md).
        environ.update(dict.fromkeys(ALLOCATOR_VARIABLES, str(KEEP_FREED_BYTES)))
    with _own_environment(environ.keys() | set(ALLOCATOR_VARIABLES)), \
            dask.config.set({**{f"distributed.nanny.pre-spawn-environ.{k}": v
                                for k, v in environ.items()}, **QUIET_CLUSTER}):
        return LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                            dashboard_address=":0", silence_logs=logging.ERROR,
                            memory_limit=memory_limit)


@contextlib.contextmanager
def _own_environment(keys):
    """Let the cluster's own worker settings win, and leave the caller's environment as it was.

    The nanny writes its pre-spawn variables into *this* process's ``os.environ`` before it
    spawns a worker, and a variable already in ``os.environ`` overrides the Dask setting of the
    next nanny. A second cluster in the same process (the benchmark: 1 worker, then 2) thus
    inherited the first one's ``JEUGDSTELSEL_NUMBA_THREADS=2`` and ran oversubscribed, and
    ``malloc_trim=True`` kept the previous cluster's allocator thresholds. A nanny that restarts
    a killed worker keeps the variables it read when it was created.
    """
    saved = os.environ.copy()
    for key in keys:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key in os.environ.keys() - saved.keys():
            del os.environ[key]
        os.environ.update(saved)


def _configure_remote(dask_worker, per_host: dict[str, int]) -> int:
    """Run on each worker of an existing cluster: its host's cores shared by its workers."""
    n = max(1, (os.cpu_count() or 1) // max(1, per_host.get(dask_worker.ip, 1)))
    os.environ["JEUGDSTELSEL_NUMBA_THREADS"] = str(n)
    return n


def run_sweep(plan: SweepPlan, out: Path, *, scheduler: str | None = None,
              workers: int | None = None, progress: Callable[[int, int], None] | None = None,
              retries: int = 3, client=None, malloc_trim: bool = False,
              on_chunk: Callable[[ChunkOutput], None] | None = None) -> SweepReport:
    """Run (or resume) a sweep into ``out``; returns a :class:`SweepReport`.

    Finished partitions under ``out`` whose manifest matches the plan are kept and their chunks
    skipped; a changed plan clears them first. ``client`` reuses a connected Dask client (tests
    and the benchmark); otherwise ``scheduler`` connects to a cluster or a local one is started.
    """
    from jeugdstelsel.services import sweep_store as store

    t0 = time.perf_counter()
    out = Path(out)
    state = store.open_store(out, plan)
    todo = state.pending_chunks(plan)
    cluster = None
    own_client = client is None
    if client is None:
        cluster, client = open_client(scheduler, workers, malloc_trim=malloc_trim)
    try:
        info = client.scheduler_info(n_workers=-1)["workers"]
        if scheduler:
            per_host: dict[str, int] = {}
            for w in info.values():
                per_host[w["host"]] = per_host.get(w["host"], 0) + 1
            client.run(_configure_remote, per_host=per_host)
        _check_memory(plan, info)
        report = _execute(plan, state, todo, client, progress, retries, on_chunk)
        report.workers = len(info)
    finally:
        if own_client:
            close_cluster(cluster, client)
    report.seconds = time.perf_counter() - t0
    return report


def open_client(scheduler: str | None, workers: int | None, *, malloc_trim: bool = False):
    """``(cluster, client)``: connected to ``scheduler``, or to a new local cluster (then
    ``cluster`` is that cluster, for :func:`close_cluster`; else ``None``)."""
    from distributed import Client

    if scheduler:
        try:
            return None, Client(scheduler, timeout="10s")
        except OSError as exc:
            raise SweepError(f"kan geen verbinding maken met de scheduler {scheduler}: "
                             f"{exc}") from exc
    cluster = local_cluster(workers, malloc_trim=malloc_trim)
    return cluster, Client(cluster)


def close_cluster(cluster, client, *, timeout: float = 60) -> None:
    """Close ``client`` and, when given, ``cluster``, each within ``timeout`` seconds.

    Best effort: by now the results are on disk or the sweep has failed, and a nanny that does
    not answer (one still restarting a killed worker) must not keep the sweep from returning.
    """
    import logging

    log = logging.getLogger(__name__)
    try:
        client.close(timeout=timeout)
    except Exception as exc:  # TimeoutError, CommClosedError: the connection is gone either way
        log.warning("Dask-client niet netjes gesloten: %s", exc)
    if cluster is not None:
        try:
            cluster.close(timeout=timeout)
        except Exception as exc:
            log.warning("Lokaal Dask-cluster niet netjes gesloten: %s", exc)


def _check_memory(plan: SweepPlan, workers: dict) -> None:
    """Refuse chunks that cannot fit the smallest worker (rather than let it be killed)."""
    limits = [w.get("memory_limit") or 0 for w in workers.values()]
    limits = [x for x in limits if x]
    if not limits:
        return
    need = plan.chunk_draws * plan.block * len(plan.scenarios) * bytes_per_cell(
        plan.n_months, plan.n_months // 12)
    if need > 0.6 * min(limits):
        raise SweepError(f"een chunk heeft ca. {need / 2**20:.0f} MiB nodig, de kleinste worker "
                         f"heeft {min(limits) / 2**20:.0f} MiB; kies een kleinere --chunk-draws")


def _execute(plan, state, todo, client, progress, retries, on_chunk) -> SweepReport:
    from distributed import as_completed

    total = len(plan.codes) * len(plan.names)
    done_parts = total - sum(len(c.codes) for c in {c.block: c for c in todo}.values()) * len(
        plan.names)
    if progress:
        progress(done_parts, total)
    # A fresh key per sweep: scattering a dict would use its keys (the scenario names) as the
    # cluster's keys, so a sweep that follows an interrupted one with the same scenarios waits
    # forever while the scheduler still releases the cancelled copy (seen in CI: the resume
    # test hung in scatter for 240 s). A one-element list with hash=False gets a random key.
    [draws] = client.scatter([draw_parameters(plan)], broadcast=True, hash=False)
    national_future = client.submit(national_model, plan, draws, pure=False, retries=retries,
                                    priority=10)
    futures = [client.submit(run_chunk, plan, c, draws, pure=False, retries=retries,
                             key=f"sweep-{c.block}-{c.lo}-{time.time_ns()}") for c in todo]
    pending_raw: dict[int, list[ChunkOutput]] = {}
    peak: dict[str, int] = {}
    computed = 0
    try:
        for fut in as_completed(futures):
            piece: ChunkOutput = fut.result()
            fut.release()
            if on_chunk:
                on_chunk(piece)
            worker = f"{piece.host}:{piece.pid}"
            peak[worker] = max(peak.get(worker, 0), piece.peak_rss)
            pieces = pending_raw.setdefault(piece.block, [])
            pieces.append(piece)
            if len(pieces) < len(plan.draw_ranges()):
                continue
            del pending_raw[piece.block]
            finished, national = _assemble(plan, pieces)
            state.write_block(plan, piece.block, piece.codes, finished, national)
            computed += len(piece.codes) * len(plan.names)
            done_parts += len(piece.codes) * len(plan.names)
            if progress:
                progress(done_parts, total)
    except BaseException:
        # Interrupted (Ctrl-C, a failed chunk): keep what was folded, so a rerun resumes there,
        # and take the chunks still queued off the cluster (a connected one stays in use).
        with contextlib.suppress(Exception):
            state.checkpoint()
        with contextlib.suppress(Exception):
            client.cancel([*futures, national_future], force=True)
        raise
    state.checkpoint()
    national_model_values = national_future.result()
    files, difference = state.summarise(plan, national_model_values, client=client)
    return SweepReport(state.out, total, computed, total - computed, len(todo), 0.0, 0, peak,
                       difference, files)


def _assemble(plan: SweepPlan, pieces: list[ChunkOutput]) -> tuple[BlockResult, dict]:
    """Join a block's draw ranges (in draw order) and finish it the way a worker would."""
    pieces = sorted(pieces, key=lambda p: p.lo)
    national = {n: np.concatenate([p.national[n] for p in pieces], axis=1) for n in plan.names}
    if len(pieces) == 1 and pieces[0].finished is not None:
        return pieces[0].finished, national
    raw = {n: {k: np.concatenate([p.raw[n][k] for p in pieces], axis=0)
               for k in pieces[0].raw[n]} for n in plan.names}
    return finish_block(plan, pieces[0].codes, raw), national
