"""The kernel's four-lane exponentials agree with the scalar library functions."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit, uint64

from jeugdstelsel.core import vector_math as vm

pytestmark = pytest.mark.skipif(not vm.AVAILABLE, reason="no libmvec with AVX2 on this machine")


@njit
def _apply(values, leave):
    out = np.empty_like(values)
    out[:] = values
    for i in range(0, values.shape[0], vm.WIDTH):
        if leave:
            vm.leave4(out, uint64(i), uint64(i))
        else:
            vm.exp4(out, uint64(i), uint64(i))
    return out


def _ulps(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.spacing(np.abs(b))))


def test_leave_and_exp_within_four_ulp_of_the_scalar_functions():
    rng = np.random.default_rng(3)
    # monthly hazards (tiny to large) and exponents of trends over decades
    hazards = np.concatenate([rng.uniform(0, 1e-6, 400), rng.uniform(0, 2.0, 400), [0.0] * 4])
    exponents = rng.uniform(-3.0, 3.0, 800)
    assert _ulps(_apply(hazards, True)[:-4], -np.expm1(-hazards)[:-4]) <= 4
    assert np.all(_apply(hazards, True)[-4:] == 0.0)
    assert _ulps(_apply(exponents, False), np.exp(exponents)) <= 4


def test_lanes_do_not_depend_on_their_neighbours():
    """Each lane's result is a function of that lane alone (the sweep's chunk independence)."""
    rng = np.random.default_rng(4)
    values = rng.uniform(0, 1, 64)
    shuffled = rng.permutation(64)
    np.testing.assert_array_equal(_apply(values, True)[shuffled], _apply(values[shuffled], True))
