"""Output aggregation: reporting a later period gives the trailing buckets bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.core.outputs import aggregate
from jeugdstelsel.core.simulate import simulate
from jeugdstelsel.services.inputs import municipal_inputs


@pytest.fixture(scope="module")
def result():
    inputs = municipal_inputs(["GM0014", "GM0363"], 2015, 2022)
    params = P.build(PARAMETERS, 5, 2, np.random.default_rng(3))
    return simulate(params, inputs, 8 * 12), params


@pytest.mark.parametrize(("span", "first_year", "skip"), [(12, 2019, 4), (6, 2021, 12),
                                                          (12, 2015, 0)])
def test_first_year_gives_the_trailing_buckets_exactly(result, span, first_year, skip):
    res, params = result
    full = aggregate(res, params, span_months=span)
    later = aggregate(res, params, span_months=span, first_year=first_year)
    assert full.keys() == later.keys()
    for key, value in full.items():
        np.testing.assert_array_equal(later[key], value[:, :, skip:], err_msg=key)


def test_first_year_outside_the_simulation_is_refused(result):
    res, params = result
    with pytest.raises(ValueError, match="first_year"):
        aggregate(res, params, first_year=2014)
    with pytest.raises(ValueError, match="first_year"):
        aggregate(res, params, first_year=2024)
