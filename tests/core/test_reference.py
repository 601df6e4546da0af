"""The compiled kernel computes what the plain NumPy reference (core/reference.py) computes.

The reference is written from the declaration, one function per factor and flow, and reads
parameters only through views that hold what the flow or factor declares. Agreement with the
kernel on random parameters over their whole declared range therefore also shows that the
kernel's flows use no parameter their declaration leaves out.

Tolerance: RTOL = 1e-11 relative to max(|stock|, 1 person). The two compute the same formulas
in the same floating-point precision; they differ only in rounding: the kernel's vector
exponentials (glibc libmvec, at most 4 ulp from exact) against NumPy's, and a few sums taken in
another order. Every stock drains at a bounded monthly rate, so rounding errors do not grow:
measured differences stay below 1e-14 relative after three years. A wrong formula, or a
parameter changed by one part in a million, is thousands of times larger than RTOL (checked
below).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core import reference as R
from jeugdstelsel.core.dimensions import N_AGES
from jeugdstelsel.core.model import FLOWS_BY_NAME, KERNEL_PARAMS, PARAMETERS
from jeugdstelsel.core.population import PopulationInputs
from jeugdstelsel.core.simulate import simulate

RTOL = 1e-11


def _inputs(rng: np.random.Generator, n_m: int, years: int, start_year: int = 2017):
    return PopulationInputs(
        start_year,
        rng.uniform(100, 5000, size=(n_m, N_AGES)),
        rng.uniform(50, 3000, size=(years, n_m)),
        rng.uniform(-0.03, 0.05, size=(n_m, N_AGES)),
        rng.uniform(0.4, 1.8, size=n_m),
        tuple(f"GM{i:04d}" for i in range(n_m)),
    )


def _random_params(rng: np.random.Generator, n_d: int, n_m: int) -> P.ParameterSet:
    """Every parameter uniform over its whole declared range, fixed ones included."""
    base = P.build(PARAMETERS, n_d, n_m, None)
    return base.with_values({p.name: rng.uniform(p.low, p.high, (n_d, n_m)) for p in PARAMETERS})


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))


@pytest.mark.parametrize(
    ("seed", "n_draws", "n_areas", "spinup_months", "n_months"),
    [
        (0, 3, 2, 0, 6),  # no spin-up: the first months from everyone in the base
        (1, 3, 2, 1, 6),
        (2, 3, 2, 12, 36),
        (3, 3, 2, 48, 12),  # the default spin-up
        (4, 70, 1, 6, 12),  # two blocks of 64 lanes, the second one short
    ],
)
def test_kernel_matches_the_reference(seed, n_draws, n_areas, spinup_months, n_months):
    """Stocks per draw, area, state and age after the spin-up and ``n_months``."""
    rng = np.random.default_rng(seed)
    inputs = _inputs(rng, n_areas, n_months // 12 + 1)
    params = _random_params(rng, n_draws, n_areas)
    engine = simulate(params, inputs, n_months, spinup_months=spinup_months).final_stocks
    reference = R.run(params, inputs, n_months, spinup_months=spinup_months)
    assert engine.shape == reference.shape
    assert _relative(engine, reference) < RTOL
    assert (engine[:, :, 1:].sum(axis=(2, 3)) > 1.0).all()  # care stocks are populated


def test_kernel_matches_the_reference_with_time_paths():
    """Levers change parameters month by month (paths); both read the month's value."""
    rng = np.random.default_rng(5)
    n_d, n_m, n_months = 2, 1, 24
    inputs = _inputs(rng, n_m, 2)
    params = _random_params(rng, n_d, n_m)
    ramp = np.linspace(0.0, 1.0, n_months)[:, None, None] * np.ones((1, n_d, n_m))
    paths = {
        "protection": 0.4 * ramp,
        "fl_duration": 4.0 + 6.0 * ramp,
        "capacity_growth": 0.05 * ramp,
        "fragmentation": 1.0 - 0.8 * ramp,
        "jb_rate": 3e-4 * (1.0 - ramp),
    }
    engine = simulate(params, inputs, n_months, paths=paths, spinup_months=6).final_stocks
    reference = R.run(params, inputs, n_months, paths=paths, spinup_months=6)
    assert _relative(engine, reference) < RTOL


def test_the_tolerance_notices_a_change_of_one_part_in_a_million():
    rng = np.random.default_rng(2)
    inputs = _inputs(rng, 2, 4)
    params = _random_params(rng, 3, 2)
    engine = simulate(params, inputs, 36, spinup_months=12).final_stocks
    for name in ("res_duration", "supply_induced", "step_down_rate", "capacity_growth"):
        nudged = params.with_values({name: params[name] * (1 + 1e-6)})
        reference = R.run(nudged, inputs, 36, spinup_months=12)
        assert _relative(engine, reference) > 100 * RTOL, name


def test_the_reference_cannot_use_an_undeclared_parameter(monkeypatch):
    """Drop the supply factor from residential_ends (the drift of issue 13): the reference,
    which reads parameters only through the flow's declaration, refuses to run."""
    flow = FLOWS_BY_NAME["residential_ends"]
    assert "supply_factor" in flow.factors
    monkeypatch.setitem(
        R.FLOWS_BY_NAME,
        "residential_ends",
        dataclasses.replace(flow, own_parameters=("res_duration",), factors=()),
    )
    rng = np.random.default_rng(0)
    inputs = _inputs(rng, 1, 1)
    params = P.build(PARAMETERS, 1, 1, None)
    with pytest.raises(R.UndeclaredParameterError, match=r"residential_ends.*supply_induced"):
        R.run(params, inputs, 6, spinup_months=1)


def test_every_kernel_parameter_reaches_the_reference_stocks():
    """No kernel parameter is dead in the reference: changing any one that acts on stocks
    changes the reference's stocks (output-only ones, costs and counting, do not)."""
    rng = np.random.default_rng(9)
    inputs = _inputs(rng, 1, 3)
    params = _random_params(rng, 1, 1)
    before = R.run(params, inputs, 24, spinup_months=6)
    output_only = {"fl_cbs_share", "cost_first_line", "cost_ambulatory", "cost_residential",
                   "cost_jb", "cost_jr", "cost_scale", "tariff_index"}  # fmt: skip
    for name in KERNEL_PARAMS:
        value = params[name] * 1.01
        if name == "extension_max_age":  # a step in age: move it across whole years
            value = np.where(params[name] > 20.5, 19.0, 22.0)
        after = R.run(params.with_values({name: value}), inputs, 24, spinup_months=6)
        changed = _relative(after, before) > 1e-9
        assert changed == (name not in output_only), name
