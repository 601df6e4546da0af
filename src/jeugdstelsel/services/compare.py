"""Compare scenarios on common random numbers: one engine call, paired differences.

All scenarios must share area, draws and seed (and the reported period), so draw ``d`` of every
scenario has the same model parameters and the same lever effect sizes; the difference between
two scenarios is then computed per draw and summarised afterwards (median and 80% interval of the
*paired* differences). Unpaired intervals would mix the model's uncertainty about the level into
the uncertainty about the effect and make every plan look insignificant.

For speed the scenarios are stacked along the draw axis and simulated in one call of
:func:`~jeugdstelsel.core.simulate.simulate` (the kernel is parallel over draws); scenarios whose
population assumptions differ get their own call.

Entry point for the CLI, the report and the web app: :func:`compare_scenarios`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jeugdstelsel.core import units as U
from jeugdstelsel.core.dimensions import Referrer
from jeugdstelsel.core.parameters import ParameterSet
from jeugdstelsel.levers import LeverPlan, Library, load_library
from jeugdstelsel.services import pipeline, provenance
from jeugdstelsel.services.calibration import Calibration
from jeugdstelsel.services.provenance import Provenance
from jeugdstelsel.services.scenario import Scenario, ScenarioError

INTERVAL = (10.0, 90.0)  # the 80% interval


@dataclass(frozen=True)
class Indicator:
    """A comparison indicator: Dutch label, unit and how a council term sums it up."""

    key: str
    label_nl: str
    unit: U.Unit
    term: str  # "gemiddelde" (per year over the term) or "som" (total over the term)
    headline: bool = False


# Units of the indicators: checked types (core.units); branch on ``.dimension``, never on text.
PERSONS_PER_YEAR = U.Unit(U.Dimension.COUNT, "jongeren per jaar")
YOUNG_PEOPLE = U.Unit(U.Dimension.COUNT, "jongeren")
EURO_PER_YOUNG_PERSON = U.Unit(U.Dimension.EURO, "jongere")

INDICATORS: tuple[Indicator, ...] = (
    Indicator("eerste_lijn", "Jongeren in de eerste lijn (wijkteam, POH-jeugd, school)",
              PERSONS_PER_YEAR, "gemiddelde", True),
    Indicator("specialistisch_zonder_verblijf", "Specialistische jeugdhulp zonder verblijf",
              PERSONS_PER_YEAR, "gemiddelde", True),
    Indicator("specialistisch_met_verblijf", "Jeugdhulp met verblijf", PERSONS_PER_YEAR,
              "gemiddelde", True),
    Indicator("specialistisch", "Jongeren in specialistische jeugdhulp", PERSONS_PER_YEAR,
              "gemiddelde", True),
    Indicator("jeugdzorg", "Jongeren met jeugdzorg (CBS-definitie)", PERSONS_PER_YEAR,
              "gemiddelde"),
    Indicator("trajecten_specialistisch", "Gestarte specialistische trajecten", U.TRAJECTORIES,
              "som"),
    Indicator("herhaald_beroep_pct", "Herhaald beroep", U.PERCENT_OF_STARTS,
              "gemiddelde", True),
    Indicator("wachttijd_weken", "Wachttijd specialistische hulp", U.WEEKS, "gemiddelde", True),
    Indicator("wachtlijst", "Wachtlijst (eind jaar)", YOUNG_PEOPLE, "gemiddelde"),
    Indicator("verblijf_plaatsingen", "Nieuwe plaatsingen met verblijf", YOUNG_PEOPLE, "som", True),
    Indicator("uitgaven", "Uitgaven jeugdzorg incl. hefbomen", U.EURO, "som", True),
    Indicator("uitgaven_hefbomen", "Kosten van de hefbomen", U.EURO, "som"),
    Indicator("uitgaven_per_jongere", "Uitgaven per jongere met jeugdzorg", EURO_PER_YOUNG_PERSON,
              "gemiddelde", True),
)
INDICATORS_BY_KEY = {i.key: i for i in INDICATORS}


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario of a comparison: its per-draw series and indicators for the one area."""

    name: str
    source: str
    scenario: Scenario
    plan: LeverPlan
    series: dict[str, np.ndarray]  # key -> (draws, years), the area of the comparison
    indicators: dict[str, np.ndarray]  # key -> (draws, years)
    flows: dict[str, np.ndarray]  # flow name -> (draws, years), for the flow chart
    params: ParameterSet


@dataclass(frozen=True)
class Comparison:
    """Scenarios on common random numbers; the first is the reference."""

    years: np.ndarray
    area: str
    area_name: str
    results: tuple[ScenarioResult, ...]
    singles: dict[str, tuple[ScenarioResult, ...]] = field(default_factory=dict)
    provenance: Provenance | None = None  # tool version, calibration, data vintage, seed

    @property
    def base(self) -> ScenarioResult:
        return self.results[0]

    @property
    def n_draws(self) -> int:
        return self.base.scenario.simulatie.trekkingen

    def term_years(self, start: int, length: int = 4) -> np.ndarray:
        """Boolean mask of the council term within the reported years."""
        years = np.arange(start, start + length)
        missing = sorted(set(years) - set(self.years.tolist()))
        if missing:
            raise ScenarioError(f"raadsperiode {start}-{start + length - 1} valt niet binnen de "
                                f"periode {self.years[0]}-{self.years[-1]} van de scenario's; "
                                f"ontbrekende jaren: {', '.join(map(str, missing))}")
        return np.isin(self.years, years)

    def differences(self) -> pd.DataFrame:
        """Per year, indicator and scenario: paired difference vs the reference."""
        rows = []
        for res in self.results[1:]:
            for ind in INDICATORS:
                diff = res.indicators[ind.key] - self.base.indicators[ind.key]
                stats = paired_stats(diff)
                for j, year in enumerate(self.years):
                    rows.append({"scenario": res.name, "indicator": ind.key,
                                 "omschrijving": ind.label_nl, "eenheid": ind.unit,
                                 "jaar": int(year),
                                 "referentie_mediaan": float(np.median(
                                     self.base.indicators[ind.key][:, j])),
                                 "scenario_mediaan": float(np.median(
                                     res.indicators[ind.key][:, j])),
                                 **{k: float(v[j]) for k, v in stats.items()}})
        return pd.DataFrame(rows)

    def term(self, start: int, length: int = 4) -> pd.DataFrame:
        """The council term as a whole: per-draw totals or means first, then the statistics."""
        mask = self.term_years(start, length)
        rows = []
        for res in self.results[1:]:
            for ind in INDICATORS:
                b = term_value(self.base.indicators[ind.key], mask, ind.term)
                p = term_value(res.indicators[ind.key], mask, ind.term)
                stats = paired_stats(p - b)
                rows.append({"scenario": res.name, "indicator": ind.key,
                             "omschrijving": ind.label_nl, "eenheid": ind.unit,
                             "raadsperiode": f"{start}-{start + length - 1}",
                             "optelling": ind.term,
                             "referentie_mediaan": float(np.median(b)),
                             "scenario_mediaan": float(np.median(p)),
                             **{k: float(v) for k, v in stats.items()}})
        return pd.DataFrame(rows)

    def levels(self) -> pd.DataFrame:
        """Per scenario, indicator and year: median and 80% interval of the level."""
        rows = []
        for res in self.results:
            for ind in INDICATORS:
                v = res.indicators[ind.key]
                lo, med, hi = np.percentile(v, [INTERVAL[0], 50.0, INTERVAL[1]], axis=0)
                for j, year in enumerate(self.years):
                    rows.append({"scenario": res.name, "indicator": ind.key,
                                 "omschrijving": ind.label_nl, "eenheid": ind.unit,
                                 "jaar": int(year), "mediaan": med[j], "p10": lo[j],
                                 "p90": hi[j]})
        return pd.DataFrame(rows)

    def draws(self) -> pd.DataFrame:
        """Every draw of every indicator (long format), so others can recompute the pairing."""
        frames = []
        for res in self.results:
            for ind in INDICATORS:
                v = res.indicators[ind.key]
                d, y = np.meshgrid(np.arange(v.shape[0]), self.years, indexing="ij")
                frames.append(pd.DataFrame({"scenario": res.name, "indicator": ind.key,
                                            "trekking": d.ravel(), "jaar": y.ravel(),
                                            "waarde": v.ravel()}))
        return pd.concat(frames, ignore_index=True)


def paired_stats(diff: np.ndarray) -> dict[str, np.ndarray]:
    """Median and 80% interval over draws (axis 0) of per-draw differences, plus P(diff < 0)."""
    lo, med, hi = np.percentile(diff, [INTERVAL[0], 50.0, INTERVAL[1]], axis=0)
    return {"verschil_mediaan": med, "verschil_p10": lo, "verschil_p90": hi,
            "kans_lager": (diff < 0).mean(axis=0)}


def term_value(values: np.ndarray, mask: np.ndarray, how: str) -> np.ndarray:
    """Per draw: the sum or the mean over the term's years."""
    sub = values[:, mask]
    return sub.sum(axis=1) if how == "som" else sub.mean(axis=1)


def check_comparable(scenarios: Sequence[tuple[str, Scenario]]) -> None:
    """Refuse scenarios that cannot share random numbers, naming the files and keys."""
    (ref_src, ref), *rest = scenarios
    problems = []
    for src, sc in rest:
        for key, a, b in (("gebied.gemeente", ref.gebied.gemeente, sc.gebied.gemeente),
                          ("simulatie.trekkingen", ref.simulatie.trekkingen,
                           sc.simulatie.trekkingen),
                          ("simulatie.zaad", ref.simulatie.zaad, sc.simulatie.zaad),
                          ("periode.start", ref.periode.start, sc.periode.start),
                          ("periode.eind", ref.periode.eind, sc.periode.eind)):
            if a != b:
                problems.append(f"{src}: '{key}' is {b!r}, maar in {ref_src} {a!r}")
    if problems:
        raise ScenarioError("de scenario's zijn niet vergelijkbaar met gemeenschappelijke "
                            "trekkingen (zelfde gebied, periode, aantal trekkingen en zaad "
                            "nodig):\n" + "\n".join(f"- {p}" for p in problems))


def _indicators(series: dict[str, np.ndarray], by_group: dict[str, np.ndarray],
                totals: dict[str, np.ndarray], params: ParameterSet, first: int
                ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Indicators and flows per draw and year for area 0 from the engine's accumulators.

    The CBS series count only part of the first line (``fl_cbs_share``) and fold it into
    'zonder verblijf'; the council asks about layers, so the layers are rebuilt here from the
    same accumulators: first line = stock at the start of the year plus all starts.
    """
    def yearly(x: np.ndarray, how: str) -> np.ndarray:  # (D, M, P[, 2]) -> (D, years)
        x = x[:, 0]
        if x.ndim == 3:
            x = x.sum(-1)
        x = x.reshape(x.shape[0], -1, 2)
        x = x.sum(-1) if how == "sum" else x[:, :, 0]
        return x[:, first:]

    cbs = params["fl_cbs_share"][:, 0][:, None]
    tpe = params["trajectories_per_episode"][:, 0][:, None]
    fl_starts = yearly(by_group["fl_reported_starts"], "sum") / cbs
    first_line = yearly(by_group["first_line"], "first") + fl_starts
    area = {k: v[:, 0, first:] for k, v in series.items()}
    zonder = area["jeugdhulp_zonder_verblijf_0_22"] - area["jeugdhulp_wijkteam_0_22"]
    met = area["jeugdhulp_met_verblijf_0_22"]
    intake_amb = yearly(by_group["intake_ambulatory"], "sum")
    intake_res = yearly(by_group["intake_residential"], "sum")
    ind = {
        "eerste_lijn": first_line,
        "specialistisch_zonder_verblijf": zonder,
        "specialistisch_met_verblijf": met,
        "specialistisch": zonder + met,
        "jeugdzorg": area["jeugdzorg_0_22"],
        "trajecten_specialistisch": (intake_amb + intake_res) * tpe,
        "herhaald_beroep_pct": area["herhaald_beroep_pct"],
        "wachttijd_weken": area["wachttijd_weken"],
        "wachtlijst": area["wachtlijst"],
        "verblijf_plaatsingen": area["verblijf_plaatsingen"],
        "uitgaven": area["uitgaven"],
        "uitgaven_hefbomen": area["uitgaven_hefbomen"],
        "uitgaven_per_jongere": area["uitgaven_per_jongere_in_zorg"],
    }

    def ref(r: Referrer) -> np.ndarray:
        return yearly(totals[f"starts_ref_{r.name.lower()}"], "sum")

    escalated = np.maximum(ref(Referrer.LOCAL_TEAM) - fl_starts * cbs, 0.0)
    flows = {
        "eerste_lijn_in": fl_starts,
        "eerste_lijn_opgeschaald": escalated,
        "eerste_lijn_afgerond": np.maximum(fl_starts - escalated, 0.0),
        "huisarts": ref(Referrer.GP),
        "jeugdarts_geen_verwijzer": ref(Referrer.YOUTH_DOCTOR) + ref(Referrer.NONE),
        "medisch_specialist": ref(Referrer.MEDICAL_SPECIALIST),
        "rechter_gi": ref(Referrer.CERTIFIED_INSTITUTION) + ref(Referrer.COURT),
        "herhaald_beroep": yearly(totals["starts_reentry"], "sum"),
        "start_zonder_verblijf": intake_amb,
        "start_met_verblijf": intake_res,
    }
    return ind, flows


def compare_scenarios(scenarios: Sequence[tuple[str, Scenario]], *,
                      per_lever: bool = False, calibration: Calibration | None = None,
                      library: Library | None = None, codes: list[str] | None = None
                      ) -> Comparison:
    """Run ``(source, scenario)`` pairs on common random numbers; the first is the reference.

    ``per_lever`` adds, for every scenario after the first, one run per lever with only that
    lever (the rest of the scenario unchanged): the cost-effectiveness per lever. ``codes``
    (one GM code) overrides the scenario's area, for the web app. Everything is validated
    (:func:`pipeline.specify`) before anything runs.
    """
    if len(scenarios) < 2:
        raise ScenarioError("vergelijken vraagt minstens twee scenario's: een referentie en een "
                            "plan")
    check_comparable(scenarios)
    lib = library or load_library()
    specs = [pipeline.specify(sc, src, codes=codes, library=lib) for src, sc in scenarios]
    names = _unique_names(scenarios)
    parents: list[str | None] = [None] * len(specs)
    labels = list(names)
    if per_lever:
        for name, spec in list(zip(names[1:], specs[1:], strict=True)):
            if len(spec.plan.active) < 2:
                continue  # a single lever is its own scenario
            for a in spec.plan.active:
                single = spec.scenario.model_copy(update={"hefbomen": (a.use,)})
                specs.append(pipeline.specify(single, spec.source, codes=codes, library=lib))
                labels.append(f"{name}: alleen {a.lever.naam}")
                parents.append(name)
    outcomes = pipeline.run_specs(specs, calibration=calibration)
    first = specs[0].first
    results = scenario_results(labels, outcomes, first)
    singles: dict[str, list[ScenarioResult]] = {}
    for parent, res in zip(parents[len(scenarios):], results[len(scenarios):], strict=True):
        singles.setdefault(parent, []).append(res)
    from jeugdstelsel.services.calibration import load_shipped
    municipal = pipeline.calibration_used(outcomes[0].inputs.names, calibration)
    origin = provenance.for_comparison(list(scenarios), calibration or load_shipped(), municipal,
                                       names)
    return Comparison(specs[0].years, specs[0].codes[0], specs[0].names[0],
                      tuple(results[: len(scenarios)]),
                      {k: tuple(v) for k, v in singles.items()}, origin)


def scenario_results(labels: Sequence[str], outcomes: Sequence[pipeline.Outcome],
                      first: int) -> list[ScenarioResult]:
    """Each scenario's indicators and flows for area 0, from its share of the engine call.

    The indicators are computed once per stacked call (all of its members at once) and sliced.
    """
    per_call: dict[int, tuple[dict, dict]] = {}  # the executions live as long as this call
    results = []
    for name, o in zip(labels, outcomes, strict=True):
        ex, sl, spec = o.execution, o.execution.slices[o.index], o.spec
        if id(ex) not in per_call:
            per_call[id(ex)] = _indicators(ex.series, ex.result.by_group, ex.result.totals,
                                           ex.params, first)
        ind, flows = per_call[id(ex)]
        results.append(ScenarioResult(
            name, spec.source, spec.scenario, spec.plan,
            {k: v[sl, 0, first:] for k, v in ex.series.items()},
            {k: v[sl] for k, v in ind.items()}, {k: v[sl] for k, v in flows.items()},
            o.params))
    return results


def _unique_names(scenarios: Sequence[tuple[str, Scenario]]) -> list[str]:
    names: list[str] = []
    for src, sc in scenarios:
        name = sc.scenario.naam
        if name in names:
            name = f"{name} ({src})"
        names.append(name)
    return names
