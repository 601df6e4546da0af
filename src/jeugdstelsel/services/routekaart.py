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
    return outlook_of(_values(result, target), years, target, name)


def reached(v: np.ndarray, years: np.ndarray, target: Target, year: int) -> np.ndarray | None:
    """Per draw (and area) whether ``target`` is met in ``year``; None without a criterion.

    ``v``: ``(draws, ..., years)``. Threshold targets compare with their value, 'dalend' and
    'stijgend' with the same draw's value in the base year.
    """
    j = int(np.flatnonzero(years == year)[0])
    if target.soort == "hoogstens":
        return v[..., j] <= target.waarde
    if target.soort == "minstens":
        return v[..., j] >= target.waarde
    if target.soort in ("dalend", "stijgend"):
        b = int(np.flatnonzero(years == target.basisjaar)[0])
        return v[..., j] < v[..., b] if target.soort == "dalend" else v[..., j] > v[..., b]
    return None


def outlook_of(v: np.ndarray, years: np.ndarray, target: Target, name: str) -> Outlook:
    """:func:`outlook` for the target's values per draw and year ``(draws, years)``."""
    lo, med, hi = np.percentile(v, [10.0, 50.0, 90.0], axis=0)
    ok = reached(v, years, target, target.jaar)
    probability = None if ok is None else float(ok.mean())
    crossing = None
    if target.soort in ("hoogstens", "minstens"):
        meets = med <= target.waarde if target.soort == "hoogstens" else med >= target.waarde
        crossing = int(years[np.argmax(meets)]) if meets.any() else None
    return Outlook(target, name, tuple(int(y) for y in years), tuple(map(float, lo)),
                   tuple(map(float, med)), tuple(map(float, hi)), probability, crossing)


# -- the Routekaart of every municipality, computed inside the national sweep ----------------

SWEEP_YEARS = (2028, 2030)  # the years the all-municipality table reports


def first_line_share(execution, members: slice, first: int) -> np.ndarray:
    """The first line's share (%) of young people in care per draw, area and year.

    The same layers as :func:`jeugdstelsel.services.compare._indicators` (first line = stock at
    the start of the year plus all starts, the CBS share undone; specialist = help without
    residence minus the local team, plus help with residence), for every area of a stacked
    engine call at once. ``first``: index of the first reported year in the simulated years.
    """
    by_group = execution.result.by_group

    def yearly(x: np.ndarray, how: str) -> np.ndarray:  # (D, M, P[, 2]) -> (D, M, years)
        x = x[members]
        if x.ndim == 4:
            x = x.sum(-1)
        x = x.reshape(x.shape[0], x.shape[1], -1, 2)
        x = x.sum(-1) if how == "sum" else x[..., 0]
        return x[:, :, first:]

    cbs = execution.params["fl_cbs_share"][members][:, :, None]
    first_line = yearly(by_group["first_line"], "first") + yearly(
        by_group["fl_reported_starts"], "sum") / cbs
    s = {k: execution.series[k][members] for k in (
        "jeugdhulp_zonder_verblijf_0_22", "jeugdhulp_wijkteam_0_22", "jeugdhulp_met_verblijf_0_22")}
    specialist = (s["jeugdhulp_zonder_verblijf_0_22"] - s["jeugdhulp_wijkteam_0_22"]
                  + s["jeugdhulp_met_verblijf_0_22"])
    n = min(first_line.shape[-1], specialist.shape[-1])
    first_line, specialist = first_line[..., :n], specialist[..., :n]
    return 100 * first_line / np.maximum(first_line + specialist, 1e-9)


def sweep_rows(series: dict[str, np.ndarray], j: int, years: np.ndarray,
               scenario: str) -> list[dict]:
    """Routekaart rows of area ``j`` of a sweep block: per target and reported year the median,
    80% and 95% band over all draws and the share of draws that meet the target in that year.

    ``series[key]``: ``(draws, areas, years)``, including :data:`SHARE_FIRST_LINE`.
    """
    rows = []
    for t in targets():
        if t.soort == "niet_gemodelleerd":
            rows.append({"scenario": scenario, "doel": t.sleutel, "jaar": t.jaar,
                         "doeljaar": True, "p2.5": np.nan, "p10": np.nan, "mediaan": np.nan,
                         "p90": np.nan, "p97.5": np.nan, "kans": np.nan})
            continue
        v = series[t.reeks][:, j]
        for year in sorted({*SWEEP_YEARS, t.jaar}):
            if year not in years:
                continue
            k = int(np.flatnonzero(years == year)[0])
            q = np.percentile(v[:, k], [2.5, 10.0, 50.0, 90.0, 97.5])
            ok = reached(v, years, t, year)
            rows.append({"scenario": scenario, "doel": t.sleutel, "jaar": int(year),
                         "doeljaar": year == t.jaar, "p2.5": q[0], "p10": q[1], "mediaan": q[2],
                         "p90": q[3], "p97.5": q[4],
                         "kans": np.nan if ok is None else float(ok.mean())})
    return rows


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


@dataclass(frozen=True)
class AllMunicipalities:
    """The Routekaart of every municipality (from the sweep) and of the country."""

    table: object  # pandas.DataFrame: one row per municipality, scenario, target and year
    summary: object  # pandas.DataFrame: per scenario and threshold target, municipalities
    national: Routekaart
    scenarios: tuple[str, ...]
    report: object  # jeugdstelsel.services.sweep.SweepReport
    seconds: float


def sweep_scenarios(plan: Scenario | None, draws: int | None
                    ) -> tuple[list[Scenario], list[str]]:
    """The scenarios of the all-municipality Routekaart: the baseline and (with levers) the plan,
    widened to 2022-2030 as in :func:`routekaart`."""
    scenario = plan or default_scenario("Nederland", draws or 1000)
    period = scenario.periode
    updates: dict = {"periode": period.model_copy(update={
        "start": min(period.start, FIRST_SHOWN), "eind": max(period.eind, LAST_TARGET_YEAR)})}
    if draws is not None:
        updates["simulatie"] = scenario.simulatie.model_copy(update={"trekkingen": draws})
    scenario = scenario.model_copy(update=updates)
    if scenario.simulatie.trekkingen < 100:
        raise PeriodError("een Routekaart heeft minstens 100 trekkingen nodig voor een kans "
                          f"(kreeg {scenario.simulatie.trekkingen})")
    if plan is not None and plan.hefbomen:
        return [baseline_of(scenario), scenario], ["basis", "plan"]
    return [scenario], ["basis"]


def routekaart_all(plan: Scenario | None = None, source: str = "<scenario>", *,
                   out, codes=None, draws: int | None = None, workers: int | None = None,
                   scheduler: str | None = None, client=None, progress=None) -> AllMunicipalities:
    """The Routekaart for every municipality through the national sweep, and for the country.

    The sweep (:mod:`jeugdstelsel.services.sweep`: Dask, chunks, resume) runs the baseline and
    the plan on common random numbers; each finished block computes the targets from all its
    draws (:func:`sweep_rows`) before the statistics are taken, so the probabilities are shares
    of draws, as for one municipality. The country comes from :func:`routekaart` (the national
    model, one area), on the same scenarios and draws.
    """
    import time
    from pathlib import Path

    import pandas as pd
    import pyarrow.parquet as pq

    from jeugdstelsel.data.municipalities import municipality_table
    from jeugdstelsel.services import sweep
    from jeugdstelsel.services.sweep_store import ROUTEKAART

    t0 = time.perf_counter()
    scenarios, names = sweep_scenarios(plan, draws)
    sp = sweep.plan_scenarios(scenarios, names, [source] * len(names), codes=codes,
                              routekaart=True)
    out = Path(out)
    report = sweep.run_sweep(sp, out, scheduler=scheduler, workers=workers, client=client,
                             progress=progress)
    frames = []
    for name in sp.names:
        for code in sp.codes:
            path = out / ROUTEKAART / f"scenario={name}" / f"gemeente={code}" / "part.parquet"
            frame = pq.read_table(path).to_pandas()
            frame.insert(0, "gemeente", code)
            frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    municipalities = municipality_table().set_index("gm_code")["name"]
    table.insert(1, "gemeentenaam", table["gemeente"].map(municipalities))
    by_key = {t.sleutel: t for t in targets()}
    table.insert(4, "omschrijving", table["doel"].map(lambda k: by_key[k].naam))
    table.insert(5, "soort", table["doel"].map(lambda k: by_key[k].soort))
    table.insert(6, "streefwaarde", table["doel"].map(lambda k: by_key[k].waarde))
    table["eenheid"] = table["doel"].map(lambda k: by_key[k].unit)
    labels = dict(zip(sp.names, (s.scenario.naam for s in scenarios), strict=True))
    national = routekaart(plan, source, area="Nederland", draws=sp.draws)
    summary = summarise(table, labels)
    return AllMunicipalities(table, summary, national, tuple(sp.names), report,
                             time.perf_counter() - t0)


def summarise(table, labels: dict[str, str]):
    """Per scenario and threshold target (at its deadline): how many municipalities reach it
    with at least 50% (and 80%) probability, and the median of the municipalities' medians."""
    import pandas as pd

    rows = []
    deadline = table[table["doeljaar"] & table["soort"].isin(
        ["hoogstens", "minstens", "dalend", "stijgend"])]
    for (scenario, doel), g in deadline.groupby(["scenario", "doel"], sort=False):
        rows.append({"scenario": scenario, "scenarionaam": labels.get(scenario, scenario),
                     "doel": doel, "omschrijving": g["omschrijving"].iloc[0],
                     "jaar": int(g["jaar"].iloc[0]), "gemeenten": len(g),
                     "kans_minstens_50": int((g["kans"] >= 0.5).sum()),
                     "kans_minstens_80": int((g["kans"] >= 0.8).sum()),
                     "mediaan_van_gemeenten": float(g["mediaan"].median())})
    return pd.DataFrame(rows)
