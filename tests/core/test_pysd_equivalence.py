"""The engine and PySD, running the same model, give the same stocks.

``benchmarks/pysd_model.py`` writes the model as a Vensim file from the model's declarations;
PySD translates and runs it. With the calibrated national point estimate both must give the
same stocks per state and single age after the 48-month spin-up and ten years (Euler,
TIME STEP one month, which is the engine's discrete monthly update).

The file is also checked against the model declaration without running PySD: its parameters
and flows come from ``core.model``, and tracing each flow's Vensim variables to the parameters
they depend on must give what the flow declares (none omitted, none undeclared).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
RTOL = 1e-6


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "pysd_model", ROOT / "benchmarks" / "pysd_model.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
# PySD 3.14 warns on import (chardet.universaldetector deprecation) and on every run (pandas'
# `inplace` deprecation inside pysd.py_backend.output); neither says anything about the model.
@pytest.mark.filterwarnings("ignore:.*chardet.*:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:.*inplace keyword.*")
def test_pysd_and_engine_give_the_same_stocks_after_ten_years(tmp_path):
    pm = _load_generator()
    params, inputs = pm.national_case()
    path = pm.write_model(tmp_path / "jeugdstelsel.mdl", params=params, inputs=inputs)
    model = pm.translate(path)

    pysd_stocks = pm.run_pysd(model, n_months=pm.N_MONTHS)
    engine_stocks = pm.run_engine(params, inputs, n_months=pm.N_MONTHS)

    assert pysd_stocks.shape == engine_stocks.shape == (len(pm.STOCK_NAMES), 23)
    # the comparison is not vacuous: every stock is populated, and specialist care continues
    # past 18 (extension) but stops at the maximum extension age
    assert (engine_stocks.sum(axis=1) > 1000).all()
    ambulatory = engine_stocks[pm.STOCK_NAMES.index("ambulatory")]
    assert ambulatory[19] > 100
    np.testing.assert_allclose(pysd_stocks, engine_stocks, rtol=RTOL, atol=1e-6)
    assert pm.max_relative_difference(pysd_stocks, engine_stocks) < RTOL

    # and the tolerance is tight enough to notice a small change in one parameter
    nudged = dict(params, extension_share=params["extension_share"] * 1.01)
    other = pm.run_engine(nudged, inputs, n_months=pm.N_MONTHS)
    assert pm.max_relative_difference(pysd_stocks, other) > 100 * RTOL


def _small_case():
    from jeugdstelsel.core.model import PARAMETERS
    from jeugdstelsel.core.population import PopulationInputs

    rng = np.random.default_rng(0)
    inputs = PopulationInputs(2015, rng.uniform(100, 5000, (1, 23)),
                              rng.uniform(50, 3000, (2, 1)), rng.uniform(-0.03, 0.05, (1, 23)),
                              np.array([1.1]), ("GM0001",))  # fmt: skip
    return {p.name: p.default for p in PARAMETERS}, inputs


def test_the_vensim_file_follows_the_model_declaration():
    from jeugdstelsel.core.model import FLOWS, OUTPUT_PARAMETERS, PARAMETERS

    pm = _load_generator()
    params, inputs = _small_case()
    text = pm.vensim_model(params, inputs, n_months=24)
    assert pm.declaration_problems(text) == {}
    # its parameter list is the declaration's flow parameters, each written as a constant
    declared = {name for f in FLOWS for name in f.parameters}
    assert set(pm.FLOW_PARAMETERS) == declared
    assert declared | set(OUTPUT_PARAMETERS) == {p.name for p in PARAMETERS}
    equations = pm.equations(text)
    assert declared <= set(equations)
    # every declared flow is in the file (or is the demography's)
    assert set(pm.VENSIM_FLOWS) | set(pm.DEMOGRAPHY_FLOWS) == {f.name for f in FLOWS}


@pytest.mark.parametrize(
    ("old", "new", "flow", "message"),
    [
        # issue 13's drift: the residential end hazard without the supply factor
        ("1 / (res_duration * supply factor)", "1 / res_duration", "residential_ends",
         "omits ['fragmentation', 'supply_induced']"),
        # a declared parameter left out of a flow
        ("jb_rate * risk * EXP(jb_trend * years since reference)", "jb_rate * risk",
         "child_protection_in", "omits ['jb_trend']"),
        # a parameter the flow does not declare
        ("1 - EXP(-1 / jr_duration)", "1 - EXP(-1 / (jr_duration * fl_duration))",
         "probation_out", "undeclared ['fl_duration']"),
    ],
)
def test_the_declaration_check_notices_a_drifted_vensim_file(old, new, flow, message):
    pm = _load_generator()
    params, inputs = _small_case()
    text = pm.vensim_model(params, inputs, n_months=24)
    assert old in text
    problems = pm.declaration_problems(text.replace(old, new))
    assert message in problems[flow]
