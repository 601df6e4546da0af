"""The money and the doses of a council report: per budget year, and per lever in local units.

A raadsvoorstel books one-off ('incidenteel') and running ('structureel') costs separately and
per budget year ('begrotingsjaar'), so this module splits the levers' own costs exactly as the
engine counts them (:meth:`~jeugdstelsel.levers.LeverPlan.costs_by_lever`, same population
projection and the same drawn tariff index) and sets them beside the effect on care spending.
Every amount is a paired difference with the reference, summarised after the pairing: median
and 80% interval (p10-p90) over the draws.

Doses are translated into what a council can picture for *its* municipality (fte, schools,
euros) only where the lever library declares the basis for it (``kosten.grondslag``); a lever
without such a basis says so instead of getting an invented unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jeugdstelsel.core.dimensions import ADULT_AGE, MONTHS_PER_YEAR, REFERENCE_YEAR
from jeugdstelsel.levers import SCHOOL_AGE, project_population
from jeugdstelsel.numbers import nl_number
from jeugdstelsel.services import pipeline
from jeugdstelsel.services.compare import INTERVAL, Comparison, ScenarioResult


@dataclass(frozen=True)
class Band:
    """Median and 80% interval of a per-draw quantity."""

    median: float
    p10: float
    p90: float

    @classmethod
    def of(cls, values: np.ndarray) -> Band:
        lo, med, hi = np.percentile(values, [INTERVAL[0], 50.0, INTERVAL[1]])
        return cls(float(med), float(lo), float(hi))


@dataclass(frozen=True)
class BudgetYear:
    """One budget year of a plan against the reference (euro, paired per draw)."""

    year: int
    incidental: Band  # one-off lever costs
    structural: Band  # running lever costs
    care: Band  # effect on care spending (without the levers' own costs)
    net: Band  # all of it: levers plus care


@dataclass(frozen=True)
class DoseView:
    """One lever of a plan in the units of the municipality."""

    lever: str
    dose: str  # the dose as the library states it
    start: int
    local: str  # the dose translated (fte, schools, euro) or why it cannot be
    structural_per_year: Band | None  # running cost at the last year shown
    incidental_total: Band | None  # one-off cost over the whole period


@dataclass(frozen=True)
class _Costs:
    """Per draw and reported year: structural and incidental lever costs ``(draws, years)``,
    and per lever the same pair."""

    structural: np.ndarray
    incidental: np.ndarray
    by_lever: dict[str, tuple[np.ndarray, np.ndarray]]
    children: np.ndarray  # 0-17 per reported year (mean over the months)
    pupils: np.ndarray  # 4-17 per reported year


def _yearly(monthly: np.ndarray, first: int) -> np.ndarray:
    """``(months, draws, areas)`` -> ``(draws, years)`` for area 0 from reported year ``first``."""
    x = monthly[:, :, 0]
    x = x.reshape(-1, MONTHS_PER_YEAR, x.shape[1]).sum(axis=1).T
    return x[:, first:]


def lever_costs(comp: Comparison, res: ScenarioResult) -> _Costs:
    """The levers' costs of one scenario, split, for the comparison's area and years."""
    spec = pipeline.specify(res.scenario, res.source, codes=[comp.area])
    inputs = pipeline.build_inputs(spec)
    first = int(comp.years[0]) - REFERENCE_YEAR
    pop = project_population(inputs, spec.n_months)[:, 0]  # (months, ages)
    per_year = pop.reshape(-1, MONTHS_PER_YEAR, pop.shape[-1]).mean(axis=1)[first:]
    children = per_year[:, :ADULT_AGE].sum(-1)
    pupils = per_year[:, SCHOOL_AGE:ADULT_AGE].sum(-1)
    n = res.indicators["uitgaven"].shape
    parts = spec.plan.costs_by_lever(res.params, inputs, spec.n_months) if spec.plan.active \
        else {}
    by_lever = {k: (_yearly(s, first), _yearly(i, first)) for k, (s, i) in parts.items()}
    structural = sum((s for s, _ in by_lever.values()), np.zeros(n))
    incidental = sum((i for _, i in by_lever.values()), np.zeros(n))
    return _Costs(structural, incidental, by_lever, children, pupils)


def budget_years(comp: Comparison, res: ScenarioResult, years: np.ndarray,
                 costs: _Costs, base_costs: _Costs) -> list[BudgetYear]:
    """The plan against the reference per budget year in ``years``."""
    base = comp.base.indicators
    ind = res.indicators
    care = ((ind["uitgaven"] - ind["uitgaven_hefbomen"])
            - (base["uitgaven"] - base["uitgaven_hefbomen"]))
    net = ind["uitgaven"] - base["uitgaven"]
    inc = costs.incidental - base_costs.incidental
    struct = costs.structural - base_costs.structural
    out = []
    for year in years:
        j = int(np.flatnonzero(comp.years == year)[0])
        out.append(BudgetYear(int(year), Band.of(inc[:, j]), Band.of(struct[:, j]),
                              Band.of(care[:, j]), Band.of(net[:, j])))
    return out


def _nl(x: float, digits: int = 0) -> str:
    return nl_number(x, digits)


def _translate(lever, dose: float, children: float, pupils: float, per_school: float) -> str:
    """The dose in local units, from the basis the library declares for the lever."""
    basis = lever.kosten.grondslag
    unit = lever.dosis.eenheid
    if basis == "per_1000_kinderen_0_17":
        what = unit.split(" per 1.000")[0] if " per 1.000" in unit else "eenheden"
        return (f"{_nl(dose * children / 1000, 1)} {what} voor de {_nl(children)} kinderen van "
                "0-17 jaar in de gemeente")
    if basis == "scholen":
        schools = pupils / per_school
        return (f"{_nl(dose * schools)} van de ongeveer {_nl(schools)} scholen (geschat: "
                f"{_nl(pupils)} kinderen van 4-17 jaar gedeeld door {_nl(per_school)} "
                "leerlingen per school; vervang door het eigen aantal scholen)")
    if basis == "kinderen_0_17":
        return (f"{_nl(dose, 2)} × {_nl(lever.kosten.euro_per_eenheid_per_jaar, 2)} euro per "
                f"kind per jaar voor {_nl(children)} kinderen van 0-17 jaar; niet om te rekenen "
                "naar fte of scholen: de bibliotheek noemt daar geen grondslag voor")
    return ("niet om te rekenen naar fte, scholen of euro: de hefboom heeft in de bibliotheek "
            "geen eigen kosten; hij werkt via de zorgkosten (tarieven, duur of inkoop)")


def doses(comp: Comparison, res: ScenarioResult, costs: _Costs) -> list[DoseView]:
    """Each active lever of ``res`` with its dose in local units and its own costs."""
    out = []
    last = -1  # the last reported year: the levers run at full strength
    per_school = res.plan.library.pupils_per_school
    for a in res.plan.active:
        lever = a.lever
        j = int(np.flatnonzero(comp.years == a.use.start)[0]) if a.use.start in comp.years \
            else 0
        struct, inc = costs.by_lever.get(lever.key, (None, None))
        has_cost = lever.kosten.grondslag != "geen"
        out.append(DoseView(
            lever.naam, f"{_nl(a.use.dosis, 2)} {lever.dosis.eenheid}", a.use.start,
            _translate(lever, a.use.dosis, float(costs.children[j]), float(costs.pupils[j]),
                       per_school),
            Band.of(struct[:, last]) if has_cost and struct is not None else None,
            Band.of(inc.sum(axis=1)) if has_cost and inc is not None and inc.any() else None))
    return out
