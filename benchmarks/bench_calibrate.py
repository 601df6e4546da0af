"""Benchmark: calibrating one municipality and all municipalities at once.

Why: the calibration must feel interactive for one municipality (seconds) and stay practical for
the whole country (municipalities are independent cells of one batched simulation).

* one municipality: Leeuwarden on its embedded figures (85098NED 2022 residential share, the 2017
  jeugdzorg share from figures.csv), with the leave-last-year-out check; and Utrecht on synthetic
  CBS-style figures for 2021-2023 (12 series a year);
* all 342 municipalities on synthetic CBS-style figures (model output for random true parameters,
  rounded like CBS, one suppressed cell each), fitted together, with the out-of-sample check.

Run: ``.venv/bin/python benchmarks/bench_calibrate.py`` (times in docs/calibration.md).
"""

from __future__ import annotations

import time

import numpy as np

from jeugdstelsel.data.municipalities import municipality_table
from jeugdstelsel.services import municipal_calibration as mc

KINDS = ["jeugdhulp_natura_pct", "jeugdbescherming_pct", "jeugdreclassering_pct",
         "met_verblijf_aandeel", "trajecten_gestart",
         *(f"verwijzer_{k}" for k in mc.REFERRER_LABELS)]
PERIODS = ["2021", "2022", "2023"]


def cbs_style(figures: list[mc.Figure], rng: np.random.Generator) -> list[mc.Figure]:
    """CBS-style publication of the synthetic figures with one random cell suppressed."""
    drop = figures[rng.integers(len(figures))]
    suppress = None if drop.kind == "trajecten_gestart" else (drop.kind, drop.period)
    return mc.cbs_style(figures, suppress, "synthetisch")


def truths(codes: list[str], rng: np.random.Generator) -> dict[str, dict[str, float]]:
    indicator = mc._risk_prior(codes)
    return {
        c: {
            mc.RISK: indicator[c] * float(np.exp(rng.normal(0, 0.2))),
            "jb_rate": float(rng.uniform(0.00025, 0.00045)),
            "residential_share": float(rng.uniform(0.08, 0.14)),
            "route_gp": float(rng.uniform(2.0, 4.0)),
        }
        for c in codes
    }


def main() -> None:
    rng = np.random.default_rng(2024)
    start = time.perf_counter()
    mc.calibrate_municipality("GM0080", use_store=False)
    print(f"warm-up (JIT compile, national anchors, inputs): {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    result = mc.calibrate_municipality("GM0080", use_store=False)
    print(f"one municipality, embedded figures (Leeuwarden, {len(result.fit)} figures, "
          f"with holdout): {time.perf_counter() - start:.2f} s")

    truth = truths(["GM0344"], rng)
    figures = {"GM0344": cbs_style(mc.model_figures_many(truth, KINDS, PERIODS)["GM0344"], rng)}
    start = time.perf_counter()
    result = mc.calibrate_many(figures)["GM0344"]
    print(f"one municipality, synthetic CBS-style figures (Utrecht, {len(result.fit)} figures, "
          f"with holdout): {time.perf_counter() - start:.2f} s; risk true "
          f"{truth['GM0344'][mc.RISK]:.3f} fitted {result.risk:.3f}")

    codes = list(municipality_table()["gm_code"])
    truth = truths(codes, rng)
    start = time.perf_counter()
    exact = mc.model_figures_many(truth, KINDS, PERIODS)
    figures = {c: cbs_style(f, rng) for c, f in exact.items()}
    print(f"synthetic figures for {len(codes)} municipalities: "
          f"{time.perf_counter() - start:.1f} s")
    for holdout in (False, True):
        start = time.perf_counter()
        results = mc.calibrate_many(figures, holdout=holdout)
        seconds = time.perf_counter() - start
        errors = {
            name: np.array([
                r.risk / truth[c][mc.RISK] - 1 if name == mc.RISK else
                next(p["estimate"] for p in r.parameters if p["name"] == name) / truth[c][name] - 1
                for c, r in results.items()
            ])
            for name in (mc.RISK, "jb_rate", "residential_share", "route_gp")
        }
        n_fig = sum(len(f) for f in figures.values())
        print(f"all {len(codes)} municipalities ({n_fig} figures), holdout={holdout}: "
              f"{seconds:.1f} s")
        if holdout:
            for name, err in errors.items():
                print(f"  recovery {name}: median |error| {100 * np.median(np.abs(err)):.1f}%, "
                      f"95th percentile {100 * np.percentile(np.abs(err), 95):.1f}%")


if __name__ == "__main__":
    main()
