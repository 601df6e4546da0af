"""What the council report says, in one place: a context dict for the report templates.

The CLI (``jeugdstelsel rapport``) and the web lab render the same templates
(``reports/templates/raadsrapport``) from this context, so the PDF a council member downloads
from the lab is the report the advisor made on the command line. Nothing is computed for the
report alone: the numbers come from the comparison (paired draws), its cost-effectiveness, the
Routekaart targets evaluated on the same draws, and the sensitivity analysis when there is one.
Texts are Dutch and free of internal codes (parameter keys, file names of the sources).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jeugdstelsel.numbers import nl_number
from jeugdstelsel.services import council_money as money
from jeugdstelsel.services.compare import INDICATORS_BY_KEY, Comparison, term_value
from jeugdstelsel.services.provenance import of as provenance_of
from jeugdstelsel.services.sensitivity import SensitivityResult

#: the figures per scenario the issue asks for: specialist care, waiting, residence, money
FIGURES = ("specialistisch", "wachtlijst", "wachttijd_weken", "verblijf_plaatsingen",
           "specialistisch_met_verblijf", "uitgaven")
CHART_PANELS = ("specialistisch", "wachtlijst", "wachttijd_weken", "verblijf_plaatsingen",
                "specialistisch_met_verblijf", "uitgaven")
#: the source documents of the lever library, by the number their file name starts with
SOURCE_TITLES = {
    "000": "NJi, input voor de verkiezingsprogramma's van de gemeenteraadsverkiezingen 2022",
    "001": "verkiezingsmanifest van jeugdzorgaanbieders (2022)",
    "002": "PvdA Lokaal Bestuur, aanbevelingen voor het lokale jeugdzorgbeleid",
    "003": "NJi, 'Het groeiend jeugdzorggebruik: duiding en aanpak' (2019)",
    "004": "NJi, 'Samen om het kind - Een sterke basis' (2015)",
}
EVIDENCE_NL = {"studie": "onderzoek", "nji": "NJi-databank", "cbs": "CBS-cijfers",
               "seed": "beleidsdocument", "aanname": "aanname"}


@dataclass(frozen=True)
class Chart:
    """A chart of the report: drawn by ``draw(path)``, described in numbers by ``alt``."""

    key: str
    title: str
    alt: str
    caption: str
    draw: Callable[[Path], Path]


def nl(x: float, digits: int = 0, signed: bool = False) -> str:
    return nl_number(x, digits, signed=signed)


def euro(x: float, signed: bool = False) -> str:
    """'€ 1,2 mln' from a million up, else '€ 45.300' (small municipalities, issue 17)."""
    if abs(x) >= 1e6:
        return f"€ {nl(x / 1e6, 1, signed)} mln"
    return f"€ {nl(round(x, -2), 0, signed)}"


def value(key: str, x: float, signed: bool = False) -> str:
    unit = INDICATORS_BY_KEY[key].unit
    if unit == "euro" or str(unit).startswith("euro"):
        return euro(x, signed)
    return nl(x, 1 if unit in ("weken", "% van gestarte trajecten") else 0, signed)


def band_text(key: str, b: money.Band, signed: bool = False) -> str:
    cell = band_cell(key, b, signed)
    return f"{cell['median']} {cell['band']}".strip()


def band_cell(key: str, b: money.Band, signed: bool = False) -> dict[str, str]:
    """Median and '(p10 tot p90)' apart, for a table cell on two lines; no band when the
    draws agree (a one-off cost of zero is zero in every draw)."""
    median = value(key, b.median, signed)
    lo, hi = value(key, b.p10, signed), value(key, b.p90, signed)
    return {"median": median, "band": "" if lo == hi == median else f"({lo} tot {hi})"}


def plain(text: str) -> str:
    """Source numbers ('seed 003') replaced by the document's title."""
    return re.sub(r"seeds? (00\d)", lambda m: SOURCE_TITLES.get(m.group(1), "een brondocument"),
                  text)


def question_of(comp: Comparison, given: str | None) -> dict:
    """The question: from the command line, else the plans' ``vraag``, else a neutral one."""
    if given and given.strip():
        return {"text": given.strip(), "given": True, "from": "opdrachtregel"}
    asked = [r.scenario.scenario.vraag.strip() for r in comp.results[1:]
             if r.scenario.scenario.vraag.strip()]
    if asked:
        return {"text": " ".join(dict.fromkeys(asked)), "given": True, "from": "scenariobestand"}
    plans = " en ".join(f"'{r.name}'" for r in comp.results[1:])
    return {"text": (f"Wat doet {plans} in {comp.area_name} met het aantal kinderen in "
                     "specialistische jeugdhulp, de wachtlijst, de plaatsingen met verblijf en "
                     f"de uitgaven, ten opzichte van '{comp.base.name}'?"),
            "given": False, "from": None}


def _levels(comp: Comparison, res, mask: np.ndarray) -> list[dict]:
    rows = []
    for key in FIGURES:
        ind = INDICATORS_BY_KEY[key]
        v = term_value(res.indicators[key], mask, ind.term)
        row = {"label": ind.label_nl,
               "how": "totaal over vier jaar" if ind.term == "som" else "gemiddeld per jaar",
               "level": band_cell(key, money.Band.of(v))}
        if res is not comp.base:
            d = v - term_value(comp.base.indicators[key], mask, ind.term)
            row["diff"] = band_cell(key, money.Band.of(d), True)
            row["lower"] = f"{nl(100 * (d < 0).mean())}%"
        rows.append(row)
    return rows


def _answer(comp: Comparison, res, term: pd.DataFrame, eff: pd.DataFrame, label: str) -> str:
    t = term[term["scenario"] == res.name].set_index("indicator")

    def d(key: str) -> str:
        r = t.loc[key]
        return band_text(key, money.Band(r["verschil_mediaan"], r["verschil_p10"],
                                         r["verschil_p90"]), True)

    text = (f"Met '{res.name}' zijn er in de raadsperiode {label} per jaar gemiddeld "
            f"{d('specialistisch')} jongeren in specialistische jeugdhulp, wachten er "
            f"{d('wachtlijst')} jongeren (wachtlijst eind van het jaar) met een wachttijd van "
            f"{d('wachttijd_weken')} weken, en zijn er {d('verblijf_plaatsingen')} nieuwe "
            f"plaatsingen met verblijf over de vier jaar, ten opzichte van '{comp.base.name}'. "
            f"De uitgaven veranderen met {d('uitgaven')} over de vier jaar, de kosten van de "
            "maatregelen inbegrepen.")
    e = eff[eff["scenario"] == res.name]  # the first row is the whole plan
    if len(e):
        r = e.iloc[0]
        text += (f" Kans dat het plan in deze periode geld bespaart: "
                 f"{nl(100 * r['kans_besparing_raadsperiode'])}%.")
    return text + " (Tussen haakjes: het 80%-interval.)"


def _routekaart(comp: Comparison) -> list[dict]:
    from jeugdstelsel.services.routekaart import outlook, targets

    years = comp.years.tolist()
    rows = []
    for target in targets():
        row = {"name": target.naam, "source": target.bron, "cells": [], "note": ""}
        if target.soort == "niet_gemodelleerd":
            row["note"] = "het model kent deze grootheid niet; niet doorgerekend"
        elif target.jaar not in years or (target.basisjaar and target.basisjaar not in years):
            row["note"] = (f"valt buiten de periode {years[0]}-{years[-1]} van de scenario's; "
                           "verleng de periode om dit doel te zien")
        else:
            for res in comp.results:
                o = outlook(res, comp.years, target, res.name)
                lo, med, hi = o.at_deadline
                unit = target.unit if target.unit != "euro" else ""
                cell = f"{nl(med, 1)} ({nl(lo, 1)} tot {nl(hi, 1)}) {unit}".strip()
                if o.probability is not None:
                    cell += f"; kans gehaald {nl(100 * o.probability)}%"
                row["cells"].append(cell)
        rows.append(row)
    return rows


def _assumptions(comp: Comparison, sens: SensitivityResult | None) -> list[str]:
    out = []
    if sens is not None and len(sens.tornado):
        for _, g in sens.tornado.groupby("indicator", sort=False):
            top = g.nlargest(3, "bereik")
            parts = [f"{r['label'].lower()} (van {nl(r['laag'], 1)} tot {nl(r['hoog'], 1)})"
                     for _, r in top.iterrows()]
            out.append(f"{g['uitkomst'].iloc[0]} hangt het meest af van: "
                       + "; ".join(parts) + f". Centrale waarde: {nl(top['centraal'].iloc[0], 1)}.")
    for res in comp.results[1:]:
        for a in res.plan.active:
            for e in a.lever.all_effects:
                ev = e.onderbouwing
                out.append(f"{a.lever.naam}: de werking ligt per trekking ergens in een band van "
                           f"{nl(e.per_eenheid[0], 2)} tot {nl(e.per_eenheid[1], 2)} per eenheid "
                           f"dosis ({EVIDENCE_NL[ev.soort]}: {plain(ev.tekst)})")
            c = a.lever.kosten
            if c.grondslag != "geen":
                out.append(f"{a.lever.naam}: kosten ({EVIDENCE_NL[c.onderbouwing.soort]}: "
                           f"{plain(c.onderbouwing.tekst)})")
    return list(dict.fromkeys(out))


def _money(comp: Comparison, years: np.ndarray) -> list[dict]:
    base_costs = money.lever_costs(comp, comp.base)
    out = []
    for res in comp.results[1:]:
        costs = money.lever_costs(comp, res)
        rows = money.budget_years(comp, res, years, costs, base_costs)
        table = [{"year": str(r.year), "incidental": band_cell("uitgaven", r.incidental, True),
                  "structural": band_cell("uitgaven", r.structural, True),
                  "care": band_cell("uitgaven", r.care, True),
                  "net": band_cell("uitgaven", r.net, True)} for r in rows]
        para = " ".join(
            f"In {r.year}: incidenteel {euro(r.incidental.median)}, structureel "
            f"{euro(r.structural.median)} voor de maatregelen; effect op de zorguitgaven "
            f"{euro(r.care.median, True)}; netto {euro(r.net.median, True)} (80%-interval "
            f"{euro(r.net.p10, True)} tot {euro(r.net.p90, True)})." for r in rows)
        out.append({"name": res.name, "rows": table, "paragraph": para,
                    "doses": [vars(d) | {
                        "start": str(d.start),
                        "structural": band_cell("uitgaven", d.structural_per_year)
                        if d.structural_per_year else {"median": "geen eigen kosten"},
                        "incidental": band_cell("uitgaven", d.incidental_total)
                        if d.incidental_total else {"median": "geen"}}
                        for d in money.doses(comp, res, costs)]})
    return out


def context(comp: Comparison, term_start: int, *, term: pd.DataFrame, effectiveness: pd.DataFrame,
            sensitivity: SensitivityResult | None = None, question: str | None = None,
            charts: list[Chart] = ()) -> dict:
    """Everything the templates show, as display strings (Dutch number format)."""
    from jeugdstelsel.services.council_charts import charts_for

    prov = provenance_of(comp)
    mask = comp.term_years(term_start)
    label = f"{term_start}-{term_start + 3}"
    years = comp.years[mask]
    return {
        "title": f"Raadsrapport jeugdzorg {comp.area_name}",
        "area": comp.area_name, "created": f"{dt.date.today():%d-%m-%Y}",
        "term": label, "reference": comp.base.name,
        "question": question_of(comp, question),
        "answers": [{"name": r.name, "text": _answer(comp, r, term, effectiveness, label)}
                    for r in comp.results[1:]],
        "routekaart": {"scenarios": [r.name for r in comp.results], "rows": _routekaart(comp)},
        "scenarios": [{"name": r.name, "reference": r is comp.base,
                       "description": r.scenario.scenario.beschrijving,
                       "levers": [{"name": a.lever.naam, "start": str(a.use.start),
                                   "dose": f"{nl(a.use.dosis, 2)} {a.lever.dosis.eenheid}"}
                                  for a in r.plan.active],
                       "figures": _levels(comp, r, mask)} for r in comp.results],
        "money": _money(comp, years),
        "assumptions": _assumptions(comp, sensitivity),
        "charts": list(charts) or charts_for(comp, mask, sensitivity),
        "colophon": prov.lines_nl(),
        "draws": nl(comp.n_draws),
    }
