"""One hierarchical model of every municipality: the risk index and two municipal parameters,
partially pooled over all 342 municipalities and fitted jointly (issue 15, item 2).

Why: a municipality's own CBS figures are few (two years of counts, one year of 85098NED
shares), rounded to 5 or to 0.1 and sometimes suppressed. Fitting each municipality alone with
an ad-hoc prior (the first version) let one press-rounded count move Rotterdam's risk index from
1.58 to 0.72. Here the municipalities inform each other:

* per municipality ``theta = (log risk index, jb_rate offset, residential_share offset)``, the
  offsets on the parameters' calibration (logit) scale relative to the national point;
* prior (the pool): ``theta_k ~ N(x_m' beta_k, tau_k^2)``, a regression on the CBS indicators
  (bijstand, one-parent households, Wmo clients, shares of children and of 15-24 year olds,
  household size, size, and since 4 December divorced inhabitants, a non-western migration
  background, disability and unemployment benefits, cars per household, households with children
  and one-person households: :data:`COVARIATES`; the seven added ones took the leave-out error of
  the KWB share from 1.30 to 1.22 percentage points); ``beta`` and ``tau``
  are estimated from all municipalities together (empirical Bayes, marginal likelihood);
* data: the log of each published share equals the model's log share (the engine, linearised in
  ``theta`` per municipality by finite differences) times the national definition factor, plus
  noise: publication rounding (counts to 5, shares to 0.1), count noise ``phi / count``, a
  year shock shared by a municipality's figures of one year, and a series-specific term;
* posterior per municipality: Gaussian (conjugate given the hyperparameters), so a municipality
  with few, small or suppressed figures stays near the regression and its weight on its own
  figures (``gewicht_eigen_cijfers``) says so.

The engine is called through :func:`jeugdstelsel.services.pipeline.execute`, all municipalities
and their perturbations as cells of one call (plus the country for the definition factors),
twice: at the indicator prior and again at the posterior (relinearisation). Everything else is
closed-form linear algebra, batched over municipalities.

The result ships as package data (``data/calibration/gemeenten.json``); ``jeugdstelsel
kalibreer alle`` refits it and writes the user's copy (``$JEUGDSTELSEL_HOME/kalibratie/
gemeenten.json``), which then takes precedence. Scenario runs read it via :func:`stored_for_run`.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

RISK = "risk_index"
FREE = (RISK, "jb_rate", "residential_share")
FIRST_YEAR = 2015
LAST_YEAR = 2022
STEP = 0.2  # finite-difference step of the linearisation (log / logit units)
MAX_ROUNDS = 6  # engine calls of the joint fit at most (each: all municipalities at once)
CONVERGED = 0.02  # stop relinearising when no log risk index moves more than this
DAMPING = 0.5  # step towards the posterior from the second relinearisation on
POOLED_FILE = "gemeenten.json"
MODEL_NAME = "hiërarchisch model (empirisch Bayes), alle gemeenten tegelijk"
#: aanname: the year shock when only one year of figures is available (the fit on 2021-2022
#: estimates it at 0.03; see ``hyper['sigma_jaar']`` in gemeenten.json). With one year the
#: count noise is taken as Poisson (phi = 1): one cross-section cannot tell it from the spread
#: between municipalities.
YEAR_SHOCK_DEFAULT = 0.03
TAU_DEFAULT = 0.5  # aanname (as before: 0.5 logit units): spread of a parameter without figures
MISFIT_Z = 3.0  # a figure more than 3 sd from the pool's prediction is flagged
SWING = 0.15  # a single figure that moves the risk index by more than 15% is flagged
LABELS_NL = {
    RISK: "risico-index (hulpvraag t.o.v. landelijk)",
    "jb_rate": "instroom jeugdbescherming",
    "residential_share": "aandeel met verblijf bij start",
}


@dataclass(frozen=True)
class SeriesDef:
    """One published municipal series and the model quantity it is compared with."""

    key: str  # the reeks name in toets.csv
    label_nl: str
    dataset: str
    cbs_key: str
    year: int
    model: tuple[str, ...]  # model output key, or (numerator, denominator)
    risk_type: bool  # shares the municipality's year shock (driven by the risk index)
    pop: str  # which population the share is of (implied count for the count noise)


SERIES_DEFS = (
    SeriesDef("jeugdzorg_natura_0_22_pct", "Jongeren met jeugdzorg in natura (% 0-22 jaar)",
              "85039NED_2021", "pct_jeugdzorg_natura", 2021, ("jeugdzorg_0_22_pct",), True,
              "0_22"),
    SeriesDef("jeugdzorg_natura_0_22_pct", "Jongeren met jeugdzorg in natura (% 0-22 jaar)",
              "85318NED_2022", "pct_jeugdzorg_natura", 2022, ("jeugdzorg_0_22_pct",), True,
              "0_22"),
    SeriesDef("jeugdhulp_natura_0_17_pct", "Jongeren met jeugdhulp in natura (% 0-17 jaar)",
              "85098NED_2022_voorlopig", "pct_jeugdhulp_natura_0_17", 2022,
              ("jeugdhulp_0_17_pct",), True, "0_17"),
    SeriesDef("jeugdbescherming_0_17_pct", "Jongeren met jeugdbescherming (% 0-17 jaar)",
              "85098NED_2022_voorlopig", "pct_jeugdbescherming", 2022,
              ("jeugdbescherming_0_17_pct",), True, "0_17"),
    SeriesDef("jeugdreclassering_12_22_pct", "Jongeren met jeugdreclassering (% 12-22 jaar)",
              "85098NED_2022_voorlopig", "pct_jeugdreclassering", 2022,
              ("jeugdreclassering_0_22_pct",), True, "12_22"),
    SeriesDef("jeugdhulp_met_verblijf_aandeel",
              "Jeugdhulp met verblijf (% van jongeren met jeugdhulp in natura)",
              "85098NED_2022_voorlopig", "pct_met_verblijf", 2022,
              ("jeugdhulp_met_verblijf_0_17", "jeugdhulp_0_17"), False, "verblijf"),
)
N_SERIES = len(SERIES_DEFS)
KWB_2021, KWB_2022 = 0, 1
#: series-specific noise terms (log scale) estimated by the fit, by series index; the others
#: are 0 (a single-year share is confounded with the parameter it informs)
KAPPA_SERIES = {"kappa_kwb": (0, 1), "kappa_jeugdhulp": (2,), "kappa_jr": (4,)}
COVARIATES = {
    "bijstand": "bijstand per 1.000 inwoners (CBS 2020)",
    "eenouder": "aandeel eenoudergezinnen (CBS 2022)",
    "wmo": "Wmo-cliënten per 1.000 inwoners (KWB 2021)",
    "kinderen": "aandeel 0-14 jaar (CBS 2020)",
    "jongeren": "aandeel 15-24 jaar (CBS 2020)",
    "huishoudgrootte": "inwoners per huishouden (CBS 2020)",
    "omvang": "inwoners (CBS 2020)",
    "gescheiden": "aandeel gescheiden inwoners (CBS 84799NED 2020)",
    "niet_westers": "aandeel met een niet-westerse migratieachtergrond (CBS 84799NED 2020)",
    "ao": "arbeidsongeschiktheidsuitkeringen per 1.000 inwoners (CBS 84799NED 2020)",
    "ww": "WW-uitkeringen per 1.000 inwoners (CBS 84799NED 2020)",
    "autos": "personenauto's per huishouden (CBS 84799NED 2020)",
    "gezinnen": "aandeel huishoudens met kinderen (CBS 84799NED 2020)",
    "alleenstaanden": "aandeel eenpersoonshuishoudens (CBS 84799NED 2020)",
}


# -- data ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Data:
    """Everything the fit needs, aligned on the 342 municipalities of the 2024 division."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    value: np.ndarray  # (M, S) published share in %, NaN = missing or suppressed
    meas_var: np.ndarray  # (M, S) publication rounding, log scale
    count: np.ndarray  # (M, S) implied count behind the share (count noise phi / count)
    national: np.ndarray  # (S,) the country's published share
    x: np.ndarray  # (M, p) standardised covariates with intercept
    covariate_names: tuple[str, ...]
    risk_indicator: np.ndarray  # (M,) the indicator-based index of services.inputs

    @property
    def n(self) -> int:
        return len(self.codes)


@lru_cache(maxsize=1)
def load_data() -> Data:
    """The embedded CBS figures of every municipality as the fit's arrays."""
    from jeugdstelsel.data import municipal_figures as mf
    from jeugdstelsel.data.municipalities import municipality_table
    from jeugdstelsel.services.inputs import municipal_risk

    table = municipality_table()
    codes = tuple(table["gm_code"])
    frame = mf.all_figures()
    wide = frame[frame["level"] == "gemeente"].pivot_table(
        index="region", columns=["dataset", "key"], values="value", aggfunc="first")
    wide = wide.reindex(list(codes))

    def col(dataset: str, key: str) -> np.ndarray:
        if (dataset, key) not in wide.columns:
            return np.full(len(codes), np.nan)
        return wide[(dataset, key)].to_numpy(dtype=float)

    pops = {}
    for year, dataset in ((2021, "85075NED_2021"), (2022, "85335NED_2022")):
        young, older = col(dataset, "inwoners_0_14"), col(dataset, "inwoners_15_24")
        pops[year] = {"0_22": young + 0.8 * older, "0_17": young + 0.3 * older,
                      "12_22": 0.2 * young + 0.8 * older}
    counts = {2021: col("85075NED_2021", "jongeren_natura"),
              2022: col("85335NED_2022", "jongeren_natura")}
    m, s = len(codes), N_SERIES
    value = np.full((m, s), np.nan)
    meas = np.zeros((m, s))
    count = np.ones((m, s))
    rounding_pct = (0.05 / math.sqrt(3)) ** 2
    for j, sd in enumerate(SERIES_DEFS):
        published = col(sd.dataset, sd.cbs_key)
        if sd.pop == "0_22":
            c = counts[sd.year]
            pop = pops[sd.year]["0_22"]
            derived = 100.0 * c / pop
            v = np.where(np.isfinite(published), published, derived)
            meas[:, j] = np.where(np.isfinite(published), rounding_pct / published**2,
                                  (2.5 / math.sqrt(3)) ** 2 / c**2 + 0.03**2)
            count[:, j] = c
        else:
            v = published
            meas[:, j] = rounding_pct / np.where(v > 0, v, np.nan) ** 2
            if sd.pop == "verblijf":
                jh = col("85098NED_2022_voorlopig", "pct_jeugdhulp_natura_0_17")
                count[:, j] = v / 100.0 * jh / 100.0 * pops[2022]["0_17"]
            else:
                count[:, j] = v / 100.0 * pops[2022][sd.pop]
        v = np.where(v > 0, v, np.nan)  # a published 0,0 says "below 0,05": left out
        value[:, j] = v
    count = np.where(np.isfinite(count) & (count > 0), count, 1.0)
    meas = np.where(np.isfinite(meas), meas, 0.0)
    national = np.zeros(s)
    country = mf.country_figures()
    for j, sd in enumerate(SERIES_DEFS):
        if sd.pop == "0_22":
            ok = np.isfinite(value[:, j]) & np.isfinite(counts[sd.year])
            national[j] = 100.0 * counts[sd.year][ok].sum() / (
                100.0 * counts[sd.year][ok] / value[ok, j]).sum()
        else:
            row = country[(country["dataset"] == sd.dataset) & (country["key"] == sd.cbs_key)]
            national[j] = float(row["value"].iloc[0])
    x, names = _covariates(table, col("85039NED_2021", "wmo_per_1000"))
    risk = municipal_risk(table)
    return Data(codes, tuple(table["name"]), value, meas, count, national, x, names,
                np.asarray(risk, dtype=float))


def _covariates(table: pd.DataFrame, wmo: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Standardised logs of the indicators, a missing one at the mean; intercept first."""
    raw = {
        "bijstand": table["bijstand_per_1000_2020"].to_numpy(dtype=float),
        "eenouder": table["one_parent_share_2022"].to_numpy(dtype=float),
        "wmo": wmo,
        "kinderen": table["share_0_14_2020"].to_numpy(dtype=float),
        "jongeren": table["share_15_24_2020"].to_numpy(dtype=float),
        "huishoudgrootte": (table["inhabitants_2020"] / table["households_2020"]).to_numpy(
            dtype=float),
        "omvang": table["inhabitants_2020"].to_numpy(dtype=float),
        "gescheiden": table["divorced_share_2020"].to_numpy(dtype=float),
        "niet_westers": table["nonwestern_share_2020"].to_numpy(dtype=float),
        "ao": table["ao_per_1000_2020"].to_numpy(dtype=float),
        "ww": table["ww_per_1000_2020"].to_numpy(dtype=float),
        "autos": table["cars_per_household_2020"].to_numpy(dtype=float),
        "gezinnen": table["households_with_children_share_2020"].to_numpy(dtype=float),
        "alleenstaanden": table["single_household_share_2020"].to_numpy(dtype=float),
    }
    columns = [np.ones(len(table))]
    for values in raw.values():
        logs = np.log(np.where(values > 0, values, np.nan))
        mean, sd = np.nanmean(logs), np.nanstd(logs)
        columns.append(np.nan_to_num((logs - mean) / sd, nan=0.0))
    return np.column_stack(columns), ("constante", *raw)


# -- the engine's response ---------------------------------------------------------------------
@dataclass(frozen=True)
class Response:
    """Log model values at ``theta0`` and their derivatives, per municipality and series."""

    theta0: np.ndarray  # (M, K)
    level: np.ndarray  # (M, S) log model share at theta0 (definition factor applied)
    jac: np.ndarray  # (M, S, K)
    national_model: np.ndarray  # (S,) the country's model share
    seconds: float

    def predict(self, theta: np.ndarray) -> np.ndarray:
        """Log published share for parameters ``theta`` (M, K) (linearised)."""
        return self.level + np.einsum("msk,mk->ms", self.jac, theta - self.theta0)


def _model_value(series: dict[str, np.ndarray], sd: SeriesDef) -> np.ndarray:
    bucket = sd.year - FIRST_YEAR
    first = series[sd.model[0]][0, :, bucket]
    if len(sd.model) == 1:
        return first
    return 100.0 * first / np.maximum(series[sd.model[1]][0, :, bucket], 1e-12)


def responses(theta0: np.ndarray, *, progress: Callable[[int, int], None] | None = None,
              previous: Response | None = None, rows: np.ndarray | None = None) -> Response:
    """One engine call (through the pipeline): every municipality at ``theta0`` and at each
    parameter moved by :data:`STEP`, plus the country at the national point.

    With ``previous`` and ``rows``, only those municipalities are simulated again (the others
    keep their linearisation): what a relinearisation needs."""
    from jeugdstelsel.core import parameters as P
    from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME
    from jeugdstelsel.core.population import PopulationInputs
    from jeugdstelsel.services import pipeline
    from jeugdstelsel.services.calibration import load_shipped
    from jeugdstelsel.services.inputs import municipal_inputs, national_inputs

    start = time.perf_counter()
    data = load_data()
    m, k = theta0.shape
    cal = load_shipped()
    full_theta = theta0
    if previous is not None and rows is not None:
        theta0 = theta0[rows]
        m = len(rows)
        codes = [data.codes[i] for i in rows]
    else:
        codes = list(data.codes)
    muni = municipal_inputs(codes, FIRST_YEAR, LAST_YEAR)
    nat, _ = national_inputs(FIRST_YEAR, LAST_YEAR)
    reps = k + 1
    thetas = np.concatenate([theta0] + [theta0 + STEP * np.eye(k)[i] for i in range(k)])
    inputs = PopulationInputs(
        FIRST_YEAR,
        np.concatenate([np.tile(muni.population0, (reps, 1)), nat.population0]),
        np.concatenate([np.tile(muni.births, (1, reps)), nat.births], axis=1),
        np.concatenate([np.tile(muni.migration, (reps, 1)), nat.migration]),
        np.concatenate([np.exp(thetas[:, 0]), [1.0]]),
        tuple(codes) * reps + ("NL01",),
        nat.migration_index,  # the municipalities share the country's (municipal_inputs)
    )
    cells = inputs.n_municipalities
    params = P.build(PARAMETERS, 1, cells, None, point=cal.point)
    updates = {}
    for j, name in enumerate(FREE[1:], start=1):
        spec = PARAMETERS_BY_NAME[name]
        centre = float(spec.to_unit(cal.point.get(name, spec.default)))
        unit = np.concatenate([centre + thetas[:, j], [centre]])
        updates[name] = spec.from_unit(unit)[None, :]
    params = params.with_values(updates)
    months = (LAST_YEAR - FIRST_YEAR + 1) * 12
    run = pipeline.execute([pipeline.Member(params, {}, None)], inputs, months,
                           progress=progress)
    values = np.column_stack([_model_value(run.series, sd) for sd in SERIES_DEFS])  # (cells, S)
    national_model = values[-1]
    factor = data.national / national_model
    logs = np.log(np.maximum(values[:-1] * factor, 1e-12)).reshape(reps, m, N_SERIES)
    level = logs[0]
    jac = np.stack([(logs[i + 1] - level) / STEP for i in range(k)], axis=-1)
    if previous is not None and rows is not None:
        all_level, all_jac = previous.level.copy(), previous.jac.copy()
        all_level[rows], all_jac[rows] = level, jac
        theta_all = previous.theta0.copy()
        theta_all[rows] = full_theta[rows]
        return Response(theta_all, all_level, all_jac, national_model,
                        time.perf_counter() - start)
    return Response(theta0.copy(), level, jac, national_model, time.perf_counter() - start)


# -- the hierarchical fit ----------------------------------------------------------------------
HYPER = ("tau_risk", "tau_jb", "tau_verblijf", "phi", "sigma_jaar", *KAPPA_SERIES)
PAD = 1e8  # variance of a missing figure: it contributes nothing


@dataclass
class Fit:
    """The pooled fit: hyperparameters, regression and each municipality's posterior."""

    hyper: dict[str, float]
    beta: np.ndarray  # (p, K)
    prior_mean: np.ndarray  # (M, K)
    tau: np.ndarray  # (K,)
    post_mean: np.ndarray  # (M, K)
    post_cov: np.ndarray  # (M, K, K)
    used: np.ndarray  # (M, S) bool: figures the fit saw
    response: Response
    loglik: float
    fixed: tuple[str, ...] = ()
    active: np.ndarray = field(default_factory=lambda: np.ones(len(FREE), bool))

    def obs_cov(self, data: Data, used: np.ndarray | None = None) -> np.ndarray:
        return _obs_cov(self.hyper, data, self.used if used is None else used)

    def predictive(self, data: Data, *, prior: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd (log scale) of every figure, a new draw of its noise included (year
        shock, count noise, rounding): from the posterior, or from the pool alone (``prior``).
        """
        mean_theta = self.prior_mean if prior else self.post_mean
        cov_theta = (np.broadcast_to(np.diag(self.tau**2), self.post_cov.shape) if prior
                     else self.post_cov)
        mean = self.response.predict(mean_theta)
        jac = self.response.jac
        var = np.einsum("msk,mkl,msl->ms", jac, cov_theta, jac)
        noise = _obs_cov(self.hyper, data, np.ones_like(self.used))
        var = var + np.diagonal(noise, axis1=1, axis2=2)
        return mean, np.sqrt(var)


def _obs_cov(h: dict[str, float], data: Data, used: np.ndarray) -> np.ndarray:
    """(M, S, S) covariance of the log figures given theta; unused figures get :data:`PAD`."""
    kappa = np.zeros(N_SERIES)
    for name, idx in KAPPA_SERIES.items():
        kappa[list(idx)] = h[name] ** 2
    diag = data.meas_var + h["phi"] / data.count + kappa[None, :]
    year = np.array([sd.year for sd in SERIES_DEFS])
    risk = np.array([sd.risk_type for sd in SERIES_DEFS])
    shared = (year[:, None] == year[None, :]) & risk[:, None] & risk[None, :]
    cov = h["sigma_jaar"] ** 2 * shared[None, :, :] * np.ones((data.n, 1, 1))
    cov = cov + np.einsum("ms,st->mst", diag, np.eye(N_SERIES))
    mask = used[:, :, None] & used[:, None, :]
    cov = np.where(mask, cov, 0.0)
    cov = cov + np.einsum("ms,st->mst", np.where(used, 0.0, PAD), np.eye(N_SERIES))
    return cov


def _jac(resp: Response, used: np.ndarray, active: np.ndarray) -> np.ndarray:
    """The Jacobian of the used figures in the active parameters (others stay at the pool)."""
    return np.where(used[:, :, None] & active[None, None, :], resp.jac, 0.0)


def _resid(data: Data, resp: Response, used: np.ndarray, active: np.ndarray) -> np.ndarray:
    y = np.where(used, np.log(np.nan_to_num(data.value, nan=1.0)), 0.0)
    fixed = np.where(active[None, :], resp.theta0, 0.0)
    return np.where(used, y - resp.level + np.einsum("msk,mk->ms", resp.jac, fixed), 0.0)


def _marginal(h: dict[str, float], data: Data, resp: Response, used: np.ndarray,
              rows: np.ndarray, tau: np.ndarray, active: np.ndarray) -> tuple[float, np.ndarray]:
    """Log marginal likelihood of the municipalities ``rows`` and the GLS regression."""
    resid0 = _resid(data, resp, used, active)
    jac = _jac(resp, used, active)
    s = _obs_cov(h, data, used) + np.einsum("msk,k,mtk->mst", jac, tau**2, jac)
    s, jac, r, x = s[rows], jac[rows], resid0[rows], data.x[rows]
    chol = np.linalg.cholesky(s)
    # design of vec(beta) (p*K): D_m = J_m (K) kron x_m (p)
    p, k = x.shape[1], jac.shape[2]
    design = np.einsum("msk,mp->mskp", jac, x).reshape(len(rows), N_SERIES, k * p)
    wd = np.linalg.solve(chol, design)
    wr = np.linalg.solve(chol, r[:, :, None])[:, :, 0]
    a = np.einsum("msi,msj->ij", wd, wd)
    b = np.einsum("msi,ms->i", wd, wr)
    keep = np.abs(np.diag(a)) > 1e-10
    coef = np.zeros(k * p)
    ridge = 1e-6 * np.eye(int(keep.sum()))
    coef[keep] = np.linalg.solve(a[np.ix_(keep, keep)] + ridge, b[keep])
    e = wr - np.einsum("msi,i->ms", wd, coef)
    n_used = used[rows].sum(axis=1)
    logdet = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    logdet = logdet - (N_SERIES - n_used) * math.log(PAD)
    ll = -0.5 * float((e**2).sum() + logdet.sum() + n_used.sum() * math.log(2 * math.pi))
    return ll, coef.reshape(k, p).T


def fit(data: Data, resp: Response, *, used: np.ndarray | None = None,
        rows: np.ndarray | None = None, start: dict[str, float] | None = None,
        fix: dict[str, float] | None = None) -> Fit:
    """Empirical Bayes: hyperparameters by maximum marginal likelihood over ``rows`` (default
    all municipalities), then the Gaussian posterior of every municipality.

    ``used`` masks the figures the fit may see (a backtest's cut-off). A parameter that no used
    figure informs keeps offset 0 and :data:`TAU_DEFAULT`; a noise term that the figures cannot
    identify stays at its default.
    """
    used = np.isfinite(data.value) if used is None else used & np.isfinite(data.value)
    rows = np.arange(data.n) if rows is None else rows
    informed = (np.abs(np.where(used[rows][:, :, None], resp.jac[rows], 0)).sum(axis=(0, 1))
                > 1e-6 * len(rows))
    own = {0: informed[0], 1: informed[1] and used[rows, 3].any(),
           2: informed[2] and used[rows, 5].any()}
    active = np.array([own[k] for k in range(len(FREE))])
    years = {SERIES_DEFS[j].year for j in range(N_SERIES) if used[rows, j].any()}
    free = ["tau_risk", "phi"]
    if own[1]:
        free.append("tau_jb")
    if own[2]:
        free.append("tau_verblijf")
    if len(years) > 1:
        free.append("sigma_jaar")
    for name, idx in KAPPA_SERIES.items():
        if used[rows][:, list(idx)].any() and (len(years) > 1 or name != "kappa_kwb"):
            free.append(name)
    h0 = {"tau_risk": 0.2, "tau_jb": 0.3, "tau_verblijf": 0.3, "phi": 1.0,
          "sigma_jaar": YEAR_SHOCK_DEFAULT, "kappa_kwb": 0.02, "kappa_jeugdhulp": 0.05,
          "kappa_jr": 0.1, **(start or {})}
    if len(years) <= 1:
        h0["sigma_jaar"] = YEAR_SHOCK_DEFAULT
        h0["kappa_kwb"] = 0.0
        fix = {"phi": 1.0, **(fix or {})}
    h0.update(fix or {})
    free = [n for n in free if n not in (fix or {})]

    def unpack(z: np.ndarray) -> dict[str, float]:
        h = dict(h0)
        h.update({n: float(np.exp(v)) for n, v in zip(free, z, strict=True)})
        return h

    def tau_of(h: dict[str, float]) -> np.ndarray:
        return np.array([h["tau_risk"], h["tau_jb"] if own[1] else TAU_DEFAULT,
                         h["tau_verblijf"] if own[2] else TAU_DEFAULT])

    def objective(z: np.ndarray) -> float:
        h = unpack(z)
        if any(v > 5 or v < 1e-4 for k, v in h.items() if k in free and k != "phi"):
            return 1e12
        return -_marginal(h, data, resp, used, rows, tau_of(h), active)[0]

    z0 = np.log([max(h0[n], 1e-3) for n in free])
    from scipy.optimize import minimize  # here: scipy costs every run ~0.8 s to import

    opt = minimize(objective, z0, method="L-BFGS-B",
                   bounds=[(math.log(1e-3), math.log(4.0))] * len(free),
                   options={"maxiter": 200})
    h = unpack(opt.x)
    tau = tau_of(h)
    ll, beta = _marginal(h, data, resp, used, rows, tau, active)
    prior_mean = data.x @ beta
    post_mean, post_cov = posterior(h, data, resp, used, prior_mean, tau, active)
    fixed = tuple(n for n in HYPER if n not in free)
    return Fit(h, beta, prior_mean, tau, post_mean, post_cov, used, resp, ll, fixed, active)


def posterior(h: dict[str, float], data: Data, resp: Response, used: np.ndarray,
              prior_mean: np.ndarray, tau: np.ndarray, active: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Conjugate Gaussian posterior of every municipality's theta given the hyperparameters.

    An inactive parameter (no figure of its own in the fit) stays at the pool: its offset is
    the prior mean (0) in the linearisation, with the pool's variance."""
    active = np.ones(len(FREE), bool) if active is None else active
    jac = _jac(resp, used, active)
    resid = _resid(data, resp, used, active)
    sinv = np.linalg.inv(_obs_cov(h, data, used))
    prec = np.einsum("msk,mst,mtl->mkl", jac, sinv, jac) + np.diag(1.0 / tau**2)[None]
    cov = np.linalg.inv(prec)
    rhs = np.einsum("msk,mst,mt->mk", jac, sinv, resid) + prior_mean / tau**2
    mean = np.einsum("mkl,ml->mk", cov, rhs)
    return mean, cov


def fit_all(*, progress: Callable[[str], None] | None = None, max_rounds: int = MAX_ROUNDS
            ) -> tuple[Fit, dict]:
    """The full fit on every embedded figure, relinearised at the posterior until no log risk
    index moves more than :data:`CONVERGED` or after ``max_rounds`` engine calls; returns
    the fit and timings. ``progress`` receives Dutch status lines."""
    say = progress or (lambda _text: None)
    data = load_data()
    timings: dict = {}
    start = time.perf_counter()
    theta0 = np.zeros((data.n, len(FREE)))
    theta0[:, 0] = np.log(data.risk_indicator)
    result: Fit | None = None
    engine, estimate = [], []
    resp: Response | None = None
    rows: np.ndarray | None = None
    for round_ in range(1, max_rounds + 1):
        cells = (data.n if rows is None else len(rows)) * (len(FREE) + 1) + 1

        def engine_progress(done: int, total: int, r=round_, cells=cells) -> None:
            say(f"Rekenmodel, ronde {r}: {cells} cellen in één aanroep, {done}/{total} "
                "perioden…")

        say(f"Rekenmodel, ronde {round_}: {cells} cellen in één aanroep…")
        resp = responses(theta0, progress=engine_progress, previous=resp, rows=rows)
        engine.append(round(resp.seconds, 1))
        say(f"Hiërarchisch model schatten (ronde {round_}, {data.n} gemeenten)…")
        t = time.perf_counter()
        result = fit(data, resp, start=None if result is None else result.hyper)
        estimate.append(round(time.perf_counter() - t, 1))
        moved = np.abs(result.post_mean - theta0).max(axis=0)
        if moved[0] < CONVERGED:
            break
        # the next linearisation point: the full step first, then damped (a share near a
        # parameter bound saturates, and undamped steps would oscillate around it)
        target = theta0 + (1.0 if round_ == 1 else DAMPING) * (result.post_mean - theta0)
        # only the municipalities whose point moves noticeably are simulated again
        rows = np.flatnonzero(np.abs(target - theta0).max(axis=1) > CONVERGED / 4)
        theta0 = np.where(np.isin(np.arange(data.n), rows)[:, None], target, theta0)
        if rows.size == 0:
            break
    timings.update({"rekenmodel_s": engine, "schatten_s": estimate, "rondes": len(engine),
                    "rest_herlinearisatie": {n: round(float(v), 4)
                                             for n, v in zip(FREE, moved, strict=True)},
                    "totaal_s": round(time.perf_counter() - start, 1)})
    return result, timings


# -- per-municipality report rows ----------------------------------------------------------------
def shrinkage(result: Fit) -> np.ndarray:
    """(M, K) weight of the municipality's own figures: 1 - posterior var / pool var."""
    var = np.diagonal(result.post_cov, axis1=1, axis2=2)
    return np.clip(1.0 - var / result.tau[None, :] ** 2, 0.0, 1.0)


def influence(result: Fit, data: Data) -> np.ndarray:
    """(M, S) change of the log risk index when one figure is left out (0 where unused)."""
    out = np.zeros((data.n, N_SERIES))
    for j in range(N_SERIES):
        used = result.used.copy()
        if not used[:, j].any():
            continue
        used[:, j] = False
        mean, _ = posterior(result.hyper, data, result.response, used, result.prior_mean,
                            result.tau, result.active)
        out[:, j] = np.where(result.used[:, j], result.post_mean[:, 0] - mean[:, 0], 0.0)
    return out


def misfit_z(result: Fit, data: Data) -> np.ndarray:
    """(M, S) standardised residual of each figure against the pool's prediction (no own data)."""
    mean, sd = result.predictive(data, prior=True)
    z = (np.log(data.value) - mean) / sd
    return np.where(result.used, z, np.nan)


# -- results -------------------------------------------------------------------------------------
@dataclass
class MunicipalCalibrationResult:
    """One municipality's share of the pooled fit: what runs use and the CLI prints."""

    code: str
    name: str
    fitted_through: int | None
    created: str
    risk: float  # exp(posterior mean of the log risk index)
    risk_sd: float  # log units
    risk_indicator: float  # the old indicator-based index (reference)
    risk_prior: float  # the pool's regression prediction
    parameters: list[dict]
    posterior: dict  # {"names", "mean", "cov"}: theta (log risk, logit offsets)
    block: dict  # {"names", "mean", "cov"}: the model parameters on their logit scale
    fit: list[dict]
    weight_own: float  # weight of own figures in the log risk index (0 = all from the pool)
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    holdout: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    optimizer: dict = field(default_factory=dict)

    @property
    def from_prior_only(self) -> bool:
        return not any(r.get("gebruikt") for r in self.fit)

    def municipal_block(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Names, mean and covariance (logit scale) of the municipal model parameters, for
        :func:`jeugdstelsel.services.pipeline.parameter_set` (the risk index: :attr:`risk`)."""
        return (list(self.block["names"]), np.array(self.block["mean"], dtype=float),
                np.array(self.block["cov"], dtype=float))

    def joint_block(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(log risk index, model parameters) jointly: for per-draw risk indices."""
        names = [RISK, *self.block["names"]]
        mean = np.array([math.log(self.risk), *self.block["mean"]], dtype=float)
        cov = np.array(self.posterior["cov"], dtype=float)
        joint = cov.copy()
        joint[1:, 1:] = np.array(self.block["cov"], dtype=float)
        return names, mean, joint

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MunicipalCalibrationResult:
        """From the stored form; the labels, left out of the file, are filled in again."""
        known = {f for f in cls.__dataclass_fields__}
        result = cls(**{k: v for k, v in data.items() if k in known})
        for p in result.parameters:
            p.setdefault("label", LABELS_NL.get(p["name"], p["name"]))
        for j, row in enumerate(result.fit):
            sd = SERIES_DEFS[j] if j < N_SERIES else None
            if sd is not None:
                row.setdefault("label", sd.label_nl)
                row.setdefault("series", sd.key)
                row.setdefault("period", str(sd.year))
                row.setdefault("bron", f"CBS {sd.dataset.split('_')[0]} {sd.year}")
        return result


def _r(value: float, digits: int = 5) -> float:
    return float(f"{float(value):.{digits}g}")


def results(result: Fit, timings: dict | None = None) -> dict:
    """The pooled fit as the JSON document that ships (``gemeenten.json``)."""
    from jeugdstelsel.core.model import PARAMETERS_BY_NAME
    from jeugdstelsel.services.calibration import load_shipped

    data = load_data()
    cal = load_shipped()
    post = cal.posterior()
    index = {n: i for i, n in enumerate(post.names)}
    weights = shrinkage(result)
    infl = influence(result, data)
    zscores = misfit_z(result, data)
    mean_fit, sd_fit = result.predictive(data)
    pool_mean, _ = result.predictive(data, prior=True)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = {}
    for m, code in enumerate(data.codes):
        block_names, block_mean = [], []
        idx = []
        for k, name in enumerate(FREE[1:], start=1):
            spec = PARAMETERS_BY_NAME[name]
            centre = (post.mean[index[name]] if name in index
                      else float(spec.to_unit(cal.point.get(name, spec.default))))
            block_names.append(name)
            block_mean.append(centre + result.post_mean[m, k])
            idx.append(index.get(name))
        cov = result.post_cov[m].copy()
        block_cov = cov[1:, 1:].copy()
        for a, ia in enumerate(idx):
            if ia is not None:
                block_cov[a, a] += post.cov[ia, ia]  # the national uncertainty stays in
        parameters = []
        for k, name in enumerate(FREE):
            sd = math.sqrt(cov[k, k])
            if k == 0:
                prior_v, est = math.exp(result.prior_mean[m, 0]), math.exp(result.post_mean[m, 0])
            else:
                spec = PARAMETERS_BY_NAME[name]
                centre = float(spec.to_unit(cal.point.get(name, spec.default)))
                prior_v = float(spec.from_unit(centre + result.prior_mean[m, k]))
                est = float(spec.from_unit(centre + result.post_mean[m, k]))
            parameters.append({
                "name": name, "prior": _r(prior_v),
                "estimate": _r(est), "sd_logit": _r(sd), "prior_sd_logit": _r(result.tau[k]),
                "gewicht_eigen_cijfers": _r(weights[m, k], 3),
                "bron": "eigen cijfers" if weights[m, k] >= 0.5 else "pool (regressie)",
            })
        rows, flags = [], []
        for j, sd_ in enumerate(SERIES_DEFS):
            v = data.value[m, j]
            row = {"observed": None if not np.isfinite(v) else _r(v, 4),
                   "model": _r(math.exp(mean_fit[m, j]), 4),
                   "pool": _r(math.exp(pool_mean[m, j]), 4),
                   "gebruikt": bool(result.used[m, j]),
                   "landelijk": _r(data.national[j], 4)}
            if result.used[m, j]:
                row["z_pool"] = _r(zscores[m, j], 3)
                row["invloed_risico_pct"] = _r(100 * (math.exp(infl[m, j]) - 1), 3)
                row["sd_model_log"] = _r(sd_fit[m, j], 3)
                if abs(zscores[m, j]) > MISFIT_Z:
                    flags.append(f"{sd_.label_nl} {sd_.year}: {_nl(v)} % wijkt "
                                 f"{_nl(abs(zscores[m, j]))} sd af van wat de pool verwacht "
                                 f"({_nl(math.exp(pool_mean[m, j]))} %)")
                if abs(math.exp(infl[m, j]) - 1) > SWING:
                    flags.append(f"{sd_.label_nl} {sd_.year} alleen verschuift de risico-index "
                                 f"{_nl(100 * (math.exp(infl[m, j]) - 1), 0)} %")
            elif not np.isfinite(v):
                row["reden"] = "ontbreekt of geheim"
            rows.append(row)
        n_used = int(result.used[m].sum())
        notes = []
        if n_used == 0:
            notes.append("Geen eigen cijfers: alle parameters komen uit de pool (regressie op "
                         "de indicatoren).")
        elif weights[m, 0] < 0.5:
            notes.append(f"Weinig of kleine eigen cijfers ({n_used}): de risico-index leunt voor "
                         f"{_nl(100 * (1 - weights[m, 0]), 0)} % op de pool.")
        out[code] = MunicipalCalibrationResult(
            code=code, name=data.names[m], fitted_through=LAST_YEAR if n_used else None,
            created=created, risk=_r(math.exp(result.post_mean[m, 0]), 6),
            risk_sd=_r(math.sqrt(cov[0, 0])), risk_indicator=_r(data.risk_indicator[m]),
            risk_prior=_r(math.exp(result.prior_mean[m, 0])), parameters=parameters,
            posterior={"names": list(FREE), "mean": [_r(v, 6) for v in result.post_mean[m]],
                       "cov": [[_r(v, 6) for v in r] for r in cov]},
            block={"names": block_names, "mean": [_r(v, 7) for v in block_mean],
                   "cov": [[_r(v, 6) for v in r] for r in block_cov]},
            fit=rows, weight_own=_r(weights[m, 0], 3), flags=flags, notes=notes,
            data={"n_figures": n_used},
        ).to_dict()
    return {
        "model": MODEL_NAME,
        "created": created,
        "fitted_through": LAST_YEAR,
        "nationale_kalibratie": {"created": cal.created, "sha256": _national_hash()},
        "hyper": {k: _r(v) for k, v in result.hyper.items()},
        "vast": list(result.fixed),
        "regressie": {"covariaten": list(data.covariate_names),
                      "beschrijving": COVARIATES,
                      "beta": {name: [_r(v) for v in result.beta[:, k]]
                               for k, name in enumerate(FREE)}},
        "tau": {name: _r(result.tau[k]) for k, name in enumerate(FREE)},
        "loglik": _r(result.loglik, 8),
        "tijden": timings or {},
        "gemeenten": out,
    }


def _nl(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _national_hash() -> str:
    path = resources.files("jeugdstelsel.data") / "calibration" / "nederland.json"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# -- where the fit lives -------------------------------------------------------------------------
def user_file() -> Path:
    """The user's refit (``jeugdstelsel kalibreer alle``), which takes precedence."""
    from jeugdstelsel.paths import home

    return home() / "kalibratie" / POOLED_FILE


def shipped_file():
    return resources.files("jeugdstelsel.data") / "calibration" / POOLED_FILE


def write(document: dict, path: Path | None = None) -> Path:
    """Write the pooled fit (default: the user's file); atomic."""
    path = path or user_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")),
                   encoding="utf-8")
    tmp.replace(path)
    _document.cache_clear()
    return path


@lru_cache(maxsize=4)
def _document(key: tuple) -> dict | None:
    source = key[0]
    try:
        if source == "user":
            return json.loads(user_file().read_text(encoding="utf-8"))
        return json.loads(shipped_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def pooled_document() -> tuple[dict | None, str]:
    """(the pooled fit, where it came from: 'gebruiker' or 'meegeleverd'); (None, '') if none."""
    try:
        path = user_file()
        if path.exists():
            doc = _document(("user", path.stat().st_mtime_ns))
            if doc is not None:
                return doc, "gebruiker"
    except OSError:
        pass
    doc = _document(("shipped",))
    return (doc, "meegeleverd") if doc is not None else (None, "")


def stored_for_run(codes: Sequence[str]) -> dict[str, MunicipalCalibrationResult]:
    """The pooled calibration of each GM code (every municipality of the 2024 division has one
    once the fit exists); empty for the country. Never needs a database."""
    doc, _ = pooled_document()
    if doc is None:
        return {}
    found = doc.get("gemeenten", {})
    return {c: MunicipalCalibrationResult.from_dict(found[c]) for c in codes
            if c.startswith("GM") and c in found}


def latest(codes: Iterable[str]) -> dict[str, MunicipalCalibrationResult]:
    """Alias of :func:`stored_for_run` (the CLI's ``gemeente`` command uses it)."""
    return stored_for_run(list(codes))


def apply_posterior(params, codes: Sequence[str], stored: dict[str, MunicipalCalibrationResult],
                    overrides: dict, rng: np.random.Generator | int):
    """Each stored municipality's parameters drawn from its posterior, per draw.

    ``rng`` an integer (the scenario's seed): every municipality draws from its own stream
    ``default_rng([seed, GM number])``, so its draws do not depend on which other
    municipalities are in the run, nor on how a sweep cuts the work into chunks (apply this
    before slicing draws).

    jb_rate and residential_share are drawn from the municipal block; the risk index per draw
    ``exp(log risk_d)`` enters as the factor ``exp(log risk_d - log risk)`` on the three rates
    the engine multiplies by the risk index (need_incidence, jb_rate, jr_rate), so the input
    risk index stays :attr:`MunicipalCalibrationResult.risk` and the national draws keep their
    correlations. A scenario's own parameter value wins (no municipal draw for it).
    """
    updates = posterior_updates(params, codes, stored, overrides, rng)
    return params.with_values(updates) if updates else params


def posterior_updates(params, codes: Sequence[str],
                      stored: dict[str, MunicipalCalibrationResult], overrides: dict,
                      rng: np.random.Generator | int) -> dict[str, np.ndarray]:
    """What :func:`apply_posterior` changes: ``{name: (draws, len(codes))}`` for the changed
    parameters only. ``params`` may hold one column shared by all areas (the sweep's national
    draws): the changed ones are broadcast to every area first."""
    from jeugdstelsel.core.model import PARAMETERS_BY_NAME

    shape = (params.n_draws, len(codes))
    updates: dict[str, np.ndarray] = {}
    for m, code in enumerate(codes):
        if code not in stored:
            continue
        names, mean, cov = stored[code].joint_block()
        stream = (np.random.default_rng([int(rng), int(code[2:])])
                  if isinstance(rng, int | np.integer) else rng)
        z = stream.multivariate_normal(mean, cov, size=params.n_draws, method="svd")
        for j, name in enumerate(names[1:], start=1):
            if name in overrides:
                continue
            column = updates.setdefault(name, np.broadcast_to(params[name], shape).copy())
            column[:, m] = PARAMETERS_BY_NAME[name].from_unit(z[:, j])
        factor = np.exp(z[:, 0] - mean[0])
        for name in ("need_incidence", "jb_rate", "jr_rate"):
            if name in overrides:
                continue
            column = updates.setdefault(name, np.broadcast_to(params[name], shape).copy())
            column[:, m] = column[:, m] * factor
    return updates


def describe_for_run(codes: Sequence[str],
                     stored: dict[str, MunicipalCalibrationResult]) -> dict[str, str]:
    """Per municipality, in Dutch, which risk index and parameters a run used."""
    out = {}
    for code in codes:
        if code == "NL01":
            out[code] = "landelijke kalibratie (risico-index 1)"
        elif code in stored:
            s = stored[code]
            low, high = (math.exp(math.log(s.risk) + z * s.risk_sd) for z in (-1.2816, 1.2816))
            out[code] = (f"hiërarchische gemeentekalibratie van {s.created[:10]} (risico-index "
                         f"{_nl(s.risk, 2)}, 80%: {_nl(low, 2)}-{_nl(high, 2)}; gewicht eigen "
                         f"cijfers {_nl(100 * s.weight_own, 0)} %)")
        else:
            out[code] = ("geen gemeentelijke kalibratie: risico-index uit indicatoren, "
                         "landelijke parameters")
    return out


def quantiles(mean: np.ndarray, sd: np.ndarray) -> dict[str, np.ndarray]:
    """Log-normal quantiles of a share (toets.csv columns)."""
    levels = {"mediaan": 0.5, "p10": 0.1, "p90": 0.9, "p2.5": 0.025, "p97.5": 0.975}
    return {k: np.exp(mean + NormalDist().inv_cdf(q) * sd) for k, q in levels.items()}
