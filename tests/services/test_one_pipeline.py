"""One scenario file, every path, the same numbers; and only the pipeline calls the engine.

The first version assembled the chain six times and ``run`` dropped the levers that ``compare``
applied. These tests run one plan file through run, compare, the sweep's chunk code, the web
bridge and the report's comparison, and demand identical draws; and they scan the sources so
that no second route to the engine can come back unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from jeugdstelsel.errors import LeverUseError
from jeugdstelsel.services import compare, pipeline, sweep
from jeugdstelsel.services import run as R
from jeugdstelsel.services.scenario import load, parse

ROOT = Path(__file__).parents[2]
SRC = ROOT / "src" / "jeugdstelsel"
DRAWS = 24
KEYS = ("jeugdzorg_0_22", "jeugdhulp_met_verblijf_0_22", "uitgaven", "uitgaven_hefbomen",
        "wachtlijst")


def _small(tmp_path: Path, name: str, code: str = "GM0344") -> Path:
    text = (ROOT / "examples" / name).read_text(encoding="utf-8")
    text = text.replace("trekkingen = 1000", f"trekkingen = {DRAWS}")
    text = text.replace('gemeente = "Utrecht"', f'gemeente = "{code}"')
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("plans")
    return _small(tmp, "basis.toml"), _small(tmp, "raadsvraag.toml")


@pytest.fixture(scope="module")
def runs(files):
    base, plan = (load(f) for f in files)
    return R.run(base, source=str(files[0])), R.run(plan, source=str(files[1]))


def test_run_applies_the_plan_in_the_declared_direction(runs):
    base, plan = runs
    assert np.all(base.series["uitgaven_hefbomen"] == 0)
    assert np.all(plan.series["uitgaven_hefbomen"][:, 0, -1] > 0)
    # POH-jeugd, school and multi-year contracts lower specialist care, paired per draw
    year = -1
    diff = (plan.series["jeugdhulp_zonder_verblijf_0_22"][:, 0, year]
            - base.series["jeugdhulp_zonder_verblijf_0_22"][:, 0, year])
    assert np.median(diff) < 0
    assert plan.provenance is not None and plan.provenance.seed == base.provenance.seed


def test_zero_doses_equal_the_baseline_exactly(files, runs):
    text = files[1].read_text(encoding="utf-8")
    for dose in ("0.6", "1.0"):
        text = text.replace(f"dosis = {dose}", "dosis = 0.0")
    zero = R.run(parse(text, "nul.toml"))
    for key in runs[0].series:
        np.testing.assert_array_equal(zero.series[key], runs[0].series[key], err_msg=key)


def test_compare_gives_the_run_numbers(files, runs):
    scenarios = [(str(f), load(f)) for f in files]
    comp = compare.compare_scenarios(scenarios)
    for res, alone in zip(comp.results, runs, strict=True):
        for key in KEYS:
            np.testing.assert_array_equal(res.series[key], alone.series[key][:, 0], key)


def test_sweep_chunks_give_the_run_numbers(files, runs):
    plan = sweep.plan(list(files[1:]), basis=files[0], codes=["GM0344"])
    draws = sweep.draw_parameters(plan)
    out = sweep.simulate_scenarios(plan, draws, ["GM0344"], 0, DRAWS)
    for name, alone in zip(plan.names, runs, strict=True):
        for key in KEYS:
            np.testing.assert_array_equal(out[name][key][:, 0], alone.series[key][:, 0], key)


def test_web_bridge_gives_the_compare_numbers(files, runs):
    from jeugdstelsel.web import modelbridge

    base, plan = (load(f) for f in files)
    result = modelbridge.compare(base, plan)
    spending = next(i for i in result["indicators"] if i["key"] == "uitgaven")
    expected = np.percentile(runs[1].series["uitgaven"][:, 0], 50.0, axis=0)
    np.testing.assert_allclose(spending["plan"]["p50"], expected, rtol=1e-5)  # 6 digits
    assert result["provenance"]["zaad"] == plan.simulatie.zaad


@pytest.mark.parametrize("uses, code", [
    ('naam = "poh"\ndosis = 0.5', "hefboom_ongeldig"),
    ('naam = "poh_jeugd"\ndosis = 5.0', "hefboom_ongeldig"),
    ('naam = "poh_jeugd"\ndosis = -0.5', "hefboom_ongeldig"),
    ('naam = "poh_jeugd"\ndosis = 0.5\nstart = 2040', "hefboom_ongeldig"),
])
def test_every_path_refuses_a_bad_lever_the_same_way(tmp_path, files, uses, code):
    bad = tmp_path / "slecht.toml"
    bad.write_text(files[0].read_text(encoding="utf-8") + f"\n[[hefbomen]]\n{uses}\n",
                   encoding="utf-8")
    scenario = load(bad)
    calls = [
        lambda: R.run(scenario),
        lambda: compare.compare_scenarios([("basis", load(files[0])), (str(bad), scenario)]),
        lambda: sweep.plan([bad], codes=["GM0344"]),
        lambda: pipeline.specify(scenario, str(bad)),
    ]
    for call in calls:
        with pytest.raises(LeverUseError) as exc:
            call()
        assert exc.value.code == code


def _calls_engine(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.ImportFrom) and node.module == "jeugdstelsel.core.simulate"
                and any(a.name == "simulate" for a in node.names)):
            return True
    return False


def test_only_the_pipeline_calls_the_engine():
    callers = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                     if "core" not in p.parts and _calls_engine(p))
    assert callers == ["services/pipeline.py"]
