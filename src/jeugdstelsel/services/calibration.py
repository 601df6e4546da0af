"""Calibration of the model to the published national figures, with an out-of-sample check.

Method (details and reasons per parameter in :mod:`jeugdstelsel.services.posterior`):

1. Only the parameters the figures identify are free (``posterior.FREE``); every other uncertain
   parameter is fixed at its sourced default, in the fit and in the forecast draws.
2. A starting point: maximum a posteriori of the former least-squares objective on the logit
   scale (relative errors of counts over a tolerance per series, percentage-point errors of
   shares, a weak prior of 1 logit unit), ``scipy.optimize.least_squares`` with a Jacobian from
   one batched model run.
3. The posterior: emcee's ensemble sampler over the free parameters (declared triangular priors)
   and a model-discrepancy scale per group of series, with a Student-t likelihood in which
   provisional figures carry their typical revision. ArviZ reports R-hat and effective sample
   size. The thinned sample ships in the calibration JSON (``sample``); ``posterior()`` gives
   its mean and covariance (fixed parameters with zero variance) for callers that draw from a
   Gaussian.

The shipped calibration is fitted on every published figure (through :func:`last_target_year`);
its out-of-sample check fits on the years before that year, predicts it and compares the error
with a straight trend line and with "last year repeated" (shared/DESIGN.md section 2). The
rolling-origin backtest (services/backtest.py) does this for every origin.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import numpy as np

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME
from jeugdstelsel.core.outputs import REFERRER_KEYS, SERIES, aggregate
from jeugdstelsel.data.refdata import annual, series
from jeugdstelsel.services import posterior
from jeugdstelsel.services.inputs import national_inputs

FIRST_YEAR = 2015
CALIBRATION_FILE = "nederland.json"
# Every uncertain (non-fixed) parameter is named in the posterior, so that Monte Carlo draws
# respect the published figures jointly: the free ones (posterior.FREE) with their sampled
# spread, the others fixed at their sourced default (zero variance), see posterior.py.
CALIBRATED = tuple(p.name for p in PARAMETERS if p.distribution != "fixed")
PRIOR_SD = 1.0  # logit units: weak prior of the least-squares starting point

# Tolerance per series: relative for counts, percentage points for shares.
SIGMA = {
    "jeugdzorg_0_22": 0.02,
    "jeugdzorg_0_17": 0.02,
    "jeugdzorg_18_22": 0.05,
    "jeugdhulp_met_verblijf_0_22": 0.02,
    "jeugdhulp_zonder_verblijf_0_22": 0.02,
    "jeugdhulp_wijkteam_0_22": 0.06,
    "jeugdbescherming_0_22": 0.02,
    "jeugdreclassering_0_22": 0.06,
    "trajecten_gestart": 0.05,
    "jeugdbescherming_stand": 0.03,
    "jeugdbescherming_instroom": 0.04,
    "jeugdreclassering_stand": 0.05,
    "jeugdreclassering_instroom": 0.05,
    "uitgaven": 0.05,
    "uitgaven_per_jongere_in_zorg": 0.10,
    "herhaald_beroep_pct": 1.5,
    "verwijzer_pct": 1.5,
}
# Series not used for fitting: they duplicate a fitted one in another definition (incl./excl.
# PGB or a derived sum), which would count the same information twice.
# Juvenile probation persons (CBS) are fitted since the model converts measures to unique
# persons (jr_persons_per_measure), so persons and measures are each compared with their own.
NOT_FITTED = {"jeugdhulp_0_22"}
# Half-year figures, fitted as what they are: unique young people in that half-year (the model's
# six-month aggregation), not as a year. CBS/NJi, in natura and/or PGB like the yearly series.
HALF_YEAR_SERIES = {"jeugdzorg_0_22": "youth_jeugdzorg_incl_pgb_halfyear"}
HALF = "@halfjaar"  # suffix of the half-year model series in _Problem.outputs


@dataclass(frozen=True)
class Target:
    """One published figure the model is compared with."""

    key: str  # output series key
    year: int
    value: float
    status: str
    kind: str  # "rel" (count) or "pp" (percentage share)
    sigma: float
    source: str
    # "min"/"max": a published bound ("meer dan 17%"), penalised only when the model crosses it
    bound: str = ""
    half: int = 0  # 1 or 2: a half-year figure (of ``year``); 0: the calendar year
    # expected relative revision to the final figure (provisional first half-years: CBS +5%)
    revision: float = 0.0

    @property
    def period(self) -> str:
        return f"{self.year}H{self.half}" if self.half else str(self.year)


def _stock_rows(name: str) -> list[tuple[int, float, str]]:
    """A stock on 1 January of each year: the begin-of-year figures, and where a year has
    none, the end-of-year figure of the year before (the same reference date, 31 December =
    1 January; CBS publishes the recent years only as end-of-year or half-year stocks)."""
    rows = series(name)
    begin = rows[rows["period"].str.fullmatch(r"\d{4}-01-01")]
    out = {int(p[:4]): (float(v), s)
           for p, v, s in zip(begin["period"], begin["value"], begin["status"], strict=False)}
    if name.endswith("_stock_begin"):
        end = series(name.removesuffix("_begin") + "_end")
        end = end[end["period"].str.fullmatch(r"\d{4}-12-31")]
        for p, v, s in zip(end["period"], end["value"], end["status"], strict=False):
            out.setdefault(int(p[:4]) + 1, (float(v), s))
    return [(year, value, status) for year, (value, status) in sorted(out.items())]


def _category(name: str, year: int) -> dict[str, float]:
    rows = series(name)
    rows = rows[rows["period"] == str(year)]
    return dict(zip(rows["category"], rows["value"].astype(float), strict=False))


def last_target_year() -> int:
    """The last year with a published national figure that the calibration fits.

    Computed from the embedded figures, so new figures move the shipped fit's end with them.
    """
    return max(t.year for t in national_targets(9999))


def last_headline_year() -> int:
    """The last year with a published figure of the headline series (jeugdzorg 0-22): the
    year the shipped holdout check predicts (later years have only a few stock figures)."""
    return max(t.year for t in national_targets(9999) if t.key == "jeugdzorg_0_22")


def national_targets(last_year: int) -> list[Target]:
    """All national calibration targets from the embedded reference figures up to ``last_year``."""
    targets: list[Target] = []

    def add(key: str, year: int, value: float, status: str, kind: str, source: str) -> None:
        if FIRST_YEAR <= year <= last_year:
            sigma = SIGMA.get(key, SIGMA["verwijzer_pct"] if key.startswith("verwijzer") else 0.05)
            if status == "voorlopig" and kind == "rel":
                sigma *= 1.5  # final figures came out 1-2% higher (DESIGN section 5)
            targets.append(Target(key, year, value, status, kind, sigma, source))

    for s in SERIES:
        if s.observed is None or s.key.endswith("_pct") or s.key in NOT_FITTED:
            continue
        if s.key.endswith("_stand"):
            for year, value, status in _stock_rows(s.observed):
                add(s.key, year, value, status, "rel", f"{s.observed} {year}-01-01")
            continue
        for year, (value, status) in annual(s.observed).items():
            add(s.key, year, value, status, "rel", f"{s.observed} {year}")
    for key, name in HALF_YEAR_SERIES.items():
        _add_half_years(targets, key, name, last_year)
    low = annual("muni_spending_jeugd_range_low")
    high = annual("muni_spending_jeugd_range_high")
    for year in sorted(set(low) & set(high)):
        add(
            "uitgaven",
            year,
            (low[year][0] + high[year][0]) / 2,
            "afgeleid",
            "rel",
            f"muni_spending_jeugd_range_low/high {year} (midden)",
        )
    # referrer mix and re-entry share of started trajectories (CBS 85096NED)
    for year in range(FIRST_YEAR, last_year + 1):
        started = _category("jh_trajecten_begonnen_by_verwijzer", year)
        new = _category("jh_trajecten_begonnen_nieuw_by_verwijzer", year)
        total = started.get("Totaal verwijzer")
        if not total:
            continue
        labels = {
            "gemeentelijke_toegang": "Gemeentelijke toegang",
            "huisarts": "Huisarts",
            "jeugdarts": "Jeugdarts",
            "medisch_specialist": "Medisch specialist",
            "gecertificeerde_instelling": "Gecertificeerde instelling",
            "rechter": "Rechter, Officier van Justitie",
            "geen_verwijzer": "Geen verwijzer",
        }
        for key in REFERRER_KEYS.values():
            if labels[key] in started:
                add(
                    f"verwijzer_{key}_pct",
                    year,
                    100 * started[labels[key]] / total,
                    "afgeleid",
                    "pp",
                    f"jh_trajecten_begonnen_by_verwijzer {year}",
                )
        if new.get("Totaal verwijzer"):
            add(
                "herhaald_beroep_pct",
                year,
                100 * (1 - new["Totaal verwijzer"] / total),
                "afgeleid",
                "pp",
                f"jh_trajecten_begonnen(_nieuw)_by_verwijzer {year}",
            )
    return targets


def _add_half_years(targets: list[Target], key: str, name: str, last_year: int) -> None:
    """The half-year figures of ``name`` up to ``last_year`` as targets of ``key``'s half-year
    aggregation. A provisional one is compared at its expected final value (CBS: first
    half-year figures end up about 5% higher, ``posterior.REVISION``) with a wider tolerance."""
    from jeugdstelsel.services.posterior import REVISION

    rows = series(name)
    for period, value, status in zip(rows["period"], rows["value"], rows["status"], strict=False):
        year, half = int(str(period)[:4]), int(str(period)[-1])
        if not (FIRST_YEAR <= year <= last_year):
            continue
        sigma = SIGMA[key]
        revision = 0.0
        if status == "voorlopig":
            revision, spread = REVISION["halfjaar"]
            sigma = float(np.hypot(sigma, spread))
        targets.append(Target(key, year, float(value), str(status), "rel", sigma,
                              f"{name} {period}", half=half, revision=revision))


def _model_values(out: dict[str, np.ndarray], targets: list[Target]) -> np.ndarray:
    """Model values at the targets, ``(draws, targets)`` (first municipality); half-year
    targets from the six-month aggregation (``key + HALF``)."""
    cols = [out[t.key + HALF][:, 0, 2 * (t.year - FIRST_YEAR) + t.half - 1] if t.half
            else out[t.key][:, 0, t.year - FIRST_YEAR] for t in targets]
    return np.stack(cols, axis=1)


def _residuals(model: np.ndarray, targets: list[Target]) -> np.ndarray:
    obs = np.array([t.value * (1.0 + t.revision) for t in targets])
    sig = np.array([t.sigma for t in targets])
    rel = np.array([t.kind == "rel" for t in targets])
    res = np.where(rel, np.log(np.maximum(model, 1e-9) / obs), model - obs) / sig
    bound = np.array([t.bound for t in targets])
    res = np.where(bound == "min", np.minimum(res, 0.0), res)
    return np.where(bound == "max", np.maximum(res, 0.0), res)


class _Problem:
    """Batched evaluation of the calibration residuals for logit vectors ``(n, k)``."""

    def __init__(self, last_year: int, names: tuple[str, ...] = CALIBRATED):
        self.last_year = last_year
        self.targets = national_targets(last_year)
        self.halves = {t.key for t in self.targets if t.half}  # series with half-year targets
        # demography too only from figures up to the last fitted year: nothing later leaks in
        self.inputs, _ = national_inputs(FIRST_YEAR, last_year, data_through=last_year)
        self.months = (last_year - FIRST_YEAR + 1) * 12
        self.params = [PARAMETERS_BY_NAME[n] for n in names]
        self.z0 = np.array([p.to_unit(p.default) for p in self.params])

    def outputs(self, z: np.ndarray) -> dict[str, np.ndarray]:
        z = np.atleast_2d(z)
        base = P.build(PARAMETERS, z.shape[0], 1, None)
        values = {p.name: p.from_unit(z[:, j])[:, None] for j, p in enumerate(self.params)}
        ps = base.with_values(values)
        from jeugdstelsel.services.pipeline import simulate_draws

        result = simulate_draws(ps, self.inputs, self.months)
        out = aggregate(result, ps)
        if self.halves:
            six = aggregate(result, ps, span_months=6)
            out.update({k + HALF: six[k] for k in self.halves})
        return out

    def residuals(self, z: np.ndarray) -> np.ndarray:
        z = np.atleast_2d(z)
        data = _residuals(_model_values(self.outputs(z), self.targets), self.targets)
        prior = (z - self.z0) / PRIOR_SD
        return np.concatenate([data, prior], axis=1)

    def jacobian(self, z: np.ndarray, eps: float = 1e-4) -> np.ndarray:
        batch = np.vstack([z, z + eps * np.eye(len(z))])
        res = self.residuals(batch)
        return ((res[1:] - res[0]) / eps).T


@dataclass
class Calibration:
    """A calibration result, stored with the package (JSON).

    ``sample`` (rows on the logit scale, columns ``sample_names``) is the thinned posterior
    sample; ``posterior()`` is its mean and covariance over ``posterior_names`` (the fixed
    parameters with zero variance). ``discrepancy``: the estimated model-discrepancy scale per
    group of series (relative for counts, percentage points for shares).
    """

    area: str
    fitted_through: int
    created: str
    point: dict[str, float]
    posterior_names: list[str]
    posterior_mean: list[float]
    posterior_cov: list[list[float]]
    fit: list[dict]
    holdout: dict = field(default_factory=dict)
    optimizer: dict = field(default_factory=dict)
    sample_names: list[str] = field(default_factory=list)
    sample: list[list[float]] = field(default_factory=list)
    discrepancy: dict = field(default_factory=dict)
    sampler: dict = field(default_factory=dict)

    def discrepancy_scales(self) -> dict:
        """The forecast's model discrepancy per series, estimated from this fit
        (:mod:`jeugdstelsel.services.discrepancy`); computed, not stored, so it cannot go
        stale beside the fit it comes from. The fit's residuals are smaller than the errors
        by the fitted parameters' share, so the step's variance is scaled by
        ``n / (n - p_eff)`` (:func:`effective_parameters`); a file without ``p_eff`` (written
        before 4 December 2026) gets factor 1, and ``describe`` says which factor was used."""
        from jeugdstelsel.services.discrepancy import estimate

        n, p = self.optimizer.get("n_targets"), self.optimizer.get("p_eff")
        factor = n / (n - p) if n and p is not None and n > p else 1.0
        return estimate(self.fit, variance_factor=factor)

    def posterior(self) -> P.Posterior:
        return P.Posterior(
            tuple(self.posterior_names), np.array(self.posterior_mean), np.array(self.posterior_cov)
        )

    def draws(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """``n`` parameter draws (natural scale) resampled from the stored posterior sample.

        Every name in ``posterior_names``: sampled columns from random rows of ``sample``, the
        others (fixed) at their posterior mean. Without a stored sample, Gaussian draws from
        :meth:`posterior`.
        """
        if self.sample:
            rows = np.asarray(self.sample)[rng.integers(len(self.sample), size=n)]
            cols = {name: rows[:, j] for j, name in enumerate(self.sample_names)}
        else:
            post = self.posterior()
            z = rng.multivariate_normal(post.mean, post.cov, size=n, method="svd")
            cols = {name: z[:, j] for j, name in enumerate(post.names)}
        out = {}
        for name, mean in zip(self.posterior_names, self.posterior_mean, strict=True):
            z = cols.get(name, np.full(n, mean))
            out[name] = PARAMETERS_BY_NAME[name].from_unit(z)
        return out

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def fit_table(model: np.ndarray, targets: list[Target]) -> list[dict]:
    """Per target: observed, model, error (% for counts, percentage points for shares)."""
    rows = []
    for value, t in zip(model, targets, strict=True):
        err = 100 * (value / t.value - 1) if t.kind == "rel" else value - t.value
        rows.append(
            {
                "series": t.key,
                "year": t.year,
                "period": t.period,
                "observed": t.value,
                "model": float(value),
                "error": float(err),
                "unit": "%" if t.kind == "rel" else "pp",
                "status": t.status,
                "source": t.source,
            }
        )
    return rows


def least_squares_start(problem: _Problem, max_nfev: int = 200):
    """Maximum a posteriori of the least-squares objective: the sampler's starting point."""
    from scipy.optimize import least_squares  # imported here: 0.4 s every run would pay

    return least_squares(
        lambda z: problem.residuals(z)[0],
        problem.z0,
        jac=problem.jacobian,
        method="trf",
        x_scale="jac",
        max_nfev=max_nfev,
        ftol=1e-10,
        xtol=1e-10,
        gtol=1e-10,
    )


METHODS = ("laplace", "emcee")
# emcee is not yet converged within the time budget on this machine (docs/calibration.md)
DEFAULT_METHOD = "laplace"


def calibrate(
    last_year: int | None = None,
    *,
    max_nfev: int = 200,
    method: str = DEFAULT_METHOD,
    fast: bool = False,
    settings: posterior.Settings | None = None,
    progress: bool = True,
) -> Calibration:
    """Calibrate to the national figures up to ``last_year`` (default: all of them).

    ``method="laplace"``: maximum a posteriori of every uncertain parameter with the Laplace
    covariance (the shipped calibration). ``method="emcee"``: the posterior of the free
    parameters (``posterior.FREE``) sampled with emcee, the others fixed; ``fast`` uses the
    shorter sampler settings (``posterior.FAST``) meant for the backtest, which calibrates once
    per origin; ``progress`` shows the sampler's progress bar.
    """
    if method not in METHODS:
        raise ValueError(f"unknown calibration method {method!r}; choose from {METHODS}")
    last_year = last_target_year() if last_year is None else last_year
    if method == "laplace":
        return calibrate_laplace(last_year, max_nfev=max_nfev)
    settings = settings or (posterior.FAST if fast else posterior.FULL)
    free = tuple(posterior.FREE)
    problem = _Problem(last_year, names=free)
    fit = least_squares_start(problem, max_nfev)
    logp = posterior.LogPosterior(problem)
    result = posterior.sample(logp, fit.x, settings, progress=progress)
    theta = result["sample"]
    z_free = theta[:, : logp.k]
    mean_free = z_free.mean(axis=0)
    cov_free = np.cov(z_free, rowvar=False)
    index = {n: j for j, n in enumerate(free)}
    mean = np.array([mean_free[index[n]] if n in index else PARAMETERS_BY_NAME[n].to_unit(
        PARAMETERS_BY_NAME[n].default) for n in CALIBRATED], dtype=float)
    cov = np.zeros((len(CALIBRATED), len(CALIBRATED)))
    pos = [CALIBRATED.index(n) for n in free]
    cov[np.ix_(pos, pos)] = cov_free
    full = _Problem(last_year)
    model = _model_values(full.outputs(mean), full.targets)[0]
    point = {p.name: float(p.from_unit(mean[j])) for j, p in enumerate(full.params)}
    taus = np.exp(theta[:, logp.k:])
    discrepancy = {}
    for j, group in enumerate(logp.groups):
        if group not in logp.active_groups:
            continue
        q = np.percentile(taus[:, j], [10, 50, 90])
        discrepancy[group] = {
            "schaal": "pp" if group == "aandelen" else "relatief (log)",
            "mediaan": float(q[1]), "p10": float(q[0]), "p90": float(q[2]),
            "reeksen": sorted({t.key for t in logp.targets if posterior.group_of(t.key) == group}),
        }
    return Calibration(
        area="Nederland",
        fitted_through=last_year,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        point=point,
        posterior_names=list(CALIBRATED),
        posterior_mean=[float(v) for v in mean],
        posterior_cov=cov.tolist(),
        fit=fit_table(model, full.targets),
        optimizer=_optimizer_info(fit, "scipy.optimize.least_squares (trf): startpunt van de "
                                  "sampler", len(problem.targets)),
        sample_names=list(free),
        sample=[[round(float(v), 5) for v in row] for row in z_free],
        discrepancy=discrepancy,
        sampler={**result["info"], "free": dict(posterior.FREE), "fixed": sorted(posterior.FIXED),
                 "likelihood": f"Student-t (nu={posterior.NU:g})"},
    )


def _optimizer_info(fit, method: str, n_targets: int) -> dict:
    """What the least-squares fit did, for the calibration file; ``p_eff`` serves the
    forecast's model discrepancy (:meth:`Calibration.discrepancy_scales`)."""
    return {"method": method, "nfev": int(fit.nfev), "cost": float(fit.cost),
            "status": int(fit.status), "message": str(fit.message), "n_targets": n_targets,
            "p_eff": round(effective_parameters(fit.jac, n_targets), 3)}


def effective_parameters(jac: np.ndarray, n_targets: int) -> float:
    """The effective number of fitted parameters: the trace of the hat matrix over the data
    rows of the least-squares Jacobian (its other rows are the priors). Hastie, Tibshirani and
    Friedman, *The Elements of Statistical Learning*, section 7.6: a fit with ``p_eff``
    parameters leaves residuals whose sum of squares is ``(n - p_eff) / n`` of the errors' on
    average; a weakly identified parameter counts for less than one."""
    data = np.asarray(jac)[:n_targets]
    return float(np.trace(data @ np.linalg.pinv(jac.T @ jac) @ data.T))


def calibrate_laplace(last_year: int, *, max_nfev: int = 200) -> Calibration:
    """Maximum a posteriori of every uncertain parameter and the Laplace covariance there."""
    problem = _Problem(last_year)
    fit = least_squares_start(problem, max_nfev)
    jac = fit.jac
    cov = np.linalg.pinv(jac.T @ jac)
    point = {p.name: float(p.from_unit(fit.x[j])) for j, p in enumerate(problem.params)}
    model = _model_values(problem.outputs(fit.x), problem.targets)[0]
    return Calibration(
        area="Nederland",
        fitted_through=last_year,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        point=point,
        posterior_names=list(CALIBRATED),
        posterior_mean=[float(v) for v in fit.x],
        posterior_cov=cov.tolist(),
        fit=fit_table(model, problem.targets),
        optimizer=_optimizer_info(fit, "scipy.optimize.least_squares (trf)", len(problem.targets)),
    )


def _naive_forecasts(target: Target, history: list[Target]) -> dict[str, float]:
    years = np.array([t.year for t in history], dtype=float)
    values = np.array([t.value for t in history])
    out = {"vorig_jaar_herhaald": float(values[-1])}
    if len(years) >= 2:
        slope, intercept = np.polyfit(years, values, 1)
        out["rechte_trendlijn"] = float(slope * target.year + intercept)
    return out


def holdout_check(fit_through: int | None = None, year: int | None = None, *,
                  method: str = DEFAULT_METHOD) -> dict:
    """Fit up to ``fit_through``, predict ``year``, compare with naive forecasts (default: the
    last year with a published jeugdzorg 0-22 figure, predicted from the years before it)."""
    year = last_headline_year() if year is None else year
    fit_through = year - 1 if fit_through is None else fit_through
    cal = calibrate(fit_through, method=method, fast=True)
    problem = _Problem(year)
    z = np.array(cal.posterior_mean)
    out = problem.outputs(z)
    all_targets = national_targets(year)
    rows = []
    for t in (t for t in all_targets if t.year == year and t.kind == "rel" and not t.half):
        history = [h for h in all_targets if h.key == t.key and h.year < year and not h.half]
        if not history:
            continue
        model = float(out[t.key][0, 0, t.year - FIRST_YEAR])
        row = {
            "series": t.key,
            "year": year,
            "observed": t.value,
            "status": t.status,
            "model": model,
            "model_error_pct": 100 * (model / t.value - 1),
        }
        for name, value in _naive_forecasts(t, history).items():
            row[f"{name}"] = value
            row[f"{name}_error_pct"] = 100 * (value / t.value - 1)
        rows.append(row)
    summary = {}
    for method in ("model", "rechte_trendlijn", "vorig_jaar_herhaald"):
        errs = [abs(r[f"{method}_error_pct"]) for r in rows if f"{method}_error_pct" in r]
        summary[method] = float(np.mean(errs)) if errs else float("nan")
    return {"fit_through": fit_through, "year": year, "rows": rows, "mean_abs_error_pct": summary}


def shipped_path() -> Path:
    """Where the package keeps its national calibration."""
    return Path(str(resources.files("jeugdstelsel.data") / "calibration" / CALIBRATION_FILE))


def load_shipped() -> Calibration:
    return Calibration.load(shipped_path())
