"""The sampled national posterior: free/fixed split, priors, likelihood, sampler and storage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad

from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME
from jeugdstelsel.services import calibration as C
from jeugdstelsel.services import posterior as Q


def test_every_uncertain_parameter_is_free_or_fixed_with_a_reason():
    uncertain = {p.name for p in PARAMETERS if p.distribution != "fixed"}
    assert set(Q.FREE) | set(Q.FIXED) == uncertain
    assert not set(Q.FREE) & set(Q.FIXED)
    assert all(reason.strip() for reason in [*Q.FREE.values(), *Q.FIXED.values()])
    # only parameters the declaration marks as informed by published figures are free
    assert all(PARAMETERS_BY_NAME[n].calibrated for n in Q.FREE)


@pytest.mark.parametrize("name", ["need_incidence", "jb_trend", "coverage_pre2021"])
def test_triangular_prior_on_the_logit_scale_is_a_density(name):
    p = PARAMETERS_BY_NAME[name]
    total, _ = quad(lambda z: np.exp(Q.triangular_logpdf_logit(p, np.array([z]))[0]), -30, 30,
                    limit=200, points=[float(p.to_unit(p.default))])
    assert total == pytest.approx(1.0, abs=1e-3)


def test_provisional_figures_carry_their_typical_revision():
    final = C.Target("jeugdzorg_0_22", 2021, 1.0, "definitief", "rel", 0.02, "x 2021")
    provisional = C.Target("trajecten_gestart", 2022, 1.0, "voorlopig", "rel", 0.05, "x 2022")
    half = C.Target("jeugdzorg_0_22", 2023, 1.0, "voorlopig", "rel", 0.02, "x 2023-07-01")
    share = C.Target("verwijzer_huisarts_pct", 2021, 38.0, "afgeleid", "pp", 1.5, "x 2021")
    assert Q.measurement(final) == (0.0, Q.MEASUREMENT["definitief"])
    bias, spread = Q.measurement(provisional)
    assert bias == pytest.approx(0.0075) and Q.MEASUREMENT["definitief"] < spread < 0.01
    assert Q.measurement(half)[0] == pytest.approx(0.05)
    assert Q.measurement(share)[0] == 0.0


def test_every_fitted_series_has_a_discrepancy_group():
    for t in C.national_targets(2022):
        assert Q.group_of(t.key) in Q.GROUPS


class _FakeProblem:
    """A problem whose model values are given, to check the likelihood alone."""

    def __init__(self, targets):
        self.targets = targets


def test_likelihood_is_student_t_with_measurement_and_discrepancy_scale():
    targets = [t for t in C.national_targets(2022) if t.status == "definitief"][:5]
    logp = Q.LogPosterior(_FakeProblem(targets))
    obs = np.array([t.value for t in targets])
    model = obs * np.exp(np.array([0.01, -0.02, 0.0, 0.03, -0.01]))[None, :]
    theta = np.zeros((1, logp.ndim))
    theta[0, logp.k:] = np.log(0.02)
    got = logp.log_likelihood(theta, model)[0]
    scale = np.sqrt(Q.MEASUREMENT["definitief"] ** 2 + 0.02**2)
    want = stats.t.logpdf(np.log(model[0] / obs), Q.NU, scale=scale).sum()
    assert got == pytest.approx(want, rel=1e-10)
    # a larger discrepancy makes a big miss less improbable
    theta_wide = theta.copy()
    theta_wide[0, logp.k:] = np.log(0.2)
    far = obs * 1.5
    assert (logp.log_likelihood(theta_wide, far[None, :])[0]
            > logp.log_likelihood(theta, far[None, :])[0])


def test_calibration_draws_resample_the_stored_sample():
    names = list(C.CALIBRATED)
    free = list(Q.FREE)
    mean = [float(PARAMETERS_BY_NAME[n].to_unit(PARAMETERS_BY_NAME[n].default)) for n in names]
    rng = np.random.default_rng(1)
    sample = (np.array([mean[names.index(n)] for n in free])
              + 0.1 * rng.standard_normal((50, len(free))))
    cal = C.Calibration("Nederland", 2022, "", {}, names, mean, np.zeros((44, 44)).tolist(), [],
                        sample_names=free, sample=sample.tolist())
    draws = cal.draws(np.random.default_rng(2), 200)
    assert set(draws) == set(names)
    z = PARAMETERS_BY_NAME["jb_rate"].to_unit(draws["jb_rate"])
    assert set(np.round(z, 10)) <= set(np.round(sample[:, free.index("jb_rate")], 10))
    fixed = next(n for n in names if n not in Q.FREE)
    assert np.allclose(draws[fixed], PARAMETERS_BY_NAME[fixed].default)


@pytest.mark.slow
def test_a_short_sampler_run_gives_a_sample_diagnostics_and_a_valid_posterior():
    settings = Q.Settings(walkers=64, steps=16, burn=8, draws=100, mode_iter=3)
    cal = C.calibrate(2018, method="emcee", settings=settings, progress=False)
    assert cal.sample_names == list(Q.FREE)
    assert np.asarray(cal.sample).shape == (100, len(Q.FREE))
    for key in ("rhat_max", "ess_bulk_min", "ess_tail_min", "wall_s", "converged"):
        assert key in cal.sampler
    assert set(cal.sampler["rhat"]) == {*Q.FREE, *(f"log_tau_{g}" for g in Q.GROUPS)}
    post = cal.posterior()
    assert np.linalg.eigvalsh(post.cov).min() > -1e-10
    fixed = [i for i, n in enumerate(post.names) if n not in Q.FREE]
    assert np.allclose(post.cov[fixed][:, fixed], 0.0)
    assert {"jeugdhulp_personen", "jeugdbescherming"} <= set(cal.discrepancy)
    # the fit table is the model at the posterior mean, every fitted figure up to 2018
    assert all(r["year"] <= 2018 for r in cal.fit)
