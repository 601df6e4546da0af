"""Scenario levers: validation (Dutch, file and key), zero doses, direction, mass balance."""

from __future__ import annotations

import numpy as np
import pytest

from jeugdstelsel import levers as L
from jeugdstelsel.errors import LeverUseError
from jeugdstelsel.services import pipeline
from jeugdstelsel.services import run as R
from jeugdstelsel.services.scenario import ScenarioError

from .conftest import lever, make


def test_unknown_lever_is_refused_with_suggestion():
    sc = make("plan", lever("poh_jeugt", 0.5))
    with pytest.raises(ScenarioError) as exc:
        pipeline.specify(sc, "plan.toml")
    msg = str(exc.value)
    assert "plan.toml" in msg and "hefbomen[0].naam" in msg and "poh_jeugd" in msg


def test_dose_outside_range_is_refused():
    sc = make("plan", lever("poh_jeugd", 3.0))
    with pytest.raises(ScenarioError, match=r"hefbomen\[0\]\.dosis.*buiten"):
        pipeline.specify(sc, "plan.toml")


def test_contradicting_levers_are_refused(tmp_path, monkeypatch):
    text = (L.LIBRARY_DIR / "normaliseren.toml").read_text(encoding="utf-8")
    (tmp_path / "drempel_omhoog.toml").write_text(
        text.replace("per_eenheid = [-0.05, -0.01]", "per_eenheid = [0.01, 0.05]"),
        encoding="utf-8")
    monkeypatch.setenv(L.ENV_DIRS, str(tmp_path))
    sc = make("plan", lever("normaliseren", 1.0) + lever("drempel_omhoog", 1.0))
    with pytest.raises(ScenarioError) as exc:
        pipeline.specify(sc, "plan.toml")
    msg = str(exc.value)
    assert "tegenstrijdig" in msg and "threshold_level" in msg and "hefbomen[1]" in msg


def test_same_lever_twice_is_refused():
    sc = make("plan", lever("poh_jeugd", 0.2) + lever("poh_jeugd", 0.3))
    with pytest.raises(ScenarioError, match=r"hefbomen\[1\]"):
        pipeline.specify(sc, "plan.toml")


def test_end_before_start_is_refused():
    with pytest.raises(ScenarioError, match="eind"):
        make("plan", lever("poh_jeugd", 0.2, 2027, "eind = 2026"))


def test_no_levers_gives_no_paths(base):
    spec = pipeline.specify(base)
    params = R.parameter_set(base, 1)
    assert spec.plan.active == []
    assert pipeline.lever_paths(spec, params, pipeline.build_inputs(spec)) == ({}, None)


def test_lever_starting_after_the_period_is_refused():
    sc = make("plan", lever("poh_jeugd", 0.2, 2031))
    with pytest.raises(LeverUseError, match=r"hefbomen\[0\]\.start"):
        pipeline.specify(sc, "plan.toml")


def test_run_applies_and_validates_levers(base):
    plan = make("basis", lever("poh_jeugd", 0.6, 2020))
    a, b = R.run(base), R.run(plan)
    assert b.series["uitgaven_hefbomen"].sum() > 0 == a.series["uitgaven_hefbomen"].sum()
    with pytest.raises(LeverUseError):
        R.run(make("plan", lever("poh_jeugd", 5.0)))


def test_zero_doses_equal_the_baseline_exactly(base):
    uses = "".join(lever(k, 0.0) for k in ("poh_jeugd", "jeugdhulp_op_school",
                                           "samenhangende_preventie", "tarieven"))
    plan = make("basis", uses)
    a = R.run(base)
    b = R.run(plan)
    for key in a.series:
        np.testing.assert_array_equal(a.series[key], b.series[key], err_msg=key)


def test_effect_draws_do_not_depend_on_other_levers():
    one = L.plan_for(make("a", lever("poh_jeugd", 0.5)))
    two = L.plan_for(make("b", lever("tarieven", 5.0) + lever("poh_jeugd", 0.5)))
    np.testing.assert_array_equal(one.uniforms(20)["poh_jeugd"], two.uniforms(20)["poh_jeugd"])


def test_prevention_effect_is_effect_times_reach_times_coherence():
    lib = L.load_library()
    alone = L.plan_for(make("a", lever("samenhangende_preventie", 0.5)))
    allfour = L.plan_for(make("b", lever("samenhangende_preventie", 0.5)
                              + lever("pedagogische_basis", 50.0)
                              + lever("poh_jeugd", 0.5) + lever("intensieve_hulp_nazorg", 0.5)))
    assert alone.coherence_weight() == 0.0 and allfour.coherence_weight() == 1.0
    u = np.array([[0.5, 1.0]])  # mid effect, top coherence factor
    a = alone.effect_values(alone.active[0], u)[-1]
    b = allfour.effect_values(allfour.active[0], u)[-1]
    p = lib["samenhangende_preventie"].preventie
    mid = sum(p.effect_per_bereikt_kind) / 2
    np.testing.assert_allclose(a, mid)
    np.testing.assert_allclose(b, mid * p.samenhangfactor[1])


def _run(sc):
    spec = pipeline.specify(sc)
    (out,) = pipeline.run_specs([spec])
    paths, _ = pipeline.lever_paths(spec, out.params, out.inputs)
    return out.execution.result, out.series, paths, out.params


@pytest.mark.parametrize("key", sorted(L.load_library().levers))
def test_each_lever_moves_its_mechanism_and_keeps_mass_balance(key):
    lv = L.load_library()[key]
    sc = make("plan", lever(key, lv.dosis.voorbeeld, 2020), draws=6)
    res, series, paths, params = _run(sc)
    late = -1
    for effect in lv.all_effects:
        before = params[effect.parameter]
        after = paths[effect.parameter][late]
        sign = lv.direction(effect, lv.dosis.voorbeeld)
        moved = np.sign(np.round(after - before, 12))
        assert np.all((moved == sign) | (moved == 0)), (key, effect.parameter)
        assert np.any(moved == sign), (key, effect.parameter)
    final = res.final_stocks[:, :, :6].sum(axis=(2, 3))
    expected = (res.initial_total + res.totals["births"].sum(-1) - res.totals["aged_out"].sum(-1)
                + res.totals["migration"].sum(-1))
    np.testing.assert_allclose(final, expected, rtol=1e-9)
    assert np.all(res.final_stocks >= -1e-9)
    cost = series["uitgaven_hefbomen"]
    c = lv.kosten
    if c.grondslag != "geen" and (c.euro_per_eenheid_per_jaar or c.eenmalig_euro_per_eenheid):
        assert np.all(cost.sum(-1) > 0)
    else:
        assert np.all(cost == 0)
