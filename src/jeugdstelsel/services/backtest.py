"""A forecast is a claim: rolling-origin backtest of the national model against naive methods.

For every origin year the model is calibrated on the figures published for years up to the
origin only (targets *and* demography: births and population totals after the origin are
withheld, see ``data_through``), then forecasts 1..N years ahead through the pipeline with draws
from that calibration's posterior. Beside it stand two naive methods on the same history:
``vorig_jaar`` (the last published value repeated) and ``trend`` (a straight line through all
published values up to the origin). Every published figure after the origin with a comparable
model quantity (same series key, same definition) is a test case.

Scores per series, method and horizon: mean absolute percentage error (MAPE), mean signed error
(bias), coverage of the model's 80% and 95% bands, and the continuous ranked probability score
(CRPS; for a point forecast it equals the absolute error, so the three methods compare on one
scale). The reliability label of a series (:func:`reliability`) follows from these numbers.

Figures of one series that exist for only one year cannot be forecast by the naive methods;
those cases are scored for the model alone and say so (``n_naief = 0``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jeugdstelsel.core.outputs import SERIES
from jeugdstelsel.errors import PeriodError
from jeugdstelsel.services import pipeline
from jeugdstelsel.services.scenario import FIRST_YEAR, validate

COLUMNS = ("reeks", "gebied", "oorsprong", "jaar", "horizon", "methode", "waargenomen", "status",
           "mediaan", "p10", "p90", "p2.5", "p97.5")
QUANTILES = {"mediaan": 50.0, "p10": 10.0, "p90": 90.0, "p2.5": 2.5, "p97.5": 97.5}
METHODS = ("model", "trend", "vorig_jaar")
# The headline series of the forecast issue: persons per calendar year, CBS/NJi definitions.
HEADLINE = ("jeugdzorg_0_22", "jeugdzorg_0_17", "jeugdzorg_18_22", "jeugdhulp_met_verblijf_0_22",
            "jeugdhulp_zonder_verblijf_0_22", "jeugdbescherming_0_22", "jeugdreclassering_0_22")
FIRST_ORIGIN = 2018  # the start population rests on 1 January 2017 bands
DEFAULT_DRAWS = 400
DEFAULT_SEED = 2015


@dataclass(frozen=True)
class Published:
    """Published yearly figures per model series key: ``{key: {year: (value, status)}}``."""

    figures: dict[str, dict[int, tuple[float, str]]]

    @property
    def last_year(self) -> int:
        """The last year with any published figure."""
        return max(y for rows in self.figures.values() for y in rows)

    def through(self, year: int) -> dict[str, dict[int, tuple[float, str]]]:
        return {k: {y: v for y, v in rows.items() if y <= year} for k, rows in self.figures.items()}


def published() -> Published:
    """Every published yearly national figure that a model series compares with one to one.

    Shares (``_pct``) are left out: they are the counts divided by the population, so scoring
    both would count each figure twice.
    """
    from jeugdstelsel.data.refdata import annual

    out: dict[str, dict[int, tuple[float, str]]] = {}
    for s in SERIES:
        if s.observed is None or s.key.endswith("_pct"):
            continue
        rows = {int(y): (float(v), str(st)) for y, (v, st) in annual(s.observed).items()
                if int(y) >= FIRST_YEAR}
        if rows:
            out[s.key] = rows
    return Published(out)


def default_origins(figures: Published) -> list[int]:
    """Every year from 2018 up to the last one with a published successor."""
    return list(range(FIRST_ORIGIN, figures.last_year))


def naive_forecasts(history: dict[int, tuple[float, str]], year: int) -> dict[str, float]:
    """``vorig_jaar`` and ``trend`` for ``year`` from the figures up to the origin."""
    if not history:
        return {}
    years = np.array(sorted(history), dtype=float)
    values = np.array([history[int(y)][0] for y in years])
    out = {"vorig_jaar": float(values[-1])}
    if len(years) >= 2:
        slope, intercept = np.polyfit(years, values, 1)
        out["trend"] = float(slope * year + intercept)
    return out


def crps_ensemble(draws: np.ndarray, observed: float) -> float:
    """CRPS of an ensemble (Gneiting & Raftery 2007, eq. 21): E|X-y| - E|X-X'|/2.

    Computed from the sorted draws in O(n log n); for a single draw it is the absolute error.
    """
    x = np.sort(np.asarray(draws, dtype=float))
    n = len(x)
    first = np.mean(np.abs(x - observed))
    weights = 2 * np.arange(1, n + 1) - n - 1  # sum_i sum_j |x_i - x_j| = 2 sum_i w_i x_(i)
    second = np.sum(weights * x) / n**2
    return float(first - second)


def forecast(origin: int, horizon: int, *, draws: int = DEFAULT_DRAWS,
             seed: int = DEFAULT_SEED, method: str | None = None
             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """What the model said at ``origin``: years and per-draw series ``(draws, years)``.

    Calibrated on the figures for years up to ``origin`` (:func:`calibrate`), demography from
    the same figures only, then through the pipeline with that calibration's posterior draws.
    ``method``: the calibration method (default: the shipped one); ``"emcee"`` samples with the
    shorter backtest settings (``posterior.FAST``).
    """
    from jeugdstelsel.services.calibration import DEFAULT_METHOD, calibrate

    cal = calibrate(origin, method=method or DEFAULT_METHOD, fast=True, progress=False)
    end = origin + horizon
    scenario = validate({"scenario": {"naam": f"Toets vanaf {origin}"},
                         "periode": {"start": FIRST_YEAR, "eind": end},
                         "simulatie": {"trekkingen": draws, "zaad": seed}}, "toets")
    spec = pipeline.specify(scenario, "toets")
    inputs = pipeline.build_inputs(spec, data_through=origin)
    params = pipeline.parameter_set(scenario, 1, cal)
    member = pipeline.Member(params, {}, None,
                             pipeline.forecast_discrepancy(scenario, cal, codes=spec.codes))
    series = pipeline.execute([member], inputs, spec.n_months, first_year=origin + 1).series
    return np.arange(origin + 1, end + 1), {k: v[:, 0] for k, v in series.items()}


def forecast_origin(origin: int, horizon: int, figures: Published, *, draws: int = DEFAULT_DRAWS,
                    seed: int = DEFAULT_SEED, method: str | None = None) -> list[dict]:
    """Forecast from ``origin`` and score it against the later figures; one row per case."""
    years, series = forecast(origin, horizon, draws=draws, seed=seed, method=method)
    history = figures.through(origin)
    rows = []
    for key, observed in figures.figures.items():
        for j, year in enumerate(years.tolist()):
            if year not in observed:
                continue
            value, status = observed[year]
            base = {"reeks": key, "gebied": "NL01", "oorsprong": origin, "jaar": year,
                    "horizon": year - origin, "waargenomen": value, "status": status}
            sample = series[key][:, j]
            q = np.percentile(sample, list(QUANTILES.values()))
            rows.append({**base, "methode": "model", **dict(zip(QUANTILES, q, strict=True)),
                         "crps": crps_ensemble(sample, value)})
            for method, guess in naive_forecasts(history[key], year).items():
                rows.append({**base, "methode": method, "mediaan": guess,
                             **{k: np.nan for k in QUANTILES if k != "mediaan"},
                             "crps": abs(guess - value)})
    return rows


@dataclass(frozen=True)
class Backtest:
    """The cases (one row per series, origin, target year and method) and their scores."""

    cases: pd.DataFrame
    origins: tuple[int, ...]
    horizon: int
    draws: int
    seed: int

    def summary(self) -> pd.DataFrame:
        """Per series, method and horizon: n, MAPE, bias, CRPS (relative), band coverage."""
        return summarise(self.cases)


def summarise(cases: pd.DataFrame) -> pd.DataFrame:
    """Scores of the cases; coverage only for the model (the naive methods have no bands)."""
    c = cases.copy()
    c["fout_pct"] = 100 * (c["mediaan"] / c["waargenomen"] - 1)
    c["in_80"] = (c["waargenomen"] >= c["p10"]) & (c["waargenomen"] <= c["p90"])
    c["in_95"] = (c["waargenomen"] >= c["p2.5"]) & (c["waargenomen"] <= c["p97.5"])
    c["crps_pct"] = 100 * c["crps"] / c["waargenomen"]
    rows = []
    for (key, method, h), g in c.groupby(["reeks", "methode", "horizon"]):
        model = method == "model"
        rows.append({"reeks": key, "methode": method, "horizon": int(h), "n": len(g),
                     "mape": float(g["fout_pct"].abs().mean()),
                     "bias_pct": float(g["fout_pct"].mean()),
                     "crps_pct": float(g["crps_pct"].mean()),
                     "dekking_80": float(g["in_80"].mean()) if model else np.nan,
                     "dekking_95": float(g["in_95"].mean()) if model else np.nan})
    return pd.DataFrame(rows)


def comparable(cases: pd.DataFrame) -> pd.DataFrame:
    """Only the cases every method forecast (same series, origin and year): a fair contest."""
    keys = ["reeks", "oorsprong", "jaar"]
    counts = cases.groupby(keys)["methode"].transform("nunique")
    return cases[counts == len(METHODS)]


def reliability(cases: pd.DataFrame) -> dict[str, str]:
    """A Dutch reliability label per series from its backtest cases (:func:`reliability_table`)."""
    return {key: row["oordeel"] for key, row in reliability_table(cases).items()}


def reliability_table(cases: pd.DataFrame) -> dict[str, dict]:
    """Per series: its label and the scores behind it, over the cases all methods forecast.

    ``goed``: the model beats both naive methods (MAPE at most 0.8 times the better one) and
    its 80% band holds 72-88% of the figures; ``matig``: it beats them but its bands are off,
    or it is within 20% of the better one; ``zwak``: worse than a naive method; ``onbekend``:
    too few cases (fewer than 3 comparable ones).
    """
    out: dict[str, dict] = {}
    fair = comparable(cases)
    for key in sorted(cases["reeks"].unique()):
        g = fair[fair["reeks"] == key]
        n = int(g["methode"].eq("model").sum())
        if n < 3:
            out[key] = {"oordeel": "onbekend", "n": n}
            continue
        s = summarise(g).groupby("methode").agg(mape=("mape", "mean"),
                                                 cover=("dekking_80", "mean"),
                                                 cover95=("dekking_95", "mean"))
        best_naive = min(s.loc["trend", "mape"], s.loc["vorig_jaar", "mape"])
        model, cover = s.loc["model", "mape"], s.loc["model", "cover"]
        if model <= 0.8 * best_naive and 0.72 <= cover <= 0.88:
            label = "goed"
        elif model <= 1.2 * best_naive:
            label = "matig"
        else:
            label = "zwak"
        out[key] = {"oordeel": label, "n": n, "mape_model": float(model),
                    "mape_trend": float(s.loc["trend", "mape"]),
                    "mape_vorig_jaar": float(s.loc["vorig_jaar", "mape"]),
                    "dekking_80": float(cover), "dekking_95": float(s.loc["model", "cover95"])}
    return out


def backtest(origins: Sequence[int] | None = None, horizon: int = 2, *,
             draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
             progress: Callable[[int, int, int], None] | None = None,
             method: str | None = None) -> Backtest:
    """Rolling-origin backtest; ``progress(done, total, origin)`` after each origin.

    ``method``: calibration method per origin (default: the shipped one, see ``calibrate``).
    """
    if horizon < 1 or horizon > 5:
        raise PeriodError(f"horizon {horizon} is niet toegestaan: kies 1 tot en met 5 jaar")
    figures = published()
    chosen = list(origins) if origins else default_origins(figures)
    last = figures.last_year
    bad = [o for o in chosen if not FIRST_ORIGIN <= o < last]
    if bad:
        raise PeriodError(f"oorsprong {', '.join(map(str, bad))} is niet toegestaan: kies een "
                          f"jaar van {FIRST_ORIGIN} tot en met {last - 1} (er moet een later "
                          "gepubliceerd cijfer zijn om mee te vergelijken)")
    rows: list[dict] = []
    for i, origin in enumerate(chosen):
        rows += forecast_origin(origin, horizon, figures, draws=draws, seed=seed, method=method)
        if progress is not None:
            progress(i + 1, len(chosen), origin)
    cases = pd.DataFrame(rows, columns=[*COLUMNS, "crps"])
    return Backtest(cases, tuple(chosen), horizon, draws, seed)
