"""The Routekaart: targets as data, probabilities from paired draws, a plan moves them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jeugdstelsel.core.outputs import SERIES_BY_KEY
from jeugdstelsel.services import routekaart as R
from jeugdstelsel.services.scenario import load

ROOT = Path(__file__).parents[2]


def test_every_target_has_a_source_and_a_known_series():
    keys = set()
    for t in R.targets():
        assert t.bron and t.url.startswith("https://")
        assert t.reeks in SERIES_BY_KEY or t.reeks in ("", R.SHARE_FIRST_LINE)
        if t.soort in ("hoogstens", "minstens"):
            assert t.waarde is not None
        if t.soort in ("dalend", "stijgend"):
            assert t.basisjaar is not None and t.basisjaar < t.jaar
        keys.add(t.sleutel)
    assert {"bereik_0_17", "bereik_0_22", "verblijf", "gesloten"} <= keys


@pytest.fixture(scope="module")
def plan_map():
    plan = load(ROOT / "examples" / "raadsvraag.toml")
    return R.routekaart(plan, "raadsvraag.toml", draws=200)


def test_probability_is_the_share_of_draws(plan_map):
    base = plan_map.of(plan_map.scenarios[0])
    reach = next(o for o in base if o.target.sleutel == "bereik_0_22")
    lo, med, hi = reach.at_deadline
    assert lo <= med <= hi
    assert 0.0 <= reach.probability <= 1.0
    closed = next(o for o in base if o.target.sleutel == "gesloten")
    assert closed.probability is None and closed.years == ()


def test_the_plan_moves_residential_care_down_and_the_first_line_up(plan_map):
    base, plan = (plan_map.of(name) for name in plan_map.scenarios)
    get = {o.target.sleutel: o for o in base}, {o.target.sleutel: o for o in plan}
    assert plan_map.scenarios[0].startswith("Basis")
    assert get[1]["verblijf"].probability > get[0]["verblijf"].probability
    assert get[1]["eerste_lijn"].at_deadline[1] > get[0]["eerste_lijn"].at_deadline[1]
    # before the levers start (2026) the paired paths are identical
    j = get[0]["bereik_0_17"].years.index(2025)
    assert get[0]["bereik_0_17"].median[j] == get[1]["bereik_0_17"].median[j]


def test_threshold_probability_matches_a_direct_count():
    result = R.routekaart(area="Nederland", draws=150)
    reach = next(o for o in result.outlooks if o.target.sleutel == "bereik_0_17")
    assert np.isclose(reach.probability * 150, round(reach.probability * 150))


@pytest.mark.slow
def test_routekaart_command(tmp_path):
    exe = shutil.which("jeugdstelsel") or str(ROOT / ".venv/bin/jeugdstelsel")
    done = subprocess.run([exe, "routekaart", "Tiel", str(ROOT / "examples" / "raadsvraag.toml"),
                           "--trekkingen", "200", "--uit", str(tmp_path / "rk")],
                          capture_output=True, text=True, timeout=300,
                          env={"COLUMNS": "80", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Routekaart voor Tiel" in done.stdout and "kans" in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
    table = pd.read_csv(tmp_path / "rk" / "routekaart.csv")
    assert set(table["gebied"]) == {"GM0281"}
    assert table["kans"].between(0, 1).any()
