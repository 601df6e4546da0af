"""The forecast's model discrepancy: estimated from the fit, applied after the last figure only."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jeugdstelsel.services import discrepancy as D


def _row(series: str, year: int, log_ratio: float, unit: str = "%") -> dict:
    return {"series": series, "year": year, "observed": 100.0 * math.exp(log_ratio),
            "model": 100.0, "unit": unit}


def test_scales_known_answer():
    """Series a: residuals 0, 0.1, 0 (two changes of 0.1, one year each); series b: 0 and 0.2
    three years apart. Pooled variance per year (0.01 + 0.01 + 0.04) / (1 + 1 + 3) = 0.012;
    a: (0.02 + 0.012) / (2 + 1); b: (0.04 + 0.012) / (3 + 1). One figure (c) or a share (d):
    no scale of its own."""
    fit = [_row("a", 2016, 0.0), _row("a", 2017, 0.1), _row("a", 2018, 0.0),
           _row("b", 2016, 0.0), _row("b", 2019, 0.2), _row("c", 2020, 0.3),
           _row("d", 2016, 0.0, "pp"), _row("d", 2017, 5.0, "pp")]
    scales = D.estimate(fit)
    assert set(scales) == {"a", "b"}
    assert scales["a"].sigma == pytest.approx(math.sqrt(0.032 / 3))
    assert scales["b"].sigma == pytest.approx(math.sqrt(0.052 / 4))
    assert (scales["a"].last_year, scales["b"].last_year) == (2018, 2019)
    assert scales["b"].n_steps == 3


def _series(n_draws: int, years: int) -> dict[str, np.ndarray]:
    base = np.full((n_draws, 2, years), 1000.0)
    return {"x": base.copy(), "x_pct": base.copy() / 100, "y": base.copy()}


def test_only_years_after_the_last_figure_move_and_the_spread_grows_as_a_random_walk():
    series = _series(20_000, 10)  # 2020-2029
    disc = D.Discrepancy({"x": D.Scale(0.05, 2023, 5.0)}, seed=7)
    D.apply(series, 2020, slice(0, 20_000), disc)
    x = series["x"]
    assert np.array_equal(x[:, :, :4], np.full((20_000, 2, 4), 1000.0))  # 2020-2023 untouched
    assert np.array_equal(series["y"], np.full((20_000, 2, 10), 1000.0))  # no scale: untouched
    log = np.log(x[:, 0, 4:] / 1000.0)
    assert np.allclose(np.median(log, axis=0), 0.0, atol=0.005)  # the model's median stays
    assert np.allclose(log.std(axis=0), 0.05 * np.sqrt(np.arange(1, 7)), rtol=0.03)
    assert np.array_equal(x[:, 0], x[:, 1])  # every area the same factor
    assert np.allclose(series["x_pct"], x / 100)  # a share moves with its count


def test_any_split_of_the_draws_gives_the_same_numbers():
    disc = dict(scales={"x": D.Scale(0.1, 2021, 3.0)}, seed=3)
    whole = _series(12, 6)
    D.apply(whole, 2020, slice(0, 12), D.Discrepancy(**disc))
    parts = _series(12, 6)
    D.apply(parts, 2020, slice(0, 5), D.Discrepancy(**disc))
    D.apply(parts, 2020, slice(5, 12), D.Discrepancy(**disc, first_draw=5))
    assert np.array_equal(whole["x"], parts["x"])
    later = _series(12, 9)  # starting a year earlier does not change a calendar year's value
    D.apply(later, 2019, slice(0, 12), D.Discrepancy(**disc))
    assert np.array_equal(later["x"][:, :, 1:7], whole["x"])


def test_a_run_widens_its_bands_after_the_last_published_figure_only(monkeypatch):
    """Through the one pipeline: the same run without the discrepancy has the same years up to
    each series' last figure and a narrower band after it."""
    from jeugdstelsel.services.calibration import Calibration, load_shipped
    from jeugdstelsel.services.run import run
    from jeugdstelsel.services.scenario import parse

    spec = parse('[simulatie]\ntrekkingen = 300\nzaad = 5\n', "t")
    scale = load_shipped().discrepancy_scales()["jeugdzorg_0_22"]
    with_d = run(spec)
    monkeypatch.setattr(Calibration, "discrepancy_scales", lambda self: {})
    without = run(spec)
    years = np.asarray(with_d.years)
    a, b = with_d.series["jeugdzorg_0_22"][:, 0], without.series["jeugdzorg_0_22"][:, 0]
    known = years <= scale.last_year
    assert np.array_equal(a[:, known], b[:, known])
    width = lambda v: np.percentile(v, 90, axis=0) - np.percentile(v, 10, axis=0)  # noqa: E731
    assert np.all(width(a[:, ~known]) > width(b[:, ~known]))
    assert np.allclose(np.median(a[:, ~known], axis=0), np.median(b[:, ~known], axis=0),
                       rtol=0.02)
