"""The demographic inputs: the migration fit agrees with scipy's least squares."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from jeugdstelsel.services import inputs


@pytest.mark.parametrize("data_through", [None, 2018, 2021])
def test_migration_fit_matches_scipy(data_through):
    pop0 = inputs.start_population()
    births, _ = inputs.births_by_year(2015, 2030, data_through)
    ours = inputs.fit_migration(pop0, births, data_through)

    captured = {}

    def spy(residuals, x0, bounds):  # the same residuals, solved by scipy
        captured["x"] = least_squares(residuals, x0=x0, bounds=bounds, xtol=1e-14,
                                      ftol=1e-14, gtol=1e-14).x
        return captured["x"]

    original = inputs._gauss_newton
    inputs._gauss_newton = spy
    try:
        theirs = inputs.fit_migration(pop0, births, data_through)
    finally:
        inputs._gauss_newton = original
    assert np.allclose(ours, theirs, rtol=0, atol=1e-9)
    assert ours[0] != ours[-1]  # two bands, fitted apart


def test_gauss_newton_respects_bounds():
    """A target outside the bounds ends on the bound, not beyond it."""
    lo, hi = np.array([-1.0, -1.0]), np.array([1.0, 0.5])
    x = inputs._gauss_newton(lambda t: np.array([t[0] - 0.3, t[1] - 2.0]), np.zeros(2), (lo, hi))
    assert x == pytest.approx([0.3, 0.5], abs=1e-9)
