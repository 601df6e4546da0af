"""The backtest's verdict ships with the package and is shown beside every forecast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jeugdstelsel.services import backtest as B
from jeugdstelsel.services import reliability


def test_shipped_verdicts_are_current_and_cover_the_headline_series():
    verdicts = reliability.shipped()
    assert verdicts is not None and verdicts.current  # made with the figures embedded now
    for key in B.HEADLINE:
        assert verdicts.label(key) in {"goed", "matig", "zwak", "onbekend"}, key
    row = next(r for r in verdicts.series.values() if r["oordeel"] != "onbekend")
    assert {"mape_model", "mape_trend", "mape_vorig_jaar", "dekking_80"} <= set(row)


def test_labels_follow_the_scores():
    """The label is the rule applied to the stored scores (goed needs 0.8x and 72-88%)."""
    for key, row in reliability.shipped().series.items():
        if row["oordeel"] == "onbekend":
            assert row["n"] < 3, key
            continue
        best = min(row["mape_trend"], row["mape_vorig_jaar"])
        if row["mape_model"] > 1.2 * best:
            assert row["oordeel"] == "zwak", key
        elif row["mape_model"] <= 0.8 * best and 0.72 <= row["dekking_80"] <= 0.88:
            assert row["oordeel"] == "goed", key
        else:
            assert row["oordeel"] == "matig", key


def test_a_verdict_from_other_figures_is_called_outdated():
    v = reliability.shipped()
    old = reliability.Reliability(v.series, v.origins, v.horizon, "ander", v.version,
                                  current=False)
    assert "verouderd" in old.short("jeugdzorg_0_22")
    assert "oudere cijfers" in old.source()


def test_draai_shows_the_verdict_beside_the_series(tmp_path):
    exe = str(Path(sys.executable).with_name("jeugdstelsel"))  # the console script, as documented
    out = subprocess.run([exe, "draai", "--trekkingen",
                          "50", "--uit", str(tmp_path / "uit")], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "120",
                              "JEUGDSTELSEL_HOME": str(tmp_path / "thuis")},
                         check=True).stdout
    label = reliability.shipped().label("jeugdzorg_0_22")
    assert f"(toets: {label})" in out
    assert "Betrouwbaarheid volgens `jeugdstelsel toets`" in out
    meta = json.loads((tmp_path / "uit" / "meta.json").read_text(encoding="utf-8"))
    assert meta["betrouwbaarheid"]["reeksen"]["jeugdzorg_0_22"]["oordeel"] == label


def test_a_verdict_file_that_cannot_be_written_is_refused_before_the_backtest(tmp_path):
    exe = str(Path(sys.executable).with_name("jeugdstelsel"))
    done = subprocess.run([exe, "toets", "--tot", "2021", "--horizon", "1", "--uit",
                           str(tmp_path / "t"), "--bewaar-oordeel",
                           str(tmp_path / "bestaat-niet" / "oordeel.json")],
                          capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "120",
                               "JEUGDSTELSEL_HOME": str(tmp_path / "thuis")})
    assert done.returncode == 1
    assert "bestaat niet" in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert "(code: uitvoer_ongeldig)" in done.stderr + done.stdout
