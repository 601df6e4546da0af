"""`jeugdstelsel toets --niveau gemeente`: the pooled municipal model against naive forecasts.

Every municipality's 2022 figures (the KWB share of young people with jeugdzorg in natura and
the four 85098NED shares) are forecast in two ways:

* ``model``: the hierarchical model fitted on the figures up to 2021 only (the 2021 KWB share of
  every municipality; the pool's regression and noise estimated from them), forecast to 2022;
* ``model_zonder_eigen_cijfers``: leaving whole municipalities out (10 folds by municipality):
  the pool is fitted on the other municipalities' figures (2021 and 2022), the left-out
  municipality gets the regression on its indicators alone, no figure of its own;

beside two naive forecasts: ``vorig_jaar`` (the municipality's 2021 value; only where a 2021
value of the same series exists) and ``landelijk_aandeel`` (the country's 2022 share applied to
the municipality). Both model forecasts use the country's published 2022 level as the anchor
of the definition factor, like ``landelijk_aandeel``: the contest is about the municipal
deviation from the country, not the national level (the national backtest scores that).

Errors are in percentage points. The engine is called once (the linearisation at the
indicator-based risk index, which uses no municipal figure); the folds are linear algebra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jeugdstelsel.services import municipal_calibration as mc

COLUMNS = ("reeks", "gebied", "oorsprong", "jaar", "horizon", "methode", "waargenomen", "status",
           "mediaan", "p10", "p90", "p2.5", "p97.5")
METHODS = ("model", "model_zonder_eigen_cijfers", "vorig_jaar", "landelijk_aandeel")
NAIVE = ("vorig_jaar", "landelijk_aandeel")
ORIGIN = 2021
TARGET = 2022
FOLDS = 10
GOAL = 0.7  # the target: model error at most 0.7 x the better naive forecast


@dataclass(frozen=True)
class MunicipalBacktest:
    cases: pd.DataFrame
    folds: int
    seed: int
    seconds: dict

    def summary(self) -> pd.DataFrame:
        return summarise(self.cases)


def _status(sd: mc.SeriesDef) -> str:
    return "voorlopig" if sd.dataset.endswith("voorlopig") else "definitief"


def backtest(*, folds: int = FOLDS, seed: int = 2015,
             progress: Callable[[str], None] | None = None) -> MunicipalBacktest:
    """All municipalities, all 2022 series, the four methods; ``progress`` gets Dutch lines."""
    import time

    say = progress or (lambda _t: None)
    seconds = {}
    data = mc.load_data()
    theta0 = np.zeros((data.n, len(mc.FREE)))
    theta0[:, 0] = np.log(data.risk_indicator)
    start = time.perf_counter()
    say(f"Rekenmodel: {data.n * (len(mc.FREE) + 1) + 1} cellen in één aanroep…")
    resp = mc.responses(theta0)
    seconds["rekenmodel_s"] = round(time.perf_counter() - start, 1)
    years = np.array([sd.year for sd in mc.SERIES_DEFS])
    targets = np.flatnonzero(years == TARGET)
    observed = np.isfinite(data.value)

    say("Model met cijfers t/m 2021…")
    t = time.perf_counter()
    through = mc.fit(data, resp, used=observed & (years <= ORIGIN)[None, :])
    mean_own, sd_own = through.predictive(data)
    seconds["model_t_m_2021_s"] = round(time.perf_counter() - t, 1)

    t = time.perf_counter()
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(data.n) % folds
    mean_out = np.zeros_like(mean_own)
    sd_out = np.zeros_like(sd_own)
    for k in range(folds):
        say(f"Gemeenten weglaten: deel {k + 1}/{folds}…")
        test = fold_of == k
        pooled = mc.fit(data, resp, used=observed, rows=np.flatnonzero(~test))
        mean, sd = pooled.predictive(data, prior=True)
        mean_out[test], sd_out[test] = mean[test], sd[test]
    seconds["weglaten_s"] = round(time.perf_counter() - t, 1)

    rows = []
    for m, code in enumerate(data.codes):
        for j in targets:
            sd = mc.SERIES_DEFS[j]
            value = data.value[m, j]
            if not np.isfinite(value):
                continue
            base = {"reeks": sd.key, "gebied": code, "oorsprong": ORIGIN, "jaar": TARGET,
                    "horizon": TARGET - ORIGIN, "waargenomen": float(value),
                    "status": _status(sd)}
            for method, mean, spread in (("model", mean_own, sd_own),
                                         ("model_zonder_eigen_cijfers", mean_out, sd_out)):
                q = mc.quantiles(mean[m, j], spread[m, j])
                rows.append({**base, "methode": method, **{k: float(v) for k, v in q.items()}})
            earlier = [i for i in range(mc.N_SERIES)
                       if mc.SERIES_DEFS[i].key == sd.key and years[i] == ORIGIN]
            if earlier and np.isfinite(data.value[m, earlier[0]]):
                rows.append({**base, "methode": "vorig_jaar", **_point(data.value[m, earlier[0]])})
            rows.append({**base, "methode": "landelijk_aandeel", **_point(data.national[j])})
    cases = pd.DataFrame(rows, columns=list(COLUMNS))
    return MunicipalBacktest(cases, folds, seed, seconds)


def _point(value: float) -> dict:
    return {"mediaan": float(value), "p10": np.nan, "p90": np.nan, "p2.5": np.nan,
            "p97.5": np.nan}


def summarise(cases: pd.DataFrame) -> pd.DataFrame:
    """Per series and method over the same municipalities: n, mean absolute error (pp), bias,
    80%/95% coverage (model methods), and the ratio to the better naive forecast."""
    rows = []
    for key, g in cases.groupby("reeks", sort=False):
        methods = set(g["methode"])
        # the same municipalities for every method of this series
        areas = set.intersection(*(set(g.loc[g["methode"] == m, "gebied"]) for m in methods))
        g = g[g["gebied"].isin(areas)]
        mae = {}
        for method in METHODS:
            h = g[g["methode"] == method]
            if h.empty:
                continue
            err = h["mediaan"] - h["waargenomen"]
            mae[method] = float(err.abs().mean())
            inside80 = (h["waargenomen"] >= h["p10"]) & (h["waargenomen"] <= h["p90"])
            inside95 = (h["waargenomen"] >= h["p2.5"]) & (h["waargenomen"] <= h["p97.5"])
            band = method not in NAIVE
            rows.append({"reeks": key, "methode": method, "n": len(h),
                         "mae_pp": mae[method], "bias_pp": float(err.mean()),
                         "dekking_80": float(inside80.mean()) if band else np.nan,
                         "dekking_95": float(inside95.mean()) if band else np.nan})
        best = min((v for k, v in mae.items() if k in NAIVE), default=np.nan)
        best_name = min((k for k in mae if k in NAIVE), key=lambda k: mae[k], default="")
        for row in rows:
            if row["reeks"] == key:
                row["beste_naief"] = best_name
                row["verhouding_beste_naief"] = row["mae_pp"] / best if best else np.nan
    return pd.DataFrame(rows)
