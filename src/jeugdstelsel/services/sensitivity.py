"""Which assumptions drive the headline outputs: one-at-a-time tornado and Sobol (SALib).

For a scenario with levers the outputs are the *effects of its levers* over the council term
(scenario minus the same scenario without levers, on the same parameter values), because that is
what a council decides on; without levers they are the levels. Every configuration runs the
plan and its lever-free twin side by side in one engine call.

Factors are the uncertain model parameters and the levers' effect sizes:

- non-calibrated parameters over their declared range ``[low, high]``;
- calibrated parameters over their posterior 10-90% interval: the declared range is only the
  prior bound, and the calibration has already ruled most of it out (marginal intervals; the
  posterior correlations are ignored here, which overstates the spread a little);
- a lever effect over its declared range (uniform quantile 0..1).

The tornado moves one factor at a time to each bound with the rest at the centre. Sobol indices
(Saltelli sampling, Jansen/Saltelli estimators; Sobol 2001, Saltelli et al. 2010, as implemented
in SALib) are computed for the factors that matter most in the tornado plus all lever effects,
the others held at their centre: a screening step keeps the sample affordable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jeugdstelsel.core import units as U
from jeugdstelsel.core.model import PARAMETERS, PARAMETERS_BY_NAME
from jeugdstelsel.levers import LeverPlan, Library
from jeugdstelsel.services import pipeline
from jeugdstelsel.services.calibration import Calibration, load_shipped
from jeugdstelsel.services.compare import (
    INDICATORS_BY_KEY,
    _indicators,
    term_value,
)
from jeugdstelsel.services.scenario import Scenario, ScenarioError

OUTPUTS = ("specialistisch", "wachttijd_weken", "uitgaven")
# Base sample size of the Saltelli scheme. Measured on examples/raadsvraag.toml (14 factors,
# docs/levers.md): N=64 gave total indices up to 2.4 with 95% half-widths up to 1.9 (impossible,
# indices lie in [0, 1]); N=256 up to 1.01 +- 0.47; N=512 max 0.94 +- 0.33, N=1024 max 0.86
# +- 0.25, the largest index moving 0.07-0.08 between 256, 512 and 1024. 1024 takes ~7 s.
DEFAULT_SOBOL_N = 1024
NOT_CONVERGED = "niet geconvergeerd"


def convergence_status(index: np.ndarray, conf: np.ndarray) -> np.ndarray:
    """'geconvergeerd' where the 95% interval ``index +- conf`` lies inside [0, 1], where every
    Sobol index must lie, else :data:`NOT_CONVERGED`: the sample is too small to trust it.
    Nothing is clipped; the index and its interval are shown as estimated."""
    index, conf = np.asarray(index, float), np.asarray(conf, float)
    bad = (index - conf < 0.0) | (index + conf > 1.0) | ~np.isfinite(index + conf)
    return np.where(bad, NOT_CONVERGED, "geconvergeerd")
Z90 = 1.2815515655446004  # standard normal 90th percentile


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a parameter value or a lever effect quantile."""

    key: str
    label: str
    low: float
    centre: float
    high: float
    kind: str  # "parameter" or "hefboom"
    lever: str = ""
    index: int = 0  # position in the lever's uniforms


@dataclass(frozen=True)
class SensitivityResult:
    scenario: str
    effect_of_levers: bool
    term: str
    tornado: pd.DataFrame
    sobol: pd.DataFrame


def factors(scenario: Scenario, plan: LeverPlan, calibration: Calibration) -> list[Factor]:
    """The uncertain inputs with their ranges (see the module docstring for why these)."""
    post = calibration.posterior()
    post_idx = {n: i for i, n in enumerate(post.names)} if post is not None else {}
    out = []
    for p in PARAMETERS:
        if p.distribution == "fixed" or p.name in scenario.parameters:
            continue
        if p.name in post_idx:
            i = post_idx[p.name]
            sd = float(np.sqrt(post.cov[i, i]))
            low, high = (float(p.from_unit(post.mean[i] + s * Z90 * sd)) for s in (-1, 1))
            centre = float(calibration.point.get(p.name, p.from_unit(post.mean[i])))
        else:
            low, high, centre = p.low, p.high, p.default
        if high > low:
            out.append(Factor(p.name, p.label_nl, low, min(max(centre, low), high), high,
                              "parameter"))
    for a in plan.active:
        for j, effect in enumerate(a.lever.all_effects):
            lo, hi = effect.per_eenheid
            if hi > lo:
                name = PARAMETERS_BY_NAME[effect.parameter].label_nl.lower()
                out.append(Factor(f"{a.lever.key}:{j}", f"{a.lever.naam}: effect op {name}",
                                  0.0, 0.5, 1.0, "hefboom", a.lever.key, j))
        if a.lever.preventie is not None:
            j = a.lever.n_random() - 1
            out.append(Factor(f"{a.lever.key}:{j}", f"{a.lever.naam}: samenhangfactor",
                              0.0, 0.5, 1.0, "hefboom", a.lever.key, j))
    return out


class _Evaluator:
    """Runs configurations (rows of factor values) and returns the term outputs per row.

    Each configuration goes through the pipeline like any run: the spec's levers, its inputs,
    the calibration's point with the factor values, and one stacked engine call of the plan and
    its lever-free twin.
    """

    def __init__(self, spec: pipeline.Spec, calibration: Calibration,
                 term_start: int, term_length: int) -> None:
        self.spec, self.cal = spec, calibration
        self.inputs = pipeline.build_inputs(spec)
        years = spec.years
        wanted = np.arange(term_start, term_start + term_length)
        if not np.isin(wanted, years).all():
            raise ScenarioError(f"raadsperiode {term_start}-{term_start + term_length - 1} valt "
                                f"niet binnen de periode {years[0]}-{years[-1]} van het scenario")
        self.mask = np.isin(years, wanted)

    def __call__(self, fs: list[Factor], X: np.ndarray) -> dict[str, np.ndarray]:
        n, spec = X.shape[0], self.spec
        rows = {f.key: X[:, j] for j, f in enumerate(fs) if f.kind == "parameter"}
        params = pipeline.point_parameters(spec.scenario, rows, n, self.inputs.n_municipalities,
                                           self.cal)
        uniforms = spec.plan.central_uniforms(n)
        for j, f in enumerate(fs):
            if f.kind == "hefboom":
                uniforms[f.lever][:, f.index] = X[:, j]
        with_levers = bool(spec.plan.active)
        members = [pipeline.Member(params, *pipeline.lever_paths(spec, params, self.inputs,
                                                                  uniforms))]
        if with_levers:
            members.append(pipeline.Member(params, {}, None))
        ex = pipeline.execute(members, self.inputs, spec.n_months)
        ind, _ = _indicators(ex.series, ex.result.by_group, ex.result.totals, ex.params,
                             spec.first)
        out = {}
        for key in OUTPUTS:
            v = term_value(ind[key], self.mask, INDICATORS_BY_KEY[key].term)
            out[key] = v[:n] - v[n:] if with_levers else v
        return out


def _label(key: str, effect: bool, term: str) -> str:
    ind = INDICATORS_BY_KEY[key]
    how = "totaal" if ind.term == "som" else "gemiddeld per jaar"
    unit = "mln euro" if ind.unit == U.EURO else ind.unit
    return f"{'Effect op ' if effect else ''}{ind.label_nl.lower()} ({unit}, {how} {term})"


def sensitivity(scenario: Scenario, source: str = "<scenario>", *, term_start: int = 2026,
                term_length: int = 4, sobol_n: int = DEFAULT_SOBOL_N, sobol_top: int = 8,
                seed: int = 0,
                calibration: Calibration | None = None, library: Library | None = None
                ) -> SensitivityResult:
    """Tornado and Sobol indices for the headline outputs of ``scenario`` over the term."""
    if sobol_n < 2 or sobol_n & (sobol_n - 1):
        raise ScenarioError(f"sobol_n moet een macht van 2 zijn (kreeg {sobol_n}): de "
                            "Sobol-reeks van SALib is alleen dan gebalanceerd")
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    cal = calibration or load_shipped()
    spec = pipeline.specify(scenario, source, library=library)
    plan = spec.plan
    effect = bool(plan.active)
    ev = _Evaluator(spec, cal, term_start, term_length)
    term = f"{term_start}-{term_start + term_length - 1}"
    fs = factors(scenario, plan, cal)
    k = len(fs)
    centre = np.array([f.centre for f in fs])
    X = np.repeat(centre[None], 2 * k + 1, axis=0)
    for j, f in enumerate(fs):
        X[1 + 2 * j, j] = f.low
        X[2 + 2 * j, j] = f.high
    Y = ev(fs, X)
    rows = []
    for key in OUTPUTS:
        div = 1e6 if INDICATORS_BY_KEY[key].unit == U.EURO else 1.0
        y = Y[key] / div
        for j, f in enumerate(fs):
            lo, hi = y[1 + 2 * j], y[2 + 2 * j]
            rows.append({"uitkomst": _label(key, effect, term), "indicator": key,
                         "factor": f.key, "label": f.label, "soort": f.kind,
                         "ondergrens_invoer": f.low, "bovengrens_invoer": f.high,
                         "centraal": y[0], "laag": lo, "hoog": hi, "bereik": abs(hi - lo)})
    tornado = pd.DataFrame(rows)
    # screening: the strongest parameters over all outputs (relative swing), plus lever effects
    rel = tornado.assign(rel=tornado["bereik"] / tornado.groupby("indicator")["bereik"]
                         .transform(lambda s: max(s.max(), 1e-12)))
    strength = rel.groupby("factor")["rel"].max()
    params_ranked = [f for f in sorted(fs, key=lambda f: -strength[f.key])
                     if f.kind == "parameter"][:sobol_top]
    chosen = params_ranked + [f for f in fs if f.kind == "hefboom"]
    problem = {"num_vars": len(chosen), "names": [f.key for f in chosen],
               "bounds": [[f.low, f.high] for f in chosen]}
    sample = sobol_sample.sample(problem, sobol_n, calc_second_order=False, seed=seed)
    full = np.repeat(centre[None], sample.shape[0], axis=0)
    pos = {f.key: j for j, f in enumerate(fs)}
    for j, f in enumerate(chosen):
        full[:, pos[f.key]] = sample[:, j]
    Ys = ev(fs, full)
    srows = []
    for key in OUTPUTS:
        y = Ys[key]
        if np.ptp(y) <= 1e-9 * max(abs(float(np.mean(y))), 1.0):
            continue  # no variance to apportion
        # a Generator, not the int: SALib tests ``if seed:``, so seed 0 would not be seeded
        res = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                    seed=np.random.default_rng(seed),
                                    print_to_console=False)
        for j, f in enumerate(chosen):
            srows.append({"uitkomst": _label(key, effect, term), "indicator": key,
                          "factor": f.key, "label": f.label, "soort": f.kind,
                          "S1": float(res["S1"][j]), "S1_conf": float(res["S1_conf"][j]),
                          "ST": float(res["ST"][j]), "ST_conf": float(res["ST_conf"][j])})
    sobol = pd.DataFrame(srows)
    if len(sobol):
        sobol["N"] = sobol_n
        s1 = convergence_status(sobol["S1"], sobol["S1_conf"])
        st = convergence_status(sobol["ST"], sobol["ST_conf"])
        sobol["status"] = np.where((s1 == NOT_CONVERGED) | (st == NOT_CONVERGED), NOT_CONVERGED,
                                   "geconvergeerd")
    return SensitivityResult(scenario.scenario.naam, effect, term, tornado, sobol)
