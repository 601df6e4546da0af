"""The Routekaart of every municipality through the national sweep (issue 16, item 1).

The sweep computes the targets from every draw of a block before it keeps only statistics, so
a municipality's row must equal the single-area Routekaart (`jeugdstelsel routekaart GM...`) on
the same scenario and draws: same pipeline, same common random numbers.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jeugdstelsel.services import routekaart as R
from jeugdstelsel.services.scenario import load

ROOT = Path(__file__).parents[2]
CODES = ["GM0014", "GM0281"]  # Groningen, Tiel
DRAWS = 100


@pytest.mark.cluster
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_routekaart_of_all_municipalities_equals_the_single_area_one(tmp_path, cluster_client):
    plan = load(ROOT / "examples" / "raadsvraag.toml")
    result = R.routekaart_all(plan, "raadsvraag.toml", out=tmp_path / "rk", codes=CODES,
                              draws=DRAWS, client=cluster_client)
    table = result.table
    assert set(table["gemeente"]) == set(CODES)
    assert set(table["scenario"]) == {"basis", "plan"}
    assert {2028, 2030} <= set(table["jaar"])
    single = R.routekaart(plan, "raadsvraag.toml", area="GM0281", draws=DRAWS)
    for o in single.outlooks:
        if o.probability is None and not o.years:
            continue
        scenario = "basis" if o.scenario == single.scenarios[0] else "plan"
        row = table[(table["gemeente"] == "GM0281") & (table["scenario"] == scenario)
                    & (table["doel"] == o.target.sleutel) & (table["jaar"] == o.target.jaar)]
        assert len(row) == 1
        lo, med, hi = o.at_deadline
        assert np.allclose([row["p10"].iloc[0], row["mediaan"].iloc[0], row["p90"].iloc[0]],
                           [lo, med, hi], rtol=1e-9), o.target.sleutel
        if o.probability is not None:
            assert row["kans"].iloc[0] == pytest.approx(o.probability)
    # the plan works on the same draws: fewer young people in care in 2028 in both
    reach = table[(table["doel"] == "bereik_0_17") & (table["jaar"] == 2028)]
    wide = reach.pivot(index="gemeente", columns="scenario", values="mediaan")
    assert (wide["plan"] < wide["basis"]).all()
    assert ((wide["basis"] - wide["plan"]) / wide["basis"]).between(0.001, 0.2).all()
    # bands are ordered and probabilities are shares of 100 draws
    modelled = table.dropna(subset=["mediaan"])
    assert set(table["doel"]) - set(modelled["doel"]) == {"gesloten"}  # said, not computed
    assert (modelled["p2.5"] <= modelled["p10"]).all()
    assert (modelled["p10"] <= modelled["mediaan"]).all()
    kans = table["kans"].dropna()
    assert np.allclose(kans * DRAWS, np.round(kans * DRAWS))
    summary = result.summary.set_index(["scenario", "doel"])
    assert summary.loc[("basis", "bereik_0_17"), "gemeenten"] == len(CODES)
    deadline = reach[reach["scenario"] == "basis"]
    assert summary.loc[("basis", "bereik_0_17"), "kans_minstens_50"] == int(
        (deadline["kans"] >= 0.5).sum())
    # a rerun resumes: nothing recomputed, same table
    again = R.routekaart_all(plan, "raadsvraag.toml", out=tmp_path / "rk", codes=CODES,
                             draws=DRAWS, client=cluster_client)
    assert again.report.partitions_computed == 0
    pd.testing.assert_frame_equal(again.table, table)


@pytest.mark.cluster
@pytest.mark.slow
def test_routekaart_alle_command_writes_excel_csv(tmp_path):
    exe = shutil.which("jeugdstelsel") or str(ROOT / ".venv/bin/jeugdstelsel")
    out = tmp_path / "alle"
    done = subprocess.run([exe, "routekaart", "--alle", "--gemeenten", ",".join(CODES),
                           "--trekkingen", str(DRAWS), "--workers", "2", "--uit", str(out)],
                          capture_output=True, text=True, timeout=300,
                          env={"COLUMNS": "100", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Gemeenten die het doel halen" in done.stdout and "van 2" in done.stdout
    text = (out / "routekaart_gemeenten.csv").read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:4] == ["gemeente", "gemeentenaam", "scenario", "doel"]
    table = pd.read_csv(out / "routekaart_gemeenten.csv", sep=";", decimal=",",
                        encoding="utf-8-sig")
    assert set(table["gemeentenaam"]) == {"Groningen", "Tiel"}
    reach = table[(table["doel"] == "bereik_0_17") & (table["jaar"] == 2028)]
    assert reach["mediaan"].between(5, 30).all()  # % of 0-17 year olds, parsed as numbers
    summary = pd.read_csv(out / "routekaart_samenvatting.csv", sep=";", decimal=",",
                          encoding="utf-8-sig")
    assert (summary["gemeenten"] == 2).all()
    national = pd.read_csv(out / "routekaart.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert set(national["gebied"]) == {"NL01"}
