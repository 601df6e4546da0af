"""Write the jeugdstelsel cohort model as a Vensim ``.mdl`` file that PySD can run.

The file is generated from the model's own declarations (``core.model.PARAMETERS`` and
``STOCKS``, ``core.dimensions``) and mirrors the engine's monthly update
(``core.simulate._flows_block``, ``_rescale_block`` and ``_demography_block``, ``core.flows``)
for ONE area and ONE parameter vector:

* eight stocks subscripted by the 23 single ages (the six care states and the two overlays);
* competing monthly hazards turned into probabilities with ``1 - EXP(-h)`` and split in
  proportion to the hazards; the capacity-limited intake sums over ages;
* ageing by 1/12 of an age per month through an age-shift matrix over an equivalent subscript
  (``SUM(x[from age!] * next age[from age!, age])``: PySD 3.14 does not translate subscript
  mappings between shifted subranges), with the 18-year boundary and extended care; births and
  net migration;
* the spin-up: the file starts at ``Time = -spinup_months`` and runs the engine's spin-up
  (no capacity limit, no demography, the start population per age kept) before the clock
  starts at ``Time = 0``; contracted capacity is sampled at ``Time = 0`` with ``SAMPLE IF TRUE``.

The engine is a discrete monthly update: within a month all flows act on the stocks at the
start of the month, then ageing, births and migration act on the result. Each Vensim rate is
therefore written as (amount moved this month) / TIME STEP, and Euler integration with
TIME STEP = 1 month reproduces the engine. Only the stocks are modelled; the engine's output
accumulators (counts per period, costs, referrer mix) have no counterpart here.

Usage:  .venv/bin/python benchmarks/pysd_model.py     writes benchmarks/out/jeugdstelsel.mdl for
the calibrated national point estimate, runs it in PySD and in the engine and prints the largest
relative difference of the stocks after ten years.
"""

from __future__ import annotations

import math
import re
import sys
import warnings
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from jeugdstelsel.core import parameters as P  # noqa: E402
from jeugdstelsel.core.dimensions import (  # noqa: E402
    ADULT_AGE,
    AGE_BANDS,
    MONTHS_PER_YEAR,
    N_AGES,
    PROBATION_MIN_AGE,
    State,
)
from jeugdstelsel.core.flows import MAX_ESCALATION  # noqa: E402
from jeugdstelsel.core.model import FLOWS, PARAMETERS, PARAMETERS_BY_NAME, STOCKS  # noqa: E402
from jeugdstelsel.core.population import PopulationInputs  # noqa: E402
from jeugdstelsel.core.simulate import JB, JR, N_STOCKS, REFERENCE_YEAR, simulate  # noqa: E402
from jeugdstelsel.core.units import Unit  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
MODEL_FILE = OUT / "jeugdstelsel.mdl"
N_MONTHS = 120  # ten years, monthly
SPINUP_MONTHS = 48  # the engine's default

# Vensim names of the stocks, in the engine's stock order (State, then JB, JR).
STOCK_NAMES = tuple(s.name for s in STOCKS)
assert len(STOCK_NAMES) == N_STOCKS
assert STOCK_NAMES[: len(State)] == tuple(s.name.lower() for s in State)
assert (STOCK_NAMES[JB], STOCK_NAMES[JR]) == ("child_protection", "juvenile_probation")
STATE_STOCKS = STOCK_NAMES[: len(State)]

# Parameters the flows use, from the declaration (output-only parameters such as costs and
# "plan_share" act on no stock, so the file leaves them out).
FLOW_PARAMETERS = tuple(dict.fromkeys(name for flow in FLOWS for name in flow.parameters))

# The Vensim variables (persons per month) of each declared flow of core.model.FLOWS, with the
# stock each moves people into. The stocks' net flows are assembled from this table and the
# declared sources; tests/core/test_pysd_equivalence.py traces every variable to the parameters
# it depends on in the generated file and compares them with the declaration. Births, ageing,
# migration and the 18-year boundary (turning_18: "care keep") are the demography's.
VENSIM_FLOWS: dict[str, tuple[tuple[str, str], ...]] = {
    "need_to_first_line": (("need to first line", "first_line"),),
    "need_to_waiting": tuple(
        (f"referral {r}", "waiting")
        for r in ("gp", "youth doctor", "medical specialist", "no referrer")
    ),
    "first_line_escalates": (("first line escalates", "waiting"),),
    "first_line_resolves": (("first line resolves", "after_care"),),
    "intake": (("intake ambulatory", "ambulatory"), ("intake residential", "residential")),
    "ambulatory_ends": (("ambulatory ends", "after_care"),),
    "residential_ends": (("residential ends", "after_care"),),
    "step_up": (("step up", "residential"),),
    "step_down": (("step down", "ambulatory"),),
    "reentry": (("reentry", "waiting"),),
    "after_care_ends": (("after care ends", "base"),),
    "child_protection_in": (("child protection in", "child_protection"),),
    "child_protection_out": (("child protection out", "uit"),),
    "gi_referral": (("gi referral", "waiting"),),
    "probation_in": (("probation in", "juvenile_probation"),),
    "probation_out": (("probation out", "uit"),),
    "court_referral": (("court referral", "waiting"),),
}
DEMOGRAPHY_FLOWS = {"births": (), "ageing": (), "migration": (), "turning_18": ("care keep",)}
BASE_SPLIT = "base leaving per hazard"  # the base's competing split (1 - exp(-sum), in proportion)
assert set(VENSIM_FLOWS) | set(DEMOGRAPHY_FLOWS) == {f.name for f in FLOWS}, "flows drifted"


def care_flows() -> dict[str, tuple[list[str], list[str]]]:
    """Per stock, the Vensim flow variables into and out of it, from the declaration."""
    out: dict[str, tuple[list[str], list[str]]] = {s: ([], []) for s in STOCK_NAMES}
    for flow in FLOWS:
        for variable, target in VENSIM_FLOWS.get(flow.name, ()):
            if flow.source in out:  # overlays flow in from every state without leaving it
                out[flow.source][1].append(variable)
            if target in out:
                out[target][0].append(variable)
    return out


# --------------------------------------------------------------------------------------------
# Vensim text
# --------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A float exactly as Python round-trips it (17 significant digits at most)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x}")
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def _text(s: str) -> str:
    """A comment or unit without the characters that delimit Vensim equations."""
    return " ".join(s.replace("~", "-").replace("|", "/").replace("\\", "/").split())


def _unit(declared: Unit) -> str:
    """The Vensim unit of a declared unit, from its dimension (the Dutch label goes into the
    comment)."""
    return declared.dimension.vensim


class _Mdl:
    """Collects Vensim equations in order; ``text()`` gives the ``.mdl`` file."""

    def __init__(self) -> None:
        self.parts: list[str] = ["{UTF-8}\n"]

    def raw(self, text: str) -> None:
        self.parts.append(text)

    def eq(self, lhs: str, expr: str, unit: str = "dmnl", comment: str = "") -> None:
        self.parts.append(f"{lhs}=\n\t{expr}\n\t~\t{_text(unit)}\n\t~\t{_text(comment)}\n\t|\n\n")

    def data(
        self, name: str, elements: list[str], values: np.ndarray, unit: str, comment: str = ""
    ) -> None:
        """A subscripted constant, one equation per element.

        PySD 3.14 writes a number list (``x[age] = 0.1, 0.2, ...``) through
        ``np.array2string`` with numpy's default precision: 8 decimals, so 0.006901312375
        becomes 0.00690131. Element equations keep every digit.
        """
        assert len(elements) == len(values)
        for i, (element, v) in enumerate(zip(elements, values, strict=True)):
            last = i == len(values) - 1
            self.parts.append(
                f"{name}[{element}]=\n\t{_num(v)}\n"
                + (f"\t~\t{_text(unit)}\n\t~\t{_text(comment)}\n\t|\n\n" if last else "\t~~|\n")
            )

    def group(self, title: str) -> None:
        self.parts.append(
            f"********************************************************\n"
            f"\t.{_text(title)}\n"
            f"********************************************************~\n"
            f"\t\t{_text(title)}\n\t|\n\n"
        )

    def text(self) -> str:
        return "".join(self.parts)


def _list(values: np.ndarray) -> str:
    """A Vensim number list, for integer-valued arrays only (see :meth:`_Mdl.data`)."""
    assert all(float(v).is_integer() for v in values)
    return ", ".join(_num(v) for v in values)


def vensim_model(
    params: Mapping[str, float],
    inputs: PopulationInputs,
    area: int = 0,
    n_months: int = N_MONTHS,
    spinup_months: int = SPINUP_MONTHS,
) -> str:
    """The ``.mdl`` text of the model for area ``area`` of ``inputs`` and one parameter vector.

    ``params`` maps parameter names to floats (at least :data:`FLOW_PARAMETERS`). The run covers
    ``spinup_months`` of spin-up (``Time < 0``) and ``n_months`` from 1 January
    ``inputs.start_year`` (``Time = 0``).
    """
    if inputs.n_years * MONTHS_PER_YEAR < n_months:
        raise ValueError(f"births cover {inputs.n_years} years, the run needs {n_months} months")
    m = _Mdl()
    a = "[age]"
    m.group("Dimensions")
    m.raw(f"age:\n\t(a0-a{N_AGES - 1})\n\t~\t\n\t~\tsingle years of age 0..{N_AGES - 1}\n\t|\n\n")
    m.raw("from age <-> age\n\t~\t\n\t~\tthe age a person comes from when ageing\n\t|\n\n")
    n_years = inputs.n_years
    first, last = inputs.start_year, inputs.start_year + n_years - 1
    m.raw(f"year:\n\t(y{first}-y{last})\n\t~\t\n\t~\tcalendar years of the births input\n\t|\n\n")
    ages = [f"a{i}" for i in range(N_AGES)]
    years = [f"y{first + i}" for i in range(n_years)]
    m.eq("age value[age]", _list(np.arange(N_AGES)), "year", "the age in years")
    m.eq("year index[year]", _list(np.arange(n_years)), "year", "years since the start")
    m.eq(
        "next age[from age, age]",
        "IF THEN ELSE(age value[age] = age value[from age] + 1, 1, 0)",
        "dmnl",
        "1 where age is one year older than from age: ageing shifts along this matrix",
    )
    m.eq("adult age", _num(ADULT_AGE), "year", "Jeugdwet: youth help and measures end at 18")
    m.eq("young band high", _num(AGE_BANDS["0_3"][1]), "year", "last age of the 0-3 band")
    m.eq("teen band low", _num(AGE_BANDS["12_17"][0]), "year", "first age of the 12-17 band")
    m.eq("probation min age", _num(PROBATION_MIN_AGE), "year", "juvenile probation applies from 12")
    m.eq("months per year", _num(MONTHS_PER_YEAR), "Month/year", "")

    m.group("Area inputs")
    m.data(
        "start population",
        ages,
        inputs.population0[area],
        "person",
        f"persons by age on 1 January {inputs.start_year} ({inputs.names[area]})",
    )
    m.data(
        "births per year",
        years,
        inputs.births[:, area],
        "person/year",
        "live births per calendar year",
    )
    m.data(
        "net migration",
        ages,
        inputs.migration[area],
        "1/year",
        "net migration as a fraction of the age's population per year",
    )
    m.data(
        "migration index per year",
        years,
        np.ones(n_years) if inputs.migration_index is None else inputs.migration_index,
        "dmnl",
        "net migration of each calendar year relative to the average year",
    )
    m.eq("risk", _num(inputs.risk[area]), "dmnl", "municipal risk index (1 = national)")
    m.eq(
        "start offset",
        _num(inputs.start_year - REFERENCE_YEAR),
        "year",
        f"years from 1 January {REFERENCE_YEAR} (trends run from then) to the start",
    )

    m.group("Parameters (core.model.PARAMETERS)")
    for name in FLOW_PARAMETERS:
        p = PARAMETERS_BY_NAME[name]
        comment = (
            f"{p.label_nl} [{p.unit}; {p.range_text()}]. {p.description} ({p.source.text_nl()})"
        )
        m.eq(name, _num(params[name]), _unit(p.unit), comment)

    m.group("Time")
    m.eq(
        "years since reference",
        "start offset + IF THEN ELSE(Time < 0, 0, (Time + 0.5) / months per year)",
        "year",
        "mid-month time for the trends; during the spin-up the conditions of the first month",
    )

    m.group("Flows 1, 2 and 7: needs and referrals out of the base")
    m.eq(
        f"population{a}",
        " + ".join(f"{s}{a}" for s in STATE_STOCKS),
        "person",
        "every young person is in exactly one care state",
    )
    m.eq(f"safe population{a}", f"IF THEN ELSE(population{a} > 0, population{a}, 1)", "person")
    m.eq(
        f"age profile{a}",
        f"IF THEN ELSE(age value{a} >= adult age, 0, IF THEN ELSE(age value{a} <= young band "
        f"high, age_rel_0_3, IF THEN ELSE(age value{a} >= teen band low, age_rel_12_17, 1)))",
        "dmnl",
        "flows.age_profile: relative incidence of new needs; none from 18",
    )
    m.eq(
        "threshold",
        "threshold_level * EXP(threshold_trend * years since reference)",
        "dmnl",
        "flows.threshold: the societal threshold",
    )
    m.eq(
        "supply factor",
        "1 + supply_induced * fragmentation",
        "dmnl",
        "flows.supply_factor: supply creates demand",
    )
    m.eq(
        "first line weight",
        "route_first_line * EXP(fl_route_trend * years since reference)",
        "dmnl",
    )
    m.eq(
        "route total",
        "first line weight + route_gp + route_youth_doctor + route_medical_specialist + 1",
        "dmnl",
        "flows.routing: weights relative to no referrer",
    )
    routes = {
        "first line": "(first line weight + route_gp * poh_shift + (route_youth_doctor + 1) "
        "* school_shift) / route total",
        "gp": "route_gp * (1 - poh_shift) * supply factor / route total",
        "youth doctor": "route_youth_doctor * (1 - school_shift) * supply factor / route total",
        "medical specialist": "route_medical_specialist * supply factor / route total",
        "no referrer": "(1 - school_shift) * supply factor / route total",
    }
    for route, expr in routes.items():
        m.eq(f"route share {route}", expr, "dmnl", "flows.routing")
    m.eq(
        f"need hazard{a}",
        f"need_incidence * age profile{a} * risk * threshold * (1 - protection)",
        "1/Month",
        "flows.need_hazard (flow 1)",
    )
    for route in routes:
        m.eq(f"{route} hazard{a}", f"need hazard{a} * route share {route}", "1/Month")
    m.eq(
        f"gi hazard{a}",
        f"gi_referral_rate * child_protection{a} / safe population{a}",
        "1/Month",
        "referral by the certified institution, in proportion to children under a measure",
    )
    m.eq(
        f"court hazard{a}",
        f"court_referral_rate * juvenile_probation{a} / safe population{a}",
        "1/Month",
    )
    hazards = [f"{route} hazard" for route in routes] + ["gi hazard", "court hazard"]
    m.eq(
        f"base hazard{a}",
        " + ".join(f"{h}{a}" for h in hazards),
        "1/Month",
        "all competing hazards out of the base",
    )
    m.eq(
        f"base leaving per hazard{a}",
        f"base{a} * (1 - EXP(-base hazard{a})) / IF THEN ELSE(base hazard{a} > 0, "
        f"base hazard{a}, 1)",
        "person*Month",
        "persons leaving the base this month per unit of hazard (0 without hazard)",
    )
    base_out = {
        "need to first line": "first line hazard",
        "referral gp": "gp hazard",
        "referral youth doctor": "youth doctor hazard",
        "referral medical specialist": "medical specialist hazard",
        "referral no referrer": "no referrer hazard",
        "gi referral": "gi hazard",
        "court referral": "court hazard",
    }
    for flow, hazard in base_out.items():
        m.eq(
            f"{flow}{a}",
            f"base leaving per hazard{a} * {hazard}{a} / TIME STEP",
            "person/Month",
            "out of the base, in proportion to its hazard",
        )

    m.group("Flow 3: the first line resolves or escalates")
    m.eq("first line leave probability", "1 - EXP(-1 / fl_duration)", "dmnl")
    m.eq(
        "escalation share",
        f"MIN(MAX(fl_escalation * defensive_factor, 0), {_num(MAX_ESCALATION)})",
        "dmnl",
        "flows.escalation_share",
    )
    m.eq(f"first line ending{a}", f"first_line{a} * first line leave probability", "person")
    m.eq(
        f"first line escalates{a}",
        f"first line ending{a} * escalation share / TIME STEP",
        "person/Month",
    )
    m.eq(
        f"first line resolves{a}",
        f"(first line ending{a} - first line ending{a} * escalation share) / TIME STEP",
        "person/Month",
    )

    m.group("Flow 5: specialist care ends, steps up or steps down")
    for stock, dur, other in (
        ("ambulatory", "amb_duration", "step_up_rate"),
        ("residential", "res_duration", "step_down_rate"),
    ):
        m.eq(f"{stock} end hazard", f"1 / ({dur} * supply factor)", "1/Month")
        m.eq(
            f"{stock} leave probability",
            f"1 - EXP(-({stock} end hazard + {other}))",
            "dmnl",
        )
        m.eq(
            f"{stock} end share",
            f"{stock} end hazard / ({stock} end hazard + {other})",
            "dmnl",
        )
        m.eq(f"{stock} leaving{a}", f"{stock}{a} * {stock} leave probability", "person")
        m.eq(
            f"{stock} ends{a}",
            f"{stock} leaving{a} * {stock} end share / TIME STEP",
            "person/Month",
        )
    m.eq(
        f"step up{a}",
        f"(ambulatory leaving{a} - ambulatory leaving{a} * ambulatory end share) / TIME STEP",
        "person/Month",
    )
    m.eq(
        f"step down{a}",
        f"(residential leaving{a} - residential leaving{a} * residential end share) / TIME STEP",
        "person/Month",
    )

    m.group("Flow 6: after-care re-enters or returns to the base")
    m.eq(
        f"reentry hazard{a}",
        f"IF THEN ELSE(age value{a} < adult age, reentry_rate * (1 - relapse_prevention), 0)",
        "1/Month",
        "flows.reentry_hazard: none from 18",
    )
    m.eq("back hazard", "1 / aftercare_months", "1/Month")
    m.eq(
        f"after care leaving{a}",
        f"after_care{a} * (1 - EXP(-(reentry hazard{a} + back hazard)))",
        "person",
    )
    m.eq(
        f"reentry persons{a}",
        f"after care leaving{a} * reentry hazard{a} / (reentry hazard{a} + back hazard)",
        "person",
    )
    m.eq(f"reentry{a}", f"reentry persons{a} / TIME STEP", "person/Month")
    m.eq(
        f"after care ends{a}",
        f"(after care leaving{a} - reentry persons{a}) / TIME STEP",
        "person/Month",
    )

    m.group("Flow 4: intake from the waiting list within capacity")
    m.eq("intake probability", "1 - EXP(-1 / min_wait)", "dmnl")
    m.eq(
        "occupied after leaving",
        "SUM(ambulatory[age!] * (1 - ambulatory leave probability * ambulatory end share) + "
        "residential[age!] * (1 - residential leave probability * residential end share))",
        "person",
        "places still occupied this month by those who stay",
    )
    m.eq("wanted intake", "SUM(waiting[age!] * intake probability)", "person")
    m.eq(
        "contracted capacity",
        "SAMPLE IF TRUE(Time <= 0, SUM(ambulatory[age!] + residential[age!]) * capacity_margin, 0)",
        "person",
        "places at the start: occupancy after the spin-up times the margin (held from Time 0)",
    )
    m.eq(
        "capacity growth factor",
        "EXP(capacity_growth * (Time + 0.5) / months per year)",
        "dmnl",
    )
    m.eq(
        "free places",
        "MAX(contracted capacity * capacity growth factor - occupied after leaving, 0)",
        "person",
    )
    m.eq(
        "intake fraction",
        "IF THEN ELSE(Time < 0, 1, IF THEN ELSE(wanted intake > 0, MIN(1, free places / "
        "IF THEN ELSE(wanted intake > 0, wanted intake, 1)), 1))",
        "dmnl",
        "share of the wish to start that finds a place (no limit during the spin-up)",
    )
    m.eq(f"intake persons{a}", f"waiting{a} * intake probability * intake fraction", "person")
    m.eq(
        "residential share now",
        "MIN(residential_share * EXP(residential_trend * years since reference), 1)",
        "dmnl",
        "share of the starts with residence, with its trend since 2015",
    )
    m.eq(
        f"intake residential{a}",
        f"intake persons{a} * residential share now / TIME STEP",
        "person/Month",
    )
    m.eq(
        f"intake ambulatory{a}",
        f"(intake persons{a} - intake persons{a} * residential share now) / TIME STEP",
        "person/Month",
    )

    m.group("Flow 7: overlays")
    m.eq(
        "child protection in probability",
        "1 - EXP(-(jb_rate * risk * EXP(jb_trend * years since reference)))",
        "dmnl",
    )
    m.eq(
        f"child protection in{a}",
        f"IF THEN ELSE(age value{a} < adult age, MAX(population{a} - child_protection{a}, 0) "
        f"* child protection in probability, 0) / TIME STEP",
        "person/Month",
    )
    m.eq(
        f"child protection out{a}",
        f"child_protection{a} * (1 - EXP(-1 / jb_duration)) / TIME STEP",
        "person/Month",
    )
    m.eq(
        "probation hazard",
        "jr_rate * risk * EXP(jr_trend * years since reference)",
        "1/Month",
    )
    m.eq(
        f"probation in{a}",
        f"IF THEN ELSE(age value{a} >= probation min age, MAX(population{a} - "
        f"juvenile_probation{a}, 0) * (1 - EXP(-(probation hazard * IF THEN ELSE(age value{a} "
        f">= adult age, jr_age_rel_18_22, 1)))), 0) / TIME STEP",
        "person/Month",
    )
    m.eq(
        f"probation out{a}",
        f"juvenile_probation{a} * (1 - EXP(-1 / jr_duration)) / TIME STEP",
        "person/Month",
    )

    # net care flows per stock: (inflows, outflows), from the declared flows
    care = care_flows()
    assert tuple(care) == STOCK_NAMES

    m.group("Ageing, births, migration (core.simulate._demography_cell) and the spin-up")
    for s, (ins, outs) in care.items():
        net = " + ".join(f"{f}{a}" for f in ins) + "".join(f" - {f}{a}" for f in outs)
        m.eq(
            f"{s} care flows{a}",
            net,
            "person/Month",
            "inflows minus outflows of flows 1-7 this month",
        )
        m.eq(
            f"{s} after flows{a}",
            f"{s}{a} + TIME STEP * {s} care flows{a}",
            "person",
            "the stock after this month's flows, before ageing",
        )
    m.eq(
        f"care keep{a}",
        f"IF THEN ELSE(age value{a} < adult age, 1, IF THEN ELSE(age value{a} = adult age, "
        f"extension_share, IF THEN ELSE(age value{a} < extension_max_age, 1, 0)))",
        "dmnl",
        "flows.care_keep: share of specialist care that continues on reaching this age",
    )
    m.eq(f"turning adult{a}", f"IF THEN ELSE(age value{a} = adult age, 1, 0)", "dmnl")
    m.eq(f"newborn{a}", f"IF THEN ELSE(age value{a} = 0, 1, 0)", "dmnl")
    m.eq(
        "births this year",
        "SUM(births per year[year!] * IF THEN ELSE(year index[year!] = INTEGER(Time / "
        "months per year), 1, 0))",
        "person/year",
    )
    m.eq(
        "migration index this year",
        "SUM(migration index per year[year!] * IF THEN ELSE(year index[year!] = INTEGER(Time / "
        "months per year), 1, 0))",
        "dmnl",
    )
    for s in STOCK_NAMES:
        m.eq(
            f"{s} aged in{a}",
            f"SUM({s} after flows[from age!] * next age[from age!, age]) / months per year",
            "person",
            "1/12 of the age below moves up this month",
        )
    for s in STOCK_NAMES:
        kept = {
            "first_line": f" * (1 - turning adult{a})",  # first-line help ends at 18
            "waiting": f" * care keep{a}",
            "ambulatory": f" * care keep{a}",
            "residential": f" * care keep{a}",
            "child_protection": f" * (1 - turning adult{a})",  # measures end at 18
        }.get(s, "")
        extra = ""
        if s == "base":
            extra = (
                f" + (waiting aged in{a} + ambulatory aged in{a} + residential aged in{a}) "
                f"* (1 - care keep{a}) + first_line aged in{a} * turning adult{a} + "
                f"births this year / months per year * newborn{a}"
            )
        m.eq(
            f"{s} after ageing{a}",
            f"{s} after flows{a} - {s} after flows{a} / months per year + "
            f"{s} aged in{a}{kept}{extra}",
            "person",
        )
    m.eq(
        f"after flows total{a}",
        " + ".join(f"{s} after flows{a}" for s in STATE_STOCKS),
        "person",
    )
    m.eq(
        f"spinup scale{a}",
        f"IF THEN ELSE(after flows total{a} > 0, start population{a} / IF THEN ELSE("
        f"after flows total{a} > 0, after flows total{a}, 1), 1)",
        "dmnl",
        "spin-up: each age keeps its start population, only the mix changes",
    )
    for s in STOCK_NAMES:
        m.eq(
            f"{s} demography{a}",
            f"IF THEN ELSE(Time < 0, {s} after flows{a} * (spinup scale{a} - 1), "
            f"{s} after ageing{a} * (1 + net migration{a} * migration index this year / "
            "months per year) - "
            f"{s} after flows{a}) / TIME STEP",
            "person/Month",
            "ageing with the 18-year boundary, births and net migration this month "
            "(during the spin-up only the rescaling)",
        )

    m.group("Stocks (core.model.STOCKS)")
    for stock in STOCKS:
        init = f"start population{a}" if stock.name == "base" else "0"
        m.eq(
            f"{stock.name}{a}",
            f"INTEG({stock.name} care flows{a} + {stock.name} demography{a}, {init})",
            "person",
            f"{stock.label_nl} ({stock.kind}): {stock.description}",
        )

    m.group("Control")
    m.eq("INITIAL TIME", _num(-spinup_months), "Month", "the spin-up runs before Time 0")
    m.eq("FINAL TIME", _num(n_months), "Month", f"Time 0 is 1 January {inputs.start_year}")
    m.eq("TIME STEP", "1", "Month", "the engine's monthly update; Euler")
    m.eq("SAVEPER", "TIME STEP", "Month", "")
    text = m.text()
    defined = set(equations(text))
    for variables in VENSIM_FLOWS.values():
        assert all(v in defined for v, _ in variables), variables
    return text


def equations(text: str) -> dict[str, str]:
    """Vensim name -> right-hand side (subscripts dropped; element equations joined)."""
    out: dict[str, str] = {}
    for lhs, rhs in re.findall(r"^([^\s*~|{][^=\n]*?)(?:\[[^\]]*\])?=\n\t(.*?)\n\t~", text,
                               flags=re.M | re.S):  # fmt: skip
        name = lhs.strip()
        out[name] = (out.get(name, "") + " " + re.sub(r"\[[^\]]*\]", "", rhs)).strip()
    return out


def dependencies(text: str, opaque: frozenset[str] = frozenset()) -> dict[str, set[str]]:
    """Per Vensim variable, the declared parameters it depends on this month, directly or
    through other variables. Stocks are the month's state (their ``INTEG`` reaches back in
    time), so they count as depending on nothing, as do the ``opaque`` variables."""
    opaque = opaque | set(STOCK_NAMES)
    eqs = equations(text)
    names = sorted(eqs, key=len, reverse=True)  # longest first: "safe population" before
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?![\w])" for n in names))
    direct = {}
    for name, rhs in eqs.items():
        direct[name] = set(pattern.findall(" " + rhs)) - {name}
    params = set(PARAMETERS_BY_NAME)
    memo: dict[str, set[str]] = {}

    def visit(name: str, stack: tuple[str, ...] = ()) -> set[str]:
        if name in memo:
            return memo[name]
        if name in opaque:
            return set()
        if name in stack:
            raise ValueError(f"a cycle within the month: {' -> '.join((*stack, name))}")
        out = {name} & params
        for ref in direct.get(name, ()):
            out |= visit(ref, (*stack, name))
        memo[name] = out
        return out

    return {name: visit(name) for name in eqs}


# The first-line share of the routing does not scale with the supply factor, which the routing
# factor (and so the flow's declaration) includes for the direct referrals.
DECLARED_NOT_USED = {"need_to_first_line": {"supply_induced", "fragmentation"}}


def declaration_problems(text: str) -> dict[str, str]:
    """Where the generated file and core.model disagree, per flow (empty: they agree).

    A flow's variables must depend on every parameter the flow declares (except
    :data:`DECLARED_NOT_USED`) and on no parameter that neither the flow nor a flow competing
    for the same stock declares; the base's competing split is checked on its own.
    """
    traced = dependencies(text)
    own = dependencies(text, frozenset({BASE_SPLIT}))
    by_name = {f.name: f for f in FLOWS}
    problems: dict[str, str] = {}
    variables = {**{k: [v for v, _ in vs] for k, vs in VENSIM_FLOWS.items()},
                 **{k: list(vs) for k, vs in DEMOGRAPHY_FLOWS.items()}}  # fmt: skip
    for name, names in variables.items():
        flow = by_name[name]
        base = flow.source == "base"
        used = set().union(set(), *((own if base else traced)[v] for v in names))
        competing = [f for f in FLOWS if f.source == flow.source] if not base else [flow]
        allowed = set().union(*(f.parameters for f in competing))
        missing = set(flow.parameters) - used - DECLARED_NOT_USED.get(name, set())
        extra = used - allowed
        if missing or extra:
            problems[name] = f"omits {sorted(missing)}, undeclared {sorted(extra)}"
    base_params = set().union(*(f.parameters for f in FLOWS if f.source == "base"))
    if traced[BASE_SPLIT] - base_params:
        problems[BASE_SPLIT] = f"undeclared {sorted(traced[BASE_SPLIT] - base_params)}"
    return problems


# --------------------------------------------------------------------------------------------
# The reference case and the two runs
# --------------------------------------------------------------------------------------------


def national_case() -> tuple[dict[str, float], PopulationInputs]:
    """The calibrated national point estimate on top of the defaults, and the national inputs."""
    from jeugdstelsel.services.calibration import load_shipped
    from jeugdstelsel.services.inputs import national_inputs

    point = load_shipped().point
    params = P.build(PARAMETERS, 1, 1, None, point=point)
    values = {name: float(params[name][0, 0]) for name in params.values}
    inputs, _ = national_inputs()
    return values, inputs


def write_model(path: Path = MODEL_FILE, **kwargs) -> Path:
    """Write the national case (or ``vensim_model(**kwargs)``) to ``path``."""
    if not kwargs:
        params, inputs = national_case()
        kwargs = {"params": params, "inputs": inputs}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(vensim_model(**kwargs), encoding="utf-8")
    return path


@contextmanager
def quiet_pysd():
    """PySD 3.14 warns on import (chardet deprecation) and on every run (pandas' ``inplace``
    deprecation in its output handler); neither concerns the model's numbers."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*chardet.*", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        yield


def translate(path: Path = MODEL_FILE):
    """Translate the ``.mdl`` file with PySD (writes the ``.py`` beside it) and load it."""
    with quiet_pysd():
        import pysd

        return pysd.read_vensim(str(path))


def pysd_names(model) -> dict[str, str]:
    """Vensim name -> PySD's Python name."""
    return dict(model.namespace)


def run_pysd(model, params: Mapping[str, float] | None = None, n_months: int = N_MONTHS):
    """Run the translated model; stocks at ``Time = n_months`` as ``(stocks, ages)``."""
    names = pysd_names(model)
    overrides = {names[k]: float(v) for k, v in (params or {}).items() if k in FLOW_PARAMETERS}
    columns = [names[s] for s in STOCK_NAMES]
    with quiet_pysd():
        out = model.run(
            params=overrides,
            return_columns=columns,
            return_timestamps=[float(n_months)],
            flatten_output=True,
        )
    row = out.iloc[-1]
    return np.array([[float(row[f"{s}[a{age}]"]) for age in range(N_AGES)] for s in STOCK_NAMES])


def engine_params(values: Mapping[str, float]) -> P.ParameterSet:
    """A one-draw, one-area parameter set with exactly these values."""
    base = P.build(PARAMETERS, 1, 1, None)
    return base.with_values({k: v for k, v in values.items() if k in base.values})


def run_engine(
    params: Mapping[str, float],
    inputs: PopulationInputs,
    n_months: int = N_MONTHS,
    spinup_months: int = SPINUP_MONTHS,
) -> np.ndarray:
    """The engine's stocks after ``n_months`` as ``(stocks, ages)`` for area 0."""
    result = simulate(engine_params(params), inputs, n_months, spinup_months=spinup_months)
    return result.final_stocks[0, 0]


def max_relative_difference(a: np.ndarray, b: np.ndarray, floor: float = 1.0) -> float:
    """Largest |a - b| / max(|b|, floor): relative, but a tenth of a person in an empty
    cell is not 'infinitely' different (``floor`` is one person)."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))


def main() -> None:
    params, inputs = national_case()
    path = write_model(params=params, inputs=inputs)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")
    model = translate(path)
    pysd_stocks = run_pysd(model)
    engine_stocks = run_engine(params, inputs)
    diff = max_relative_difference(pysd_stocks, engine_stocks)
    print(f"stocks after {N_MONTHS} months: PySD vs engine, max relative difference {diff:.3e}")
    for s, name in enumerate(STOCK_NAMES):
        print(
            f"  {name:<20} engine {engine_stocks[s].sum():14.3f}  PySD {pysd_stocks[s].sum():14.3f}"
        )


if __name__ == "__main__":
    main()
