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
    three years apart. Pooled variance per year (0.01 + 0.01 + 0.04) / (1 + 1 + 3) = 0.012; the
    group (a, b and c are in no named group: one group) (0.06 + 0.012) / (5 + 1) = 0.012;
    a: (0.02 + 0.012) / (2 + 1); b: (0.04 + 0.012) / (3 + 1). One figure (c): its group's step
    and no change of its own. A share (d): no scale of its own."""
    fit = [_row("a", 2016, 0.0), _row("a", 2017, 0.1), _row("a", 2018, 0.0),
           _row("b", 2016, 0.0), _row("b", 2019, 0.2), _row("c", 2020, 0.3),
           _row("d", 2016, 0.0, "pp"), _row("d", 2017, 5.0, "pp")]
    scales = D.estimate(fit)
    assert set(scales) == {"a", "b", "c"}
    assert scales["a"].sigma == pytest.approx(math.sqrt(0.032 / 3))
    assert scales["b"].sigma == pytest.approx(math.sqrt(0.052 / 4))
    assert scales["c"].sigma == pytest.approx(math.sqrt(0.012))
    assert (scales["a"].last_year, scales["b"].last_year, scales["c"].last_year) == (2018, 2019,
                                                                                    2020)
    assert (scales["b"].n_steps, scales["c"].n_steps) == (3, 0)
    # the anchor: the last published figure
    assert scales["b"].anchor == pytest.approx(100 * math.exp(0.2))


def test_series_pool_within_their_group_first():
    """jeugdzorg 0-22 and 0-17 share a group (posterior.GROUPS), jeugdreclassering has its own:
    a quiet headline is not widened by a restless probation series beyond the overall weight."""
    fit = [_row("jeugdzorg_0_22", y, v) for y, v in [(2016, 0), (2017, 0.01), (2018, 0)]]
    fit += [_row("jeugdzorg_0_17", y, v) for y, v in [(2016, 0), (2017, -0.01), (2018, 0)]]
    fit += [_row("jeugdreclassering_0_22", y, v) for y, v in [(2016, 0), (2017, 0.3),
                                                              (2018, 0)]]
    scales = D.estimate(fit)
    overall = (4 * 0.0001 + 2 * 0.09) / 6
    group = (4 * 0.0001 + overall) / (4 + 1)
    assert scales["jeugdzorg_0_22"].sigma == pytest.approx(math.sqrt((0.0002 + group) / 3))
    assert scales["jeugdzorg_0_22"].sigma < 0.1 < scales["jeugdreclassering_0_22"].sigma


def test_provisional_figures_anchor_at_their_expected_final_value():
    from jeugdstelsel.services.posterior import REVISION

    fit = [{**_row("a", 2016, 0.0), "status": "definitief"},
           {**_row("a", 2017, 0.0), "status": "voorlopig"}]
    assert D.estimate(fit)["a"].anchor == pytest.approx(100 * (1 + REVISION["jaar"][0]))


def test_the_country_starts_from_its_last_figure_every_draw():
    """Column 0 is the country: every draw is scaled through the anchor at 2023, so the
    model's own spread in 2023 is gone after it; column 1 (a municipality) keeps the model's
    path. Years up to 2023 do not move."""
    rng = np.random.default_rng(1)
    level = rng.uniform(800, 1200, size=(500, 1, 1))
    growth = np.array([1.0, 1.0, 1.0, 1.0, 1.02, 1.04])  # 2020-2025
    base = level * growth * np.ones((500, 2, 6))
    series = {"x": base.copy()}
    disc = D.Discrepancy({"x": D.Scale(0.0, 2023, 3.0, anchor=950.0)}, seed=1, national=(0,))
    D.apply(series, 2020, slice(0, 500), disc)
    x = series["x"]
    assert np.array_equal(x[:, :, :4], base[:, :, :4])
    assert np.allclose(x[:, 0, 4], 950.0 * 1.02) and np.allclose(x[:, 0, 5], 950.0 * 1.04)
    assert np.array_equal(x[:, 1], base[:, 1])


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


def test_a_run_starts_from_the_last_published_figure_and_widens_after_it(monkeypatch):
    """Through the one pipeline: the same run without the discrepancy has the same years up to
    each series' last figure; after it every draw starts from that figure (so the first
    forecast year's median is the figure times the model's growth) and the band widens."""
    from jeugdstelsel.services.calibration import Calibration, load_shipped
    from jeugdstelsel.services.run import run
    from jeugdstelsel.services.scenario import parse

    spec = parse('[periode]\nstart = 2020\n[simulatie]\ntrekkingen = 300\nzaad = 5\n', "t")
    scale = load_shipped().discrepancy_scales()["jeugdzorg_0_22"]
    with_d = run(spec)
    monkeypatch.setattr(Calibration, "discrepancy_scales", lambda self: {})
    without = run(spec)
    years = np.asarray(with_d.years)
    a, b = with_d.series["jeugdzorg_0_22"][:, 0], without.series["jeugdzorg_0_22"][:, 0]
    known = years <= scale.last_year
    assert np.array_equal(a[:, known], b[:, known])
    t = int(np.flatnonzero(years == scale.last_year)[0])
    growth = b[:, t + 1] / b[:, t]
    assert np.median(a[:, t + 1]) == pytest.approx(scale.anchor * np.median(growth), rel=0.01)
    width = lambda v: np.percentile(v, 90, axis=0) - np.percentile(v, 10, axis=0)  # noqa: E731
    assert np.all(np.diff(width(a[:, ~known])) > 0)


def test_a_lever_that_acts_before_the_last_figure_keeps_its_effect(monkeypatch):
    """A plan whose lever starts in 2020 is anchored with its lever-free twin's draws: per
    draw, plan / baseline after the last figure is what the model alone says (the anchor is
    the world's, not the plan's), and the plan moves in the lever's declared direction."""
    from jeugdstelsel.services.calibration import Calibration
    from jeugdstelsel.services.compare import compare_scenarios
    from jeugdstelsel.services.scenario import parse

    head = '[periode]\nstart = 2020\neind = 2027\n[simulatie]\ntrekkingen = 200\nzaad = 3\n'
    plan = head + '[[hefbomen]]\nnaam = "poh_jeugd"\ndosis = 0.6\nstart = 2020\n'
    ratios = []
    for anchored in (True, False):
        if not anchored:
            monkeypatch.setattr(Calibration, "discrepancy_scales", lambda self: {})
        result = compare_scenarios([("basis", parse(head, "basis")),
                                    ("plan", parse(plan, "plan"))])
        base, lever = (r.series["jeugdzorg_0_22"] for r in result.results)
        ratios.append(lever / base)
    years = np.asarray(result.years)
    after = years > 2024
    assert np.allclose(ratios[0][:, after], ratios[1][:, after], rtol=1e-9)
    # without the twin, anchoring the plan at its own 2024 value would cancel most of it
    assert np.median(ratios[0][:, after]) < 0.995


def test_the_step_variance_carries_the_degrees_of_freedom_correction():
    fit = [_row("a", 2016, 0.0), _row("a", 2017, 0.1), _row("a", 2018, 0.0)]
    plain, corrected = D.estimate(fit)["a"], D.estimate(fit, variance_factor=1.5)["a"]
    assert corrected.sigma == pytest.approx(plain.sigma * math.sqrt(1.5))
    assert (plain.dof_factor, corrected.dof_factor) == (1.0, 1.5)


def test_effective_parameters_known_answers():
    """A plain regression with 3 columns has 3 effective parameters; a prior row that pins a
    parameter (ridge) takes part of one away; a parameter no figure informs counts for 0."""
    from jeugdstelsel.services.calibration import effective_parameters

    x = np.random.default_rng(0).standard_normal((20, 3))
    assert effective_parameters(x, 20) == pytest.approx(3.0)
    pinned = np.vstack([x, np.diag([0.0, 0.0, 10.0])])
    assert 2.0 < effective_parameters(pinned, 20) < 2.2
    unused = np.vstack([np.hstack([x, np.zeros((20, 1))]), np.diag([0.0, 0.0, 0.0, 1.0])])
    assert effective_parameters(unused, 20) == pytest.approx(3.0)


def test_the_shipped_calibration_states_its_effective_parameters():
    from jeugdstelsel.services.calibration import load_shipped

    cal = load_shipped()
    n, p = cal.optimizer["n_targets"], cal.optimizer["p_eff"]
    assert 0 < p < n
    scale = cal.discrepancy_scales()["jeugdzorg_0_22"]
    assert scale.dof_factor == pytest.approx(n / (n - p))
