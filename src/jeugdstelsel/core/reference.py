"""A plain NumPy reference of the monthly update, written from the declaration (slow, readable).

The engine (:mod:`jeugdstelsel.core.simulate`) is fast and therefore hard to read: 64-lane
blocks of draws, flat scratch rows, vector exponentials, rates cached between months. This
module computes the same month the plain way, one function per factor and per flow of
:mod:`jeugdstelsel.core.model`, on arrays ``(draws, municipalities)`` per age. Every function
sees the parameters through :func:`declared`, a view that only holds what the factor or flow
declares, so a formula here cannot use an undeclared parameter; tests/core/test_reference.py
runs it beside the compiled kernel, which therefore cannot either.

What the reference does *not* do: the engine's output accumulators (counts per period,
costs, referrer mix). Stocks only.

One month, as the engine: (1) all flows act on the stocks at the start of the month (flows
out of one stock compete: ``1 - exp(-sum of hazards)``, split in proportion); (2) then ageing
by 1/12 of an age with the 18-year boundary, births and net migration. The spin-up repeats the
first month's conditions without capacity limit and without demography, rescaling each age to
its start population; contracted capacity is the spin-up's end occupancy times the margin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from jeugdstelsel.core.dimensions import (
    ADULT_AGE,
    AGE_BANDS,
    MONTHS_PER_YEAR,
    N_AGES,
    N_STATES,
    PROBATION_MIN_AGE,
    REFERENCE_YEAR,
)
from jeugdstelsel.core.flows import MAX_ESCALATION
from jeugdstelsel.core.model import (
    FACTORS_BY_NAME,
    FLOWS_BY_NAME,
    STOCKS,
    Factor,
    Flow,
    parameters_of,
)
from jeugdstelsel.core.parameters import ParameterSet
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.errors import ParameterError

S = {s.name: i for i, s in enumerate(STOCKS)}
BASE, FIRST, WAIT = S["base"], S["first_line"], S["waiting"]
AMB, RES, AFTER = S["ambulatory"], S["residential"], S["after_care"]
JB, JR = S["child_protection"], S["juvenile_probation"]


class UndeclaredParameterError(ParameterError):
    """A formula asked for a parameter its flow or factor does not declare."""


class declared(Mapping):  # noqa: N801 - reads as a function: declared(values, flow)
    """The parameter values a flow or factor declares, and nothing else.

    Views nest: a flow passes its view to the factors it builds on, so a factor's formula
    gets only what both the factor and the flow declare.
    """

    def __init__(self, values: Mapping[str, np.ndarray], item: Flow | Factor) -> None:
        self._values = values
        self._item = item
        self._names = frozenset(parameters_of(item))

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._names:
            raise UndeclaredParameterError(
                f"{type(self._item).__name__.lower()} '{self._item.name}' uses parameter "
                f"'{name}', which it does not declare"
            )
        return self._values[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def leave(hazard):
    """Probability of leaving within a month at a constant monthly hazard: 1 - exp(-h)."""
    return -np.expm1(-hazard)


@dataclass(frozen=True)
class Month:
    """What a month's rates depend on besides the parameters and the stocks."""

    years: float  # years since 1 January 2015 (mid-month; the spin-up holds the first month)
    growth_years: float  # years since the start of the run (capacity growth)
    risk: np.ndarray  # (M,) municipal risk index
    spinup: bool


# --- factors ------------------------------------------------------------------------------


def _f(values, name: str) -> declared:
    return declared(values, FACTORS_BY_NAME[name])


def threshold(values, t: Month):
    p = _f(values, "threshold")
    return p["threshold_level"] * np.exp(p["threshold_trend"] * t.years)


def age_profile(values, age: int):
    p = _f(values, "age_profile")
    if age >= ADULT_AGE:
        return np.zeros_like(p["age_rel_0_3"])
    if age <= AGE_BANDS["0_3"][1]:
        return p["age_rel_0_3"]
    if age >= AGE_BANDS["12_17"][0]:
        return p["age_rel_12_17"]
    return np.ones_like(p["age_rel_0_3"])


def need(values, t: Month, age: int):
    """Monthly hazard that a need reaching a helper arises in the base."""
    p = _f(values, "need")
    return (p["need_incidence"] * age_profile(p, age) * t.risk * threshold(p, t)
            * (1.0 - p["protection"]))  # fmt: skip


def supply_factor(values):
    p = _f(values, "supply_factor")
    return 1.0 + p["supply_induced"] * p["fragmentation"]


def routing(values, t: Month) -> dict[str, np.ndarray]:
    """Shares of a new need per route; weights relative to 'no referrer', normalised by their
    observed sum; POH-jeugd and school shift needs to the first line; supply adds referrals."""
    p = _f(values, "routing")
    first_line = p["route_first_line"] * np.exp(p["fl_route_trend"] * t.years)
    gp, yd, ms = p["route_gp"], p["route_youth_doctor"], p["route_medical_specialist"]
    poh, school = p["poh_shift"], p["school_shift"]
    sid = supply_factor(p)
    total = first_line + gp + yd + ms + 1.0
    return {
        "first_line": (first_line + gp * poh + (yd + 1.0) * school) / total,
        "gp": gp * (1.0 - poh) * sid / total,
        "youth_doctor": yd * (1.0 - school) * sid / total,
        "medical_specialist": ms * sid / total,
        "none": (1.0 - school) * sid / total,
    }


def escalation(values):
    p = _f(values, "escalation")
    return np.clip(p["fl_escalation"] * p["defensive_factor"], 0.0, MAX_ESCALATION)


def occupancy(values, x):
    """Places still occupied after the month: specialist care that does not end this month
    (step-up and step-down stay in care)."""
    p = _f(values, "occupancy")
    h_end, h_up = hazard_ambulatory_ends(p), hazard_step_up(p)
    stay_amb = 1.0 - leave(h_end + h_up) * h_end / (h_end + h_up)
    h_end, h_down = hazard_residential_ends(p), hazard_step_down(p)
    stay_res = 1.0 - leave(h_end + h_down) * h_end / (h_end + h_down)
    return x[:, :, AMB].sum(-1) * stay_amb + x[:, :, RES].sum(-1) * stay_res


def capacity(values, occupied_at_start):
    """Contracted places at the start: the spin-up's end occupancy times the margin."""
    p = _f(values, "capacity")
    return occupied_at_start * p["capacity_margin"]


def capacity_growth(values, t: Month):
    p = _f(values, "capacity")
    return np.exp(p["capacity_growth"] * t.growth_years)


# --- flows: monthly hazards -------------------------------------------------------------------


def _p(values, name: str) -> declared:
    return declared(values, FLOWS_BY_NAME[name])


def hazard_need_to_first_line(values, t: Month, age: int):
    p = _p(values, "need_to_first_line")
    return need(p, t, age) * routing(p, t)["first_line"]


def hazard_need_to_waiting(values, t: Month, age: int):
    """Direct referrals: GP, youth doctor, medical specialist and no referrer together."""
    p = _p(values, "need_to_waiting")
    r = routing(p, t)
    h = need(p, t, age)
    return h * r["gp"] + h * r["youth_doctor"] + h * r["medical_specialist"] + h * r["none"]


def hazard_gi_referral(values, x_age):
    p = _p(values, "gi_referral")
    return p["gi_referral_rate"] * x_age[JB] / _safe_population(x_age)


def hazard_court_referral(values, x_age):
    p = _p(values, "court_referral")
    return p["court_referral_rate"] * x_age[JR] / _safe_population(x_age)


def hazard_first_line_escalates(values):
    p = _p(values, "first_line_escalates")
    return escalation(p) / p["fl_duration"]


def hazard_first_line_resolves(values):
    p = _p(values, "first_line_resolves")
    return (1.0 - escalation(p)) / p["fl_duration"]


def hazard_ambulatory_ends(values):
    p = _p(values, "ambulatory_ends")
    return 1.0 / (p["amb_duration"] * supply_factor(p))


def hazard_residential_ends(values):
    p = _p(values, "residential_ends")
    return 1.0 / (p["res_duration"] * supply_factor(p))


def hazard_step_up(values):
    return _p(values, "step_up")["step_up_rate"]


def hazard_step_down(values):
    return _p(values, "step_down")["step_down_rate"]


def hazard_reentry(values, age: int):
    p = _p(values, "reentry")
    if age >= ADULT_AGE:
        return np.zeros_like(p["reentry_rate"])
    return p["reentry_rate"] * (1.0 - p["relapse_prevention"])


def hazard_after_care_ends(values):
    return 1.0 / _p(values, "after_care_ends")["aftercare_months"]


def hazard_child_protection_in(values, t: Month, age: int):
    p = _p(values, "child_protection_in")
    if age >= ADULT_AGE:
        return np.zeros_like(p["jb_rate"])
    return p["jb_rate"] * t.risk * np.exp(p["jb_trend"] * t.years)


def hazard_child_protection_out(values):
    return 1.0 / _p(values, "child_protection_out")["jb_duration"]


def hazard_probation_in(values, t: Month, age: int):
    p = _p(values, "probation_in")
    rate = p["jr_rate"] * t.risk * np.exp(p["jr_trend"] * t.years)
    if age < PROBATION_MIN_AGE:
        return np.zeros_like(rate)
    return rate if age < ADULT_AGE else rate * p["jr_age_rel_18_22"]


def hazard_probation_out(values):
    return 1.0 / _p(values, "probation_out")["jr_duration"]


def intake_probability(values):
    """Share of the waiting list that would start this month if there were room."""
    return leave(1.0 / _p(values, "intake")["min_wait"])


def keep_at_age(values, age: int):
    """Share of waiting and specialist care that continues on reaching ``age`` (flow 18)."""
    p = _p(values, "turning_18")
    share, max_age = p["extension_share"], p["extension_max_age"]
    if age < ADULT_AGE:
        return np.ones_like(share)
    if age == ADULT_AGE:
        return share
    return np.where(age < max_age, 1.0, 0.0)


# --- one month ----------------------------------------------------------------------------------


def _safe_population(x_age):
    pop = x_age[:N_STATES].sum(0)
    return np.where(pop > 0.0, pop, 1.0)


def compete(stock, hazards: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Amounts leaving ``stock`` this month by competing hazards: 1 - exp(-sum), in proportion."""
    total = sum(hazards.values())
    safe = np.where(total > 0.0, total, 1.0)
    out = stock * np.where(total > 0.0, leave(total) / safe, 0.0)
    return {name: out * h for name, h in hazards.items()}


def intake_fraction(values, x, cap, t: Month):
    """Flow 4 over the whole municipality: the share of those wishing to start that can."""
    if t.spinup:
        return np.ones_like(cap)
    p = _p(values, "intake")
    wanted = x[:, :, WAIT].sum(-1) * intake_probability(p)
    free = np.maximum(cap * capacity_growth(p, t) - occupancy(p, x), 0.0)
    safe = np.where(wanted > 0.0, wanted, 1.0)
    return np.where(wanted > 0.0, np.minimum(1.0, free / safe), 1.0)


def flows_at_age(values, x, age: int, t: Month, fraction) -> np.ndarray:
    """Flows 1-7 at one age; returns the new stocks of that age ``(D, M, stocks)``."""
    xa = np.moveaxis(x[:, :, :, age], -1, 0)  # (stocks, D, M)
    base, first, wait, amb, res, after, jb, jr = xa
    pop = xa[:N_STATES].sum(0)

    out_base = compete(base, {
        "need_to_first_line": hazard_need_to_first_line(values, t, age),
        "need_to_waiting": hazard_need_to_waiting(values, t, age),
        "gi_referral": hazard_gi_referral(values, xa),
        "court_referral": hazard_court_referral(values, xa),
    })  # fmt: skip
    out_first = compete(first, {
        "first_line_escalates": hazard_first_line_escalates(values),
        "first_line_resolves": hazard_first_line_resolves(values),
    })  # fmt: skip
    out_amb = compete(amb, {
        "ambulatory_ends": hazard_ambulatory_ends(values),
        "step_up": hazard_step_up(values),
    })  # fmt: skip
    out_res = compete(res, {
        "residential_ends": hazard_residential_ends(values),
        "step_down": hazard_step_down(values),
    })  # fmt: skip
    out_after = compete(after, {
        "reentry": hazard_reentry(values, age),
        "after_care_ends": hazard_after_care_ends(values),
    })  # fmt: skip
    intake = wait * intake_probability(values) * fraction
    p_in = _p(values, "intake")
    intake_res = intake * np.minimum(
        p_in["residential_share"] * np.exp(p_in["residential_trend"] * t.years), 1.0)
    intake_amb = intake - intake_res

    referred = (out_base["need_to_waiting"] + out_base["gi_referral"]
                + out_base["court_referral"] + out_first["first_line_escalates"]
                + out_after["reentry"])  # fmt: skip
    new = np.empty_like(xa)
    new[BASE] = base - sum(out_base.values()) + out_after["after_care_ends"]
    new[FIRST] = first + out_base["need_to_first_line"] - sum(out_first.values())
    new[WAIT] = wait + referred - intake
    new[AMB] = amb + intake_amb + out_res["step_down"] - sum(out_amb.values())
    new[RES] = res + intake_res + out_amb["step_up"] - sum(out_res.values())
    new[AFTER] = (after + out_first["first_line_resolves"] + out_amb["ambulatory_ends"]
                  + out_res["residential_ends"] - sum(out_after.values()))  # fmt: skip
    # overlays: a child can be in care and under a measure at once
    jb_in = np.maximum(pop - jb, 0.0) * leave(hazard_child_protection_in(values, t, age))
    jr_in = np.maximum(pop - jr, 0.0) * leave(hazard_probation_in(values, t, age))
    new[JB] = jb + jb_in - jb * leave(hazard_child_protection_out(values))
    new[JR] = jr + jr_in - jr * leave(hazard_probation_out(values))
    return np.moveaxis(new, 0, -1)


def flows(values, x, t: Month, cap) -> np.ndarray:
    """Flows 1-7 for every age (ages do not interact within the month, except for capacity)."""
    fraction = intake_fraction(values, x, cap, t)
    new = np.empty_like(x)
    for age in range(N_AGES):
        new[:, :, :, age] = flows_at_age(values, x, age, t, fraction)
    return new


def demography(values, x, births, migration) -> np.ndarray:
    """Ageing by 1/12 of an age with the 18-year boundary, births at 0, net migration."""
    moved = x / MONTHS_PER_YEAR  # moving up one age this month
    new = x - moved
    new[:, :, :, 1:] += moved[:, :, :, :-1]  # the oldest leave the model at 23
    for age in range(ADULT_AGE, N_AGES):
        arriving = moved[:, :, :, age - 1]
        for stock in (WAIT, AMB, RES):  # care continues for the extension share
            gone = arriving[:, :, stock] * (1.0 - keep_at_age(values, age))
            new[:, :, stock, age] -= gone
            new[:, :, BASE, age] += gone
        if age == ADULT_AGE:  # first-line help and child protection end at 18
            new[:, :, FIRST, age] -= arriving[:, :, FIRST]
            new[:, :, BASE, age] += arriving[:, :, FIRST]
            new[:, :, JB, age] -= arriving[:, :, JB]
    new[:, :, BASE, 0] += births[None, :] / MONTHS_PER_YEAR
    return new * (1.0 + migration[None, :, None, :] / MONTHS_PER_YEAR)


def rescale(x, pop0) -> np.ndarray:
    """Spin-up: each age keeps its start population, only the mix over states changes."""
    total = x[:, :, :N_STATES].sum(2, keepdims=True)
    factor = np.where(total > 0.0, pop0[None, :, None, :] / np.where(total > 0, total, 1), 1.0)
    return x * factor


def step(values, x, t: Month, cap, births, migration, pop0) -> np.ndarray:
    """One month: the flows, then the spin-up's rescaling or the demography."""
    x = flows(values, x, t, cap)
    return rescale(x, pop0) if t.spinup else demography(values, x, births, migration)


def run(
    params: ParameterSet,
    inputs: PopulationInputs,
    n_months: int,
    *,
    paths: Mapping[str, np.ndarray] | None = None,
    spinup_months: int = 48,
) -> np.ndarray:
    """Stocks ``(draws, municipalities, stocks, ages)`` after ``n_months``, as
    :func:`jeugdstelsel.core.simulate.simulate` computes them (``final_stocks``)."""
    paths = dict(paths or {})
    d, m = params.n_draws, inputs.n_municipalities
    pop0 = np.asarray(inputs.population0, dtype=float)
    risk = np.asarray(inputs.risk, dtype=float)
    offset = float(inputs.start_year - REFERENCE_YEAR)
    x = np.zeros((d, m, len(STOCKS), N_AGES))
    x[:, :, BASE] = pop0[None]
    values = dict(params.values)
    migration = inputs.migration_by_year()
    no_births = np.zeros(m)
    start = Month(offset, 0.5 / MONTHS_PER_YEAR, risk, spinup=True)
    for _ in range(spinup_months):
        x = step(values, x, start, np.full((d, m), np.inf), no_births, 0 * pop0, pop0)
    cap = capacity(values, x[:, :, AMB].sum(-1) + x[:, :, RES].sum(-1))
    for month in range(n_months):
        now = dict(values, **{k: v[month] for k, v in paths.items()})
        mid = (month + 0.5) / MONTHS_PER_YEAR
        t = Month(offset + mid, mid, risk, spinup=False)
        births = np.asarray(inputs.births[month // MONTHS_PER_YEAR], dtype=float)
        x = step(now, x, t, cap, births, migration[month // MONTHS_PER_YEAR], pop0)
    return x
