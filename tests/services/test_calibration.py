"""The national calibration: the shipped fit meets the issue's tolerances; the fit is real code."""

from __future__ import annotations

import numpy as np
import pytest

from jeugdstelsel.services import calibration as C

HEADLINE = (
    "jeugdzorg_0_22",
    "jeugdzorg_0_17",
    "jeugdhulp_met_verblijf_0_22",
    "jeugdhulp_zonder_verblijf_0_22",
    "jeugdbescherming_0_22",
)


def _check_tolerances(fit: list[dict]) -> list[str]:
    """Headline totals within 5% on average per series and 7% in every year; shares within 5 pp."""
    problems = []
    for key in HEADLINE:
        errs = [abs(r["error"]) for r in fit if r["series"] == key]
        assert errs, key
        if np.mean(errs) > 5 or max(errs) > 7:
            problems.append(f"{key}: {errs}")
    for r in fit:
        if r["unit"] == "pp" and abs(r["error"]) > 5:
            problems.append(f"{r['series']} {r['year']}: {r['error']:.1f} pp")
    return problems


def test_targets_come_from_the_embedded_figures():
    targets = C.national_targets(2021)
    keys = {t.key for t in targets}
    assert {"jeugdzorg_0_22", "herhaald_beroep_pct", "verwijzer_huisarts_pct"} <= keys
    assert all(t.year <= 2021 for t in targets)
    herhaald = next(t for t in targets if t.key == "herhaald_beroep_pct")
    assert herhaald.value == pytest.approx(100 * (1 - 219555 / 287870))


def test_shipped_calibration_reproduces_the_published_figures():
    cal = C.load_shipped()
    assert cal.fitted_through == C.last_target_year() >= 2024  # fitted on every figure
    problems = _check_tolerances(cal.fit)
    assert not problems, problems
    problem = C._Problem(cal.fitted_through)
    model = C._model_values(problem.outputs(np.array(cal.posterior_mean)), problem.targets)[0]
    np.testing.assert_allclose(model, [r["model"] for r in cal.fit], rtol=1e-8)


def test_shipped_holdout_is_reported_beside_naive_forecasts():
    h = C.load_shipped().holdout
    last = C.last_headline_year()
    assert h["fit_through"] == last - 1 and h["year"] == last >= 2024
    assert set(h["mean_abs_error_pct"]) == {"model", "rechte_trendlijn", "vorig_jaar_herhaald"}
    assert {r["series"] for r in h["rows"]} >= {"jeugdzorg_0_22", "jeugdzorg_0_17"}


def test_posterior_is_a_valid_covariance():
    post = C.load_shipped().posterior()
    eig = np.linalg.eigvalsh(post.cov)
    assert eig.min() > -1e-8
    assert len(post.names) == len(post.mean) == post.cov.shape[0]


@pytest.mark.slow
def test_calibration_from_scratch_meets_the_tolerances_and_matches_the_shipped_one():
    cal = C.calibrate(max_nfev=400)
    assert not _check_tolerances(cal.fit)
    shipped = C.load_shipped()
    assert cal.optimizer["cost"] == pytest.approx(shipped.optimizer["cost"], rel=1e-3)


@pytest.mark.slow
def test_holdout_model_is_not_worse_than_both_naive_forecasts():
    h = C.holdout_check()
    errs = h["mean_abs_error_pct"]
    assert errs["model"] <= max(errs["rechte_trendlijn"], errs["vorig_jaar_herhaald"])


def test_calibration_method_is_checked_and_the_shipped_file_says_how_it_was_made():
    with pytest.raises(ValueError, match="unknown calibration method"):
        C.calibrate(2021, method="bootstrap")
    cal = C.load_shipped()
    if C.DEFAULT_METHOD == "emcee":  # a sampled calibration ships its sample and diagnostics
        assert cal.sample and cal.sampler["converged"]
    else:
        assert cal.optimizer["method"].startswith("scipy.optimize.least_squares")
