"""The report's money: the split into incidental and structural lever costs adds up to exactly
what the engine counted, and the question field of a scenario."""

from __future__ import annotations

import numpy as np
import pytest

from jeugdstelsel.services import council_money
from jeugdstelsel.services import scenario as S
from jeugdstelsel.services.compare import compare_scenarios

SC = """
[scenario]
naam = "{naam}"
{extra}
[periode]
start = 2024
eind = 2030
[gebied]
gemeente = "Tiel"
[simulatie]
trekkingen = 20
zaad = 3
"""
LEVERS = """
[[hefbomen]]
naam = "meerjarige_contracten"
dosis = 1.0
start = 2026
[[hefbomen]]
naam = "poh_jeugd"
dosis = 0.6
start = 2026
"""


@pytest.fixture(scope="module")
def comp():
    base = S.parse(SC.format(naam="basis", extra=""), "basis.toml")
    plan = S.parse(SC.format(naam="plan", extra='vraag = "Wat kost het?"') + LEVERS,
                   "plan.toml")
    return compare_scenarios([("basis.toml", base), ("plan.toml", plan)], per_lever=True)


def test_split_adds_up_to_the_engines_lever_costs(comp):
    res = comp.results[1]
    costs = council_money.lever_costs(comp, res)
    np.testing.assert_allclose(costs.structural + costs.incidental,
                               res.indicators["uitgaven_hefbomen"], rtol=1e-9, atol=1e-3)
    years = council_money.budget_years(comp, res, np.arange(2026, 2030), costs,
                                       council_money.lever_costs(comp, comp.base))
    assert years[0].incidental.median > 0  # contracts: a one-off cost in the ramp-up
    assert years[-1].incidental.median == 0 and years[-1].structural.median > 0


def test_doses_in_local_units(comp):
    views = council_money.doses(comp, comp.results[1], council_money.lever_costs(
        comp, comp.results[1]))
    poh = next(v for v in views if v.lever.startswith("POH"))
    assert "fte POH-jeugd voor de" in poh.local and poh.structural_per_year.median > 0


def test_question_is_part_of_the_scenario(comp):
    assert comp.results[1].scenario.scenario.vraag == "Wat kost het?"
    assert 'vraag = "Wat kost het?"' in S.dumps(comp.results[1].scenario)
    with pytest.raises(S.ScenarioError):
        S.parse(SC.format(naam="x", extra=f'vraag = "{"x" * 1001}"'), "lang.toml")
