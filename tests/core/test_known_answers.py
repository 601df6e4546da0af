"""Known answers: cases whose exact solution is known, run through the compiled kernel.

Both cases switch mechanisms off by setting parameters to values outside their declared range
(0 for an inflow, 1e12 for a capacity margin); ``ParameterSet.with_values`` allows that on
purpose, and the cases say which. Everyone starts at ages 4-5 with no births and no migration,
and the horizon is at most twelve months plus a short spin-up, so nobody reaches 18 (where
care and measures end) or 23: the cohort is closed and every rate is the same at every age.

1. *A single outflow*: a child-protection measure ends at the constant hazard 1/duration and
   nothing flows in. The stock then follows exp(-t / duration) exactly (the engine turns a
   monthly hazard h into the probability 1 - exp(-h), which is exact for a single outflow).
   Tolerance 1e-12 relative: each month multiplies by exp(-h) up to a few ulp (the kernel's
   vector expm1 is within 4 ulp), so 12 months stay below 1e-14.
2. *A closed cohort with constant rates*: with no trends, no overlays and no binding capacity,
   the six care states follow s(n + 1) = T s(n), with T the monthly transition matrix written
   out below from the declared formulas (competing hazards: 1 - exp(-sum), split in
   proportion). The exact answer is s(n) = T^n s(0); the total is conserved exactly. Tolerance
   1e-11 relative (absolute 1e-9 persons): rounding only, in a product of at most 15 stochastic
   matrices.
"""

from __future__ import annotations

import numpy as np

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.dimensions import N_AGES, N_STATES
from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.core.simulate import JB, simulate

RTOL_EXPONENTIAL = 1e-12
RTOL_COHORT = 1e-11


def _cohort(ages: dict[int, float], risk: float = 1.0, years: int = 2) -> PopulationInputs:
    pop0 = np.zeros((1, N_AGES))
    for age, persons in ages.items():
        pop0[0, age] = persons
    return PopulationInputs(2015, pop0, np.zeros((years, 1)), np.zeros((1, N_AGES)),
                            np.array([risk]), ("cohort",))  # fmt: skip


def test_a_single_outflow_decays_exactly_exponentially():
    """Child protection after its inflow stops: J(t) = J(0) exp(-t / duration)."""
    duration = 12.0
    inputs = _cohort({4: 1000.0, 5: 500.0})
    params = P.build(PARAMETERS, 1, 1, None).with_values({"jb_duration": duration})
    n_months = 12
    # the spin-up builds up measures; from month 0 no new ones (jb_rate 0: outside the range)
    paths = {"jb_rate": np.zeros((n_months, 1, 1))}
    result = simulate(params, inputs, n_months, paths=paths, spinup_months=24)
    start = result.by_group["jb"][0, 0, :, :].sum(-1)  # at months 0 and 6
    end = result.final_stocks[0, 0, JB].sum()
    j0 = start[0]
    assert j0 > 1.0  # not vacuous: there are measures to end
    months = np.array([0.0, 6.0, 12.0])
    observed = np.array([start[0], start[1], end])
    np.testing.assert_allclose(observed, j0 * np.exp(-months / duration), rtol=RTOL_EXPONENTIAL)
    # nobody reached 18, where measures end: the closed-cohort premise holds
    assert result.final_stocks[0, 0, :, 18:].sum() == 0.0


def _constant_rates(values: dict[str, float]) -> np.ndarray:
    """The monthly transition matrix T of the six care states (columns: from), written from
    the declared formulas for a minor whose age profile is 1, without trends or overlays."""
    v = values
    leave = lambda h: -np.expm1(-h)  # noqa: E731
    sid = 1.0 + v["supply_induced"] * v["fragmentation"]
    need = v["need_incidence"] * v["risk"] * v["threshold_level"] * (1.0 - v["protection"])
    fl, gp, yd, ms = (v["route_first_line"], v["route_gp"], v["route_youth_doctor"],
                      v["route_medical_specialist"])  # fmt: skip
    poh, school = v["poh_shift"], v["school_shift"]
    total = fl + gp + yd + ms + 1.0
    h_first = need * (fl + gp * poh + (yd + 1.0) * school) / total
    h_direct = need * sid * (gp * (1 - poh) + yd * (1 - school) + ms + (1 - school)) / total
    esc = min(max(v["fl_escalation"] * v["defensive_factor"], 0.0), 0.95)
    h_amb_end, h_up = 1.0 / (v["amb_duration"] * sid), v["step_up_rate"]
    h_res_end, h_down = 1.0 / (v["res_duration"] * sid), v["step_down_rate"]
    h_re, h_back = v["reentry_rate"] * (1.0 - v["relapse_prevention"]), 1.0 / v["aftercare_months"]
    base, first, wait, amb, res, after = range(N_STATES)
    t = np.zeros((N_STATES, N_STATES))

    def split(source: int, hazards: dict[int, float]) -> None:
        total_h = sum(hazards.values())
        for target, h in hazards.items():
            t[target, source] += leave(total_h) * h / total_h
        t[source, source] += 1.0 - leave(total_h)

    split(base, {first: h_first, wait: h_direct})
    split(first, {wait: esc / v["fl_duration"], after: (1.0 - esc) / v["fl_duration"]})
    start = leave(1.0 / v["min_wait"])
    t[amb, wait] = start * (1.0 - v["residential_share"])
    t[res, wait] = start * v["residential_share"]
    t[wait, wait] = 1.0 - start
    split(amb, {after: h_amb_end, res: h_up})
    split(res, {after: h_res_end, amb: h_down})
    split(after, {wait: h_re, base: h_back})
    return t


def test_a_closed_cohort_with_constant_rates_follows_the_matrix_power():
    risk = 1.3
    inputs = _cohort({4: 1000.0, 5: 800.0}, risk=risk)
    switched_off = {
        "threshold_trend": 0.0,  # constant rates: no trends
        "fl_route_trend": 0.0,
        "age_rel_0_3": 1.0,  # every minor age has the same incidence
        "age_rel_12_17": 1.0,
        "jb_rate": 0.0,  # no overlays, so no referrals from them (outside the range)
        "jr_rate": 0.0,
        "capacity_margin": 1e12,  # capacity never binds (outside the range)
    }
    params = P.build(PARAMETERS, 1, 1, None).with_values(switched_off)
    values = {name: float(params[name][0, 0]) for name in params.values} | {"risk": risk}
    spinup, n_months = 3, 12  # the spin-up needs 3 months to occupy places (capacity > 0)
    result = simulate(params, inputs, n_months, spinup_months=spinup)

    t = _constant_rates(values)
    np.testing.assert_allclose(t.sum(axis=0), 1.0, rtol=1e-15)  # a closed cohort
    s0 = np.zeros(N_STATES)
    s0[0] = 1800.0
    expected_end = np.linalg.matrix_power(t, spinup + n_months) @ s0
    observed_end = result.final_stocks[0, 0, :N_STATES].sum(-1)
    np.testing.assert_allclose(observed_end, expected_end, rtol=RTOL_COHORT, atol=1e-9)
    assert abs(observed_end.sum() - 1800.0) < 1e-9  # the total is conserved
    # at the start of each half-year, as the engine records them (ages 0-17)
    names = {1: "first_line", 2: "waiting", 3: "ambulatory", 4: "residential"}
    for period, months in enumerate((0, 6)):
        expected = np.linalg.matrix_power(t, spinup + months) @ s0
        for state, name in names.items():
            observed = result.by_group[name][0, 0, period, 0]
            np.testing.assert_allclose(observed, expected[state], rtol=RTOL_COHORT, atol=1e-9)
    # not vacuous: every state is occupied, and the premise (nobody at 18 or older) holds
    assert (observed_end > 1.0).all()
    assert result.final_stocks[0, 0, :, 18:].sum() == 0.0


def test_the_cohort_answer_notices_a_small_change():
    """The tolerance is meaningful: one part in a million on a duration is seen."""
    inputs = _cohort({4: 1000.0, 5: 800.0}, risk=1.3)
    switched_off = {"threshold_trend": 0.0, "fl_route_trend": 0.0, "age_rel_0_3": 1.0,
                    "age_rel_12_17": 1.0, "jb_rate": 0.0, "jr_rate": 0.0,
                    "capacity_margin": 1e12}  # fmt: skip
    params = P.build(PARAMETERS, 1, 1, None).with_values(switched_off)
    values = {name: float(params[name][0, 0]) for name in params.values} | {"risk": 1.3}
    result = simulate(params, inputs, 12, spinup_months=3)
    values["res_duration"] *= 1 + 1e-6
    s0 = np.zeros(N_STATES)
    s0[0] = 1800.0
    expected = np.linalg.matrix_power(_constant_rates(values), 15) @ s0
    observed = result.final_stocks[0, 0, :N_STATES].sum(-1)
    assert np.max(np.abs(observed - expected) / expected) > 100 * RTOL_COHORT
