"""The national posterior: which parameters are free, their priors, the likelihood, the sampler.

* **Free parameters** (:data:`FREE`) are the ones the national figures identify: in the former
  Laplace fit on all 44 uncertain parameters their posterior spread was clearly below the prior
  spread (ratio < 0.8 on the logit scale) and a published series speaks to each of them (the
  reason is given per parameter). Their prior is the declared distribution (triangular over the
  declared range, mode at the sourced default; the source is in ``core.model``), on the logit
  scale with the Jacobian of the transform.
* **Fixed parameters** (:data:`FIXED`, every other uncertain parameter) keep their sourced
  default in the fit *and* in the forecast draws: no published figure informs them (posterior
  spread equal to the prior spread), so letting them roam over their declared range only added
  spread the backtest showed was not there (80% bands held 100% of the headline figures).
  Capacity and waiting parameters are among them: no waiting figure is fitted, so the waiting
  list in the default forecast is a what-if at the declared capacity, not a calibrated quantity.
* **Likelihood**: per target a Student-t (``NU`` degrees of freedom, robust to the 2021 break
  and other structural misses) of log(model / published) for counts and model - published for
  shares. Its scale combines the figure's own uncertainty (:func:`measurement`: final figures
  0.5%, provisional ones with their typical revision, derived ones 1-2%) with a **model
  discrepancy** ``tau`` per group of series (:data:`GROUPS`), estimated jointly with the
  parameters (log-normal prior around 2% for counts, 1 pp for shares).
* **Provisional figures** are used with their typical revision rather than only a wider
  tolerance: CBS full-year trajectory counts end 0.5-1% higher when final (mean +0.75%, spread
  0.25%), first half-year figures about 5% higher (spread 2%; no half-year figure is fitted yet).
* **Sampler**: emcee's ensemble sampler with differential-evolution moves (affine invariant),
  vectorised: one engine call evaluates half the ensemble. Walkers start from the Laplace
  approximation at the posterior mode (L-BFGS-B from the least-squares optimum, Hessian by
  batched central differences); convergence is judged with ArviZ (rank-normalised split R-hat
  and bulk/tail effective sample size, every walker a chain) and emcee's autocorrelation time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from math import lgamma

import numpy as np

from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME

# Free parameters and why the figures identify them (posterior/prior spread in the Laplace fit).
FREE: dict[str, str] = {
    "need_incidence": "niveau jeugdzorg 0-22 (CBS, 2015-); spreiding 0,32 van de prior",
    "threshold_trend": "groei jeugdzorg 0-22 over de jaren; 0,21",
    "route_first_line": "verwijzersmix (CBS 85096NED) en wijkteamjeugdhulp; 0,44",
    "route_gp": "aandeel huisarts in verwijzersmix (CBS 85096NED); 0,17",
    "route_youth_doctor": "aandeel jeugdarts in verwijzersmix; 0,52",
    "route_medical_specialist": "aandeel medisch specialist in verwijzersmix; 0,39",
    "fl_route_trend": "verloop wijkteamjeugdhulp over de jaren; 0,47",
    "residential_share": "jeugdhulp met verblijf (CBS); 0,41",
    "amb_duration": "jeugdhulp zonder verblijf t.o.v. gestarte trajecten; 0,54",
    "trajectories_per_episode": "gestarte trajecten (CBS 85096NED); 0,43",
    "reentry_rate": "aandeel herhaald beroep (CBS 85096NED); 0,21",
    "extension_share": "jeugdzorg 18-22 (verlengde jeugdhulp); 0,61",
    "jb_rate": "instroom jeugdbescherming (CBS); 0,09",
    "jb_trend": "verloop instroom jeugdbescherming; 0,11",
    "jb_duration": "stand jeugdbescherming t.o.v. instroom; 0,12",
    "gi_referral_rate": "aandeel gecertificeerde instelling in verwijzersmix; 0,26",
    "jr_rate": "instroom jeugdreclassering (CBS); 0,37",
    "jr_trend": "verloop jeugdreclassering; 0,23",
    "jr_duration": "stand jeugdreclassering t.o.v. instroom; 0,18",
    "coverage_pre2021": "trendbreuk 2021 in de CBS-registratie; 0,43",
    "coverage_pre2021_residential": "trendbreuk 2021 bij jeugdhulp met verblijf (CBS)",
    "jr_persons_per_measure": "jongeren met jeugdreclassering (CBS, unieke personen) "
                              "t.o.v. de maatregelen",
    "cost_scale": "uitgaven gemeenten jeugd 2019 en uitgaven per jongere; 0,55",
}
UNCERTAIN = tuple(p.name for p in PARAMETERS if p.distribution != "fixed")
FIXED: dict[str, str] = {
    n: "geen gepubliceerd cijfer bepaalt deze parameter (spreiding in de fit gelijk aan de prior); "
    "vast op de bronwaarde uit de declaratie"
    for n in UNCERTAIN
    if n not in FREE
}

RHAT_MAX = 1.05  # convergence criterion for shipping a sample (every parameter)
ESS_MIN = 200
NU = 4.0  # Student-t degrees of freedom: heavy tails for the structural misses (2021 break)
# Model-discrepancy groups: one tau per group of series that share a structural part of the model.
GROUPS: dict[str, tuple[str, ...]] = {
    "jeugdhulp_personen": ("jeugdzorg_0_22", "jeugdzorg_0_17"),
    "jongvolwassenen": ("jeugdzorg_18_22",),
    "vorm": ("jeugdhulp_met_verblijf_0_22", "jeugdhulp_zonder_verblijf_0_22",
             "jeugdhulp_wijkteam_0_22"),
    "trajecten": ("trajecten_gestart",),
    "jeugdbescherming": ("jeugdbescherming_0_22", "jeugdbescherming_stand",
                         "jeugdbescherming_instroom"),
    "jeugdreclassering": ("jeugdreclassering_0_22", "jeugdreclassering_stand",
                          "jeugdreclassering_instroom"),
    "kosten": ("uitgaven", "uitgaven_per_jongere_in_zorg"),
    "aandelen": (),  # every share (_pct)
}
TAU_PRIOR = {"rel": (np.log(0.02), 1.0), "pp": (np.log(1.0), 1.0)}  # log-normal (median, sd)
# Typical revision of provisional CBS figures: (mean relative revision, spread).
REVISION = {"jaar": (0.0075, 0.0025), "halfjaar": (0.05, 0.02)}
MEASUREMENT = {"definitief": 0.005, "afgeleid": 0.01, "pp": 0.3}
DERIVED_WIDE = {"uitgaven": 0.02, "uitgaven_per_jongere_in_zorg": 0.05}  # a range / rounded figure


def group_of(key: str) -> str:
    if key.endswith("_pct"):
        return "aandelen"
    for name, keys in GROUPS.items():
        if key in keys:
            return name
    raise KeyError(f"no discrepancy group for series {key}")


def _half_year(target) -> bool:
    return bool(target.half) or "-07-01" in target.source


def measurement(target) -> tuple[float, float]:
    """(expected relative revision, measurement spread) of a published figure.

    Counts: log scale; shares: percentage points (no revision).
    """
    if target.kind == "pp":
        return 0.0, MEASUREMENT["pp"]
    if target.key in DERIVED_WIDE:
        return 0.0, DERIVED_WIDE[target.key]
    if target.status == "voorlopig":
        bias, spread = REVISION["halfjaar" if _half_year(target) else "jaar"]
        return bias, float(np.hypot(spread, MEASUREMENT["definitief"]))
    return 0.0, MEASUREMENT.get(target.status, MEASUREMENT["afgeleid"])


def triangular_logpdf_logit(p, z: np.ndarray) -> np.ndarray:
    """Log density on the logit scale of the declared triangular(low, default, high) prior.

    The density on the natural scale times the Jacobian ``(high - low) u (1 - u)``.
    """
    z = np.asarray(z, dtype=float)
    u = 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function, stable for large |z|
    width = p.high - p.low
    x = p.low + width * u
    left = 2 * (x - p.low) / (width * max(p.default - p.low, 1e-300))
    right = 2 * (p.high - x) / (width * max(p.high - p.default, 1e-300))
    dens = np.where(x <= p.default, left, right)
    log_jac = np.log(width) - np.logaddexp(0.0, z) - np.logaddexp(0.0, -z)  # log(w u (1-u))
    return np.log(np.maximum(dens, 1e-300)) + log_jac


@dataclass(frozen=True)
class Settings:
    """emcee settings; ``FULL`` ships, ``FAST`` serves the backtest (one fit per origin).

    The first ``burn`` steps are discarded (the walkers start from the Laplace cloud at the
    mode, which is narrower than the posterior); the rest are diagnosed and thinned to
    ``draws``. Cost: about two engine calls per step whatever the number of walkers.
    """

    walkers: int
    steps: int
    burn: int
    draws: int  # thinned posterior sample kept
    seed: int = 2015
    mode_iter: int = 150  # L-BFGS-B iterations for the mode the walkers start around


# Measured (fit through 2022, 2-core machine at load ~3.5): 431 s, integrated autocorrelation
# time ~120 steps, R-hat max 1.049, bulk ESS min ~1500: converged, but over the 5-minute target;
# 4000 steps / 1500 burn-in took 245 s with R-hat max 1.085 (docs/calibration.md).
FULL = Settings(walkers=96, steps=5000, burn=1200, draws=1500)
# The backtest calibrates once per origin: 15-40 s each on an idle machine. Its posterior is not
# converged (R-hat ~1.7-2.1, reported per origin), a known approximation of the backtest.
FAST = Settings(walkers=128, steps=300, burn=120, draws=1000)


class LogPosterior:
    """Vectorised log posterior over rows ``theta = (z_free..., log_tau...)``."""

    def __init__(self, problem):
        self.problem = problem  # calibration._Problem over the FREE parameters
        self.targets = problem.targets
        self.free = [PARAMETERS_BY_NAME[n] for n in FREE]
        self.groups = list(GROUPS)
        gi = [self.groups.index(group_of(t.key)) for t in self.targets]
        self.group_index = np.array(gi)
        self.rel = np.array([t.kind == "rel" for t in self.targets])
        obs = np.array([t.value for t in self.targets])
        rev = np.array([measurement(t) for t in self.targets])
        # expected final value: provisional figures shifted up by their typical revision
        self.obs = np.where(self.rel, np.log(obs) + np.log1p(rev[:, 0]), obs)
        self.meas2 = rev[:, 1] ** 2
        self.bound = np.array([t.bound for t in self.targets])
        present = sorted(set(gi))
        self.active_groups = [self.groups[i] for i in present]
        kinds = ["pp" if g == "aandelen" else "rel" for g in self.groups]
        self.tau_mu = np.array([TAU_PRIOR[k][0] for k in kinds])
        self.tau_sd = np.array([TAU_PRIOR[k][1] for k in kinds])
        self.k = len(self.free)
        self.ndim = self.k + len(self.groups)
        self.evaluations = 0

    def names(self) -> list[str]:
        return [*FREE, *(f"log_tau_{g}" for g in self.groups)]

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        out = np.zeros(len(theta))
        for j, p in enumerate(self.free):
            out += triangular_logpdf_logit(p, theta[:, j])
        lt = theta[:, self.k:]
        out += np.sum(-0.5 * ((lt - self.tau_mu) / self.tau_sd) ** 2, axis=1)
        return out

    def model_values(self, z: np.ndarray) -> np.ndarray:
        from jeugdstelsel.services.calibration import _model_values

        return _model_values(self.problem.outputs(z), self.targets)

    def log_likelihood(self, theta: np.ndarray, model: np.ndarray) -> np.ndarray:
        tau = np.exp(theta[:, self.k:])[:, self.group_index]  # (n, targets)
        scale2 = self.meas2 + tau**2
        m = np.where(self.rel, np.log(np.maximum(model, 1e-9)), model)
        e = m - self.obs
        e = np.where(self.bound == "min", np.minimum(e, 0.0), e)
        e = np.where(self.bound == "max", np.maximum(e, 0.0), e)
        const = lgamma((NU + 1) / 2) - lgamma(NU / 2) - 0.5 * np.log(NU * np.pi)
        lp = const - 0.5 * np.log(scale2) - (NU + 1) / 2 * np.log1p(e**2 / (NU * scale2))
        return lp.sum(axis=1)

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        out = self.log_prior(theta)
        ok = np.isfinite(out) & np.all(np.abs(theta[:, : self.k]) < 15, axis=1)
        ok &= np.all(np.abs(theta[:, self.k:]) < 10, axis=1)
        result = np.full(len(theta), -np.inf)
        if ok.any():
            model = self.model_values(theta[ok, : self.k])
            self.evaluations += int(ok.sum())
            result[ok] = out[ok] + self.log_likelihood(theta[ok], model)
        return np.where(np.isfinite(result), result, -np.inf)


def _tau_start(logp: LogPosterior, z: np.ndarray) -> np.ndarray:
    """log tau per group at its root mean square residual at ``z`` (prior median if empty)."""
    model = logp.model_values(z[None])[0]
    m = np.where(logp.rel, np.log(np.maximum(model, 1e-9)), model)
    e2 = (m - logp.obs) ** 2
    out = []
    for g in range(len(logp.groups)):
        sel = logp.group_index == g
        floor = np.exp(logp.tau_mu[g]) / 4
        out.append(np.log(max(np.sqrt(e2[sel].mean()), floor)) if sel.any() else logp.tau_mu[g])
    return np.array(out)


def mode_and_curvature(logp: LogPosterior, theta0: np.ndarray, *, maxiter: int = 150,
                       h: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mode (L-BFGS-B, gradient from one batched call) and the inverse Hessian there
    (central differences, one batched call): the walkers' starting cloud."""
    from scipy.optimize import minimize

    d = len(theta0)
    eye = np.eye(d)

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        eps = 1e-5
        vals = logp(np.vstack([x, x + eps * eye]))
        if not np.isfinite(vals[0]):
            return 1e10, np.zeros(d)
        grad = (vals[1:] - vals[0]) / eps
        return -float(vals[0]), -np.where(np.isfinite(grad), grad, 0.0)

    res = minimize(fun, theta0, jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
    x = res.x
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    rows = [x]
    for i in range(d):
        rows += [x + h * eye[i], x - h * eye[i]]
    for i, j in pairs:
        for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            rows.append(x + h * (si * eye[i] + sj * eye[j]))
    v = logp(np.vstack(rows))
    f0, single, double = v[0], v[1 : 1 + 2 * d].reshape(d, 2), v[1 + 2 * d :].reshape(-1, 4)
    hess = np.zeros((d, d))
    hess[np.diag_indices(d)] = (single[:, 0] + single[:, 1] - 2 * f0) / h**2
    for (i, j), q in zip(pairs, double, strict=True):
        hess[i, j] = hess[j, i] = (q[0] - q[1] - q[2] + q[3]) / (4 * h**2)
    w, vec = np.linalg.eigh(-np.where(np.isfinite(hess), hess, 0.0))
    w = np.maximum(w, 1e-2)  # flat directions: at most 10 logit units of spread
    return x, (vec / w) @ vec.T


def initial_ensemble(logp: LogPosterior, z_map: np.ndarray, rng: np.random.Generator,
                     walkers: int, mode_iter: int = 150) -> np.ndarray:
    """Walkers drawn from the Laplace approximation at the posterior mode, which starts from
    the least-squares optimum ``z_map`` with tau at the residual spread there."""
    theta0 = np.concatenate([z_map, _tau_start(logp, z_map)])
    centre, cov = mode_and_curvature(logp, theta0, maxiter=mode_iter)
    theta = rng.multivariate_normal(centre, cov, size=walkers, method="eigh")
    lp = logp(theta)
    bad = ~np.isfinite(lp)
    for _ in range(20):  # redraw walkers that start outside the support
        if not bad.any():
            break
        theta[bad] = rng.multivariate_normal(centre, 0.25 * cov, size=int(bad.sum()))
        lp[bad] = logp(theta[bad])
        bad = ~np.isfinite(lp)
    theta[bad] = centre
    return theta


def diagnostics(sampler, burn: int, names: list[str]) -> dict:
    """R-hat and effective sample size (ArviZ) per parameter after ``burn`` steps.

    ``az.from_emcee`` makes every walker a chain; rank-normalised split R-hat and bulk/tail ESS.
    """
    import warnings

    with warnings.catch_warnings():
        # ArviZ announces its refactor on import and warns when walkers outnumber draws
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        import arviz as az

        data = az.from_emcee(sampler, var_names=names).sel(draw=slice(burn, None))
        rhat = az.rhat(data)
        ess_bulk = az.ess(data, method="bulk")
        ess_tail = az.ess(data, method="tail")
    r = {n: float(rhat[n]) for n in names}
    eb = {n: float(ess_bulk[n]) for n in names}
    et = {n: float(ess_tail[n]) for n in names}
    return {
        "rhat": r,
        "ess_bulk": eb,
        "ess_tail": et,
        "rhat_max": max(r.values()),
        "ess_bulk_min": min(eb.values()),
        "ess_tail_min": min(et.values()),
    }


def _run(sampler, start, steps: int, progress: bool) -> None:
    """``steps`` ensemble steps with a progress bar (rich, on stderr) when asked."""
    if not progress:
        sampler.run_mcmc(start, steps, progress=False)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("Posterior bemonsteren (emcee)"), BarColumn(),
               TextColumn("{task.completed}/{task.total} stappen"), TimeElapsedColumn(),
               TextColumn("nog"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("emcee", total=steps)
        for _ in sampler.sample(start, iterations=steps):
            bar.advance(task)


def sample(logp: LogPosterior, z_map: np.ndarray, settings: Settings, *,
           progress: bool = True, log: Callable[[str], None] | None = None) -> dict:
    """Run emcee; the thinned sample and its convergence diagnostics."""
    import emcee

    rng = np.random.default_rng(settings.seed)
    t0 = time.perf_counter()
    start = initial_ensemble(logp, z_map, rng, settings.walkers, settings.mode_iter)
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(settings.walkers, logp.ndim, logp, vectorize=True,
                                    moves=moves)
    sampler.random_state = np.random.RandomState(settings.seed).get_state()  # reproducible
    _run(sampler, start, settings.steps, progress)
    wall = time.perf_counter() - t0
    chain = sampler.get_chain()[settings.burn:]  # (steps, walkers, ndim)
    lnp = sampler.get_log_prob()[settings.burn:]
    names = logp.names()
    diag = diagnostics(sampler, settings.burn, names)
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant chain has no acf
        tau_ac = sampler.get_autocorr_time(discard=settings.burn, tol=0)
    tau_max = float(np.nanmax(tau_ac)) if np.isfinite(tau_ac).any() else None
    flat = chain.reshape(-1, logp.ndim)
    pick = np.linspace(0, len(flat) - 1, min(settings.draws, len(flat))).astype(int)
    # chain order is (step, walker): evenly spaced picks are a thinned, walker-mixed sample
    thinned = flat[pick]
    info = {
        "method": "emcee.EnsembleSampler (DEMove 0.8, DESnookerMove 0.2), vectorised",
        "settings": asdict(settings),
        "wall_s": round(wall, 1),
        "evaluations": int(logp.evaluations),
        "acceptance": float(np.mean(sampler.acceptance_fraction)),
        "autocorr_max": tau_max,
        "autocorr_steps_per_tau": (settings.steps - settings.burn) / tau_max if tau_max else None,
        "rhat_max": diag["rhat_max"],
        "ess_bulk_min": diag["ess_bulk_min"],
        "ess_tail_min": diag["ess_tail_min"],
        "rhat": diag["rhat"],
        "ess_bulk": diag["ess_bulk"],
        "log_posterior_max": float(lnp.max()),
        "converged": bool(diag["rhat_max"] < RHAT_MAX and diag["ess_bulk_min"] > ESS_MIN),
    }
    if log is not None:
        log(f"emcee: {wall:.0f} s, R-hat max {diag['rhat_max']:.3f}, "
            f"ESS bulk min {diag['ess_bulk_min']:.0f}")
    return {"sample": thinned, "names": names, "info": info, "map_theta": flat[np.argmax(lnp)],
            "emcee": sampler}
