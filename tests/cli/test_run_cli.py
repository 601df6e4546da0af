"""The CLI end to end on the embedded default: files written, bad input refused."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from jeugdstelsel.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_run_default_writes_long_format_results_and_chart(tmp_path):
    out = tmp_path / "uit"
    result = runner.invoke(app, ["run", "--draws", "40", "--seed", "0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Jongeren in zorg per jaar" in result.output
    frame = pd.read_parquet(out / "results.parquet")
    assert set(frame["statistiek"]) == {"mediaan", "p10", "p90", "p2.5", "p97.5", "gemiddelde"}
    assert frame["jaar"].min() == 2015 and frame["jaar"].max() == 2030
    csv = pd.read_csv(out / "results.csv")
    assert len(csv) == len(frame)
    row = frame[
        (frame.reeks == "jeugdzorg_0_22") & (frame.jaar == 2019) & (frame.statistiek == "mediaan")
    ].iloc[0]
    assert row["waargenomen"] == 443585 and row["status"] == "definitief"
    assert (out / "grafiek.png").stat().st_size > 10_000


def test_bad_scenario_is_refused_and_nothing_is_written(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text("[periode]\nstart = 2024\neind = 2020\n[onzin]\nx = 1\n", encoding="utf-8")
    out = tmp_path / "uit"
    result = runner.invoke(app, ["run", str(plan), "--out", str(out)])
    assert result.exit_code == 1
    assert "plan.toml" in result.output and "onbekende sleutel 'onzin'" in result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".jeugdstelsel-")]


def test_unknown_area_is_explained(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(
        "[gebied]\ngemeente = 'Amsterdm'\n[simulatie]\ntrekkingen = 5\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["run", str(plan), "--out", str(tmp_path / "uit")])
    assert result.exit_code == 1
    assert "Amsterdam" in result.output


def test_model_explains_every_parameter_and_writes_a_diagram(tmp_path):
    from jeugdstelsel.core.model import PARAMETERS

    result = runner.invoke(
        app, ["model", "--diagram", str(tmp_path / "d.png")], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    for p in PARAMETERS:
        assert p.name in result.output
    assert (tmp_path / "d.png").stat().st_size > 10_000
