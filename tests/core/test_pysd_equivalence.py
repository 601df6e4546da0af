"""The engine and PySD, running the same model, give the same stocks.

``benchmarks/pysd_model.py`` writes the model as a Vensim file from the model's declarations;
PySD translates and runs it. With the calibrated national point estimate both must give the
same stocks per state and single age after the 48-month spin-up and ten years (Euler,
TIME STEP one month, which is the engine's discrete monthly update).
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
