"""Draws that are identical until their levers start are simulated once up to that point.

The sharing must be invisible: every number equals a run of each scenario on its own.
"""

from __future__ import annotations

import numpy as np

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.core.simulate import simulate
from jeugdstelsel.services.inputs import municipal_inputs


def _stack(base: P.ParameterSet, times: int) -> P.ParameterSet:
    return P.ParameterSet({k: np.tile(v, (times, 1)) for k, v in base.values.items()},
                          base.n_draws * times, base.n_municipalities)


def test_stacked_scenarios_equal_separate_runs_bit_for_bit():
    inputs = municipal_inputs(["GM0014", "GM0363"], 2015, 2020)
    months = 72
    base = P.build(PARAMETERS, 6, 2, np.random.default_rng(5))
    start = 30  # a lever from month 30 on, not on a period boundary
    path = np.repeat(base["protection"][None], months, axis=0)
    lever_path = path.copy()
    lever_path[start:] += 0.2
    cost = np.zeros((months, 6, 2))
    lever_cost = cost.copy()
    lever_cost[start:] = 1000.0
    stacked = simulate(_stack(base, 2), inputs, months,
                       paths={"protection": np.concatenate([path, lever_path], axis=1)},
                       extra_cost=np.concatenate([cost, lever_cost], axis=1))
    alone = [simulate(base, inputs, months, paths={"protection": pth}, extra_cost=c)
             for pth, c in ((path, cost), (lever_path, lever_cost))]
    for k, result in enumerate(alone):
        rows = slice(6 * k, 6 * (k + 1))
        np.testing.assert_array_equal(stacked.final_stocks[rows], result.final_stocks)
        for name, value in result.by_group.items():
            np.testing.assert_array_equal(stacked.by_group[name][rows], value, err_msg=name)
        for name, value in result.totals.items():
            np.testing.assert_array_equal(stacked.totals[name][rows], value, err_msg=name)
    assert not np.array_equal(alone[0].final_stocks, alone[1].final_stocks)


def test_progress_reaches_the_end_with_sharing():
    inputs = municipal_inputs(["GM0014"], 2015, 2017)
    base = P.build(PARAMETERS, 3, 1, None)
    seen = []
    simulate(_stack(base, 3), inputs, 36, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (36, 36) and [s[0] for s in seen] == sorted(s[0] for s in seen)
