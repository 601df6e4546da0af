"""Model discrepancy of a forecast: how far a published series may drift from the model's path.

Why: the rolling-origin backtest (``jeugdstelsel toets``) showed that the bands of the model's
parameter draws alone held 65% of the later figures in the 80% band and 83% in the 95% band:
the model's structure is wrong by more than its parameters are uncertain (a trend that turns, a
trend break, a definition). A forecast of a figure that CBS or NJi will publish therefore carries
a second uncertainty beside the parameters': the model discrepancy (Kennedy and O'Hagan 2001,
"Bayesian calibration of computer models", section 2.1), here the ratio published / model.

What: per series, ``d(t) = log(published / model)`` in the calibration's own fit (the residuals
at the fitted point, ``Calibration.fit``) is treated as a random walk. Its yearly step ``sigma``
is estimated from the residuals' year-to-year changes (a change over ``k`` years counts as ``k``
steps), shrunk towards the scale pooled over all series with the weight of one year (aanname:
a series with one or two figures says little about its own drift). After the series' last
published figure every draw is multiplied by ``exp(sigma * W(t))`` with ``W`` a standard random
walk from that year: the median stays the model's, the band widens with every year ahead, and
the years up to the last figure are left as they are (there the figures themselves are known).

Which series: the counts with at least two fitted figures (the series the backtest scores), and
each one's share (``_pct``) with the same factor, so that a count and its share stay one forecast.
Costs have one published figure (2019) and carry no discrepancy; their band is the parameters'
alone, and the documentation says so.

The steps are drawn per calendar year from the scenario's seed on a stream of their own, the
same for every scenario with that seed (common random numbers: a plan with zero doses still
equals its baseline exactly) and for every area (a municipality's column in a sweep equals its
own run). Measured effect (docs/calibration.md): over the backtest's origins 2019-2022 the 80%
bands hold 83-85% and the 95% bands 90% of the later figures (65% and 83% without it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

FIRST_YEAR = 2015
LAST_YEAR = 2080  # calendar years with a drawn step; a scenario never runs past this
POOL_WEIGHT = 1.0  # years of the pooled scale added to each series' own (aanname, see above)
STREAM = 0x6D6F6461  # a stream of its own beside the parameter draws' ("moda")


@dataclass(frozen=True)
class Scale:
    """The yearly random-walk step of one series' discrepancy (log scale) after ``last_year``."""

    sigma: float
    last_year: int
    n_steps: float  # years of own evidence (year-to-year changes, weighted by their span)


@dataclass(frozen=True)
class Discrepancy:
    """What :func:`apply` needs: the scales per series and the seed of the scenario."""

    scales: Mapping[str, Scale]
    seed: int
    first_draw: int = 0  # a sweep's chunk of draws lo..hi gets the rows lo..hi of the whole run


def estimate(fit: Sequence[Mapping]) -> dict[str, Scale]:
    """The scales from a calibration's fit table (rows with series, year, observed, model)."""
    by_series: dict[str, list[tuple[int, float]]] = {}
    for row in fit:
        if row.get("unit") != "%" or not row["observed"] > 0 or not row["model"] > 0:
            continue  # counts only; shares follow their count
        if "H" in str(row.get("period", "")):
            continue  # half-year figures: the yearly series carry the forecast
        by_series.setdefault(row["series"], []).append(
            (int(row["year"]), float(np.log(row["observed"] / row["model"]))))
    steps: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
    for key, rows in by_series.items():
        if len(rows) < 2:
            continue
        rows.sort()
        years = np.array([y for y, _ in rows], dtype=float)
        d = np.array([v for _, v in rows])
        steps[key] = (np.diff(d), np.diff(years), int(years.max()))
    if not steps:
        return {}
    changes = np.concatenate([c for c, _, _ in steps.values()])
    spans = np.concatenate([s for _, s, _ in steps.values()])
    pooled = float(np.sum(changes**2) / np.sum(spans))  # variance per year
    out = {}
    for key, (c, s, last) in steps.items():
        var = (np.sum(c**2) + POOL_WEIGHT * pooled) / (np.sum(s) + POOL_WEIGHT)
        out[key] = Scale(float(np.sqrt(var)), last, float(np.sum(s)))
    return out


def _walk(seed: int, first: int, n_draws: int) -> np.ndarray:
    """Standard random walk over the calendar years ``FIRST_YEAR..LAST_YEAR`` for the draws
    ``first..first + n_draws`` of a run (row ``i`` of the stream does not depend on how many
    rows are drawn, so any split of the draws gives the same numbers)."""
    rng = np.random.default_rng([int(seed), STREAM])
    steps = rng.standard_normal((first + n_draws, LAST_YEAR - FIRST_YEAR + 1))[first:]
    return np.cumsum(steps, axis=1)


def apply(series: dict[str, np.ndarray], first_year: int, draws: slice,
          discrepancy: Discrepancy) -> None:
    """Multiply ``series[key][draws]`` (``(draws, areas, years from first_year)``) in place."""
    n_draws = draws.stop - draws.start
    if n_draws <= 0 or not discrepancy.scales:
        return
    walk = _walk(discrepancy.seed, discrepancy.first_draw, n_draws)
    for key, scale in discrepancy.scales.items():
        targets = [k for k in (key, f"{key}_pct") if k in series]
        if not targets:
            continue
        n_years = series[targets[0]].shape[-1]
        years = first_year + np.arange(n_years)
        ahead = np.flatnonzero((years > scale.last_year) & (years <= LAST_YEAR))
        if len(ahead) == 0:
            continue
        base = scale.last_year - FIRST_YEAR
        w = walk[:, years[ahead] - FIRST_YEAR] - (walk[:, base:base + 1] if base >= 0 else 0.0)
        factor = np.exp(scale.sigma * w)[:, None, :]  # (draws, 1 area axis, years ahead)
        for k in targets:
            series[k][draws, :, ahead] *= factor


def describe(scales: Mapping[str, Scale]) -> list[dict]:
    """Rows for meta.json, the calibration output and the documentation."""
    return [{"reeks": k, "stap_per_jaar": round(s.sigma, 4), "vanaf_jaar": s.last_year,
             "jaren_eigen_gegevens": s.n_steps} for k, s in sorted(scales.items())]
