"""Neighbourhoods (issue 15, item 4): a municipality's forecast distributed over its wijken.

A pooled wijk model over all 3,248 wijken of 85075NED (2021): the wijk's rate of young people
(0-22) with jeugdzorg in natura relative to its municipality, ``log rho_w``, is

* prior: ``N(x_w' gamma, tau^2)``, a regression on the wijk's age structure (share 0-14 of the
  0-24 year olds), its share of young inhabitants, its size and, where the 2017 wijk code still
  exists, the SCP 2017 share of young people with jeugdhulp zonder verblijf (its history);
  ``gamma`` and ``tau`` estimated over all wijken (empirical Bayes);
* data: the wijk's own 2021 count (rounded to 5; count noise ``1 / count``, Poisson). A
  suppressed count (CBS publishes none below 10) is taken as about 4 with a wide margin;
* posterior: normal-normal, so a wijk with a small count leans on the regression
  (``gewicht_eigen_cijfer``).

The forecast of a year: the municipality's forecast of its young people with jeugdzorg in
natura (the pooled municipal model's share for 2022, moved along the national model's path for
later years, times the municipality's young population) shared out over its wijken in
proportion to ``population_w * rho_w``, with draws from both posteriors for the bands. The
wijk populations are held at 2021 (aanname: no wijk population forecast in the embedded data).
Household types of the whole wijk population are not in the embedded data (only of the young
people in care), so they are not a covariate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from jeugdstelsel.services import municipal_calibration as mc

ORIGIN = 2021  # the wijk figures of 85075NED
REEKS = "jeugdzorg_natura_0_22"
SUPPRESSED_COUNT = 4.0  # aanname: a suppressed count (< 10) as about 4
SUPPRESSED_VAR = 0.6  # its variance on the log scale (wide: anything from 0 to 9)
DRAWS = 2000
COLUMNS = ("reeks", "gebied", "oorsprong", "jaar", "horizon", "methode", "waargenomen", "status",
           "mediaan", "p10", "p90", "p2.5", "p97.5")


@dataclass(frozen=True)
class WijkFit:
    """The pooled wijk model: one row per wijk (all municipalities)."""

    table: pd.DataFrame  # wijk_code, wijk_name, gm_code, pop, count, suppressed, post, ...
    gamma: np.ndarray
    tau: float
    covariates: tuple[str, ...]


def _municipal_share_2021() -> dict[str, float]:
    data = mc.load_data()
    return {c: float(v) for c, v in zip(data.codes, data.value[:, mc.KWB_2021], strict=True)
            if np.isfinite(v)}


@lru_cache(maxsize=1)
def fit() -> WijkFit:
    """Fit the pooled wijk model on every wijk (about a second)."""
    from jeugdstelsel.data import municipal_figures as mf

    wide = mf._wijk_wide().copy()
    wide["pop"] = wide["inwoners_0_14"] + 0.8 * wide["inwoners_15_24"]
    wide = wide[wide["pop"] >= 1].copy()
    share = _municipal_share_2021()
    wide["gm_rate"] = wide["gm_code"].map(share)
    wide = wide[wide["gm_rate"].notna()].copy()
    count = wide["jongeren_natura"].to_numpy(dtype=float)
    suppressed = ~np.isfinite(count)
    pop = wide["pop"].to_numpy(dtype=float)
    rate = wide["gm_rate"].to_numpy(dtype=float) / 100.0
    observed = np.where(suppressed, SUPPRESSED_COUNT, count)
    # CBS places not every young person in a wijk: the wijken's share of the municipal count
    data = mc.load_data()
    municipal = dict(zip(data.codes, data.count[:, mc.KWB_2021], strict=True))
    assigned = pd.Series(observed).groupby(wide["gm_code"].to_numpy()).transform("sum")
    coverage = np.clip(assigned.to_numpy() / wide["gm_code"].map(municipal).to_numpy(), 0.05, 1)
    # rho = 1: the municipality's placed young people shared out by the wijken's population
    placed = pd.Series(pop).groupby(wide["gm_code"].to_numpy()).transform("sum").to_numpy()
    y = np.log(observed / (assigned.to_numpy() * pop / placed))
    var = np.where(suppressed, SUPPRESSED_VAR,
                   1.0 / observed + (2.5 / math.sqrt(3)) ** 2 / observed**2)
    young = wide["inwoners_0_14"] + wide["inwoners_15_24"]
    scp = mf._scp()
    scp_value = pd.to_numeric(scp["pct_jeugdhulp_zonder_verblijf"].replace("", None))
    history = dict(zip(scp["wijk_code_2017"], scp_value, strict=True))
    hist = wide["wijk_code"].map(history).astype(float)
    raw = {
        "aandeel_0_14": np.log((wide["inwoners_0_14"] + 1) / (young + 2)),
        "aandeel_jong": np.log((young + 1) / (wide["inwoners"] + 2)),
        "omvang": np.log(pop + 1),
        "scp_2017": np.log(hist.clip(lower=0.5)),
    }
    columns = [np.ones(len(wide))]
    for values in raw.values():
        v = np.asarray(values, dtype=float)
        mean, sd = np.nanmean(v), np.nanstd(v)
        columns.append(np.nan_to_num((v - mean) / sd, nan=0.0))
    columns.append(np.isfinite(hist.to_numpy()).astype(float))  # has a 2017 history
    x = np.column_stack(columns)
    names = ("constante", *raw, "scp_bekend")
    tau2 = 0.1
    for _ in range(50):  # EM-like fixed point for (gamma, tau^2): normal-normal marginal
        w = 1.0 / (tau2 + var)
        gamma = np.linalg.solve((x * w[:, None]).T @ x, (x * w[:, None]).T @ y)
        resid = y - x @ gamma
        new = max(float(np.sum(w**2 * (resid**2 - var)) / np.sum(w**2)), 1e-4)
        if abs(new - tau2) < 1e-7:
            break
        tau2 = new
    prior = x @ gamma
    post_var = 1.0 / (1.0 / tau2 + 1.0 / var)
    post = post_var * (prior / tau2 + y / var)
    table = pd.DataFrame({
        "wijk_code": wide["wijk_code"].to_numpy(), "wijk_name": wide["wijk_name"].to_numpy(),
        "gm_code": wide["gm_code"].to_numpy(), "pop": pop, "count": count,
        "suppressed": suppressed, "rate_pct": 100 * count / pop, "gm_rate_pct": 100 * rate,
        "coverage": coverage,
        "prior": prior, "post": post, "post_sd": np.sqrt(post_var),
        "weight": 1.0 - post_var / tau2,
    })
    return WijkFit(table, gamma, math.sqrt(tau2), names)


@lru_cache(maxsize=4)
def _national_path(last: int) -> dict[int, float]:
    """The national model's share of young people with jeugdzorg (point), per year."""
    from jeugdstelsel.core import parameters as P
    from jeugdstelsel.core.model import PARAMETERS
    from jeugdstelsel.services import pipeline
    from jeugdstelsel.services.calibration import load_shipped
    from jeugdstelsel.services.inputs import national_inputs

    cal = load_shipped()
    inputs, _ = national_inputs(mc.FIRST_YEAR, last)
    params = P.build(PARAMETERS, 1, 1, None, point=cal.point)
    run = pipeline.execute([pipeline.Member(params, {}, None)], inputs,
                           (last - mc.FIRST_YEAR + 1) * 12)
    share = run.series["jeugdzorg_0_22_pct"][0, 0]
    return {mc.FIRST_YEAR + i: float(v) for i, v in enumerate(share)}


def municipal_forecast(code: str, years: list[int], *, through: int = mc.LAST_YEAR,
                       draws: int = DRAWS, seed: int = 2015) -> dict[int, np.ndarray]:
    """Draws of the municipality's count of young people with jeugdzorg in natura per year.

    The pooled municipal model's predictive share for 2022 (fitted on figures up to
    ``through``: 2021 for a backtest, 2022 otherwise), moved along the national model's path
    after 2022, with one more year shock per year further ahead; times the young population
    of 2021 (85075NED).
    """
    data = mc.load_data()
    m = data.codes.index(code)
    if through >= mc.LAST_YEAR:
        doc, _ = mc.pooled_document()
        row = doc["gemeenten"][code]["fit"][mc.KWB_2022] if doc else None
        mean = math.log(row["model"]) if row else math.log(data.national[mc.KWB_2022])
        sd = row.get("sd_model_log", 0.1) if row else 0.3
        shock = float(doc["hyper"]["sigma_jaar"]) if doc else mc.YEAR_SHOCK_DEFAULT
    else:
        fitted = _through_fit(through)
        means, sds = fitted.predictive(data)
        mean, sd = float(means[m, mc.KWB_2022]), float(sds[m, mc.KWB_2022])
        shock = float(fitted.hyper["sigma_jaar"])
    pop = _municipal_pop(code)
    path = _national_path(max(max(years), mc.LAST_YEAR))
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(draws)
    out = {}
    for year in years:
        extra = max(year - mc.LAST_YEAR, 0)
        scale = path[year] / path[mc.LAST_YEAR] if year > mc.LAST_YEAR else 1.0
        spread = math.sqrt(sd**2 + extra * shock**2)
        out[year] = pop * np.exp(mean + spread * z) / 100.0 * scale
    return out


@lru_cache(maxsize=2)
def _through_fit(through: int):
    data = mc.load_data()
    theta0 = np.zeros((data.n, len(mc.FREE)))
    theta0[:, 0] = np.log(data.risk_indicator)
    resp = mc.responses(theta0)
    years = np.array([sd.year for sd in mc.SERIES_DEFS])
    return mc.fit(data, resp, used=np.isfinite(data.value) & (years <= through)[None, :])


def _municipal_pop(code: str) -> float:
    """Young people of 0-22 in 2021: CBS's count divided by its share (exact where both are
    published; else the KWB estimate 0-14 + 0.8 x 15-24 behind the derived share)."""
    data = mc.load_data()
    m = data.codes.index(code)
    return float(100.0 * data.count[m, mc.KWB_2021] / data.value[m, mc.KWB_2021])


def forecast(code: str, years: list[int], *, through: int = mc.LAST_YEAR, draws: int = DRAWS,
             seed: int = 2015) -> pd.DataFrame:
    """Per wijk of the municipality and year: the published 2021 figure and the forecast
    (median, 80% and 95% bands) of young people with jeugdzorg in natura."""
    wf = fit()
    table = wf.table[wf.table["gm_code"] == code].reset_index(drop=True)
    if table.empty:
        return pd.DataFrame()
    totals = municipal_forecast(code, years, through=through, draws=draws, seed=seed)
    rng = np.random.default_rng(seed + 1)
    rho = np.exp(table["post"].to_numpy()[None, :]
                 + table["post_sd"].to_numpy()[None, :] * rng.standard_normal((draws, len(table))))
    weights = table["pop"].to_numpy()[None, :] * rho
    shares = float(table["coverage"].iloc[0]) * weights / weights.sum(axis=1, keepdims=True)
    rows = []
    for year in years:
        counts = totals[year][:, None] * shares
        q = np.percentile(counts, [50, 10, 90, 2.5, 97.5], axis=0)
        for i, r in table.iterrows():
            rows.append({"wijk": r["wijk_code"], "naam": r["wijk_name"], "jaar": year,
                         "gepubliceerd_2021": None if r["suppressed"] else float(r["count"]),
                         "geheim_2021": bool(r["suppressed"]),
                         "pct_2021": None if r["suppressed"] else float(r["rate_pct"]),
                         "gewicht_eigen_cijfer": float(r["weight"]),
                         "mediaan": float(q[0, i]), "p10": float(q[1, i]), "p90": float(q[2, i]),
                         "p2.5": float(q[3, i]), "p97.5": float(q[4, i])})
    return pd.DataFrame(rows)


def backtest(origin: int = ORIGIN, horizon: int = 2, *, seed: int = 2015
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wijk forecasts for the years after ``origin`` in the toets.csv format (``gebied`` the WK
    code), with ``vorig_jaar`` rows (the wijk's 2021 count). No wijk figure after 2021 is
    embedded yet, so ``waargenomen`` is empty until 85335NED per wijk is added; the summary
    then scores them."""
    from jeugdstelsel.errors import PeriodError

    if origin != ORIGIN:
        raise PeriodError(f"oorsprong {origin} kan niet voor wijken: alleen {ORIGIN} (de "
                          "wijkcijfers van CBS 85075NED gaan over 2021).")
    years = list(range(origin + 1, origin + horizon + 1))
    wf = fit()
    rows = []
    for code in sorted(wf.table["gm_code"].unique()):
        frame = forecast(code, years, through=origin, seed=seed, draws=500)
        for r in frame.to_dict("records"):
            base = {"reeks": REEKS, "gebied": r["wijk"], "oorsprong": origin, "jaar": r["jaar"],
                    "horizon": r["jaar"] - origin, "waargenomen": np.nan, "status": ""}
            rows.append({**base, "methode": "model",
                         **{k: r[k] for k in ("mediaan", "p10", "p90", "p2.5", "p97.5")}})
            if r["gepubliceerd_2021"] is not None and not pd.isna(r["gepubliceerd_2021"]):
                rows.append({**base, "methode": "vorig_jaar", "mediaan": r["gepubliceerd_2021"],
                             "p10": np.nan, "p90": np.nan, "p2.5": np.nan, "p97.5": np.nan})
    cases = pd.DataFrame(rows, columns=list(COLUMNS))
    summary = []
    for method, g in cases.groupby("methode"):
        scored = g[g["waargenomen"].notna()]
        summary.append({"methode": method, "n": len(scored), "voorspeld": len(g),
                        "mae": float((scored["mediaan"] - scored["waargenomen"]).abs().mean())
                        if len(scored) else np.nan})
    return cases, pd.DataFrame(summary)
