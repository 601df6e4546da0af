"""Comparison on common random numbers: paired intervals, refusals, effectiveness, files."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from jeugdstelsel.services import scenario as S
from jeugdstelsel.services.compare import compare_scenarios, paired_stats
from jeugdstelsel.services.effectiveness import break_even, cost_effectiveness
from jeugdstelsel.services.scenario import ScenarioError

from .conftest import lever, make


@pytest.fixture(scope="module")
def comp():
    base = make("basis")
    plan = make("plan", lever("poh_jeugd", 0.6, 2025) + lever("jeugdhulp_op_school", 1.0, 2025))
    return compare_scenarios([("basis.toml", base), ("plan.toml", plan)], per_lever=True)


def test_identical_scenarios_differ_by_exactly_zero():
    base = make("basis")
    comp = compare_scenarios([("a.toml", base), ("b.toml", make("kopie"))])
    diff = comp.differences()
    assert (diff[["verschil_mediaan", "verschil_p10", "verschil_p90"]] == 0).all().all()


def test_intervals_are_from_paired_draws(comp):
    """The interval is the percentile of per-draw differences, not a difference of bands."""
    key = "specialistisch"
    b, p = comp.base.indicators[key], comp.results[1].indicators[key]
    row = comp.differences().query("indicator == @key and jaar == 2030").iloc[0]
    j = list(comp.years).index(2030)
    np.testing.assert_allclose(row["verschil_p10"], np.percentile(p[:, j] - b[:, j], 10))
    np.testing.assert_allclose(row["verschil_p90"], np.percentile(p[:, j] - b[:, j], 90))
    q = {k: np.percentile(v[:, j], [10, 90]) for k, v in (("b", b), ("p", p))}
    unpaired = (q["p"][1] - q["b"][0]) - (q["p"][0] - q["b"][1])
    assert row["verschil_p90"] - row["verschil_p10"] < unpaired


def test_paired_stats_known_answer():
    diff = np.arange(1.0, 11.0)[:, None]  # 1..10
    s = paired_stats(diff)
    np.testing.assert_allclose(s["verschil_mediaan"], [5.5])
    np.testing.assert_allclose(s["verschil_p10"], [1.9])  # numpy linear percentile
    np.testing.assert_allclose(s["kans_lager"], [0.0])


def test_stacked_run_equals_separate_run(comp):
    from jeugdstelsel.services import run as R

    plan = comp.results[1].scenario
    alone = R.run(plan)
    first = plan.periode.start - plan.periode.start  # reported years only
    np.testing.assert_allclose(alone.series["uitgaven"][:, 0, first:],
                               comp.results[1].series["uitgaven"], rtol=1e-12)


def test_plan_reduces_specialist_care_and_costs_its_levers(comp):
    term = comp.term(2026).set_index("indicator")
    assert term.loc["specialistisch", "verschil_mediaan"] < 0
    assert term.loc["eerste_lijn", "verschil_mediaan"] > 0
    assert term.loc["uitgaven_hefbomen", "verschil_p10"] > 0


def test_incomparable_scenarios_are_refused():
    a = make("a")
    b = make("b", draws=30)
    c = make("c", gemeente="Amsterdam")
    with pytest.raises(ScenarioError) as exc:
        compare_scenarios([("a.toml", a), ("b.toml", b), ("c.toml", c)])
    msg = str(exc.value)
    assert "b.toml" in msg and "simulatie.trekkingen" in msg and "gebied.gemeente" in msg


def test_term_outside_period_is_refused(comp):
    with pytest.raises(ScenarioError, match="raadsperiode"):
        comp.term(2029)


def test_cost_effectiveness_rows_per_scenario_and_lever(comp):
    eff = cost_effectiveness(comp, 2026)
    assert list(eff["onderdeel"]) == ["hele scenario", "POH-jeugd bij huisartsen",
                                      "Jeugdhulp op school zonder beschikking"]
    assert (eff["vermeden_trajecten_mediaan"] > 0).all()


def test_break_even_known_answer():
    years = np.arange(2024, 2031)
    net = np.array([[0, 0, 5, 2, -3, -6, -1],     # cumulative from 2026: 5 7 4 -2 -3 -> 2029
                    [0, 0, 5, -6, 4, -1, -1],     # 5 -1 3 2 1: never stays below zero
                    [0, 0, -1, -1, -1, -1, -1]])  # 2026
    be = break_even(net.astype(float), years, 2026)
    assert be[0] == 2029 and np.isinf(be[1]) and be[2] == 2026


def test_cli_compare_writes_atomically(tmp_path):
    from jeugdstelsel.cli import app

    base = tmp_path / "basis.toml"
    plan = tmp_path / "plan.toml"
    base.write_text(S.dumps(make("basis")), encoding="utf-8")
    plan.write_text(S.dumps(make("plan", lever("poh_jeugd", 0.6))), encoding="utf-8")
    out = tmp_path / "uit"
    res = CliRunner().invoke(app, ["compare", str(base), str(plan), "--out", str(out)])
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"verschillen_per_jaar.csv", "verschillen_raadsperiode.csv", "trekkingen.parquet",
            "banden.png", "stromen.png", "kosteneffectiviteit.csv"} <= names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".uit")]


def test_cli_bad_lever_is_a_dutch_error_and_writes_nothing(tmp_path):
    from jeugdstelsel.cli import app

    base = tmp_path / "basis.toml"
    plan = tmp_path / "plan.toml"
    base.write_text(S.dumps(make("basis")), encoding="utf-8")
    plan.write_text(S.dumps(make("plan", lever("poh_jeugd", 0.6))).replace("poh_jeugd", "poh"),
                    encoding="utf-8")
    out = tmp_path / "uit"
    res = CliRunner().invoke(app, ["compare", str(base), str(plan), "--out", str(out)])
    assert res.exit_code == 1
    assert "onbekende hefboom" in res.output and "plan.toml" in res.output
    assert not out.exists()


def test_cli_levers_lists_the_library():
    from jeugdstelsel.cli import app

    res = CliRunner().invoke(app, ["levers"])
    assert res.exit_code == 0 and "Hefbomen (13)" in res.output
    res = CliRunner().invoke(app, ["levers", "poh_jeugd"])
    assert res.exit_code == 0 and "fte POH-jeugd per 1.000 kinderen" in res.output
    assert "seed 002" in res.output


def test_cost_effectiveness_uses_every_paired_draw():
    """Known answer: 10 euro in every draw, 2 trajectories avoided in three draws and 2 added
    in the fourth. Over all draws that is 40 euro for 4 trajectories, 10 per trajectory; the
    old ratio over only the draws that avoid trajectories said 5 (the fourth draw dropped)."""
    from jeugdstelsel.services.effectiveness import ratio_over_draws

    med, lo, hi, point, share = ratio_over_draws(np.full(4, 10.0), np.array([2.0, 2, -2, 2]))
    assert point == pytest.approx(10.0)
    assert share == 0.75
    # half the resamples or more draw the -2 often enough to leave few trajectories: the band
    # is wide or absent, but never the 5 of the subset
    assert np.isnan(med) or med >= 7.5
    many = np.tile([2.0, 2, -2, 2], 250)
    med, lo, hi, point, _ = ratio_over_draws(np.full(1000, 10.0), many)
    assert point == pytest.approx(10.0) and lo < 10.0 < hi and med == pytest.approx(10, rel=0.05)
    # nothing avoided on average: no ratio at all (not a ratio over the lucky draws)
    assert np.isnan(ratio_over_draws(np.ones(3), np.array([1.0, -1, -1]))[3])
