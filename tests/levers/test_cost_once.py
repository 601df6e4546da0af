"""Each child's cost is counted once (issue 16, item 3).

POH-jeugd, school-based help and extra local-team staff are paid as staff (fte x salary); the
children they bring to the first line are the children that staff helps. Charging those
children the first-line cost per child as well counted their help twice. The known answer: in
steady state the care cost per first-line child-month is ``cost_first_line`` times the share of
first-line entries the levers did *not* bring, from flow 2's routing weights.
"""

from __future__ import annotations

import numpy as np
import pytest

from jeugdstelsel import levers as L
from jeugdstelsel.core.dimensions import REFERENCE_YEAR
from jeugdstelsel.services import pipeline

from .conftest import lever, make


def _paths(scenario, n=4):
    spec = pipeline.specify(scenario)
    params = pipeline.point_parameters(scenario, {}, n, 1)
    inputs = pipeline.build_inputs(spec)
    paths, cost = pipeline.lever_paths(spec, params, inputs)
    return spec, params, inputs, paths, cost


def test_poh_children_are_not_charged_the_first_line_cost_again():
    sc = make("poh", lever("poh_jeugd", 0.6, start=2025))
    spec, params, inputs, paths, cost = _paths(sc)
    t = spec.n_months - 1  # December 2030: ramp (12 months) and lag (~6 months) long over
    v = {k: params[k][:, 0] for k in ("route_first_line", "route_gp", "fl_route_trend",
                                      "cost_first_line")}
    years = inputs.start_year - REFERENCE_YEAR + (t + 0.5) / 12
    fl = v["route_first_line"] * np.exp(v["fl_route_trend"] * years)
    shifted = v["route_gp"] * paths["poh_shift"][t, :, 0]
    share = shifted / (fl + shifted)  # first-line entries POH brought
    assert (share > 0.04).all()  # a visible share, well above the tolerance below
    expected = v["cost_first_line"] * (1 - share)
    # within 1%: the stock follows its entries with a lag of one duration (6 months) while
    # the route trend still moves the share
    assert paths["cost_first_line"][t, :, 0] == pytest.approx(expected, rel=0.01)
    # before the lever starts nothing changes
    first = (2025 - inputs.start_year) * 12
    assert np.array_equal(paths["cost_first_line"][first - 1, :, 0], v["cost_first_line"])
    # the lever's own cost is the salary alone: 0.6 fte x 80,000 euro per 1,000 children
    assert cost[t].sum() > 0


def test_a_lever_that_does_not_pay_for_first_line_help_leaves_the_cost_alone(tmp_path):
    text = (L.LIBRARY_DIR / "poh_jeugd.toml").read_text(encoding="utf-8")
    assert "dekt_eerstelijnshulp = true" in text
    (tmp_path / "poh_los.toml").write_text(text.replace("dekt_eerstelijnshulp = true", ""),
                                           encoding="utf-8")
    library = L.load_library([tmp_path])
    sc = make("los", lever("poh_los", 0.6, start=2025))
    spec = pipeline.specify(sc, library=library)
    params = pipeline.point_parameters(sc, {}, 2, 1)
    paths, _ = pipeline.lever_paths(spec, params, pipeline.build_inputs(spec))
    assert "poh_shift" in paths and "cost_first_line" not in paths


def test_spending_counts_poh_children_once():
    """End to end: the plan's care spending on the first line does not grow with the children
    the POH helps (their help is the salary); with double counting it grew by their number x
    the first-line cost, about the lever's whole salary again."""
    sc = make("poh", lever("poh_jeugd", 0.6, start=2025), gemeente="Utrecht")
    spec, params, inputs, paths, cost = _paths(sc, n=3)
    once = pipeline.execute([pipeline.Member(params, paths, cost)], inputs, spec.n_months)
    twice_paths = {k: v for k, v in paths.items() if k != "cost_first_line"}
    twice = pipeline.execute([pipeline.Member(params, twice_paths, cost)], inputs,
                             spec.n_months)
    base = pipeline.execute([pipeline.Member(params, {}, None)], inputs, spec.n_months)
    last = slice(-2, None)  # 2029-2030
    extra_twice = (twice.series["uitgaven"] - once.series["uitgaven"])[:, 0, last].sum(1)
    lever_cost = once.series["uitgaven_hefbomen"][:, 0, last].sum(1)
    # the double count is of the order of the salary (POH children x first-line cost)
    assert (extra_twice > 0.1 * lever_cost).all()
    # counted once, the plan costs the salary plus the care it changes, nothing more:
    # first-line stock grows, yet no more than the care cost of the non-POH children is paid
    fl_plan = once.result.by_group["first_line"][:, 0].sum()
    fl_base = base.result.by_group["first_line"][:, 0].sum()
    assert fl_plan > fl_base
