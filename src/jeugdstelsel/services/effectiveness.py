"""Cost-effectiveness per scenario and per lever, with uncertainty from paired draws.

Three numbers a council asks for (seed 003, p. 24: 'hoe bereiken we maximale resultaten tegen zo
laag mogelijke kosten?'):

- *net spending over the term*: total spending (care plus levers) minus the reference, per draw;
- *euro per specialist trajectory avoided*: the levers' own cost over the term divided by the
  specialist trajectories avoided (gross), and the net spending divided by them (net; negative
  means the plan saves money while avoiding trajectories). The ratio is taken over *all* paired
  draws, as a ratio of means (mean cost over mean trajectories avoided), never over the draws
  that happen to avoid trajectories: dropping the others made the plan look better than its
  draws. Its interval is the 10-90% range of the same ratio over bootstrap resamples of the
  draws (``_mediaan``: their median; ``_gemiddelden``: the ratio of the means itself). Where the
  mean number avoided is not positive, or is not positive in over 10% of resamples, there is no
  meaningful ratio and the cells are empty; the share of draws that avoid trajectories is
  reported beside it;
- *break-even year*: the first year from which cumulative net spending since the first lever
  starts stays at or below zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jeugdstelsel.services.compare import Comparison, ScenarioResult

BOOTSTRAP = 2000  # resamples of the draws for the interval of a ratio of means
UNDEFINED_SHARE = 0.1  # more resamples than this without trajectories avoided: no interval


def ratio_over_draws(num: np.ndarray, den: np.ndarray, seed: int = 0
                     ) -> tuple[float, float, float, float, float]:
    """``(median, p10, p90, ratio of means, share of draws with den > 0)`` over all draws.

    The ratio of means ``mean(num) / mean(den)`` uses every paired draw; the band comes from
    ``BOOTSTRAP`` resamples of the draws (fixed ``seed``, so reruns give the same numbers).
    """
    num, den = np.asarray(num, float), np.asarray(den, float)
    share = float((den > 0).mean()) if den.size else 0.0
    nan = float("nan")
    if den.size == 0 or den.mean() <= 0:
        return nan, nan, nan, nan, share
    point = float(num.mean() / den.mean())
    idx = np.random.default_rng(seed).integers(0, den.size, (BOOTSTRAP, den.size))
    n_mean, d_mean = num[idx].mean(axis=1), den[idx].mean(axis=1)
    defined = d_mean > 0
    if (~defined).mean() > UNDEFINED_SHARE:
        return nan, nan, nan, point, share
    lo, med, hi = np.percentile(n_mean[defined] / d_mean[defined], [10, 50, 90])
    return float(med), float(lo), float(hi), point, share


def break_even(net_by_year: np.ndarray, years: np.ndarray, start: int) -> np.ndarray:
    """Per draw the first year from which cumulative net spending since ``start`` stays <= 0.

    ``net_by_year``: ``(draws, years)``; returns float years, ``inf`` where it never breaks even
    within the period.
    """
    mask = years >= start
    cum = np.cumsum(net_by_year[:, mask], axis=1)
    ys = years[mask]
    stays = np.flip(np.logical_and.accumulate(np.flip(cum <= 0, axis=1), axis=1), axis=1)
    first = np.where(stays.any(axis=1), stays.argmax(axis=1), -1)
    return np.where(first >= 0, ys[np.maximum(first, 0)].astype(float), np.inf)


def _row(comp: Comparison, res: ScenarioResult, mask: np.ndarray, label: str) -> dict:
    base = comp.base.indicators
    ind = res.indicators
    net = ind["uitgaven"] - base["uitgaven"]  # (draws, years)
    net_term = net[:, mask].sum(axis=1)
    lever_term = (ind["uitgaven_hefbomen"] - base["uitgaven_hefbomen"])[:, mask].sum(axis=1)
    avoided = (base["trajecten_specialistisch"] - ind["trajecten_specialistisch"])[:, mask] \
        .sum(axis=1)
    starts = [a.use.start for a in res.plan.active] or [int(comp.years[0])]
    be = break_even(net, comp.years, min(starts))
    gross = ratio_over_draws(lever_term, avoided)
    netr = ratio_over_draws(net_term, avoided)
    n_lo, n_med, n_hi = np.percentile(net_term, [10, 50, 90])
    a_lo, a_med, a_hi = np.percentile(avoided, [10, 50, 90])
    finite = np.isfinite(be)
    return {
        "scenario": res.name, "onderdeel": label,
        "netto_uitgaven_mediaan": n_med, "netto_uitgaven_p10": n_lo,
        "netto_uitgaven_p90": n_hi,
        "kosten_hefbomen_mediaan": float(np.median(lever_term)),
        "vermeden_trajecten_mediaan": a_med, "vermeden_trajecten_p10": a_lo,
        "vermeden_trajecten_p90": a_hi,
        "bruto_euro_per_vermeden_traject_mediaan": gross[0],
        "bruto_euro_per_vermeden_traject_p10": gross[1],
        "bruto_euro_per_vermeden_traject_p90": gross[2],
        "bruto_euro_per_vermeden_traject_gemiddelden": gross[3],
        "netto_euro_per_vermeden_traject_mediaan": netr[0],
        "netto_euro_per_vermeden_traject_p10": netr[1],
        "netto_euro_per_vermeden_traject_p90": netr[2],
        "netto_euro_per_vermeden_traject_gemiddelden": netr[3],
        "kans_trajecten_vermeden": gross[4],
        "kans_besparing_raadsperiode": float((net_term < 0).mean()),
        "terugverdienjaar_mediaan": float(np.median(be)),
        "kans_terugverdiend_binnen_periode": float(finite.mean()),
    }


def cost_effectiveness(comp: Comparison, term_start: int, term_length: int = 4
                       ) -> pd.DataFrame:
    """One row per scenario after the first and per single lever (when the comparison has them).

    Rows for single levers (``onderdeel`` = the lever's name) compare 'reference + only this
    lever' with the reference; the scenario row compares the whole plan. The plan's net effect
    need not equal the sum of its levers: levers act on the same children (POH-jeugd and school
    both draw from the direct referrals) and prevention is more effective in combination.
    """
    mask = comp.term_years(term_start, term_length)
    rows = []
    for res in comp.results[1:]:
        rows.append(_row(comp, res, mask, "hele scenario"))
        for single in comp.singles.get(res.name, ()):
            rows.append(_row(comp, single, mask, single.plan.active[0].lever.naam))
        if res.name not in comp.singles and len(res.plan.active) == 1:
            rows[-1]["onderdeel"] = res.plan.active[0].lever.naam
    return pd.DataFrame(rows)
