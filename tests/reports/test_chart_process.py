"""Charts drawn in the child process: the same picture as in-process, and failures reported."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from jeugdstelsel.errors import OutputError
from jeugdstelsel.reports import charts, run_chart
from jeugdstelsel.reports.chart_process import ChartProcess


def _panels():
    years = np.arange(2015, 2031)
    base = np.linspace(400_000, 520_000, len(years))
    d = {"jaar": years, "mediaan": base, "p10": base * 0.95, "p90": base * 1.05,
         "p2.5": base * 0.9, "p97.5": base * 1.1,
         "waargenomen": np.where(years < 2024, base * 1.01, np.nan),
         "status": np.array(["definitief"] * len(years), dtype=object)}
    return [("jeugdzorg_0_22", "Jongeren met jeugdzorg", d)] * 5 + [("uitgaven", "Uitgaven", d)]


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_child_draws_the_same_picture(tmp_path):
    here = tmp_path / "hier.png"
    run_chart.draw(_panels(), "titel", str(here))
    with ChartProcess("run", "bands") as process:
        process.submit("run", panels=_panels(), suptitle="titel", path=str(tmp_path / "kind.png"))
        years = np.arange(2020, 2031).astype(float)
        line = np.vstack([years * 0.9, years, years * 1.1])
        panel = ("Wachttijd", "weken", [("a", line)])
        process.submit("bands", years=years, panels=[panel] * 6, offset=0, zero_line=False,
                       suptitle="x", path=str(tmp_path / "banden.png"))
        process.wait()
    assert np.array_equal(_pixels(here), _pixels(tmp_path / "kind.png"))
    charts.draw_bands(years, [panel] * 6, 0, False, "x", str(tmp_path / "banden_hier.png"))
    assert np.array_equal(_pixels(tmp_path / "banden.png"), _pixels(tmp_path / "banden_hier.png"))


def test_a_failed_drawing_is_an_error_in_dutch(tmp_path):
    with ChartProcess("run") as process:
        process.submit("run", panels=_panels(), suptitle="x",
                       path=str(tmp_path / "bestaat-niet" / "grafiek.png"))
        with pytest.raises(OutputError, match="De grafiek kon niet worden getekend"):
            process.wait()


def test_one_failure_among_charts_drawn_side_by_side_fails_the_command(tmp_path):
    """Charts are drawn in forks of the child, at the same time: every good one is written,
    and the bad one is not lost among them."""
    with ChartProcess("run") as process:
        for i in range(3):
            process.submit("run", panels=_panels(), suptitle="x", path=str(tmp_path / f"{i}.png"))
        process.submit("run", panels=_panels(), suptitle="x",
                       path=str(tmp_path / "bestaat-niet" / "grafiek.png"))
        with pytest.raises(OutputError, match="De grafiek kon niet worden getekend"):
            process.wait()
    assert all(_pixels(tmp_path / f"{i}.png").shape[0] > 500 for i in range(3))


def test_an_unused_process_is_stopped():
    with ChartProcess("run") as process:
        pass
    assert process._proc.poll() is not None  # not left running after the command


def test_unknown_drawers_are_refused():
    with pytest.raises(ValueError):
        ChartProcess("taart")
    with ChartProcess() as process, pytest.raises(ValueError):
        process.submit("taart")


def test_warm_up_draws_every_chart():
    for module, names in ((run_chart, ["run"]), (charts, ["bands", "flows"])):
        for name in names:
            target = io.BytesIO()
            module.warm_up(name, target)
            assert target.getvalue().startswith(b"\x89PNG")
