"""Half-year figures are fitted as half-year counts (issue 14 item 2), not as years."""

from __future__ import annotations

import numpy as np

from jeugdstelsel.services import calibration as C


def test_half_year_figures_are_targets_of_the_six_month_aggregation():
    targets = [t for t in C.national_targets(2025) if t.half]
    periods = {t.period for t in targets}
    assert {"2015H1", "2015H2", "2016H1", "2016H2", "2017H1"} <= periods
    assert all(t.key == "jeugdzorg_0_22" and t.kind == "rel" for t in targets)
    provisional = [t for t in targets if t.status == "voorlopig"]
    assert provisional and all(t.revision == 0.05 for t in provisional)  # CBS: ends ~5% higher
    assert all(t.revision == 0.0 for t in targets if t.status == "definitief")
    # a figure after the fitted year never becomes a target
    assert not [t for t in C.national_targets(2016) if t.half and t.year > 2016]


def test_model_values_take_the_half_year_bucket():
    year = np.arange(3, dtype=float) * 1000  # 2015, 2016, 2017
    half = np.arange(6, dtype=float)  # 2015H1, 2015H2, 2016H1, ...
    out = {"jeugdzorg_0_22": year[None, None, :], "jeugdzorg_0_22" + C.HALF: half[None, None, :]}
    targets = [C.Target("jeugdzorg_0_22", 2016, 1.0, "definitief", "rel", 0.02, "x", half=2),
               C.Target("jeugdzorg_0_22", 2016, 1.0, "definitief", "rel", 0.02, "x")]
    assert C._model_values(out, targets).tolist() == [[3.0, 1000.0]]


def test_a_provisional_half_year_is_compared_at_its_expected_final_value():
    t = C.Target("jeugdzorg_0_22", 2023, 100.0, "voorlopig", "rel", 0.02, "x", half=1,
                 revision=0.05)
    assert C._residuals(np.array([[105.0]]), [t])[0, 0] == 0.0


def test_the_shipped_fit_holds_the_half_years_within_five_percent():
    """Before, half-year person counts were never fitted and came out 11-14% low."""
    fit = [r for r in C.load_shipped().fit if "H" in str(r.get("period", ""))]
    assert len(fit) >= 7
    assert max(abs(r["error"]) for r in fit) < 5.0
