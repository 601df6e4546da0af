"""Cost-effectiveness per scenario and per lever, with uncertainty from paired draws.

Three numbers a council asks for (seed 003, p. 24: 'hoe bereiken we maximale resultaten tegen zo
laag mogelijke kosten?'):

- *net spending over the term*: total spending (care plus levers) minus the reference, per draw;
- *euro per specialist trajectory avoided*: the levers' own cost over the term divided by the
  specialist trajectories avoided (gross), and the net spending divided by them (net; negative
  means the plan saves money while avoiding trajectories). Only draws that avoid trajectories
  enter the ratio; the share of such draws is reported beside it, because a ratio over a
  denominator near zero is meaningless;
- *break-even year*: the first year from which cumulative net spending since the first lever
  starts stays at or below zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jeugdstelsel.services.compare import Comparison, ScenarioResult


def _ratio_stats(num: np.ndarray, den: np.ndarray) -> tuple[float, float, float, float]:
    ok = den > 0
    if not ok.any():
        return float("nan"), float("nan"), float("nan"), 0.0
    r = num[ok] / den[ok]
    lo, med, hi = np.percentile(r, [10, 50, 90])
    return float(med), float(lo), float(hi), float(ok.mean())


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
    gross = _ratio_stats(lever_term, avoided)
    netr = _ratio_stats(net_term, avoided)
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
        "netto_euro_per_vermeden_traject_mediaan": netr[0],
        "netto_euro_per_vermeden_traject_p10": netr[1],
        "netto_euro_per_vermeden_traject_p90": netr[2],
        "kans_trajecten_vermeden": gross[3],
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
