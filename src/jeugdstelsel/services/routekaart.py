"""The Routekaart: the reform agenda's targets, computed for an area under the baseline and a plan.

"Halen we 1 op 10 in 2028?" The targets are data (``data/targets/routekaart.toml``, each with
its source); this module runs the baseline and the plan on common random numbers through the
pipeline and reports, per target, the path with its 80% band and the probability of reaching it
(the share of draws that do). The baseline of a plan is the same scenario without its levers, so
the difference between the two columns is the plan's effect, draw by draw.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jeugdstelsel.core.outputs import SERIES_BY_KEY
from jeugdstelsel.errors import PeriodError, ScenarioError
from jeugdstelsel.services import pipeline
from jeugdstelsel.services.compare import ScenarioResult, scenario_results
from jeugdstelsel.services.scenario import Scenario, validate

FIRST_SHOWN = 2022  # the last published year of the embedded national figures
LAST_TARGET_YEAR = 2030
SHARE_FIRST_LINE = "aandeel_eerste_lijn"


class Target(BaseModel):
    """One target of the reform agenda as declared in ``routekaart.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sleutel: str
    naam: str = Field(min_length=5)
    reeks: str
    soort: Literal["hoogstens", "minstens", "dalend", "stijgend", "volgen", "niet_gemodelleerd"]
    waarde: float | None = None
    basisjaar: int | None = None
    jaar: int = Field(ge=2025, le=LAST_TARGET_YEAR)
    bron: str = Field(min_length=10)
    url: str
    toelichting: str = ""

    @property
    def unit(self) -> str:
        if self.reeks == SHARE_FIRST_LINE:
            return "% van jongeren met hulp"
        return str(SERIES_BY_KEY[self.reeks].unit) if self.reeks else ""


@functools.lru_cache(maxsize=1)
def targets() -> tuple[Target, ...]:
    """The declared targets, checked (an invalid file is a bug in the package: said plainly)."""
    path = resources.files("jeugdstelsel.data") / "targets" / "routekaart.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, item in enumerate(raw.get("doel", [])):
        try:
            target = Target.model_validate(item)
        except ValidationError as exc:
            raise ScenarioError(f"routekaart.toml, doel[{i}]: {exc}") from exc
        if target.reeks and target.reeks != SHARE_FIRST_LINE and target.reeks not in SERIES_BY_KEY:
            raise ScenarioError(f"routekaart.toml, doel[{i}]: onbekende reeks '{target.reeks}'")
        out.append(target)
    return tuple(out)


@dataclass(frozen=True)
class Outlook:
    """One target under one scenario: the path (median and 80% band) and the probability."""

    target: Target
    scenario: str
    years: tuple[int, ...]
    p10: tuple[float, ...]
    median: tuple[float, ...]
    p90: tuple[float, ...]
    probability: float | None  # None for "volgen" and "niet_gemodelleerd"
    crossing: int | None  # first year the median path meets a threshold target

    @property
    def at_deadline(self) -> tuple[float, float, float]:
        j = self.years.index(self.target.jaar)
        return self.p10[j], self.median[j], self.p90[j]


@dataclass(frozen=True)
class Routekaart:
    """All targets for one area under the baseline and (optionally) a plan."""

    area: str
    area_name: str
    scenarios: tuple[str, ...]
    outlooks: tuple[Outlook, ...]
    published: dict[str, tuple[int, float]]  # series -> (last year, value), national only
    provenance: object

    def of(self, scenario: str) -> list[Outlook]:
        return [o for o in self.outlooks if o.scenario == scenario]


def _values(result: ScenarioResult, target: Target) -> np.ndarray:
    """Per draw and year, the quantity a target is about."""
    if target.reeks == SHARE_FIRST_LINE:
        first = result.indicators["eerste_lijn"]
        return 100 * first / np.maximum(first + result.indicators["specialistisch"], 1e-9)
    return result.series[target.reeks]


def outlook(result: ScenarioResult, years: np.ndarray, target: Target, name: str) -> Outlook:
    """The path of one target under one scenario, and the share of draws that reach it."""
    if target.soort == "niet_gemodelleerd":
        return Outlook(target, name, (), (), (), (), None, None)
    v = _values(result, target)
    lo, med, hi = np.percentile(v, [10.0, 50.0, 90.0], axis=0)
    j = int(np.flatnonzero(years == target.jaar)[0])
    probability: float | None = None
    crossing = None
    if target.soort in ("hoogstens", "minstens"):
        ok = v[:, j] <= target.waarde if target.soort == "hoogstens" else v[:, j] >= target.waarde
        probability = float(ok.mean())
        meets = med <= target.waarde if target.soort == "hoogstens" else med >= target.waarde
        crossing = int(years[np.argmax(meets)]) if meets.any() else None
    elif target.soort in ("dalend", "stijgend"):
        b = int(np.flatnonzero(years == target.basisjaar)[0])
        moved = v[:, j] < v[:, b] if target.soort == "dalend" else v[:, j] > v[:, b]
        probability = float(moved.mean())
    return Outlook(target, name, tuple(int(y) for y in years), tuple(map(float, lo)),
                   tuple(map(float, med)), tuple(map(float, hi)), probability, crossing)


def baseline_of(plan: Scenario) -> Scenario:
    """The plan without its levers: the same area, period, draws and seed."""
    info = plan.scenario.model_copy(update={"naam": "Basis (zonder hefbomen)"})
    return plan.model_copy(update={"hefbomen": (), "scenario": info})


def default_scenario(area: str, draws: int = 1000, seed: int = 2028) -> Scenario:
    return validate({"scenario": {"naam": "Basis: ongewijzigd beleid"},
                     "periode": {"start": FIRST_SHOWN, "eind": LAST_TARGET_YEAR},
                     "gebied": {"gemeente": area},
                     "simulatie": {"trekkingen": draws, "zaad": seed}}, "routekaart")


def routekaart(plan: Scenario | None = None, source: str = "<scenario>", *,
               area: str | None = None, draws: int | None = None) -> Routekaart:
    """The Routekaart for ``area`` (default: the plan's area, or Nederland) and a plan.

    The plan's period is widened to 2022-2030 so that every target year is inside it.
    """
    from jeugdstelsel.services.provenance import for_comparison, for_run

    scenario = plan or default_scenario(area or "Nederland")
    updates: dict = {}
    if area is not None:
        updates["gebied"] = scenario.gebied.model_copy(update={"gemeente": area})
    period = scenario.periode
    if period.start > FIRST_SHOWN or period.eind < LAST_TARGET_YEAR:
        updates["periode"] = period.model_copy(update={
            "start": min(period.start, FIRST_SHOWN), "eind": max(period.eind, LAST_TARGET_YEAR)})
    if draws is not None:
        updates["simulatie"] = scenario.simulatie.model_copy(update={"trekkingen": draws})
    scenario = scenario.model_copy(update=updates) if updates else scenario
    if scenario.simulatie.trekkingen < 100:
        raise PeriodError("een Routekaart heeft minstens 100 trekkingen nodig voor een kans "
                          f"(kreeg {scenario.simulatie.trekkingen})")
    pairs = [("basis", baseline_of(scenario))] if plan is not None and plan.hefbomen else []
    pairs.append((source, scenario))
    specs = [pipeline.specify(sc, src) for src, sc in pairs]
    labels = [sc.scenario.naam for _, sc in pairs]
    outcomes = pipeline.run_specs(specs)
    results = scenario_results(labels, outcomes, specs[0].first)
    years = specs[0].years
    outlooks = tuple(outlook(r, years, t, r.name) for r in results for t in targets())
    from jeugdstelsel.services.calibration import load_shipped

    cal = load_shipped()
    municipal = pipeline.calibration_used(outcomes[0].inputs.names, None)
    origin = (for_comparison(pairs, cal, municipal, labels) if len(pairs) > 1
              else for_run(scenario, cal, municipal, source))
    return Routekaart(specs[0].codes[0], specs[0].names[0], tuple(labels), outlooks,
                      _published() if specs[0].national else {}, origin)


def _published() -> dict[str, tuple[int, float]]:
    """The last published national value of each target series (for the 'nu' column)."""
    from jeugdstelsel.data.refdata import annual

    out = {}
    for t in targets():
        observed = SERIES_BY_KEY[t.reeks].observed if t.reeks in SERIES_BY_KEY else None
        if observed:
            rows = annual(observed)
            if rows:
                year = max(rows)
                out[t.reeks] = (year, rows[year][0])
    return out
