"""The backtest: figures after an origin cannot reach its forecast; scores are what they say."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jeugdstelsel.data import refdata
from jeugdstelsel.services import backtest as B
from jeugdstelsel.services import inputs


def _truncated(year: int) -> pd.DataFrame:
    frame = refdata.load_figures()
    years = pd.to_numeric(frame["period"].str.extract(r"(\d{4})")[0])
    return frame[years <= year].copy()


@pytest.mark.slow
def test_figures_after_the_origin_cannot_reach_its_forecast(monkeypatch):
    origin = 2019
    years, full = B.forecast(origin, 2, draws=30)
    truncated = _truncated(origin)
    monkeypatch.setattr(refdata, "load_figures", lambda: truncated)
    inputs._demography.cache_clear()
    try:
        years2, cut = B.forecast(origin, 2, draws=30)
    finally:
        inputs._demography.cache_clear()
    np.testing.assert_array_equal(years, years2)
    for key in full:
        np.testing.assert_array_equal(full[key], cut[key], err_msg=key)


def test_crps_of_a_point_is_the_absolute_error_and_known_for_two_points():
    assert B.crps_ensemble(np.array([3.0]), 5.0) == pytest.approx(2.0)
    # two draws 0 and 2, y = 1: E|X-y| = 1, E|X-X'|/2 = (0+2+2+0)/4/2 = 0.5
    assert B.crps_ensemble(np.array([2.0, 0.0]), 1.0) == pytest.approx(0.5)


def test_naive_forecasts():
    history = {2018: (100.0, "definitief"), 2019: (110.0, "definitief"),
               2020: (120.0, "voorlopig")}
    out = B.naive_forecasts(history, 2022)
    assert out == {"vorig_jaar": 120.0, "trend": pytest.approx(140.0)}


def test_summary_scores_coverage_and_error():
    cases = pd.DataFrame([
        {"reeks": "x", "methode": "model", "horizon": 1, "waargenomen": 100.0, "mediaan": 110.0,
         "p10": 90.0, "p90": 120.0, "p2.5": 80.0, "p97.5": 130.0, "crps": 5.0},
        {"reeks": "x", "methode": "model", "horizon": 1, "waargenomen": 100.0, "mediaan": 95.0,
         "p10": 96.0, "p90": 99.0, "p2.5": 90.0, "p97.5": 101.0, "crps": 3.0},
    ])
    s = B.summarise(cases).iloc[0]
    assert s["mape"] == pytest.approx(7.5) and s["bias_pct"] == pytest.approx(2.5)
    assert s["dekking_80"] == 0.5 and s["dekking_95"] == 1.0


@pytest.mark.slow
def test_toets_command_writes_the_documented_columns(tmp_path):
    import shutil

    exe = shutil.which("jeugdstelsel") or str(Path(__file__).parents[2] / ".venv/bin/jeugdstelsel")
    out = tmp_path / "t"
    done = subprocess.run([exe, "toets", "--tot", "2021", "--horizon", "1", "--trekkingen", "40",
                           "--uit", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    table = pd.read_csv(out / "toets.csv")
    for column in ("reeks", "gebied", "oorsprong", "jaar", "horizon", "methode", "waargenomen",
                   "mediaan", "p10", "p90", "p2.5", "p97.5"):
        assert column in table.columns
    assert set(table["methode"]) == {"model", "trend", "vorig_jaar"}
    assert set(table["oorsprong"]) == {2021} and set(table["jaar"]) == {2022}
    head = table[(table["reeks"] == "jeugdzorg_0_22") & (table["methode"] == "vorig_jaar")]
    assert head["mediaan"].iloc[0] == refdata.annual("youth_with_jeugdzorg_total_incl_pgb")[2021][0]
    assert (out / "toets.png").stat().st_size > 10_000
