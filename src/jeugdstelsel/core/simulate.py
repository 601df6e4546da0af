"""The engine: ``simulate(params, inputs, n_months) -> SimulationResult``; arrays in, arrays out.

Stocks live in one array ``(draws, municipalities, stocks, ages)``: the six care states of
:class:`~jeugdstelsel.core.dimensions.State` plus the overlays child protection and juvenile
probation. Each month a compiled kernel applies the flows of :mod:`jeugdstelsel.core.flows` to
every cell (no Python loop over draws, municipalities or ages), then ages the population, adds
births and migration. A spin-up under the conditions of the first month brings the care stocks
to their quasi-equilibrium before the clock starts: the reference figures start in 2015, when
the system had been running for decades.

Outputs are accumulated per half-year (CBS reports half-years and years) and per age group
(0-17, 18-22); :mod:`jeugdstelsel.core.outputs` turns them into the published series.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numba import njit, prange, uint64

from jeugdstelsel.core import flows as fl
from jeugdstelsel.core import vector_math as vm
from jeugdstelsel.core.dimensions import (
    ADULT_AGE,
    MONTHS_PER_YEAR,
    N_AGES,
    N_STATES,
    Referrer,
    State,
    check_shape,
)
from jeugdstelsel.core.model import COUNTING_PARAMETERS, PARAMETERS
from jeugdstelsel.core.parameters import ParameterSet

PERIOD_MONTHS = 6
REFERENCE_YEAR = 2015  # trends (threshold, tariffs) run from 1 January 2015
BREAK_YEAR = 2021  # CBS trend break: many more providers report from 2021 (DESIGN section 5)
N_STOCKS = N_STATES + 2
JB, JR = N_STATES, N_STATES + 1  # overlay stocks: child protection, juvenile probation

# Parameters in the order the kernel unpacks them: every declared parameter except those
# that only act on how outputs are counted (applied in outputs.aggregate).
KERNEL_PARAMS = tuple(p.name for p in PARAMETERS if p.name not in COUNTING_PARAMETERS)
_K = {name: i for i, name in enumerate(KERNEL_PARAMS)}

# Accumulators per age group, (D, M, K, 2); summed over the months of a period.
GROUP_ACCUMULATORS = (
    "population",
    "jh_zonder_in",
    "jh_met_in",
    "jh_total_in",
    "jb_in",
    "jr_in",
    "fl_reported_starts",
    "intake_ambulatory",
    "intake_residential",
    "ended",
    "waiting_months",
    "turn18_in_care",
    "turn18_continue",
    "cost",
    "cross18_zonder",
    "cross18_met",
    "cross18_total",
    "cross18_jr",
)
# Stocks per age group recorded at the start of each period (unique persons per period).
START_STOCKS = (
    "jh_zonder",
    "jh_met",
    "jh_total",
    "jb",
    "jr",
    "first_line",
    "waiting",
    "ambulatory",
    "residential",
)
# Accumulators per (draw, municipality): referrer mix, re-entries, demography, lever cost.
REFERRER_TOTALS = tuple(f"starts_ref_{r.name.lower()}" for r in Referrer)
TOTAL_ACCUMULATORS = (
    *REFERRER_TOTALS,
    "starts_reentry",
    "births",
    "aged_out",
    "migration",
    "lever_cost",
)

(
    A_POP,
    A_ZONDER,
    A_MET,
    A_TOTAL,
    A_JB,
    A_JR,
    A_FLREP,
    A_IAMB,
    A_IRES,
    A_ENDED,
    A_WAITM,
    A_T18,
    A_T18C,
    A_COST,
    A_X18Z,
    A_X18M,
    A_X18T,
    A_X18JR,
) = range(len(GROUP_ACCUMULATORS))
T_REENTRY = len(REFERRER_TOTALS)
T_BIRTHS, T_AGED_OUT, T_MIGRATION, T_LEVER = (
    T_REENTRY + 1,
    T_REENTRY + 2,
    T_REENTRY + 3,
    T_REENTRY + 4,
)


@dataclass(frozen=True)
class SimulationResult:
    """Per-period outputs of a run.

    ``by_group[name]``: ``(draws, municipalities, periods, 2)`` for ages 0-17 and 18-22;
    ``totals[name]``: ``(draws, municipalities, periods)``; ``final_stocks``:
    ``(draws, municipalities, stocks, ages)`` after the last month; ``initial_total``: persons
    (care states only) per draw and municipality at the start, for mass-balance checks.
    """

    start_year: int
    n_periods: int
    by_group: dict[str, np.ndarray]
    totals: dict[str, np.ndarray]
    final_stocks: np.ndarray
    initial_total: np.ndarray
    municipalities: tuple[str, ...]

    @property
    def n_years(self) -> int:
        return self.n_periods * PERIOD_MONTHS // MONTHS_PER_YEAR

    @property
    def years(self) -> np.ndarray:
        return self.start_year + np.arange(self.n_years)


def _validate(
    params: ParameterSet,
    inputs,
    n_months: int,
    paths: Mapping[str, np.ndarray],
    extra_cost: np.ndarray | None,
) -> None:
    n_m = inputs.n_municipalities
    check_shape("population0", inputs.population0, ("municipalities", "ages"), (n_m, N_AGES))
    check_shape("migration", inputs.migration, ("municipalities", "ages"), (n_m, N_AGES))
    check_shape("risk", inputs.risk, ("municipalities",), (n_m,))
    if params.n_municipalities != n_m:
        raise ValueError(f"parameters have {params.n_municipalities} municipalities, inputs {n_m}")
    if n_months % PERIOD_MONTHS or n_months <= 0:
        raise ValueError(f"n_months must be a positive multiple of {PERIOD_MONTHS}")
    if inputs.n_years * MONTHS_PER_YEAR < n_months:
        raise ValueError(f"births cover {inputs.n_years} years, the run needs {n_months} months")
    shape = (n_months, params.n_draws, n_m)
    for name, path in paths.items():
        if name not in _K:
            raise ValueError(f"time path for unknown or output-only parameter '{name}'")
        check_shape(f"path {name}", path, ("months", "draws", "municipalities"), shape)
    if extra_cost is not None:
        check_shape("extra_cost", extra_cost, ("months", "draws", "municipalities"), shape)


def simulate(
    params: ParameterSet,
    inputs,
    n_months: int,
    *,
    paths: Mapping[str, np.ndarray] | None = None,
    extra_cost: np.ndarray | None = None,
    spinup_months: int = 48,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Run the model for ``n_months`` from 1 January ``inputs.start_year``.

    ``inputs`` is a :class:`~jeugdstelsel.core.population.PopulationInputs`. ``paths`` give
    parameters that change over time (levers), ``(months, draws, municipalities)``;
    ``extra_cost`` is spending outside the care states (the levers' own cost), euro per month.

    Scenarios compared on common random numbers are stacked as extra draws whose parameters
    are identical until their levers start. Such draws are simulated once up to the first
    month in which they differ (the spin-up always, and every half-year before the levers
    start) and copied from there on: the same arithmetic, so the results are identical to
    simulating every draw separately, at a fraction of the cost.
    """
    paths = dict(paths or {})
    _validate(params, inputs, n_months, paths, extra_cost)
    d, m = params.n_draws, inputs.n_municipalities
    par = np.ascontiguousarray(np.stack([params[name] for name in KERNEL_PARAMS]))
    path_keys = np.array([_K[k] for k in paths], dtype=np.int64)
    path_values = (
        np.ascontiguousarray(np.stack(list(paths.values()), axis=1), dtype=float)
        if paths
        else np.zeros((n_months, 0, d, m))
    )
    lever = (np.ascontiguousarray(extra_cost, dtype=float) if extra_cost is not None
             else np.zeros((n_months, d, m)))  # fmt: skip
    run = _Run(inputs, n_months, params["fl_cbs_share"], progress)
    unique, inverse = _unique_draws(par, params["fl_cbs_share"])
    if len(unique) < d:
        branch = _first_difference(path_values, lever, unique[inverse]) // PERIOD_MONTHS
        # contiguous copies: the kernel is compiled (about half a minute) once per memory
        # layout of its arguments, and fancy indexing would hand it a second layout
        c = np.ascontiguousarray
        shared = run.start(c(par[:, unique]), path_keys, c(path_values[:, :, unique]),
                           c(lever[:, unique]), unique, spinup_months)  # fmt: skip
        run.periods(shared, 0, branch)
        state = shared.expand(inverse, branch)
    else:
        state = run.start(par, path_keys, path_values, lever, np.arange(d), spinup_months)
        branch = 0
    state = state.with_inputs(par, path_keys, path_values, lever)
    run.periods(state, branch, run.n_periods)
    by_group = {name: state.groups[i] for i, name in enumerate(GROUP_OUTPUTS)}
    totals = {name: state.totals[i] for i, name in enumerate(TOTAL_ACCUMULATORS)}
    return SimulationResult(inputs.start_year, run.n_periods, by_group, totals, state.x,
                            state.initial_total, tuple(inputs.names))  # fmt: skip


def _unique_draws(par: np.ndarray, fl_cbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draws whose parameters are identical in every municipality: representatives, inverse.

    Rows are compared as raw bytes (one sort of fixed-size records): values that are equal
    but spelled differently (0.0 and -0.0) only cost a missed sharing, never a wrong one.
    """
    flat = np.ascontiguousarray(
        np.concatenate([par.transpose(1, 0, 2).reshape(par.shape[1], -1), fl_cbs], axis=1))
    rows = flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    order = np.argsort(first)  # keep representatives in draw order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.reshape(-1)]


@njit(cache=True)
def _first_difference(path_values, lever, rep):
    """First month in which a draw's paths or lever cost differ from its representative's.

    Scans month by month and stops at the first difference: the months before the levers
    start are read once, with no temporary arrays.
    """
    months, n_keys, n_d, n_m = path_values.shape
    for month in range(months):
        for d in range(n_d):
            r = rep[d]
            if r == d:
                continue
            for m in range(n_m):
                if lever[month, d, m] != lever[month, r, m]:
                    return month
                for k in range(n_keys):
                    if path_values[month, k, d, m] != path_values[month, k, r, m]:
                        return month
    return months


# Outputs per age group, (outputs, D, M, periods, 2): the kernel's accumulators, then the stocks
# recorded at the start of each period, then two stocks at its end.
GROUP_OUTPUTS = (*GROUP_ACCUMULATORS, *START_STOCKS, "waiting_end", "residential_end")
(
    O_JH_ZONDER, O_JH_MET, O_JH_TOTAL, O_JB, O_JR, O_FIRST_LINE, O_WAITING, O_AMBULATORY,
    O_RESIDENTIAL, O_WAITING_END, O_RESIDENTIAL_END,
) = range(len(GROUP_ACCUMULATORS), len(GROUP_OUTPUTS))


@dataclass
class _State:
    """The stocks, capacity and outputs of a set of draws during a run.

    ``groups`` is (GROUP_OUTPUTS, D, M, periods, 2) and ``totals`` (TOTAL_ACCUMULATORS, D, M,
    periods): the kernel adds each period's accumulators straight into them (zero at first).
    """

    x: np.ndarray
    capacity: np.ndarray
    initial_total: np.ndarray
    groups: np.ndarray
    totals: np.ndarray
    par: np.ndarray
    path_keys: np.ndarray
    path_values: np.ndarray
    lever: np.ndarray
    fl_cbs: np.ndarray

    def expand(self, inverse: np.ndarray, periods: int) -> _State:
        """Copy representative draws to every draw they stand for (outputs: ``periods``)."""
        groups = np.zeros((self.groups.shape[0], len(inverse), *self.groups.shape[2:]))
        _gather(_as4(self.groups), inverse, 2 * periods, _as4(groups))
        totals = np.zeros((self.totals.shape[0], len(inverse), *self.totals.shape[2:]))
        _gather(self.totals, inverse, periods, totals)
        return _State(self.x[inverse], self.capacity[inverse], self.initial_total[inverse],
                      groups, totals, self.par, self.path_keys, self.path_values, self.lever,
                      self.fl_cbs[inverse])  # fmt: skip

    def with_inputs(self, par, path_keys, path_values, lever) -> _State:
        """Switch to the inputs of every draw (after the shared prefix)."""
        self.par, self.path_keys, self.path_values, self.lever = par, path_keys, path_values, lever
        return self


class _Run:
    """Shared settings of one simulate() call; runs spin-up and half-year periods."""

    def __init__(self, inputs, n_months: int, fl_cbs: np.ndarray, progress) -> None:
        self.pop0 = np.ascontiguousarray(inputs.population0, dtype=float)
        self.risk = np.ascontiguousarray(inputs.risk, dtype=float)
        self.births = np.ascontiguousarray(inputs.births, dtype=float)
        self.migration = np.ascontiguousarray(inputs.migration, dtype=float)
        self.offset = float(inputs.start_year - REFERENCE_YEAR)
        self.n_months = n_months
        self.n_periods = n_months // PERIOD_MONTHS
        self.fl_cbs = np.ascontiguousarray(fl_cbs, dtype=float)
        self.progress = progress

    def start(self, par, path_keys, path_values, lever, draws, spinup_months) -> _State:
        """Spin-up for the given draws; empty output arrays for all periods."""
        d, m = par.shape[1], par.shape[2]
        x = np.zeros((d, m, N_STOCKS, N_AGES))
        x[:, :, State.BASE, :] = self.pop0[None]
        capacity = np.full((d, m), np.inf)
        groups = np.zeros((len(GROUP_OUTPUTS), d, m, self.n_periods, 2))
        totals = np.zeros((len(TOTAL_ACCUMULATORS), d, m, self.n_periods))
        # the spin-up records nothing; the views only give the kernel one signature
        _months(x, par, path_keys, path_values, 0, spinup_months, True, self.offset, self.risk,
                self.births, self.migration, self.pop0, capacity, lever,
                groups[:len(GROUP_ACCUMULATORS), :, :, 0], totals[:, :, :, 0])  # fmt: skip
        _set_capacity(x, par, capacity)
        return _State(x, capacity, x[:, :, :N_STATES].sum(axis=(2, 3)), groups, totals, par,
                      path_keys, path_values, lever, self.fl_cbs[draws])  # fmt: skip

    def periods(self, st: _State, first: int, last: int) -> None:
        """Half-year periods ``first..last-1``: stocks at the start, monthly kernel, stocks at
        the end; the kernel adds its accumulators into the period's slice of the outputs."""
        n_ga = len(GROUP_ACCUMULATORS)
        for period in range(first, last):
            # one pass at each boundary: the end of the previous period is this one's start
            _record_stocks(st.x, st.fl_cbs, st.groups, period - 1 if period > first else -1,
                           period)  # fmt: skip
            _months(st.x, st.par, st.path_keys, st.path_values, period * PERIOD_MONTHS,
                    PERIOD_MONTHS, False, self.offset, self.risk, self.births, self.migration,
                    self.pop0, st.capacity, st.lever, st.groups[:n_ga, :, :, period],
                    st.totals[:, :, :, period])  # fmt: skip
            if self.progress is not None:
                self.progress((period + 1) * PERIOD_MONTHS, self.n_months)
        if last > first:
            _record_stocks(st.x, st.fl_cbs, st.groups, last - 1, -1)


def _as4(groups: np.ndarray) -> np.ndarray:
    """(outputs, D, M, periods, 2) -> (outputs, D, M, periods x 2), a view."""
    return groups.reshape(*groups.shape[:3], -1)


@njit(cache=True)
def _gather(src, inverse, length, out):
    """``out[k, d, m, :length] = src[k, inverse[d], m, :length]``: the periods simulated so far.

    The later periods stay zero (the kernel adds into them); copying only the filled part
    and writing each destination row contiguously is what makes the expansion cheap.
    """
    for k in range(out.shape[0]):
        for d in range(out.shape[1]):
            r = inverse[d]
            for m in range(out.shape[2]):
                for t in range(length):
                    out[k, d, m, t] = src[k, r, m, t]


@njit(cache=True, parallel=True)
def _record_stocks(x, fl_cbs, out, ended, starting):
    """Stocks per age group (0-17, 18-22) at the end of period ``ended`` and the start of period
    ``starting`` (unique persons); -1 skips either.

    A fixed summation order per cell, so the sums do not depend on how many draws or
    municipalities run together (NumPy's reductions may, in the last bit).
    """
    n_d, n_m = x.shape[0], x.shape[1]
    for cell in prange(n_d * n_m):
        d = cell // n_m
        m = cell % n_m
        for g in range(2):
            lo = 0 if g == 0 else _ADULT
            hi = _ADULT if g == 0 else _NA
            sums = np.zeros(N_STOCKS)
            for s in range(N_STOCKS):
                total = 0.0
                for a in range(lo, hi):
                    total += x[d, m, s, a]
                sums[s] = total
            first, wait = sums[_FIRST], sums[_WAIT]
            amb, res = sums[_AMB], sums[_RES]
            if ended >= 0:
                out[O_WAITING_END, d, m, ended, g] = wait
                out[O_RESIDENTIAL_END, d, m, ended, g] = res
            if starting < 0:
                continue
            p = starting
            fl_rep = first * fl_cbs[d, m]
            out[O_JH_ZONDER, d, m, p, g] = fl_rep + amb
            out[O_JH_MET, d, m, p, g] = res
            out[O_JH_TOTAL, d, m, p, g] = fl_rep + amb + res
            out[O_JB, d, m, p, g] = sums[JB]
            out[O_JR, d, m, p, g] = sums[JR]
            out[O_FIRST_LINE, d, m, p, g] = first
            out[O_WAITING, d, m, p, g] = wait
            out[O_AMBULATORY, d, m, p, g] = amb
            out[O_RESIDENTIAL, d, m, p, g] = res


def _set_capacity(x: np.ndarray, par: np.ndarray, capacity: np.ndarray) -> None:
    """Contracted capacity at the start: the spin-up occupancy times the capacity margin."""
    occupied = (x[:, :, State.AMBULATORY] + x[:, :, State.RESIDENTIAL]).sum(-1)
    capacity[:] = occupied * par[P_CAPACITY_MARGIN]


# Parameter positions in KERNEL_PARAMS, as compile-time constants for Numba.
P_NEED_INCIDENCE = KERNEL_PARAMS.index("need_incidence")
P_AGE_REL_0_3 = KERNEL_PARAMS.index("age_rel_0_3")
P_AGE_REL_12_17 = KERNEL_PARAMS.index("age_rel_12_17")
P_THRESHOLD_TREND = KERNEL_PARAMS.index("threshold_trend")
P_THRESHOLD_LEVEL = KERNEL_PARAMS.index("threshold_level")
P_PROTECTION = KERNEL_PARAMS.index("protection")
P_ROUTE_FIRST_LINE = KERNEL_PARAMS.index("route_first_line")
P_FL_ROUTE_TREND = KERNEL_PARAMS.index("fl_route_trend")
P_ROUTE_GP = KERNEL_PARAMS.index("route_gp")
P_ROUTE_YOUTH_DOCTOR = KERNEL_PARAMS.index("route_youth_doctor")
P_ROUTE_MEDICAL_SPECIALIST = KERNEL_PARAMS.index("route_medical_specialist")
P_POH_SHIFT = KERNEL_PARAMS.index("poh_shift")
P_SCHOOL_SHIFT = KERNEL_PARAMS.index("school_shift")
P_FL_DURATION = KERNEL_PARAMS.index("fl_duration")
P_FL_ESCALATION = KERNEL_PARAMS.index("fl_escalation")
P_DEFENSIVE_FACTOR = KERNEL_PARAMS.index("defensive_factor")
P_FL_CBS_SHARE = KERNEL_PARAMS.index("fl_cbs_share")
P_MIN_WAIT = KERNEL_PARAMS.index("min_wait")
P_CAPACITY_MARGIN = KERNEL_PARAMS.index("capacity_margin")
P_CAPACITY_GROWTH = KERNEL_PARAMS.index("capacity_growth")
P_RESIDENTIAL_SHARE = KERNEL_PARAMS.index("residential_share")
P_AMB_DURATION = KERNEL_PARAMS.index("amb_duration")
P_RES_DURATION = KERNEL_PARAMS.index("res_duration")
P_STEP_UP_RATE = KERNEL_PARAMS.index("step_up_rate")
P_STEP_DOWN_RATE = KERNEL_PARAMS.index("step_down_rate")
P_PLAN_SHARE = KERNEL_PARAMS.index("plan_share")
P_SUPPLY_INDUCED = KERNEL_PARAMS.index("supply_induced")
P_FRAGMENTATION = KERNEL_PARAMS.index("fragmentation")
P_REENTRY_RATE = KERNEL_PARAMS.index("reentry_rate")
P_RELAPSE_PREVENTION = KERNEL_PARAMS.index("relapse_prevention")
P_AFTERCARE_MONTHS = KERNEL_PARAMS.index("aftercare_months")
P_EXTENSION_SHARE = KERNEL_PARAMS.index("extension_share")
P_EXTENSION_MAX_AGE = KERNEL_PARAMS.index("extension_max_age")
P_JB_RATE = KERNEL_PARAMS.index("jb_rate")
P_JB_TREND = KERNEL_PARAMS.index("jb_trend")
P_JB_DURATION = KERNEL_PARAMS.index("jb_duration")
P_GI_REFERRAL_RATE = KERNEL_PARAMS.index("gi_referral_rate")
P_JR_RATE = KERNEL_PARAMS.index("jr_rate")
P_JR_TREND = KERNEL_PARAMS.index("jr_trend")
P_JR_AGE_REL_18_22 = KERNEL_PARAMS.index("jr_age_rel_18_22")
P_JR_DURATION = KERNEL_PARAMS.index("jr_duration")
P_COURT_REFERRAL_RATE = KERNEL_PARAMS.index("court_referral_rate")
P_COST_FIRST_LINE = KERNEL_PARAMS.index("cost_first_line")
P_COST_AMBULATORY = KERNEL_PARAMS.index("cost_ambulatory")
P_COST_RESIDENTIAL = KERNEL_PARAMS.index("cost_residential")
P_COST_JB = KERNEL_PARAMS.index("cost_jb")
P_COST_JR = KERNEL_PARAMS.index("cost_jr")
P_COST_SCALE = KERNEL_PARAMS.index("cost_scale")
P_TARIFF_INDEX = KERNEL_PARAMS.index("tariff_index")

# Indices as compile-time constants for the kernel.
_BASE, _FIRST, _WAIT = int(State.BASE), int(State.FIRST_LINE), int(State.WAITING)
_AMB, _RES, _AFTER = int(State.AMBULATORY), int(State.RESIDENTIAL), int(State.AFTER_CARE)
_ADULT = ADULT_AGE
_NA = N_AGES
_JR_MIN_AGE = 12  # juvenile probation applies from 12 (Wetboek van Strafrecht, art. 77a)
_R_LOCAL, _R_GP, _R_YD, _R_MS, _R_GI, _R_COURT, _R_NONE = (
    int(Referrer.LOCAL_TEAM),
    int(Referrer.GP),
    int(Referrer.YOUTH_DOCTOR),
    int(Referrer.MEDICAL_SPECIALIST),
    int(Referrer.CERTIFIED_INSTITUTION),
    int(Referrer.COURT),
    int(Referrer.NONE),
)


# The kernel works on blocks of LANES draws of one municipality. Within a block every draw is
# a lane of the innermost, contiguous axis of flat scratch arrays, so the compiler turns the
# per-draw arithmetic into SIMD instructions (4 doubles per AVX2 instruction); only the
# exponentials stay scalar library calls. A block always computes all its lanes (a short last
# block repeats its first draw in the spare lanes and discards them), so every draw goes
# through the very same instructions whichever lane and block it lands in: results do not
# depend on how draws are chunked or ordered.
#
# Why flat arrays indexed through ``_r``/``_x`` with unsigned offsets: with compile-time row
# offsets and no negative-index wrap-around the compiler can prove that the fifty-odd rows a
# loop touches never overlap; with 2-D arrays (run-time strides) it gives up vectorising
# ("too many memory checks"), and the kernel runs twice as slow.
LANES = 64

N_KP = len(KERNEL_PARAMS)
N_GA, N_TA = len(GROUP_ACCUMULATORS), len(TOTAL_ACCUMULATORS)
N_MOVED = _NA - _ADULT  # ages 18..22 receive people from the age below at the boundary
# Rows of the per-block scratch array (rows x LANES): the parameters first (paths overwrite
# their rows), then rates that depend on parameters only, rates that change every month,
# per-age temporaries, sums kept per age group or month, the accumulators and scratch.
(
    Q_SID, Q_FL_LEAVE, Q_ESC, Q_AMB_LEAVE, Q_AMB_END, Q_AMB_STAY, Q_RES_LEAVE, Q_RES_END,
    Q_RES_STAY, Q_WANT_P, Q_AC_MINOR, Q_AC_ADULT, Q_RE_SHARE, Q_JB_OUT, Q_JR_OUT,
    Q_THRESH, Q_R_FL, Q_R_GP, Q_R_YD, Q_R_MS, Q_R_NONE, Q_JB_IN, Q_JR_MINOR, Q_JR_ADULT,
    Q_PRICE, Q_FRACTION, Q_OCC, Q_WANTED, Q_AC_G, Q_RE_G, Q_JB_IN_G, Q_JR_G, Q_LOG_TARIFF,
    Q_E_THRESH, Q_E_ROUTE, Q_E_JB, Q_E_JR, Q_E_PRICE, Q_E_GROWTH,
    Q_H_TOTAL, Q_LEAVE, Q_MIGRATED, Q_POP_TOTAL,
    Q_S_POP, Q_S_ZONDER, Q_S_MET, Q_S_TOTAL, Q_S_JB, Q_S_JR, Q_S_FLREP, Q_S_IAMB, Q_S_IRES,
    Q_S_ENDED, Q_S_WAIT, Q_S_COST,
    Q_IN_LT, Q_IN_GP, Q_IN_YD, Q_IN_MS, Q_IN_GI, Q_IN_COURT, Q_IN_NONE, Q_IN_RE, Q_STARTED,
    Q_FL_REP,
) = range(N_KP, N_KP + 65)
Q_GROUP_SUMS, Q_MONTH_SUMS = Q_S_POP, Q_IN_LT  # zeroed per age group, per month
Q_ACC_G = N_KP + 65  # accumulator (k, g) at row Q_ACC_G + 2k + g
Q_ACC_T = Q_ACC_G + 2 * N_GA  # total k at row Q_ACC_T + k
Q_MOVED = Q_ACC_T + N_TA  # people reaching age 18 + k from stock s at row Q_MOVED + s*N_MOVED + k
N_Q = Q_MOVED + N_STOCKS * N_MOVED


@njit(inline="always")
def _r(row):
    """Offset of scratch row ``row`` in the flat (rows x LANES) block array."""
    return uint64(row * LANES)


@njit(inline="always")
def _x(stock, age):
    """Offset of (``stock``, ``age``) in the flat (stocks x ages x LANES) block state."""
    return uint64((stock * _NA + age) * LANES)


@njit(inline="always")
def _g(k, g):
    """Offset of group accumulator ``k`` for age group ``g``."""
    return uint64((Q_ACC_G + 2 * k + g) * LANES)


if vm.AVAILABLE:

    @njit(inline="always")
    def _leave_row(q, source, target):
        """``fl.leave`` of a row of lanes into another row, four lanes per vector call."""
        for i in range(0, LANES, vm.WIDTH):
            vm.leave4(q, source + uint64(i), target + uint64(i))

    @njit(inline="always")
    def _exp_rows(q, first, stop):
        """``exp`` in place over the consecutive rows ``first..stop-1``, in one pass."""
        for i in range(first * LANES, stop * LANES, vm.WIDTH):
            vm.exp4(q, uint64(i), uint64(i))

else:

    @njit(inline="always")
    def _leave_row(q, source, target):
        """``fl.leave`` of a row of lanes into another row, one scalar call per lane."""
        for i in range(LANES):
            q[target + uint64(i)] = fl.leave(q[source + uint64(i)])

    @njit(inline="always")
    def _exp_rows(q, first, stop):
        """``exp`` in place over the consecutive rows ``first..stop-1``, in one pass."""
        for i in range(first * LANES, stop * LANES):
            q[uint64(i)] = math.exp(q[uint64(i)])


@njit(cache=True, parallel=True, fastmath=fl.FASTMATH, error_model="numpy")
def _months(x, par, path_keys, path_values, first, count, spinup, offset, risk, births,
            migration, pop0, capacity, lever, acc_g, acc_t):  # fmt: skip
    """``count`` months from ``first`` for every draw and municipality (parallel over blocks).

    A block (one municipality, LANES draws) is copied into lane-major scratch, runs all the
    months there (its stocks stay in cache; the work is compute-bound) and is copied back. The
    period's sums are added into ``acc_g`` (group accumulators, draws, municipalities, 2) and
    ``acc_t`` (totals, draws, municipalities), slices of the run's output arrays; the spin-up
    adds nothing.
    """
    n_d, n_m = x.shape[0], x.shape[1]
    n_blocks = (n_d + LANES - 1) // LANES
    for cell in prange(n_m * n_blocks):
        m = cell // n_blocks
        d0 = (cell % n_blocks) * LANES
        n_live = min(LANES, n_d - d0)
        xs = np.empty(N_STOCKS * _NA * LANES)
        q = np.zeros(N_Q * LANES)
        draw = np.empty(LANES, dtype=np.int64)
        cap = np.empty(LANES)
        for w in range(LANES):
            draw[w] = d0 + (w if w < n_live else 0)
        for i in range(LANES):
            w, d = uint64(i), draw[i]
            for s in range(N_STOCKS):
                for a in range(_NA):
                    xs[_x(s, a) + w] = x[d, m, s, a]
            for k in range(N_KP):
                q[_r(k) + w] = par[k, d, m]
            cap[i] = capacity[d, m]
        stale = True  # rates that depend on parameters only need computing
        for step in range(count):
            month = first + step
            if not spinup:
                for j in range(path_keys.shape[0]):
                    row = _r(path_keys[j])
                    for i in range(LANES):
                        value = path_values[month, j, draw[i], m]
                        if value != q[row + uint64(i)]:
                            q[row + uint64(i)] = value
                            stale = True
            if stale:
                _static_rates(q)
                stale = False
            if step == 0 or not spinup:  # the spin-up holds the first month's conditions
                years = offset if spinup else offset + (month + 0.5) / 12.0
                _time_rates(q, years, month, risk[m])
            _capacity(xs, q, spinup, cap)
            _flows_block(xs, q, spinup, risk[m])
            if spinup:
                _rescale_block(xs, q, pop0[m])
            else:
                for i in range(LANES):
                    q[_r(Q_ACC_T + T_LEVER) + uint64(i)] += lever[month, draw[i], m]
                _demography_block(xs, q, births[month // 12, m], migration[m])
        for i in range(n_live):
            w, d = uint64(i), d0 + i
            for s in range(N_STOCKS):
                for a in range(_NA):
                    x[d, m, s, a] = xs[_x(s, a) + w]
            if spinup:
                continue
            for k in range(N_GA):
                for g in range(2):
                    acc_g[k, d, m, g] += q[_g(k, g) + w]
            for k in range(N_TA):
                acc_t[k, d, m] += q[_r(Q_ACC_T + k) + w]


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _static_rates(q):
    """Per draw: probabilities that depend on parameters only (recomputed when a path moves).

    Hazards first, lane by lane; then their leaving probabilities row by row (:func:`_leave_row`).
    """
    for i in range(LANES):
        w = uint64(i)
        sid = fl.supply_factor(q[_r(P_SUPPLY_INDUCED) + w], q[_r(P_FRAGMENTATION) + w])
        q[_r(Q_SID) + w] = sid
        q[_r(Q_FL_LEAVE) + w] = 1.0 / q[_r(P_FL_DURATION) + w]
        q[_r(Q_ESC) + w] = fl.escalation_share(q[_r(P_FL_ESCALATION) + w],
                                               q[_r(P_DEFENSIVE_FACTOR) + w])  # fmt: skip
        h_amb_end = 1.0 / (q[_r(P_AMB_DURATION) + w] * sid)
        h_res_end = 1.0 / (q[_r(P_RES_DURATION) + w] * sid)
        step_up, step_down = q[_r(P_STEP_UP_RATE) + w], q[_r(P_STEP_DOWN_RATE) + w]
        q[_r(Q_AMB_LEAVE) + w] = h_amb_end + step_up
        q[_r(Q_RES_LEAVE) + w] = h_res_end + step_down
        q[_r(Q_AMB_END) + w] = h_amb_end / (h_amb_end + step_up)
        q[_r(Q_RES_END) + w] = h_res_end / (h_res_end + step_down)
        h_back = 1.0 / q[_r(P_AFTERCARE_MONTHS) + w]
        q[_r(Q_WANT_P) + w] = 1.0 / q[_r(P_MIN_WAIT) + w]
        h_re_minor = fl.reentry_hazard(q[_r(P_REENTRY_RATE) + w],
                                       q[_r(P_RELAPSE_PREVENTION) + w], 0)  # fmt: skip
        q[_r(Q_AC_MINOR) + w] = h_re_minor + h_back
        q[_r(Q_AC_ADULT) + w] = h_back
        q[_r(Q_RE_SHARE) + w] = h_re_minor / (h_re_minor + h_back)
        q[_r(Q_JB_OUT) + w] = 1.0 / q[_r(P_JB_DURATION) + w]
        q[_r(Q_JR_OUT) + w] = 1.0 / q[_r(P_JR_DURATION) + w]
        q[_r(Q_LOG_TARIFF) + w] = math.log1p(q[_r(P_TARIFF_INDEX) + w])
    for row in (Q_FL_LEAVE, Q_AMB_LEAVE, Q_RES_LEAVE, Q_WANT_P, Q_AC_MINOR, Q_AC_ADULT,
                Q_JB_OUT, Q_JR_OUT):  # hazards -> probabilities of leaving within the month
        _leave_row(q, _r(row), _r(row))
    for i in range(LANES):
        w = uint64(i)  # still in care after the month
        q[_r(Q_AMB_STAY) + w] = 1.0 - q[_r(Q_AMB_LEAVE) + w] * q[_r(Q_AMB_END) + w]
        q[_r(Q_RES_STAY) + w] = 1.0 - q[_r(Q_RES_LEAVE) + w] * q[_r(Q_RES_END) + w]


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _time_rates(q, years, month, risk):
    """Per draw: the month's trend-driven rates (threshold, routing, overlays, prices, capacity
    growth). The exponentials of the trends are taken row by row (:func:`_exp_rows`)."""
    growth_years = (month + 0.5) / 12.0
    for i in range(LANES):
        w = uint64(i)
        q[_r(Q_E_THRESH) + w] = q[_r(P_THRESHOLD_TREND) + w] * years
        q[_r(Q_E_ROUTE) + w] = q[_r(P_FL_ROUTE_TREND) + w] * years
        q[_r(Q_E_JB) + w] = q[_r(P_JB_TREND) + w] * years
        q[_r(Q_E_JR) + w] = q[_r(P_JR_TREND) + w] * years
        q[_r(Q_E_PRICE) + w] = q[_r(Q_LOG_TARIFF) + w] * years  # (1 + index) ** years
        q[_r(Q_E_GROWTH) + w] = q[_r(P_CAPACITY_GROWTH) + w] * growth_years
    _exp_rows(q, Q_E_THRESH, Q_E_GROWTH + 1)
    for i in range(LANES):
        w = uint64(i)
        q[_r(Q_THRESH) + w] = q[_r(P_THRESHOLD_LEVEL) + w] * q[_r(Q_E_THRESH) + w]
        r_fl, r_gp, r_yd, r_ms, r_none = fl.routing(
            q[_r(P_ROUTE_FIRST_LINE) + w] * q[_r(Q_E_ROUTE) + w],
            q[_r(P_ROUTE_GP) + w],
            q[_r(P_ROUTE_YOUTH_DOCTOR) + w],
            q[_r(P_ROUTE_MEDICAL_SPECIALIST) + w],
            q[_r(P_POH_SHIFT) + w],
            q[_r(P_SCHOOL_SHIFT) + w],
            q[_r(Q_SID) + w],
        )
        q[_r(Q_R_FL) + w], q[_r(Q_R_GP) + w], q[_r(Q_R_YD) + w] = r_fl, r_gp, r_yd
        q[_r(Q_R_MS) + w], q[_r(Q_R_NONE) + w] = r_ms, r_none
        jr_rate = q[_r(P_JR_RATE) + w] * risk * q[_r(Q_E_JR) + w]
        q[_r(Q_JB_IN) + w] = q[_r(P_JB_RATE) + w] * risk * q[_r(Q_E_JB) + w]  # hazards, then
        q[_r(Q_JR_MINOR) + w] = jr_rate  # probabilities below
        q[_r(Q_JR_ADULT) + w] = jr_rate * q[_r(P_JR_AGE_REL_18_22) + w]
        q[_r(Q_PRICE) + w] = q[_r(P_COST_SCALE) + w] * q[_r(Q_E_PRICE) + w]
    for row in range(Q_JB_IN, Q_JR_ADULT + 1):
        _leave_row(q, _r(row), _r(row))


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _capacity(x, q, spinup, cap):
    """Flow 4 needs the whole municipality: the share of those wishing to start that can.

    The spin-up has no capacity limit (contracted capacity is set from its end state).
    """
    for i in range(LANES):
        w = uint64(i)
        q[_r(Q_FRACTION) + w] = 1.0
        q[_r(Q_OCC) + w] = 0.0
        q[_r(Q_WANTED) + w] = 0.0
    if spinup:
        return
    for a in range(_NA):
        for i in range(LANES):
            w = uint64(i)
            q[_r(Q_OCC) + w] += x[_x(_AMB, a) + w] * q[_r(Q_AMB_STAY) + w]
            q[_r(Q_OCC) + w] += x[_x(_RES, a) + w] * q[_r(Q_RES_STAY) + w]
            q[_r(Q_WANTED) + w] += x[_x(_WAIT, a) + w] * q[_r(Q_WANT_P) + w]
    for i in range(LANES):
        w = uint64(i)
        wanted = q[_r(Q_WANTED) + w]
        if wanted > 0.0:
            growth = q[_r(Q_E_GROWTH) + w]  # exp(capacity growth x years since the start)
            q[_r(Q_FRACTION) + w] = min(1.0, max(cap[i] * growth - q[_r(Q_OCC) + w], 0.0)
                                        / wanted)  # fmt: skip


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _flows_block(x, q, spinup, risk):
    """Flows 1-7 for a block of draws, age by age; outputs summed per age group and month."""
    for r in range(Q_MONTH_SUMS, Q_ACC_G):
        for i in range(LANES):
            q[_r(r) + uint64(i)] = 0.0
    for g in range(2):  # age groups 0-17 and 18-22
        for r in range(Q_GROUP_SUMS, Q_MONTH_SUMS):
            for i in range(LANES):
                q[_r(r) + uint64(i)] = 0.0
        _group_rates(q, g)
        for a in range(0 if g == 0 else _ADULT, _ADULT if g == 0 else _NA):
            _hazards_age(x, q, a, risk)
            _leave_row(q, _r(Q_H_TOTAL), _r(Q_LEAVE))  # the one exponential per age and draw
            _age_block(x, q, a, risk)
        if spinup:
            continue
        for i in range(LANES):
            w = uint64(i)
            q[_g(A_POP, g) + w] += q[_r(Q_S_POP) + w] / 6.0
            q[_g(A_ZONDER, g) + w] += q[_r(Q_S_ZONDER) + w]
            q[_g(A_MET, g) + w] += q[_r(Q_S_MET) + w]
            q[_g(A_TOTAL, g) + w] += q[_r(Q_S_TOTAL) + w]
            q[_g(A_JB, g) + w] += q[_r(Q_S_JB) + w]
            q[_g(A_JR, g) + w] += q[_r(Q_S_JR) + w]
            q[_g(A_FLREP, g) + w] += q[_r(Q_S_FLREP) + w]
            q[_g(A_IAMB, g) + w] += q[_r(Q_S_IAMB) + w]
            q[_g(A_IRES, g) + w] += q[_r(Q_S_IRES) + w]
            q[_g(A_ENDED, g) + w] += q[_r(Q_S_ENDED) + w]
            q[_g(A_WAITM, g) + w] += q[_r(Q_S_WAIT) + w]
            q[_g(A_COST, g) + w] += q[_r(Q_PRICE) + w] * q[_r(Q_S_COST) + w]
    if spinup:
        return
    # Starts inherit the mix of this month's referrals: all referrals wait in one queue.
    for i in range(LANES):
        w = uint64(i)
        in_lt, in_gp, in_yd = q[_r(Q_IN_LT) + w], q[_r(Q_IN_GP) + w], q[_r(Q_IN_YD) + w]
        in_ms, in_gi, in_court = q[_r(Q_IN_MS) + w], q[_r(Q_IN_GI) + w], q[_r(Q_IN_COURT) + w]
        in_none, in_re = q[_r(Q_IN_NONE) + w], q[_r(Q_IN_RE) + w]
        inflow = in_lt + in_gp + in_yd + in_ms + in_gi + in_court + in_none + in_re
        share = q[_r(Q_STARTED) + w] / inflow if inflow > 0.0 else 0.0
        q[_r(Q_ACC_T + _R_LOCAL) + w] += q[_r(Q_FL_REP) + w] + in_lt * share
        q[_r(Q_ACC_T + _R_GP) + w] += in_gp * share
        q[_r(Q_ACC_T + _R_YD) + w] += in_yd * share
        q[_r(Q_ACC_T + _R_MS) + w] += in_ms * share
        q[_r(Q_ACC_T + _R_GI) + w] += in_gi * share
        q[_r(Q_ACC_T + _R_COURT) + w] += in_court * share
        q[_r(Q_ACC_T + _R_NONE) + w] += in_none * share
        q[_r(Q_ACC_T + T_REENTRY) + w] += in_re * share


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _group_rates(q, g):
    """Rates that differ between the age groups, copied into the rows the age loop reads.

    Minors re-enter from after-care and get child-protection measures; young adults do
    neither (the probability 0 gives exactly the 0 of the rule) and have their own juvenile
    probation rate.
    """
    for i in range(LANES):
        w = uint64(i)
        minor = g == 0
        q[_r(Q_AC_G) + w] = q[_r(Q_AC_MINOR) + w] if minor else q[_r(Q_AC_ADULT) + w]
        q[_r(Q_RE_G) + w] = q[_r(Q_RE_SHARE) + w] if minor else 0.0
        q[_r(Q_JB_IN_G) + w] = q[_r(Q_JB_IN) + w] if minor else 0.0
        q[_r(Q_JR_G) + w] = q[_r(Q_JR_MINOR) + w] if minor else q[_r(Q_JR_ADULT) + w]


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _hazards_age(x, q, a, risk):
    """Flows 1, 2 and 7: the total monthly hazard of leaving the base at age ``a``."""
    for i in range(LANES):
        w = uint64(i)
        pop = (x[_x(_BASE, a) + w] + x[_x(_FIRST, a) + w] + x[_x(_WAIT, a) + w]
               + x[_x(_AMB, a) + w] + x[_x(_RES, a) + w] + x[_x(_AFTER, a) + w])  # fmt: skip
        safe_pop = pop if pop > 0.0 else 1.0
        profile = fl.age_profile(a, q[_r(P_AGE_REL_0_3) + w], q[_r(P_AGE_REL_12_17) + w])
        need = fl.need_hazard(q[_r(P_NEED_INCIDENCE) + w], profile, risk, q[_r(Q_THRESH) + w],
                              q[_r(P_PROTECTION) + w])  # fmt: skip
        h_gi = q[_r(P_GI_REFERRAL_RATE) + w] * x[_x(JB, a) + w] / safe_pop
        h_court = q[_r(P_COURT_REFERRAL_RATE) + w] * x[_x(JR, a) + w] / safe_pop
        q[_r(Q_H_TOTAL) + w] = (need * q[_r(Q_R_FL) + w] + need * q[_r(Q_R_GP) + w]
                                + need * q[_r(Q_R_YD) + w] + need * q[_r(Q_R_MS) + w]
                                + need * q[_r(Q_R_NONE) + w] + h_gi + h_court)  # fmt: skip


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _age_block(x, q, a, risk):
    """Flows 1-7 at age ``a`` for every lane, given the base's leaving probability.

    Branch-free over the lanes, without a single load whose row depends on the age group
    (see :func:`_group_rates`): either stops the compiler from vectorising the loop. The
    outputs are summed also during the spin-up, where nobody reads them: a branch there would
    turn the stores into masked stores, which cost more than the arithmetic.
    """
    for i in range(LANES):
        w = uint64(i)
        base, first, wait = x[_x(_BASE, a) + w], x[_x(_FIRST, a) + w], x[_x(_WAIT, a) + w]
        amb, res, after = x[_x(_AMB, a) + w], x[_x(_RES, a) + w], x[_x(_AFTER, a) + w]
        jb, jr = x[_x(JB, a) + w], x[_x(JR, a) + w]
        pop = base + first + wait + amb + res + after
        safe_pop = pop if pop > 0.0 else 1.0

        # flows 1, 2 and 7: needs and referrals out of the base
        profile = fl.age_profile(a, q[_r(P_AGE_REL_0_3) + w], q[_r(P_AGE_REL_12_17) + w])
        need = fl.need_hazard(q[_r(P_NEED_INCIDENCE) + w], profile, risk, q[_r(Q_THRESH) + w],
                              q[_r(P_PROTECTION) + w])  # fmt: skip
        h_total = q[_r(Q_H_TOTAL) + w]
        per_hazard = base * q[_r(Q_LEAVE) + w] / h_total if h_total > 0.0 else 0.0
        to_first = per_hazard * (need * q[_r(Q_R_FL) + w])
        direct_gp = per_hazard * (need * q[_r(Q_R_GP) + w])
        direct_yd = per_hazard * (need * q[_r(Q_R_YD) + w])
        direct_ms = per_hazard * (need * q[_r(Q_R_MS) + w])
        direct_none = per_hazard * (need * q[_r(Q_R_NONE) + w])
        direct_gi = per_hazard * (q[_r(P_GI_REFERRAL_RATE) + w] * jb / safe_pop)
        direct_court = per_hazard * (q[_r(P_COURT_REFERRAL_RATE) + w] * jr / safe_pop)
        out_base = per_hazard * h_total

        # flow 3: the first line resolves or escalates
        fl_out = first * q[_r(Q_FL_LEAVE) + w]
        fl_escalated = fl_out * q[_r(Q_ESC) + w]
        fl_resolved = fl_out - fl_escalated

        # flow 5: specialist care ends, steps up or steps down
        amb_out = amb * q[_r(Q_AMB_LEAVE) + w]
        amb_end = amb_out * q[_r(Q_AMB_END) + w]
        step_up = amb_out - amb_end
        res_out = res * q[_r(Q_RES_LEAVE) + w]
        res_end = res_out * q[_r(Q_RES_END) + w]
        step_down = res_out - res_end

        # flow 6: after-care re-enters (under 18 only) or returns to the base
        ac_out = after * q[_r(Q_AC_G) + w]
        reentry = ac_out * q[_r(Q_RE_G) + w]
        ac_back = ac_out - reentry

        # flow 4: intake from the waiting list within capacity
        intake = wait * q[_r(Q_WANT_P) + w] * q[_r(Q_FRACTION) + w]
        intake_res = intake * q[_r(P_RESIDENTIAL_SHARE) + w]
        intake_amb = intake - intake_res

        referred = (fl_escalated + direct_gp + direct_yd + direct_ms + direct_none
                    + direct_gi + direct_court + reentry)  # fmt: skip
        x[_x(_BASE, a) + w] = base + ac_back - out_base
        x[_x(_FIRST, a) + w] = first + to_first - fl_out
        x[_x(_WAIT, a) + w] = wait + referred - intake
        x[_x(_AMB, a) + w] = amb + intake_amb + step_down - amb_out
        x[_x(_RES, a) + w] = res + intake_res + step_up - res_out
        x[_x(_AFTER, a) + w] = after + fl_resolved + amb_end + res_end - ac_out

        # flow 7: overlays (a child can be in care and under a measure at once)
        jb_in = max(pop - jb, 0.0) * q[_r(Q_JB_IN_G) + w]
        jr_in = max(pop - jr, 0.0) * q[_r(Q_JR_G) + w] if a >= _JR_MIN_AGE else 0.0
        x[_x(JB, a) + w] = jb + jb_in - jb * q[_r(Q_JB_OUT) + w]
        x[_x(JR, a) + w] = jr + jr_in - jr * q[_r(Q_JR_OUT) + w]

        cbs = q[_r(P_FL_CBS_SHARE) + w]
        fl_rep = to_first * cbs
        q[_r(Q_S_POP) + w] += pop
        q[_r(Q_S_ZONDER) + w] += fl_rep + intake_amb + step_down
        q[_r(Q_S_MET) + w] += intake_res + step_up
        q[_r(Q_S_TOTAL) + w] += fl_rep + intake
        q[_r(Q_S_JB) + w] += jb_in
        q[_r(Q_S_JR) + w] += jr_in
        q[_r(Q_S_FLREP) + w] += fl_rep
        q[_r(Q_S_IAMB) + w] += intake_amb
        q[_r(Q_S_IRES) + w] += intake_res
        q[_r(Q_S_ENDED) + w] += amb_end + res_end + fl_resolved * cbs
        q[_r(Q_S_WAIT) + w] += wait
        q[_r(Q_S_COST) + w] += (first * q[_r(P_COST_FIRST_LINE) + w]
                                + amb * q[_r(P_COST_AMBULATORY) + w]
                                + res * q[_r(P_COST_RESIDENTIAL) + w]
                                + jb * q[_r(P_COST_JB) + w]
                                + jr * q[_r(P_COST_JR) + w])  # fmt: skip
        q[_r(Q_IN_LT) + w] += fl_escalated
        q[_r(Q_IN_GP) + w] += direct_gp
        q[_r(Q_IN_YD) + w] += direct_yd
        q[_r(Q_IN_MS) + w] += direct_ms
        q[_r(Q_IN_GI) + w] += direct_gi
        q[_r(Q_IN_COURT) + w] += direct_court
        q[_r(Q_IN_NONE) + w] += direct_none
        q[_r(Q_IN_RE) + w] += reentry
        q[_r(Q_STARTED) + w] += intake
        q[_r(Q_FL_REP) + w] += fl_rep


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _rescale_block(x, q, pop0):
    """Spin-up: keep each age's population at the start population, only the mix changes."""
    for a in range(pop0.shape[0]):  # a run-time bound: see _demography_block
        for i in range(LANES):
            q[_r(Q_POP_TOTAL) + uint64(i)] = 0.0
        for s in range(N_STATES):
            for i in range(LANES):
                w = uint64(i)
                q[_r(Q_POP_TOTAL) + w] += x[_x(s, a) + w]
        for i in range(LANES):
            w = uint64(i)
            total = q[_r(Q_POP_TOTAL) + w]
            q[_r(Q_POP_TOTAL) + w] = pop0[a] / total if total > 0.0 else 1.0
        for s in range(N_STOCKS):
            for i in range(LANES):
                w = uint64(i)
                x[_x(s, a) + w] *= q[_r(Q_POP_TOTAL) + w]


@njit(cache=True, fastmath=fl.FASTMATH, error_model="numpy")
def _demography_block(x, q, births, migration):
    """Ageing by 1/12 of an age per month with the 18-year boundary, births and migration.

    All stocks first age uniformly (a branch-free loop); the boundary rules are then applied
    as corrections to the few ages they concern, using the amounts that moved. The loops over
    ages and stocks take their bounds from the arrays at run time: with compile-time bounds
    the compiler unrolls them completely around the vectorised lane loop, which makes the
    kernel take minutes to compile for no gain in speed.
    """
    n_ages = migration.shape[0]
    n_stocks = x.shape[0] // (n_ages * LANES)
    for i in range(LANES):
        w = uint64(i)
        aged_out = 0.0
        for s in range(N_STATES):
            aged_out += x[_x(s, _NA - 1) + w] / 12.0
        q[_r(Q_ACC_T + T_AGED_OUT) + w] += aged_out
    for s in range(N_STOCKS):  # amounts moving into ages 18..22
        for k in range(N_MOVED):
            for i in range(LANES):
                w = uint64(i)
                q[_r(Q_MOVED + s * N_MOVED + k) + w] = x[_x(s, _ADULT - 1 + k) + w] / 12.0
    for s in range(n_stocks):
        for a in range(n_ages - 1, 0, -1):
            for i in range(LANES):
                w = uint64(i)
                x[_x(s, a) + w] = (x[_x(s, a) + w] * (11.0 / 12.0)
                                   + x[_x(s, a - 1) + w] * (1.0 / 12.0))  # fmt: skip
        for i in range(LANES):
            w = uint64(i)
            x[_x(s, 0) + w] = x[_x(s, 0) + w] * (11.0 / 12.0)
    for s in (_WAIT, _AMB, _RES):
        for k in range(N_MOVED):
            a = _ADULT + k
            for i in range(LANES):
                w = uint64(i)
                keep = fl.care_keep(a, q[_r(P_EXTENSION_SHARE) + w],
                                    q[_r(P_EXTENSION_MAX_AGE) + w])  # fmt: skip
                gone = q[_r(Q_MOVED + s * N_MOVED + k) + w] * (1.0 - keep)
                x[_x(s, a) + w] -= gone
                x[_x(_BASE, a) + w] += gone
        for i in range(LANES):
            w = uint64(i)
            moved18 = q[_r(Q_MOVED + s * N_MOVED) + w]
            kept18 = moved18 * fl.care_keep(_ADULT, q[_r(P_EXTENSION_SHARE) + w],
                                            q[_r(P_EXTENSION_MAX_AGE) + w])  # fmt: skip
            q[_g(A_T18, 1) + w] += moved18
            q[_g(A_T18C, 1) + w] += kept18
            if s != _WAIT:
                q[_g(A_X18T, 1) + w] += kept18
                q[_g(A_X18Z if s == _AMB else A_X18M, 1) + w] += kept18
    for i in range(LANES):
        w = uint64(i)
        moved_fl = q[_r(Q_MOVED + _FIRST * N_MOVED) + w]
        x[_x(_FIRST, _ADULT) + w] -= moved_fl  # first-line youth help ends at 18
        x[_x(_BASE, _ADULT) + w] += moved_fl
        x[_x(JB, _ADULT) + w] -= q[_r(Q_MOVED + JB * N_MOVED) + w]  # measures end at 18
        q[_g(A_X18JR, 1) + w] += q[_r(Q_MOVED + JR * N_MOVED) + w]
        x[_x(_BASE, 0) + w] += births / 12.0
        q[_r(Q_ACC_T + T_BIRTHS) + w] += births / 12.0
        q[_r(Q_MIGRATED) + w] = 0.0
    for a in range(n_ages):
        rate = migration[a] / 12.0
        for s in range(n_stocks):
            for i in range(LANES):
                w = uint64(i)
                if s < N_STATES:
                    q[_r(Q_MIGRATED) + w] += x[_x(s, a) + w] * rate
                x[_x(s, a) + w] *= 1.0 + rate
    for i in range(LANES):
        w = uint64(i)
        q[_r(Q_ACC_T + T_MIGRATION) + w] += q[_r(Q_MIGRATED) + w]
