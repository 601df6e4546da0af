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
from numba import njit, prange

from jeugdstelsel.core import flows as fl
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
        np.ascontiguousarray(np.stack(list(paths.values()), axis=1))
        if paths
        else np.zeros((n_months, 0, d, m))
    )
    lever = extra_cost if extra_cost is not None else np.zeros((n_months, d, m))
    run = _Run(inputs, n_months, params["fl_cbs_share"], progress)
    unique, inverse = _unique_draws(par, params["fl_cbs_share"])
    if len(unique) < d:
        branch = _first_difference(path_values, lever, unique, inverse) // PERIOD_MONTHS
        shared = run.start(par[:, unique], path_keys, path_values[:, :, unique],
                           lever[:, unique], unique, spinup_months)  # fmt: skip
        run.periods(shared, 0, branch)
        state = shared.expand(inverse)
    else:
        state = run.start(par, path_keys, path_values, lever, np.arange(d), spinup_months)
        branch = 0
    state = state.with_inputs(par, path_keys, path_values, lever)
    run.periods(state, branch, run.n_periods)
    return SimulationResult(inputs.start_year, run.n_periods, state.by_group, state.totals,
                            state.x, state.initial_total, tuple(inputs.names))  # fmt: skip


def _unique_draws(par: np.ndarray, fl_cbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draws whose parameters are identical in every municipality: representatives, inverse."""
    flat = np.concatenate([par.transpose(1, 0, 2).reshape(par.shape[1], -1), fl_cbs], axis=1)
    _, first, inverse = np.unique(flat, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)  # keep representatives in draw order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.reshape(-1)]


def _first_difference(path_values: np.ndarray, lever: np.ndarray, unique: np.ndarray,
                      inverse: np.ndarray) -> int:
    """First month in which a draw's paths or lever cost differ from its representative's."""
    months = lever.shape[0]
    rep = unique[inverse]
    differs = np.any(lever != lever[:, rep], axis=(1, 2))
    if path_values.shape[1]:
        differs |= np.any(path_values != path_values[:, :, rep], axis=(1, 2, 3))
    hits = np.flatnonzero(differs)
    return int(hits[0]) if len(hits) else months


@dataclass
class _State:
    """The stocks, capacity and outputs of a set of draws during a run."""

    x: np.ndarray
    capacity: np.ndarray
    initial_total: np.ndarray
    by_group: dict[str, np.ndarray]
    totals: dict[str, np.ndarray]
    par: np.ndarray
    path_keys: np.ndarray
    path_values: np.ndarray
    lever: np.ndarray
    fl_cbs: np.ndarray

    def expand(self, inverse: np.ndarray) -> _State:
        """Copy representative draws to every draw they stand for."""
        return _State(self.x[inverse], self.capacity[inverse], self.initial_total[inverse],
                      {k: v[inverse] for k, v in self.by_group.items()},
                      {k: v[inverse] for k, v in self.totals.items()},
                      self.par, self.path_keys, self.path_values, self.lever,
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
        self.fl_cbs = fl_cbs
        self.progress = progress

    def start(self, par, path_keys, path_values, lever, draws, spinup_months) -> _State:
        """Spin-up for the given draws; empty output arrays for all periods."""
        d, m = par.shape[1], par.shape[2]
        x = np.zeros((d, m, N_STOCKS, N_AGES))
        x[:, :, State.BASE, :] = self.pop0[None]
        capacity = np.full((d, m), np.inf)
        dummy_g = np.zeros((d, m, len(GROUP_ACCUMULATORS), 2))
        dummy_t = np.zeros((d, m, len(TOTAL_ACCUMULATORS)))
        _months(x, par, path_keys, path_values, 0, spinup_months, True, self.offset, self.risk,
                self.births, self.migration, self.pop0, capacity, lever, dummy_g,
                dummy_t)  # fmt: skip
        _set_capacity(x, par, capacity)
        names = (*GROUP_ACCUMULATORS, *START_STOCKS, "waiting_end", "residential_end")
        by_group = {k: np.zeros((d, m, self.n_periods, 2)) for k in names}
        totals = {k: np.zeros((d, m, self.n_periods)) for k in TOTAL_ACCUMULATORS}
        return _State(x, capacity, x[:, :, :N_STATES].sum(axis=(2, 3)), by_group, totals, par,
                      path_keys, path_values, lever, self.fl_cbs[draws])  # fmt: skip

    def periods(self, st: _State, first: int, last: int) -> None:
        """Half-year periods ``first..last-1``: monthly kernel plus output bookkeeping."""
        d, m = st.x.shape[0], st.x.shape[1]
        for period in range(first, last):
            for name, value in _start_stocks(st.x, st.fl_cbs).items():
                st.by_group[name][:, :, period] = value
            acc_g = np.zeros((d, m, len(GROUP_ACCUMULATORS), 2))
            acc_t = np.zeros((d, m, len(TOTAL_ACCUMULATORS)))
            _months(st.x, st.par, st.path_keys, st.path_values, period * PERIOD_MONTHS,
                    PERIOD_MONTHS, False, self.offset, self.risk, self.births, self.migration,
                    self.pop0, st.capacity, st.lever, acc_g, acc_t)  # fmt: skip
            if self.progress is not None:
                self.progress((period + 1) * PERIOD_MONTHS, self.n_months)
            for i, name in enumerate(GROUP_ACCUMULATORS):
                st.by_group[name][:, :, period] = acc_g[:, :, i]
            for i, name in enumerate(TOTAL_ACCUMULATORS):
                st.totals[name][:, :, period] = acc_t[:, :, i]
            ends = _stock_groups(st.x)
            st.by_group["waiting_end"][:, :, period] = ends[:, :, State.WAITING]
            st.by_group["residential_end"][:, :, period] = ends[:, :, State.RESIDENTIAL]


def _start_stocks(x: np.ndarray, fl_cbs_share: np.ndarray) -> dict[str, np.ndarray]:
    """Stocks per age group (0-17, 18-22) at the start of a period, for unique persons."""
    g = _stock_groups(x)
    fl_rep = g[:, :, State.FIRST_LINE] * fl_cbs_share[..., None]
    amb, res = g[:, :, State.AMBULATORY], g[:, :, State.RESIDENTIAL]
    return {
        "jh_zonder": fl_rep + amb,
        "jh_met": res,
        "jh_total": fl_rep + amb + res,
        "jb": g[:, :, JB],
        "jr": g[:, :, JR],
        "first_line": g[:, :, State.FIRST_LINE],
        "waiting": g[:, :, State.WAITING],
        "ambulatory": amb,
        "residential": res,
    }


@njit(cache=True, parallel=True)
def _stock_groups(x):
    """(D, M, stocks, ages) -> (D, M, stocks, 2): sums over ages 0-17 and 18-22.

    A fixed summation order per cell, so the sums do not depend on how many draws or
    municipalities run together (NumPy's reductions may, in the last bit).
    """
    n_d, n_m, n_s = x.shape[0], x.shape[1], x.shape[2]
    out = np.zeros((n_d, n_m, n_s, 2))
    for cell in prange(n_d * n_m):
        d = cell // n_m
        m = cell % n_m
        for s in range(n_s):
            young = 0.0
            for a in range(_ADULT):
                young += x[d, m, s, a]
            old = 0.0
            for a in range(_ADULT, _NA):
                old += x[d, m, s, a]
            out[d, m, s, 0] = young
            out[d, m, s, 1] = old
    return out


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


@njit(cache=True, parallel=True, fastmath=True)
def _months(x, par, path_keys, path_values, first, count, spinup, offset, risk, births,
            migration, pop0, capacity, lever, acc_g, acc_t):  # fmt: skip
    """``count`` months from ``first`` for every draw and municipality (parallel over cells).

    The month loop runs inside each cell so that the cell's stocks stay in cache for the whole
    period: the work is compute-bound instead of streaming every stock through memory monthly.
    """
    n_d, n_m = x.shape[0], x.shape[1]
    for cell in prange(n_d * n_m):
        d = cell // n_m
        m = cell % n_m
        p = np.empty(par.shape[0])
        moved = np.empty((N_STOCKS, _NA - _ADULT))
        for k in range(par.shape[0]):
            p[k] = par[k, d, m]
        for step in range(count):
            month = first + step
            if not spinup:
                for j in range(path_keys.shape[0]):
                    p[path_keys[j]] = path_values[month, j, d, m]
            _flows_cell(x[d, m], p, month, spinup, offset, risk[m], capacity[d, m],
                        acc_g[d, m], acc_t[d, m])  # fmt: skip
            if spinup:
                _rescale_cell(x[d, m], pop0[m])
            else:
                acc_t[d, m, T_LEVER] += lever[month, d, m]
                _demography_cell(x[d, m], p, month, births[month // 12, m], migration[m],
                                 acc_g[d, m], acc_t[d, m], moved)  # fmt: skip


@njit(cache=True, fastmath=True)
def _flows_cell(x, p, month, spinup, offset, risk, capacity, acc, tot):
    """Flows 1-7 for one draw and municipality; ``x`` is (stocks, ages), updated in place."""
    years = offset if spinup else offset + (month + 0.5) / 12.0
    thresh = fl.threshold(p[P_THRESHOLD_LEVEL], p[P_THRESHOLD_TREND], years)
    sid = fl.supply_factor(p[P_SUPPLY_INDUCED], p[P_FRAGMENTATION])
    r_fl, r_gp, r_yd, r_ms, r_none = fl.routing(
        p[P_ROUTE_FIRST_LINE] * math.exp(p[P_FL_ROUTE_TREND] * years),
        p[P_ROUTE_GP],
        p[P_ROUTE_YOUTH_DOCTOR],
        p[P_ROUTE_MEDICAL_SPECIALIST],
        p[P_POH_SHIFT],
        p[P_SCHOOL_SHIFT],
        sid,
    )
    fl_leave = fl.leave(1.0 / p[P_FL_DURATION])
    esc = fl.escalation_share(p[P_FL_ESCALATION], p[P_DEFENSIVE_FACTOR])
    h_amb_end = 1.0 / (p[P_AMB_DURATION] * sid)
    h_res_end = 1.0 / (p[P_RES_DURATION] * sid)
    amb_leave = fl.leave(h_amb_end + p[P_STEP_UP_RATE])
    amb_end_share = h_amb_end / (h_amb_end + p[P_STEP_UP_RATE])
    res_leave = fl.leave(h_res_end + p[P_STEP_DOWN_RATE])
    res_end_share = h_res_end / (h_res_end + p[P_STEP_DOWN_RATE])
    h_back = 1.0 / p[P_AFTERCARE_MONTHS]
    want_p = fl.leave(1.0 / p[P_MIN_WAIT])
    # hazards that are the same for every age are turned into probabilities once per cell
    h_re_minor = fl.reentry_hazard(p[P_REENTRY_RATE], p[P_RELAPSE_PREVENTION], 0)
    ac_leave_minor = fl.leave(h_re_minor + h_back)
    ac_leave_adult = fl.leave(h_back)
    jb_in_p = fl.leave(p[P_JB_RATE] * risk * math.exp(p[P_JB_TREND] * years))
    jr_rate = p[P_JR_RATE] * risk * math.exp(p[P_JR_TREND] * years)
    jr_in_minor = fl.leave(jr_rate)
    jr_in_adult = fl.leave(jr_rate * p[P_JR_AGE_REL_18_22])
    jb_out_p = fl.leave(1.0 / p[P_JB_DURATION])
    jr_out_p = fl.leave(1.0 / p[P_JR_DURATION])
    cbs = p[P_FL_CBS_SHARE]
    res_share = p[P_RESIDENTIAL_SHARE]

    # flow 4 needs the whole municipality: free places against the wish to start
    occupied = 0.0
    wanted = 0.0
    for a in range(_NA):
        occupied += x[_AMB, a] * (1.0 - amb_leave * amb_end_share)
        occupied += x[_RES, a] * (1.0 - res_leave * res_end_share)
        wanted += x[_WAIT, a] * want_p
    fraction = 1.0
    if not spinup and wanted > 0.0:
        growth = math.exp(p[P_CAPACITY_GROWTH] * (month + 0.5) / 12.0)
        fraction = min(1.0, max(capacity * growth - occupied, 0.0) / wanted)

    price = p[P_COST_SCALE] * (1.0 + p[P_TARIFF_INDEX]) ** years
    # referral inflow this month by origin: local team, gp, youth doctor, medical specialist,
    # certified institution, court, no referrer, re-entry
    in_lt = in_gp = in_yd = in_ms = in_gi = in_court = in_none = in_re = 0.0
    started = 0.0
    fl_rep_total = 0.0
    # parameters used per age, as locals (the compiler cannot hoist loads across the stores)
    rel_0_3, rel_12_17 = p[P_AGE_REL_0_3], p[P_AGE_REL_12_17]
    incidence, protection = p[P_NEED_INCIDENCE], p[P_PROTECTION]
    gi_rate, court_rate = p[P_GI_REFERRAL_RATE], p[P_COURT_REFERRAL_RATE]
    c_fl, c_amb, c_res = p[P_COST_FIRST_LINE], p[P_COST_AMBULATORY], p[P_COST_RESIDENTIAL]
    c_jb, c_jr = p[P_COST_JB], p[P_COST_JR]
    re_share_minor = h_re_minor / (h_re_minor + h_back)
    for g in range(2):  # age groups 0-17 and 18-22: accumulate in registers, store once
        s_pop = s_zonder = s_met = s_total = s_jb = s_jr = s_flrep = 0.0
        s_iamb = s_ires = s_ended = s_wait = s_cost = 0.0
        for a in range(0 if g == 0 else _ADULT, _ADULT if g == 0 else _NA):
            base, first, wait = x[_BASE, a], x[_FIRST, a], x[_WAIT, a]
            amb, res, after = x[_AMB, a], x[_RES, a], x[_AFTER, a]
            jb, jr = x[JB, a], x[JR, a]
            pop = base + first + wait + amb + res + after
            safe_pop = pop if pop > 0.0 else 1.0

            # flows 1, 2 and 7: needs and referrals out of the base
            profile = fl.age_profile(a, rel_0_3, rel_12_17)
            need = fl.need_hazard(incidence, profile, risk, thresh, protection)
            h_fl, h_gp, h_yd = need * r_fl, need * r_gp, need * r_yd
            h_ms, h_none = need * r_ms, need * r_none
            h_gi = gi_rate * jb / safe_pop
            h_court = court_rate * jr / safe_pop
            h_total = h_fl + h_gp + h_yd + h_ms + h_none + h_gi + h_court
            per_hazard = base * fl.leave(h_total) / h_total if h_total > 0.0 else 0.0
            to_first = per_hazard * h_fl
            direct_gp, direct_yd = per_hazard * h_gp, per_hazard * h_yd
            direct_ms, direct_none = per_hazard * h_ms, per_hazard * h_none
            direct_gi, direct_court = per_hazard * h_gi, per_hazard * h_court
            out_base = per_hazard * h_total

            # flow 3: the first line resolves or escalates
            fl_out = first * fl_leave
            fl_escalated = fl_out * esc
            fl_resolved = fl_out - fl_escalated

            # flow 5: specialist care ends, steps up or steps down
            amb_out = amb * amb_leave
            amb_end = amb_out * amb_end_share
            step_up = amb_out - amb_end
            res_out = res * res_leave
            res_end = res_out * res_end_share
            step_down = res_out - res_end

            # flow 6: after-care re-enters (under 18 only) or returns to the base
            ac_out = after * (ac_leave_minor if g == 0 else ac_leave_adult)
            reentry = ac_out * re_share_minor if g == 0 else 0.0
            ac_back = ac_out - reentry

            # flow 4: intake from the waiting list within capacity
            intake = wait * want_p * fraction
            intake_res = intake * res_share
            intake_amb = intake - intake_res

            referred = (fl_escalated + direct_gp + direct_yd + direct_ms + direct_none
                        + direct_gi + direct_court + reentry)  # fmt: skip
            x[_BASE, a] = base + ac_back - out_base
            x[_FIRST, a] = first + to_first - fl_out
            x[_WAIT, a] = wait + referred - intake
            x[_AMB, a] = amb + intake_amb + step_down - amb_out
            x[_RES, a] = res + intake_res + step_up - res_out
            x[_AFTER, a] = after + fl_resolved + amb_end + res_end - ac_out

            # flow 7: overlays (a child can be in care and under a measure at once)
            jb_in = max(pop - jb, 0.0) * jb_in_p if g == 0 else 0.0
            jr_in = 0.0
            if a >= _JR_MIN_AGE:
                jr_in = max(pop - jr, 0.0) * (jr_in_minor if g == 0 else jr_in_adult)
            x[JB, a] = jb + jb_in - jb * jb_out_p
            x[JR, a] = jr + jr_in - jr * jr_out_p

            if spinup:
                continue
            fl_rep = to_first * cbs
            s_pop += pop
            s_zonder += fl_rep + intake_amb + step_down
            s_met += intake_res + step_up
            s_total += fl_rep + intake
            s_jb += jb_in
            s_jr += jr_in
            s_flrep += fl_rep
            s_iamb += intake_amb
            s_ires += intake_res
            s_ended += amb_end + res_end + fl_resolved * cbs
            s_wait += wait
            s_cost += first * c_fl + amb * c_amb + res * c_res + jb * c_jb + jr * c_jr
            in_lt += fl_escalated
            in_gp += direct_gp
            in_yd += direct_yd
            in_ms += direct_ms
            in_gi += direct_gi
            in_court += direct_court
            in_none += direct_none
            in_re += reentry
            started += intake
            fl_rep_total += fl_rep
        if spinup:
            continue
        acc[A_POP, g] += s_pop / 6.0
        acc[A_ZONDER, g] += s_zonder
        acc[A_MET, g] += s_met
        acc[A_TOTAL, g] += s_total
        acc[A_JB, g] += s_jb
        acc[A_JR, g] += s_jr
        acc[A_FLREP, g] += s_flrep
        acc[A_IAMB, g] += s_iamb
        acc[A_IRES, g] += s_ires
        acc[A_ENDED, g] += s_ended
        acc[A_WAITM, g] += s_wait
        acc[A_COST, g] += price * s_cost

    if spinup:
        return
    # Starts inherit the mix of this month's referrals: all referrals wait in one queue.
    inflow = in_lt + in_gp + in_yd + in_ms + in_gi + in_court + in_none + in_re
    share = started / inflow if inflow > 0.0 else 0.0
    tot[_R_LOCAL] += fl_rep_total + in_lt * share
    tot[_R_GP] += in_gp * share
    tot[_R_YD] += in_yd * share
    tot[_R_MS] += in_ms * share
    tot[_R_GI] += in_gi * share
    tot[_R_COURT] += in_court * share
    tot[_R_NONE] += in_none * share
    tot[T_REENTRY] += in_re * share


@njit(cache=True, fastmath=True)
def _rescale_cell(x, pop0):
    """Spin-up: keep each age's population at the start population, only the mix changes."""
    for a in range(_NA):
        total = 0.0
        for s in range(N_STATES):
            total += x[s, a]
        if total > 0.0:
            scale = pop0[a] / total
            for s in range(N_STOCKS):
                x[s, a] *= scale


@njit(cache=True, fastmath=True)
def _demography_cell(x, p, month, births, migration, acc, tot, moved):
    """Ageing by 1/12 of an age per month with the 18-year boundary, births and migration.

    All stocks first age uniformly (a branch-free loop); the boundary rules are then applied
    as corrections to the few ages they concern, using the amounts that moved.
    """
    ext_share, ext_max = p[P_EXTENSION_SHARE], p[P_EXTENSION_MAX_AGE]
    aged_out = 0.0
    for s in range(N_STATES):
        aged_out += x[s, _NA - 1] / 12.0
    # amounts moving into ages 18..22 (``moved`` is a scratch buffer owned by the caller)
    for s in range(N_STOCKS):
        for k in range(_NA - _ADULT):
            moved[s, k] = x[s, _ADULT - 1 + k] / 12.0
    for s in range(N_STOCKS):
        prev = x[s, 0]
        x[s, 0] = prev * (11.0 / 12.0)
        for a in range(1, _NA):
            current = x[s, a]
            x[s, a] = current * (11.0 / 12.0) + prev * (1.0 / 12.0)
            prev = current
    for s in (_WAIT, _AMB, _RES):
        for k in range(_NA - _ADULT):
            a = _ADULT + k
            keep = fl.care_keep(a, ext_share, ext_max)
            gone = moved[s, k] * (1.0 - keep)
            x[s, a] -= gone
            x[_BASE, a] += gone
        kept18 = moved[s, 0] * fl.care_keep(_ADULT, ext_share, ext_max)
        acc[A_T18, 1] += moved[s, 0]
        acc[A_T18C, 1] += kept18
        if s != _WAIT:
            acc[A_X18T, 1] += kept18
            acc[A_X18Z if s == _AMB else A_X18M, 1] += kept18
    x[_FIRST, _ADULT] -= moved[_FIRST, 0]  # first-line youth help ends at 18
    x[_BASE, _ADULT] += moved[_FIRST, 0]
    x[JB, _ADULT] -= moved[JB, 0]  # child-protection measures end at 18
    acc[A_X18JR, 1] += moved[JR, 0]
    x[_BASE, 0] += births / 12.0
    moved = 0.0
    for a in range(_NA):
        rate = migration[a] / 12.0
        for s in range(N_STOCKS):
            if s < N_STATES:
                moved += x[s, a] * rate
            x[s, a] *= 1.0 + rate
    tot[T_AGED_OUT] += aged_out
    tot[T_BIRTHS] += births / 12.0
    tot[T_MIGRATION] += moved
