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
steps), shrunk towards the scale of its group of series (``posterior.GROUPS``: series that share
a structural part of the model), the group's towards the scale pooled over all series, each with
the weight of one year (aanname: a series with one or two figures says little about its own
drift; before the group level, the restless trajectory and wijkteam series widened the quiet
headline: jeugdzorg 0-22 got 2.8-3.5% a year where its own changes say 2%). After the series' last
published figure every draw is multiplied by ``exp(sigma * W(t))`` with ``W`` a standard random
walk from that year, and the band widens with every year ahead; the years up to the last figure
are left as they are (there the figures themselves are known).

Where the forecast starts: a random walk conditioned on the figures starts from the last known
discrepancy, not from zero. For the country (the area the published figures are of) every draw
is therefore first scaled so that it passes through the series' last published figure
(``Scale.anchor``; a provisional figure at its expected final value, ``posterior.REVISION``):
``forecast_i(t) = model_i(t) * anchor / model_i(T) * exp(sigma * W(t))`` for ``t > T``. This is
data assimilation at the origin: the parameters' spread in the *level* at ``T`` is not
uncertainty any more once the figure is published, their spread in the *growth* after it is.
Measured (backtest origins 2019-2022, headline series): the error of jeugdzorg 0-22 fell from
3.6% to 2.7% (one year ahead 3.3% to 2.4%), 18-22 from 6.9% to 4.8%, met verblijf 4.8% to 3.6%.
A plan's levers are the plan's, not the world's: when a lever already acts in a year up to
``T`` the scale comes from the same draws without levers (``pipeline.execute`` runs them as a
twin), so the plan keeps its effect relative to the baseline. Municipalities have no anchor
(their published figures are other series, see ``municipal_calibration``); their forecast
starts from the model's path as before.

Which series: the fitted yearly counts (a count with one figure gets its group's step and its
anchor), and each one's share (``_pct``) with the same factor, so that a count and its share stay
one forecast. Costs have one published figure (2019) and carry no discrepancy; their band is the
parameters' alone, and the documentation says so.

The steps are drawn per calendar year from the scenario's seed on a stream of their own, the
same for every scenario with that seed (common random numbers: a plan with zero doses still
equals its baseline exactly) and for every area (a municipality's column in a sweep equals its
own run). Measured (docs/calibration.md): over the backtest's origins 2019-2022 the 80% bands
hold 77% and the 95% bands 87% of the later figures (65% and 83% with the parameters' spread
alone; 83-85% and 90% with the unanchored walk, whose bands were wider than the errors on the
headline series).
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
    # the published figure of ``last_year`` (a provisional one at its expected final value); 0:
    # none, the forecast starts from the model's path
    anchor: float = 0.0
    # the degrees-of-freedom correction of the step's variance (calibration.effective_parameters)
    dof_factor: float = 1.0


@dataclass(frozen=True)
class Discrepancy:
    """What :func:`apply` needs: the scales per series and the seed of the scenario."""

    scales: Mapping[str, Scale]
    seed: int
    first_draw: int = 0  # a sweep's chunk of draws lo..hi gets the rows lo..hi of the whole run
    national: tuple[int, ...] = ()  # area columns of the country: there the forecast is anchored

    def anchor_year(self) -> int | None:
        """The last year whose model value an anchored forecast needs (None: no anchor)."""
        years = [s.last_year for s in self.scales.values() if s.anchor > 0]
        return max(years) if years and self.national else None

    def first_anchor_year(self) -> int | None:
        """The first year whose model value an anchored forecast needs."""
        years = [s.last_year for s in self.scales.values() if s.anchor > 0]
        return min(years) if years and self.national else None


def _expected_final(row: Mapping) -> float:
    """A published yearly figure at its expected final value (provisional: CBS revises full-year
    counts up by about 0.75%, ``posterior.REVISION``)."""
    from jeugdstelsel.services.posterior import REVISION

    bias = REVISION["jaar"][0] if row.get("status") == "voorlopig" else 0.0
    return float(row["observed"]) * (1.0 + bias)


def estimate(fit: Sequence[Mapping], variance_factor: float = 1.0) -> dict[str, Scale]:
    """The scales from a calibration's fit table (rows with series, year, observed, model).

    ``variance_factor``: the residuals of a fit understate its errors (they were fitted);
    ``n / (n - p_eff)`` from the calibration corrects that (``Calibration.discrepancy_scales``).
    """
    by_series: dict[str, list[tuple[int, float]]] = {}
    finals: dict[str, dict[int, list[float]]] = {}
    for row in fit:
        if row.get("unit") != "%" or not row["observed"] > 0 or not row["model"] > 0:
            continue  # counts only; shares follow their count
        if "H" in str(row.get("period", "")):
            continue  # half-year figures: the yearly series carry the forecast
        by_series.setdefault(row["series"], []).append(
            (int(row["year"]), float(np.log(row["observed"] / row["model"]))))
        finals.setdefault(row["series"], {}).setdefault(int(row["year"]), []).append(
            _expected_final(row))
    steps: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
    single: dict[str, int] = {}
    for key, rows in by_series.items():
        if len(rows) < 2:
            if _group(key) != "kosten":  # costs: one published figure, parameters' band alone
                single[key] = rows[0][0]
            continue
        rows.sort()
        years = np.array([y for y, _ in rows], dtype=float)
        d = np.array([v for _, v in rows])
        steps[key] = (np.diff(d), np.diff(years), int(years.max()))
    if not steps:
        return {}
    overall = _pooled(steps.values())
    groups: dict[str, list] = {}
    for key, value in steps.items():
        groups.setdefault(_group(key), []).append(value)
    # the group's scale, itself shrunk towards the overall one with the same weight
    group_var = {g: _shrunk(np.concatenate([c for c, _, _ in v]),
                            np.concatenate([s for _, s, _ in v]), overall)
                 for g, v in groups.items()}
    out = {}
    for key, (c, s, last) in steps.items():
        var = _shrunk(c, s, group_var[_group(key)]) * variance_factor
        out[key] = Scale(float(np.sqrt(var)), last, float(np.sum(s)),
                         float(np.mean(finals[key][last])), variance_factor)
    for key, year in single.items():  # no change of its own yet: its group's step
        var = group_var.get(_group(key), overall) * variance_factor
        out[key] = Scale(float(np.sqrt(var)), year, 0.0, float(np.mean(finals[key][year])),
                         variance_factor)
    return out


def _group(key: str) -> str:
    """The group of series that share a structural part of the model (``posterior.GROUPS``)."""
    from jeugdstelsel.services.posterior import group_of

    try:
        return group_of(key)
    except KeyError:
        return "overig"


def _pooled(steps) -> float:
    """Variance per year of all changes together."""
    steps = list(steps)
    changes = np.concatenate([c for c, _, _ in steps])
    spans = np.concatenate([s for _, s, _ in steps])
    return float(np.sum(changes**2) / np.sum(spans))


def _shrunk(changes: np.ndarray, spans: np.ndarray, prior_var: float) -> float:
    """Variance per year of ``changes``, with ``POOL_WEIGHT`` years of ``prior_var`` added."""
    return float((np.sum(changes**2) + POOL_WEIGHT * prior_var) / (np.sum(spans) + POOL_WEIGHT))


def _walk(seed: int, first: int, n_draws: int) -> np.ndarray:
    """Standard random walk over the calendar years ``FIRST_YEAR..LAST_YEAR`` for the draws
    ``first..first + n_draws`` of a run (row ``i`` of the stream does not depend on how many
    rows are drawn, so any split of the draws gives the same numbers)."""
    rng = np.random.default_rng([int(seed), STREAM])
    steps = rng.standard_normal((first + n_draws, LAST_YEAR - FIRST_YEAR + 1))[first:]
    return np.cumsum(steps, axis=1)


def apply(series: dict[str, np.ndarray], first_year: int, draws: slice,
          discrepancy: Discrepancy, anchor_draws: slice | None = None) -> None:
    """Multiply ``series[key][draws]`` (``(draws, areas, years from first_year)``) in place.

    ``anchor_draws``: the rows whose value at a series' last published year anchors the
    forecast of the country's columns (default ``draws``; a plan whose levers act by then
    passes its lever-free twin's rows). Only the years after that year change, so the order in
    which members are applied does not matter.
    """
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
        if (scale.anchor > 0 and discrepancy.national and key in series
                and scale.last_year >= first_year):
            factor = _anchored(factor, series[key], scale, first_year, anchor_draws or draws,
                               discrepancy.national)
        for k in targets:
            series[k][draws, :, ahead] *= factor


def _anchored(factor: np.ndarray, values: np.ndarray, scale: Scale, first_year: int,
              rows: slice, national: tuple[int, ...]) -> np.ndarray:
    """``factor`` times ``anchor / model(T)`` per draw in the country's columns."""
    n_areas = values.shape[1]
    at_t = values[rows, :, scale.last_year - first_year]
    ratio = np.ones((factor.shape[0], n_areas))
    cols = list(national)
    ratio[:, cols] = np.where(at_t[:, cols] > 0, scale.anchor / np.maximum(at_t[:, cols], 1e-12),
                              1.0)
    return factor * ratio[:, :, None]


def describe(scales: Mapping[str, Scale]) -> list[dict]:
    """Rows for meta.json, the calibration output and the documentation."""
    return [{"reeks": k, "stap_per_jaar": round(s.sigma, 4), "vanaf_jaar": s.last_year,
             "jaren_eigen_gegevens": s.n_steps, "vertrekpunt": round(s.anchor, 1),
             "correctie_vrijheidsgraden": round(s.dof_factor, 3)}
            for k, s in sorted(scales.items())]
