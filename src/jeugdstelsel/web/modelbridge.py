"""The one place where the web application talks to the model, lever and comparison services.

Pages, the scenario worker and the API ask this module and render what it returns, or say
plainly that the model is not available (``Answer.reason``, in Dutch). The services it calls:

* ``jeugdstelsel.services.scenario.Scenario`` / ``parse`` — a scenario (period, area, levers,
  draws, seed);
* ``jeugdstelsel.services.run.run(scenario) -> RunResult`` (through the one pipeline,
  :mod:`jeugdstelsel.services.pipeline`) — the dashboard's model band
  (``RunResult.series[key]`` is ``(draws, areas, years)``);
* ``jeugdstelsel.levers.load_library()`` — the levers a user can pick in the scenario lab;
* ``jeugdstelsel.services.compare.compare_scenarios`` — reference and plan on common random
  numbers (paired draws), ``effectiveness.cost_effectiveness`` and ``sensitivity.sensitivity``;
* ``jeugdstelsel.services.routekaart.routekaart(area=, draws=)`` — the reform agenda's targets
  under unchanged policy (the dashboard's Routekaart page);
* ``services.municipal_calibration.stored_for_run`` — whether a municipality has a calibration
  on its own figures (then, and only then, the dashboard draws its band);
* ``jeugdstelsel.services.calibration.load_shipped()`` and ``core.model`` /
  ``services.modeldoc`` — the transparency page's declaration and holdout error.

``SERVICE_MODULE`` is imported first: when it cannot be imported the model counts as absent
(tests switch the model off that way, so ordinary page tests stay fast).
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from jeugdstelsel.web.charts import Band

log = logging.getLogger(__name__)

SERVICE_MODULE = "jeugdstelsel.services.run"
DASHBOARD_DRAWS = 200
DASHBOARD_SEED = 7
DASHBOARD_PERIOD = (2015, 2028)
#: Draws per scenario in the lab: 400 keeps a comparison for one municipality at about one to
#: two seconds; the 80% intervals of paired differences are then stable to a few percent.
LAB_DRAWS = 400
LAB_SEED = 42
LAB_START = 2020
TERM_START, TERM_LENGTH = 2026, 4  # the council term 2026-2029 (elections March 2026)
BAND = (5.0, 95.0)


@dataclass(frozen=True)
class Answer:
    """A value from the services, or why there is none (shown to the user in Dutch)."""

    value: Any = None
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.value is not None


NOT_YET = "Het rekenmodel is in deze installatie nog niet beschikbaar."
FAILED = "Het rekenmodel gaf een fout; de beheerder kan het logboek bekijken."


def available() -> bool:
    """Can the model services be imported here?"""
    try:
        importlib.import_module(SERVICE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and SERVICE_MODULE.startswith(exc.name):
            return False
        raise
    return True


def _declared_outputs():
    try:
        from jeugdstelsel.core.outputs import SERIES
    except ImportError:
        return ()
    return SERIES


def observed_to_output() -> dict[str, str]:
    """Observed reference series -> model output key with the same definition."""
    return {s.observed: s.key for s in _declared_outputs() if s.observed}


# -- dashboard band ------------------------------------------------------------------------------

#: Bumped by ``clear_cache``; pages that cache what they built from the model key on it.
generation = 0
BUSY = ("De modelberekening voor {area} loopt nu (een paar seconden); ververs de pagina zo "
        "meteen om de modelband te zien.")


class _Answers:
    """Answers computed once per process and key, each key under its own lock.

    Why per key: with one lock for all, the first visitor of a municipality (a model run of a
    second or more) held up every other visitor of every other area. ``wait=False`` puts the
    computation in one background thread and returns None at once, so a page never waits for
    a model run it does not need to show this second.
    """

    def __init__(self) -> None:
        self._done: dict[tuple, Answer] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._pending: set[tuple] = set()
        self._guard = threading.Lock()
        self._pool = None

    def clear(self) -> None:
        with self._guard:
            self._done.clear()

    def ready(self, key: tuple) -> Answer | None:
        with self._guard:
            return self._done.get(key)

    def get(self, key: tuple, compute, *, wait: bool = True) -> Answer | None:
        with self._guard:
            if key in self._done:
                return self._done[key]
            if not wait:
                if key not in self._pending:
                    self._pending.add(key)
                    if self._pool is None:
                        from concurrent.futures import ThreadPoolExecutor

                        self._pool = ThreadPoolExecutor(1, thread_name_prefix="modelbridge")
                    self._pool.submit(self._background, key, compute)
                return None
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._done:
                    return self._done[key]
            answer = compute()
            with self._guard:
                self._done[key] = answer
                self._pending.discard(key)
            return answer

    def _background(self, key: tuple, compute) -> None:
        try:
            self.get(key, compute)
        finally:
            with self._guard:
                self._pending.discard(key)


_answers = _Answers()


def clear_cache() -> None:
    global generation
    _answers.clear()
    generation += 1


def cache_key() -> tuple:
    """Changes whenever what the model would answer may have changed."""
    return (SERVICE_MODULE, DASHBOARD_DRAWS, generation)


def _compute_run(area: str) -> Answer:
    if not available():
        return Answer(reason=NOT_YET)
    try:
        from jeugdstelsel.services.run import run
        from jeugdstelsel.services.scenario import Scenario

        scenario = Scenario.model_validate(
            {
                "scenario": {"naam": "Dashboard"},
                "periode": {"start": DASHBOARD_PERIOD[0], "eind": DASHBOARD_PERIOD[1]},
                "gebied": {"gemeente": area},
                "simulatie": {"trekkingen": DASHBOARD_DRAWS, "zaad": DASHBOARD_SEED},
            }
        )
        return Answer(value=run(scenario))
    except Exception:  # the page must still render; the log keeps the details
        log.exception("modelbridge: run for %s failed", area)
        return Answer(reason=FAILED)


def _area_run(area: str, wait: bool = True) -> Answer | None:
    """One baseline run per area and process (None: being computed in the background)."""
    return _answers.get(("run", area, cache_key()), lambda: _compute_run(area), wait=wait)


def municipally_calibrated(code: str) -> bool:
    """Does a calibration on this municipality's own figures exist (without running the model)?

    The hierarchical municipal calibration (``services.municipal_calibration``) holds every
    municipality it fitted; a municipality outside it only has the national parameters.
    """
    if not available():
        return False
    try:
        from jeugdstelsel.services.municipal_calibration import stored_for_run

        return code in stored_for_run([code])
    except Exception:  # no fit shipped, or an older version of the service
        log.debug("modelbridge: no municipal calibration for %s", code, exc_info=True)
        return False


def warm(codes: tuple[str, ...] | None = None) -> None:
    """Compute the bands before the first visitor asks (``jeugdstelsel serve``).

    The country first, then its Routekaart, then every municipality with a Kwaliteitskompas
    workspace here (the ones people will look at), so their dashboard and Routekaart answer
    from memory.
    """
    _area_run("Nederland")
    routekaart_for("Nederland")
    if codes is None:
        try:
            from jeugdstelsel.web.kompas.models import Municipality

            codes = tuple(Municipality.objects.values_list("code", flat=True))
        except Exception:  # database not migrated yet
            codes = ()
    for code in codes:
        if municipally_calibrated(code):
            _area_run(code)
        routekaart_for(code)


def calibrated_for(result, code: str) -> bool:
    """Was this run calibrated on the area itself (not only on national figures)?"""
    info = getattr(result, "calibration_info", {}) or {}
    municipal = str((info.get("gemeentelijke_kalibratie") or {}).get(code, ""))
    if municipal.startswith("hiërarchische"):
        return True
    area = str(info.get("area", "")).strip().lower()
    names = {str(x).strip().lower() for x in (*result.areas, *result.area_names)}
    return area in names or area == code.lower()


NOT_CALIBRATED = ("Het model is voor deze gemeente nog niet op haar eigen cijfers "
                  "gekalibreerd; daarom staat hier geen modelband.")


def band_for(observed_series: str, code: str | None = None, *, wait: bool = True) -> Answer:
    """The model's 90% band for an observed dashboard series, as a chart ``Band``.

    National by default; for a municipality only when a calibration for that municipality
    exists (a nationally calibrated band around a municipality's figures would look like
    knowledge the model does not have). ``wait=False``: when the run is not there yet it is
    started in the background and the answer says so.
    """
    key = observed_to_output().get(observed_series)
    if key is None:
        return Answer(reason="Het model rekent deze reeks niet uit.")
    if not available():
        return Answer(reason=NOT_YET)
    if code and not municipally_calibrated(code):
        return Answer(reason=NOT_CALIBRATED)
    run = _area_run(code or "Nederland", wait=wait)
    if run is None:
        return Answer(reason=BUSY.format(area="deze gemeente"))
    if not run.available:
        return run
    result = run.value
    if code and not calibrated_for(result, code):
        return Answer(reason=NOT_CALIBRATED)
    values = result.series.get(key)
    if values is None:
        return Answer(reason="Het model rekent deze reeks niet uit.")
    lower, upper = np.percentile(values[:, 0, :], BAND, axis=0)
    return Answer(
        value=Band(
            name="Model, 90%-interval",
            xs=tuple(float(y) for y in result.years),
            lower=tuple(float(v) for v in lower),
            upper=tuple(float(v) for v in upper),
        )
    )


# -- Routekaart ---------------------------------------------------------------------------------

#: Draws of the dashboard's Routekaart: a probability to half a percentage point, about two
#: seconds for one area on the reference machine (computed once per area and process).
ROUTEKAART_DRAWS = 200


@dataclass(frozen=True)
class TargetView:
    """One Routekaart target under the baseline, ready for a page (Dutch labels)."""

    key: str
    name: str
    kind: str  # hoogstens, minstens, dalend, stijgend, volgen, niet_gemodelleerd
    value: float | None
    year: int
    unit: str
    source: str
    url: str
    note: str
    probability: float | None
    years: tuple[int, ...]
    p10: tuple[float, ...]
    median: tuple[float, ...]
    p90: tuple[float, ...]
    crossing: int | None
    published: tuple[int, float] | None

    @property
    def at_target_year(self) -> tuple[float, float, float] | None:
        if self.target_in_path:
            j = self.years.index(self.year)
            return self.p10[j], self.median[j], self.p90[j]
        return None

    @property
    def target_in_path(self) -> bool:
        return self.year in self.years


def _compute_routekaart(area: str) -> Answer:
    if not available():
        return Answer(reason=NOT_YET)
    try:
        from jeugdstelsel.services.routekaart import routekaart
    except ImportError:
        return Answer(reason="De Routekaart is in deze installatie nog niet beschikbaar.")
    try:
        kaart = routekaart(area=area, draws=ROUTEKAART_DRAWS)
    except Exception:
        log.exception("modelbridge: routekaart for %s failed", area)
        return Answer(reason=FAILED)
    name = kaart.scenarios[0]
    views = []
    for o in kaart.of(name):
        t = o.target
        views.append(
            TargetView(
                t.sleutel, t.naam, t.soort, t.waarde, t.jaar, t.unit, t.bron, t.url,
                t.toelichting, o.probability, tuple(o.years), tuple(o.p10), tuple(o.median),
                tuple(o.p90), o.crossing, kaart.published.get(t.reeks),
            )
        )
    return Answer(value={"area": kaart.area, "area_name": kaart.area_name, "scenario": name,
                         "draws": ROUTEKAART_DRAWS, "targets": views})


def routekaart_for(area: str, *, wait: bool = True) -> Answer:
    """The reform agenda's targets for an area under unchanged policy (``services.routekaart``).

    ``{"area", "area_name", "scenario", "draws", "targets": [TargetView]}``; ``wait=False``
    starts the computation in the background and says so.
    """
    if not available():
        return Answer(reason=NOT_YET)
    answer = _answers.get(("routekaart", area, ROUTEKAART_DRAWS, cache_key()),
                          lambda: _compute_routekaart(area), wait=wait)
    if answer is None:
        return Answer(reason=BUSY.format(area="de Routekaart").replace("de modelband",
                                                                        "de uitkomst"))
    return answer


# -- outputs a goal can be tied to -------------------------------------------------------------


def _indicators():
    try:
        from jeugdstelsel.services.compare import INDICATORS
    except ImportError:
        return ()
    return INDICATORS


def output_keys() -> dict[str, str]:
    """Model outputs a goal can be tied to (key -> Dutch label).

    The lab's indicators (layers, waiting time, spending) first, then every declared series.
    """
    keys = {i.key: f"{i.label_nl} ({i.unit})" for i in _indicators()}
    for s in _declared_outputs():
        keys.setdefault(s.key, f"{s.label_nl} ({s.unit})")
    return keys


# -- transparency ------------------------------------------------------------------------------


def model_declaration() -> Answer:
    """What the Algoritmeregister asks about the model, from the model's own declaration."""
    if not available():
        return Answer(reason=NOT_YET)
    try:
        return Answer(value=_declaration())
    except Exception:
        log.exception("modelbridge: model declaration failed")
        return Answer(reason=FAILED)


def _declaration() -> dict[str, Any]:
    from jeugdstelsel.core.model import FLOWS, PARAMETERS, STOCKS
    from jeugdstelsel.services.calibration import load_shipped
    from jeugdstelsel.services.modeldoc import parameter_rows

    cal = load_shipped()
    holdout = cal.holdout or {}
    mae = holdout.get("mean_abs_error_pct", {}) or {}
    method_labels = {
        "model": "dit model",
        "rechte_trendlijn": "rechte trendlijn door de voorgaande jaren",
        "vorig_jaar_herhaald": "vorig jaar herhaald",
    }
    rows = []
    for r in holdout.get("rows", []):
        rows.append(
            {
                "reeks": r.get("series"),
                "jaar": r.get("year"),
                "gepubliceerd": r.get("observed"),
                "status": r.get("status", ""),
                "model": r.get("model"),
                "fout_model_pct": r.get("model_error_pct"),
                "fout_trendlijn_pct": r.get("rechte_trendlijn_error_pct"),
                "fout_vorig_jaar_pct": r.get("vorig_jaar_herhaald_error_pct"),
            }
        )
    calibrated = sum(1 for p in PARAMETERS if p.distribution != "fixed")
    stocks = ", ".join(s.label_nl.lower() for s in STOCKS if getattr(s, "kind", "") == "state")
    try:
        from importlib.metadata import version

        pkg_version = version("jeugdstelsel")
    except Exception:
        pkg_version = "onbekend"
    return {
        "method": (
            "Een systeemdynamisch model (stock-and-flow) per maand, per leeftijd (0 tot 23 jaar) "
            f"en per gemeente, met {len(STOCKS)} toestanden ({stocks}) en {len(FLOWS)} "
            f"stromen daartussen. {calibrated} van de {len(PARAMETERS)} parameters zijn "
            f"gekalibreerd op de landelijke cijfers van CBS en NJi tot en met "
            f"{cal.fitted_through} (kleinste-kwadratenschatting met een Laplace-benadering "
            "van de onzekerheid); de overige zijn vaste aannames met een bron. Onzekerheid "
            "wordt doorgerekend met Monte Carlo-trekkingen uit die verdeling; uitkomsten zijn "
            "altijd een band, geen puntvoorspelling. Scenario's worden vergeleken op "
            "dezelfde trekkingen (gepaarde verschillen)."
        ),
        "assumptions": parameter_rows(),
        "holdout": {
            "toelichting": (
                f"Het model is opnieuw gekalibreerd op de jaren tot en met "
                f"{holdout.get('fit_through', '?')} en heeft daarna {holdout.get('year', '?')} "
                "voorspeld, een jaar dat het niet had gezien. Ter vergelijking twee naïeve "
                "voorspellingen: een rechte trendlijn en 'vorig jaar herhaald'."
            ),
            "gemiddelde_absolute_fout_pct": [
                {"voorspelling": method_labels.get(k, k), "fout_pct": v} for k, v in mae.items()
            ],
            "per_reeks": rows,
        },
        "limits": [
            "Gekalibreerd op landelijke cijfers; voor een gemeente zonder eigen kalibratie "
            "zijn de niveaus een schaling van het landelijke beeld naar haar bevolking en "
            "risico-index.",
            "De effecten van hefbomen komen uit onderzoek met een bandbreedte of zijn "
            "gemarkeerde aannames; de bibliotheek van hefbomen noemt per effect de bron.",
        ],
        "version": f"jeugdstelsel {pkg_version}; kalibratie {cal.area} tot en met "
        f"{cal.fitted_through}, gemaakt {cal.created}",
        "holdout_mae": mae,
    }


# -- scenario lab --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeverInfo:
    key: str
    name: str
    description: str
    ingredient: str
    unit: str
    minimum: float
    maximum: float
    example: float
    ramp_months: int
    cost_text: str


def lever_library() -> Answer:
    """The levers a user can pick, with dose range and unit; or why there are none."""
    if not available():
        return Answer(reason=NOT_YET)
    try:
        from jeugdstelsel.levers import load_library
    except ImportError:
        return Answer(reason="De bibliotheek met hefbomen is in deze installatie niet aanwezig.")
    try:
        lib = load_library()
    except Exception:
        log.exception("modelbridge: lever library failed")
        return Answer(reason=FAILED)
    levers = []
    for lever in lib:
        cost = lever.kosten
        levers.append(
            LeverInfo(
                lever.key,
                lever.naam,
                lever.beschrijving,
                lever.ingredient,
                lever.dosis.eenheid,
                lever.dosis.min,
                lever.dosis.max,
                lever.dosis.voorbeeld,
                lever.aanloop_maanden,
                f"€ {cost.euro_per_eenheid_per_jaar:,.0f} per eenheid per jaar".replace(",", ".")
                if cost.euro_per_eenheid_per_jaar
                else "geen eigen kosten",
            )
        )
    return Answer(value=levers)


def scenario_spec(name: str, levers: list[dict], code: str, end_year: int, draws: int,
                  seed: int):
    """A ``Scenario`` for the lab; a ``ScenarioError`` (Dutch, with its code) when not valid."""
    from jeugdstelsel.services.scenario import validate

    return validate(
        {
            "scenario": {"naam": name[:120] or "Scenario"},
            "periode": {"start": LAB_START, "eind": end_year},
            "gebied": {"gemeente": code},
            "simulatie": {"trekkingen": draws, "zaad": seed},
            "hefbomen": [
                {k: x[k] for k in ("naam", "dosis", "start", "eind") if x.get(k) is not None}
                for x in levers
            ],
        },
        "scenario",
    )


def check_levers(levers: list[dict], end_year: int) -> str:
    """Why the pipeline refuses this combination (Dutch), or '' when it is fine."""
    try:
        from jeugdstelsel.errors import JeugdstelselError
        from jeugdstelsel.services import pipeline
    except ImportError:
        return ""
    try:
        pipeline.specify(scenario_spec("controle", levers, "Nederland", end_year, 1, 0),
                         "scenario")
    except JeugdstelselError as exc:
        lines = [x.strip("- ").strip() for x in str(exc).splitlines()[1:]] or [str(exc)]
        return " ".join(lines)
    return ""


def _q(values: np.ndarray) -> dict[str, list[float]]:
    lo, med, hi = np.percentile(values, [10.0, 50.0, 90.0], axis=0)
    return {"p10": _round(lo), "p50": _round(med), "p90": _round(hi)}


def _round(values) -> list[float]:
    return [float(f"{float(v):.6g}") for v in np.atleast_1d(values)]


def _num(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else float(f"{value:.6g}")


def compare(reference, plan, goal_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run reference and plan on paired draws; a JSON-ready summary for the result page.

    ``goal_keys``: outputs tied to goals; their per-draw values are kept so the Kwaliteitskompas
    can tell, for any goal, how likely the plan reaches its target (from the same draws).
    """
    return compare_many(reference, [(plan, goal_keys)])[0]


def compare_many(reference, plans: list[tuple[Any, tuple[str, ...]]]) -> list[dict[str, Any]]:
    """Several plans against one reference in one engine call, on the same paired draws.

    Why: queued runs of one municipality mostly share the reference (the same municipality
    without levers); one stacked call for the reference and all plans costs far less than a
    call per pair, and every plan's numbers are exactly those of its pair alone (common random
    numbers: the same draws for every scenario in the call).
    """
    from jeugdstelsel.services.compare import compare_scenarios
    from jeugdstelsel.services.effectiveness import cost_effectiveness

    started = time.perf_counter()
    comp = compare_scenarios([("referentie", reference)]
                             + [(f"plan-{i}", p) for i, (p, _) in enumerate(plans)])
    years = [int(y) for y in comp.years]
    term_start = TERM_START if TERM_START in years else years[0]
    term_length = min(TERM_LENGTH, years[-1] - term_start + 1)
    term = comp.term(term_start, term_length)
    effectiveness = cost_effectiveness(comp, term_start, term_length)
    seconds = round(time.perf_counter() - started, 2)
    return [
        _summary(comp, i + 1, reference, plan, goal_keys, term, effectiveness, years,
                 term_start, term_length, seconds)
        for i, (plan, goal_keys) in enumerate(plans)
    ]


def _summary(comp, index: int, reference, plan, goal_keys, term, effectiveness, years,
             term_start: int, term_length: int, seconds: float) -> dict[str, Any]:
    from jeugdstelsel.services.compare import INDICATORS

    base, res = comp.results[0], comp.results[index]
    indicators = []
    for ind in INDICATORS:
        b, p = base.indicators[ind.key], res.indicators[ind.key]
        diff = p - b
        d = _q(diff)
        d["kans_lager"] = _round((diff < 0).mean(axis=0))
        indicators.append(
            {
                "key": ind.key,
                "label": ind.label_nl,
                "unit": ind.unit,
                "headline": ind.headline,
                "ref": _q(b),
                "plan": _q(p),
                "diff": d,
            }
        )
    term_rows = [
        {
            "indicator": r["indicator"],
            "label": r["omschrijving"],
            "unit": r["eenheid"],
            "optelling": r["optelling"],
            "ref": _num(r["referentie_mediaan"]),
            "plan": _num(r["scenario_mediaan"]),
            "diff": _num(r["verschil_mediaan"]),
            "diff_p10": _num(r["verschil_p10"]),
            "diff_p90": _num(r["verschil_p90"]),
            "kans_lager": _num(r["kans_lager"]),
        }
        for r in term[term["scenario"] == res.name].to_dict("records")
    ]
    mask = comp.term_years(term_start, term_length)
    flows = {
        side: {k: _num(np.median(v[:, mask].mean(axis=1))) for k, v in r.flows.items()}
        for side, r in (("ref", base), ("plan", res))
    }
    layers = {
        side: {
            k: _num(np.median(r.indicators[k][:, mask].mean(axis=1)))
            for k in ("eerste_lijn", "specialistisch_zonder_verblijf",
                      "specialistisch_met_verblijf")
        }
        for side, r in (("ref", base), ("plan", res))
    }
    own = effectiveness[effectiveness["scenario"] == res.name]
    goal_draws = {}
    for key in goal_keys:
        pair = {}
        for side, r in (("ref", base), ("plan", res)):
            source = r.indicators.get(key)
            if source is None:
                source = r.series.get(key)
            if source is not None:
                pair[side] = [_round(row) for row in source]
        if len(pair) == 2:
            goal_draws[key] = pair
    return {
        "years": years,
        "area": comp.area,
        "area_name": comp.area_name,
        "draws": int(comp.n_draws),
        "seed": int(plan.simulatie.zaad),
        "names": {"ref": reference.scenario.naam, "plan": plan.scenario.naam},
        "term": f"{term_start}-{term_start + term_length - 1}",
        "term_start": term_start,
        "term_length": term_length,
        "indicators": indicators,
        "term_rows": term_rows,
        "flows": flows,
        "layers": layers,
        "effectiveness": _effectiveness_rows(own),
        "levers": [
            {"key": a.lever.key, "naam": a.lever.naam, "dosis": a.use.dosis,
             "eenheid": a.lever.dosis.eenheid, "start": a.use.start}
            for a in res.plan.active
        ],
        "goal_draws": goal_draws,
        "provenance": _own_provenance(comp, index),
        "seconds": seconds,
    }


def _own_provenance(comp, index: int) -> dict | None:
    """The comparison's provenance naming only this run's reference and plan (never the other
    plans computed in the same call: they may be other advisors' unshared scenarios)."""
    import dataclasses

    prov = comp.provenance
    if prov is None:
        return None
    listed = tuple(getattr(prov, "scenarios", ()) or ())
    if len(listed) > index:
        prov = dataclasses.replace(prov, scenarios=((listed[0][0], "referentie"),
                                                    (listed[index][0], "plan")))
    return prov.as_dict()


def _effectiveness_rows(frame) -> list[dict]:
    return [
        {k: (_num(v) if isinstance(v, float | int | np.floating) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def details(reference, plan, term_start: int, term_length: int) -> dict[str, Any]:
    """The slower second stage: cost-effectiveness per lever and what drives the result."""
    from jeugdstelsel.services.compare import compare_scenarios
    from jeugdstelsel.services.effectiveness import cost_effectiveness

    started = time.perf_counter()
    per_lever = []
    if len(plan.hefbomen) > 1:
        comp = compare_scenarios([("referentie", reference), ("plan", plan)], per_lever=True)
        rows = _effectiveness_rows(cost_effectiveness(comp, term_start, term_length))
        per_lever = [r for r in rows if r["onderdeel"] != "hele scenario"]
    out = {"per_lever": per_lever, "drivers": drivers(plan, term_start, term_length)}
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


DRIVER_OUTPUTS = ("specialistisch", "uitgaven")


def drivers(plan, term_start: int, term_length: int, top: int = 8) -> dict[str, Any]:
    """What drives the result: the one-at-a-time tornado of the sensitivity service."""
    from jeugdstelsel.services.sensitivity import sensitivity

    started = time.perf_counter()
    result = sensitivity(plan, term_start=term_start, term_length=term_length, sobol_n=8,
                         sobol_top=4, seed=plan.simulatie.zaad)
    outputs = []
    for key in DRIVER_OUTPUTS:
        rows = result.tornado[result.tornado["indicator"] == key]
        if rows.empty:
            continue
        rows = rows.sort_values("bereik", ascending=False).head(top)
        outputs.append(
            {
                "indicator": key,
                "label": str(rows["uitkomst"].iloc[0]),
                "centraal": _num(rows["centraal"].iloc[0]),
                "rows": [
                    {"label": r["label"], "soort": r["soort"], "laag": _num(r["laag"]),
                     "hoog": _num(r["hoog"]), "bereik": _num(r["bereik"])}
                    for r in rows.to_dict("records")
                ],
            }
        )
    return {"effect_of_levers": bool(result.effect_of_levers), "term": result.term,
            "outputs": outputs, "seconds": round(time.perf_counter() - started, 2)}


# -- goals against a scenario ------------------------------------------------------------------


@dataclass(frozen=True)
class GoalOutlook:
    """How likely a scenario reaches a goal's target by its deadline, from paired draws."""

    side: str  # "ref" or "plan"
    name: str
    probability: float
    p10: float
    p50: float
    p90: float
    years: tuple[int, ...]
    band_lower: tuple[float, ...]
    band_median: tuple[float, ...]
    band_upper: tuple[float, ...]


def goal_outlook(result: dict, key: str, baseline_value: float, baseline_year: int,
                 deadline_year: int, target: float, lower_is_better: bool) -> Answer:
    """Scale the model's relative change since the baseline year onto the goal's own baseline.

    Why relative: a goal's indicator is measured by the municipality in its own definition; the
    model's level for the same idea may differ, but its change over time is what the plan moves.
    Per draw: projected(y) = baseline_value * model(y) / model(baseline year).
    """
    draws = (result.get("goal_draws") or {}).get(key)
    if draws is None:
        return Answer(reason="Deze berekening bevat de modeluitkomst van dit doel niet; bereken "
                      "het scenario opnieuw.")
    years = list(result["years"])
    first = max(baseline_year, years[0])
    if deadline_year > years[-1]:
        return Answer(reason=f"Het scenario loopt tot {years[-1]}; het doel ligt in "
                      f"{deadline_year}. Kies een langere looptijd voor het scenario.")
    if deadline_year < first:
        return Answer(reason="De einddatum van het doel ligt vóór de periode van het scenario.")
    i0, i1 = years.index(first), years.index(deadline_year)
    out = []
    for side in ("ref", "plan"):
        values = np.asarray(draws[side], dtype=float)  # (draws, years)
        base = values[:, i0]
        ratio = np.divide(values[:, i0 : i1 + 1], base[:, None],
                          out=np.ones_like(values[:, i0 : i1 + 1]), where=base[:, None] != 0)
        projected = baseline_value * ratio
        final = projected[:, -1]
        reached = final <= target if lower_is_better else final >= target
        lo, med, hi = np.percentile(projected, [10.0, 50.0, 90.0], axis=0)
        out.append(
            GoalOutlook(
                side,
                result["names"][side],
                float(reached.mean()),
                float(lo[-1]),
                float(med[-1]),
                float(hi[-1]),
                tuple(years[i0 : i1 + 1]),
                tuple(float(v) for v in lo),
                tuple(float(v) for v in med),
                tuple(float(v) for v in hi),
            )
        )
    return Answer(value=out)


# -- downloads ---------------------------------------------------------------------------------


def workbook(reference, plan, term_start: int, term_length: int) -> Answer:
    """The comparison as the Excel workbook of ``reports.excel`` (bytes), or why not.

    The run stores summaries, not the draws, so the comparison is computed again from the run's
    frozen spec: the same seed and draws (common random numbers) give the very same numbers.
    """
    if not available():
        return Answer(reason=NOT_YET)
    try:
        from jeugdstelsel.reports.excel import write_workbook
    except ImportError:
        return Answer(reason="De Excel-uitvoer is in deze installatie niet beschikbaar.")
    import tempfile
    from pathlib import Path

    from jeugdstelsel.services.compare import compare_scenarios
    from jeugdstelsel.services.effectiveness import cost_effectiveness

    try:
        comp = compare_scenarios([("referentie", reference), ("plan", plan)])
        with tempfile.TemporaryDirectory(prefix="jeugdstelsel-excel-") as tmp:
            path = Path(tmp) / "vergelijking.xlsx"
            write_workbook(comp, path, term=comp.term(term_start, term_length),
                           effectiveness=cost_effectiveness(comp, term_start, term_length))
            return Answer(value=path.read_bytes())
    except Exception:
        log.exception("modelbridge: workbook failed")
        return Answer(reason=FAILED)
