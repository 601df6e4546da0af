"""Goal-seeking: the cheapest package of levers that reaches a Routekaart target with a chosen
probability, and the front of cost against probability.

Every candidate package (a dose and a start year per lever) is a scenario run through the
pipeline on the same draws as the baseline (common random numbers), so its probability of
reaching the target and its net cost are paired with the baseline draw by draw. The search is
:func:`scipy.optimize.differential_evolution` (vectorised: a whole generation of candidates is
one stacked engine call), minimising the median net extra spending over the years up to the
target plus a penalty for a probability below the one asked for. Robust in the sense of EMA
Workbench's robust search: the probability is taken over the model's uncertainty (the posterior
draws and the levers' effect ranges), not at one point.

Every candidate evaluated is kept; the non-dominated ones form the front of cost against
probability. When no package within the levers' declared dose ranges reaches the target with
the probability asked for, :class:`Search` says so (``reached = False``) and gives the best
probability found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import differential_evolution

from jeugdstelsel.errors import LeverUseError, PeriodError
from jeugdstelsel.levers import load_library
from jeugdstelsel.services import pipeline
from jeugdstelsel.services.compare import scenario_results
from jeugdstelsel.services.routekaart import default_scenario, outlook, targets
from jeugdstelsel.services.scenario import Scenario

# Levers that work on reach (need, routing, first line); the others act on cost or duration.
# Not wijkteam_versterken: an active local team also raises inflow (CPB), on the parameter that
# normaliseren lowers, and the lever rules refuse two levers pulling one parameter apart.
DEFAULT_LEVERS = ("poh_jeugd", "jeugdhulp_op_school", "samenhangende_preventie",
                  "pedagogische_basis", "normaliseren", "teambesluiten_monitoring")
FIRST_START = 2026
PENALTY = 1e12  # euro per unit of missing probability: feasibility first, then cost


@dataclass(frozen=True)
class Candidate:
    """One evaluated package: doses and start years per lever, its probability and cost."""

    doses: tuple[float, ...]
    starts: tuple[int, ...]
    probability: float
    net_cost: float  # median over draws of the extra spending up to the target year, euro
    lever_cost: float  # median of the levers' own cost over the same years, euro


@dataclass(frozen=True)
class Search:
    """The outcome of a goal search."""

    area: str
    area_name: str
    target_key: str
    target_name: str
    probability: float
    levers: tuple[str, ...]
    baseline_probability: float
    best: Candidate | None  # the cheapest package reaching the probability, if any
    front: tuple[Candidate, ...]  # non-dominated: more probability costs more
    evaluated: int
    reached: bool
    draws: int
    seed: int


def _target(key: str):
    for t in targets():
        if t.sleutel == key:
            if t.soort not in ("hoogstens", "minstens", "dalend", "stijgend"):
                raise PeriodError(f"doel '{key}' heeft geen streefwaarde of richting om naar te "
                                  "zoeken")
            return t
    known = ", ".join(t.sleutel for t in targets() if t.soort != "volgen")
    raise PeriodError(f"onbekend doel '{key}'; bekend: {known}")


def front_of(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The non-dominated candidates: none other is at least as likely and cheaper."""
    ordered = sorted(candidates, key=lambda c: (c.net_cost, -c.probability))
    out: list[Candidate] = []
    best = -1.0
    for c in ordered:
        if c.probability > best:
            out.append(c)
            best = c.probability
    return out


class _Evaluator:
    """Runs a generation of packages with the baseline in one stacked engine call."""

    def __init__(self, base: Scenario, target, levers: Sequence[str], wanted: float) -> None:
        self.base, self.target, self.levers, self.wanted = base, target, tuple(levers), wanted
        self.years = np.arange(base.periode.start, base.periode.eind + 1)
        self.mask = (self.years >= FIRST_START) & (self.years <= target.jaar)
        self.seen: list[Candidate] = []
        self.baseline_probability = float("nan")

    def package(self, doses, starts) -> Scenario:
        uses = [{"naam": k, "dosis": float(d), "start": int(s)}
                for k, d, s in zip(self.levers, doses, starts, strict=True) if d > 0]
        from jeugdstelsel.services.scenario import validate

        raw = self.base.model_dump(mode="json")
        raw["hefbomen"] = uses
        raw["scenario"]["naam"] = "pakket"
        return validate(raw, "doelzoeker")

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """``X``: (variables, candidates) as differential_evolution passes it when vectorised."""
        k = len(self.levers)
        cands = X.T
        doses = np.round(cands[:, :k], 3)
        starts = np.round(cands[:, k:]).astype(int)
        specs = [pipeline.specify(self.base, "doelzoeker")]
        for d, s in zip(doses, starts, strict=True):
            specs.append(pipeline.specify(self.package(d, s), "doelzoeker"))
        outcomes = pipeline.run_specs(specs)
        results = scenario_results(["basis"] + ["pakket"] * len(doses), outcomes,
                                   specs[0].first)
        base = results[0]
        self.baseline_probability = outlook(base, self.years, self.target, "basis").probability
        if not self.seen:  # doing nothing is a package too: no cost, the baseline's chance
            self.seen.append(Candidate((0.0,) * k, (FIRST_START,) * k,
                                       self.baseline_probability, 0.0, 0.0))
        spend0 = base.series["uitgaven"][:, self.mask].sum(axis=1)
        scores = np.empty(len(doses))
        for i, res in enumerate(results[1:]):
            p = outlook(res, self.years, self.target, "pakket").probability
            net = float(np.median(res.series["uitgaven"][:, self.mask].sum(axis=1) - spend0))
            own = float(np.median(res.series["uitgaven_hefbomen"][:, self.mask].sum(axis=1)))
            self.seen.append(Candidate(tuple(map(float, doses[i])), tuple(map(int, starts[i])),
                                       p, net, own))
            scores[i] = net + PENALTY * max(0.0, self.wanted - p)
        return scores


def search(target_key: str = "bereik_0_17", probability: float = 0.5, *,
           area: str = "Nederland", levers: Sequence[str] | None = None,
           draws: int = 200, seed: int = 2028, generations: int = 8, population: int = 4,
           progress: Callable[[int, int], None] | None = None) -> Search:
    """Search doses and start years for the cheapest package reaching the target.

    ``population`` is differential_evolution's ``popsize`` (candidates per variable and
    generation); ``generations`` its ``maxiter``. Evaluations: about
    ``population x 2 x levers x (generations + 1)``.
    """
    if not 0.0 < probability < 1.0:
        raise PeriodError(f"kans {probability} is niet toegestaan: kies tussen 0 en 1 "
                          "(bijvoorbeeld 0,5 of 0,8)")
    target = _target(target_key)
    lib = load_library()
    chosen = tuple(levers) if levers else DEFAULT_LEVERS
    unknown = [k for k in chosen if k not in lib.levers]
    if unknown:
        raise LeverUseError(f"onbekende hefboom: {', '.join(unknown)}; bekend: "
                            f"{', '.join(sorted(lib.levers))}")
    base = default_scenario(area, draws, seed)
    ev = _Evaluator(base, target, chosen, probability)
    # refuse a lever set the lever rules refuse (before the search, in Dutch, not inside it)
    pipeline.specify(ev.package([lib[k].dosis.max for k in chosen], [FIRST_START] * len(chosen)),
                     "doelzoeker")
    last_start = target.jaar - 1
    bounds = ([(lib[k].dosis.min, lib[k].dosis.max) for k in chosen]
              + [(FIRST_START, last_start)] * len(chosen))
    integrality = [False] * len(chosen) + [True] * len(chosen)
    state = {"gen": 0}

    def callback(*_args, **_kwargs) -> None:
        state["gen"] += 1
        if progress is not None:
            progress(state["gen"], generations)

    differential_evolution(ev, bounds, integrality=integrality, vectorized=True,
                           updating="deferred", popsize=population, maxiter=generations,
                           seed=seed, polish=False, tol=0.0, callback=callback, init="sobol")
    feasible = [c for c in ev.seen if c.probability >= probability]
    best = min(feasible, key=lambda c: c.net_cost) if feasible else None
    spec = pipeline.specify(base, "doelzoeker")
    return Search(spec.codes[0], spec.names[0], target.sleutel, target.naam,
                  probability, chosen, ev.baseline_probability, best, tuple(front_of(ev.seen)),
                  len(ev.seen), best is not None, draws, seed)
