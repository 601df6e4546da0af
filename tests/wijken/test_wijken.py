"""The pooled wijk model (issue 15, item 4): fit, forecast with bands, the CLI, the toets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jeugdstelsel.services import wijken as W

TIEL = "GM0281"


def test_pooled_wijk_model_over_all_wijken():
    fit = W.fit()
    table = fit.table
    assert len(table) > 3000 and table["gm_code"].nunique() == 342
    assert 0.05 < fit.tau < 0.5
    assert table["weight"].between(0, 1).all()
    # a suppressed count (< 10) leans on the pool, a large count on itself
    assert table.loc[table["suppressed"], "weight"].max() < 0.2
    assert table.loc[table["count"] > 500, "weight"].min() > 0.85
    assert table["coverage"].between(0.05, 1.0).all()


def test_tiel_forecast_distributes_the_municipal_forecast_with_bands():
    frame = W.forecast(TIEL, [2022, 2025], draws=1000)
    assert sorted(frame["wijk"].unique()) == ["WK028100", "WK028101", "WK028102", "WK028103"]
    kern = frame[(frame["wijk"] == "WK028100") & (frame["jaar"] == 2022)].iloc[0]
    assert kern["gepubliceerd_2021"] == 780
    for _, r in frame.iterrows():
        assert r["p2.5"] < r["p10"] < r["mediaan"] < r["p90"] < r["p97.5"]
    small = frame[frame["wijk"] == "WK028102"].iloc[0]
    assert small["gewicht_eigen_cijfer"] < kern["gewicht_eigen_cijfer"]
    # the wijken share the municipality's forecast (the part CBS places in a wijk)
    total = W.municipal_forecast(TIEL, [2022], draws=1000)[2022]
    coverage = W.fit().table.query("gm_code == @TIEL")["coverage"].iloc[0]
    wijk_sum = frame[frame["jaar"] == 2022]["mediaan"].sum()
    assert wijk_sum == pytest.approx(coverage * np.median(total), rel=0.05)
    # bands widen further ahead
    width = frame.assign(w=frame["p90"] - frame["p10"]).groupby("jaar")["w"].sum()
    assert width[2025] > width[2022]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    here = Path(sys.executable).with_name("jeugdstelsel")
    script = str(here) if here.exists() else "jeugdstelsel"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JEUGDSTELSEL_")}
    env.update({"JEUGDSTELSEL_HOME": str(tmp_path / "home"), "COLUMNS": "80", "NO_COLOR": "1",
                "TERM": "dumb", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run([script, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)


def test_cli_wijken_shows_published_figures_and_forecast(tmp_path):
    done = _run(tmp_path, "wijken", "Tiel", "--jaar", "2025", "--csv", "w.csv")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Tiel kern (WK028100)" in out and "780" in out and "80%-band" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    frame = pd.read_csv(tmp_path / "w.csv")
    assert len(frame) == 4 and (frame["jaar"] == 2025).all()


@pytest.mark.slow
def test_toets_per_wijk_writes_forecasts_and_vorig_jaar(tmp_path):
    done = _run(tmp_path, "toets", "--niveau", "wijk", "--tot", "2021", "--uit", "uit")
    assert done.returncode == 0, done.stderr
    cases = pd.read_csv(tmp_path / "uit" / "toets.csv")
    assert list(cases.columns) == list(W.COLUMNS)
    assert (cases["reeks"] == "jeugdzorg_natura_0_22").all()
    assert cases["gebied"].str.match(r"^WK\d{6}$").all()
    assert set(cases["jaar"]) == {2022, 2023}
    table = W.fit().table
    published = int((~table["suppressed"]).sum())
    assert (cases["methode"] == "vorig_jaar").sum() == 2 * published
    assert (cases["methode"] == "model").sum() == 2 * len(table)
    refused = _run(tmp_path, "toets", "--niveau", "wijk", "--tot", "2020", "--uit", "uit2")
    assert refused.returncode != 0 and "85075NED" in refused.stderr + refused.stdout
