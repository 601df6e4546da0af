"""Mass conservation and non-negativity on random parameter draws (property-based)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.dimensions import N_AGES, N_STATES
from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.core.simulate import simulate


def _inputs(rng: np.random.Generator, n_m: int, years: int) -> PopulationInputs:
    pop0 = rng.uniform(100, 5000, size=(n_m, N_AGES))
    births = rng.uniform(50, 3000, size=(years, n_m))
    migration = rng.uniform(-0.03, 0.05, size=(n_m, N_AGES))
    risk = rng.uniform(0.4, 1.8, size=n_m)
    return PopulationInputs(
        2015, pop0, births, migration, risk, tuple(f"GM{i:04d}" for i in range(n_m))
    )


def _params(rng: np.random.Generator, n_d: int, n_m: int) -> P.ParameterSet:
    """Every parameter drawn uniformly over its whole declared range, fixed ones included."""
    base = P.build(PARAMETERS, n_d, n_m, None)
    values = {p.name: rng.uniform(p.low, p.high, size=(n_d, n_m)) for p in PARAMETERS}
    return base.with_values(values)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_d=st.integers(1, 4),
    n_m=st.integers(1, 3),
    years=st.integers(1, 4),
)
def test_mass_is_conserved_and_stocks_stay_non_negative(seed, n_d, n_m, years):
    """persons(end) = persons(start) + births - aged out at 23 + net migration, per draw/area."""
    rng = np.random.default_rng(seed)
    inputs = _inputs(rng, n_m, years)
    params = _params(rng, n_d, n_m)
    result = simulate(params, inputs, years * 12, spinup_months=12)
    final = result.final_stocks[:, :, :N_STATES].sum(axis=(2, 3))
    expected = (
        result.initial_total
        + result.totals["births"].sum(-1)
        - result.totals["aged_out"].sum(-1)
        + result.totals["migration"].sum(-1)
    )
    np.testing.assert_allclose(final, expected, rtol=1e-10)
    assert result.final_stocks.min() >= -1e-9
    # the overlays never exceed the population of their age
    pop = result.final_stocks[:, :, :N_STATES].sum(axis=2)
    assert np.all(result.final_stocks[:, :, N_STATES] <= pop + 1e-6)
    assert np.all(result.final_stocks[:, :, N_STATES + 1] <= pop + 1e-6)


def test_spin_up_keeps_the_start_population():
    """The spin-up only redistributes young people over states, age by age."""
    rng = np.random.default_rng(0)
    inputs = _inputs(rng, 2, 1)
    params = P.build(PARAMETERS, 3, 2, None)
    result = simulate(params, inputs, 6, spinup_months=24)
    np.testing.assert_allclose(
        result.initial_total, inputs.population0.sum(-1)[None, :].repeat(3, 0)
    )


def test_same_seed_same_result_and_seed_zero_is_a_seed():
    rng = np.random.default_rng(1)
    inputs = _inputs(rng, 1, 2)
    runs = []
    for seed in (0, 0, 1):
        params = P.build(PARAMETERS, 5, 1, np.random.default_rng(seed))
        runs.append(simulate(params, inputs, 24).final_stocks)
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])


def test_draws_and_municipalities_are_independent_cells():
    """A draw's result does not depend on which other draws or municipalities run beside it."""
    rng = np.random.default_rng(2)
    inputs = _inputs(rng, 3, 2)
    params = _params(rng, 4, 3)
    full = simulate(params, inputs, 24).final_stocks
    one = PopulationInputs(
        2015,
        inputs.population0[1:2],
        inputs.births[:, 1:2],
        inputs.migration[1:2],
        inputs.risk[1:2],
        inputs.names[1:2],
    )
    sub = P.ParameterSet({k: v[2:3, 1:2] for k, v in params.values.items()}, 1, 1)
    np.testing.assert_allclose(simulate(sub, one, 24).final_stocks[0, 0], full[2, 1], rtol=1e-12)
