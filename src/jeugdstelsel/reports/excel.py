"""The Excel workbook: every series per scenario with draw statistics, differences, levers.

Every sheet has a frozen, bold header row (and the columns that name a row frozen beside it),
a filter, column widths and number formats that follow the unit of the row (whole numbers
with thousands separators for persons and euros, one decimal for weeks and percentages,
percentages for probabilities). The first sheet, ``Toelichting``, names the tool version,
calibration, data vintage and seed (the provenance) and explains every column of every sheet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jeugdstelsel.core.outputs import SERIES_BY_KEY
from jeugdstelsel.numbers import no_negative_zero
from jeugdstelsel.services.compare import Comparison
from jeugdstelsel.services.provenance import Provenance
from jeugdstelsel.services.provenance import of as provenance_of

STATS = {"mediaan": 50.0, "p10": 10.0, "p90": 90.0, "p2_5": 2.5, "p97_5": 97.5}
NOTES_SHEET = "Toelichting"

# Excel number formats; Dutch Excel shows "#,##0" as 1.234 and "0.0" as 1,2.
WHOLE = "#,##0"
ONE = "#,##0.0"
TWO = "#,##0.00"
PERCENT = "0%"
YEAR = "0"
TEXT = "@"

#: Column -> explanation (Dutch). Columns ending in _mediaan/_p10/_p90 are explained by their
#: stem plus the statistic (see :func:`explain`).
COLUMNS: dict[str, str] = {
    "veld": "wat er in de rij staat",
    "waarde": "de waarde",
    "scenario": "naam van het scenario (de eerste is de referentie)",
    "indicator": "sleutel van de uitkomst (voor scripts)",
    "reeks": "sleutel van de modelreeks (voor scripts; zie jeugdstelsel model)",
    "omschrijving": "wat de uitkomst of reeks meet",
    "eenheid": "eenheid van de getallen in deze rij",
    "jaar": "kalenderjaar",
    "statistiek": "statistiek over de Monte Carlo-trekkingen: mediaan, p10/p90 (80%-interval), "
                  "p2_5/p97_5 (95%-interval), gemiddelde, sd (standaardafwijking)",
    "raadsperiode": "de jaren van de raadsperiode",
    "optelling": "hoe de jaren zijn samengenomen: gemiddelde per jaar of som over de periode",
    "referentie": "waarde in het referentiescenario",
    "scenario_": "waarde in dit scenario",
    "verschil": "verschil scenario min referentie, per trekking berekend (gepaard)",
    "kans_lager": "aandeel trekkingen waarin het scenario lager uitkomt dan de referentie",
    "onderdeel": "'hele scenario' of de ene hefboom die alleen is ingezet",
    "netto_uitgaven": "zorguitgaven plus kosten van de hefbomen min de referentie, over de "
                      "raadsperiode (negatief = besparing)",
    "kosten_hefbomen": "eigen kosten van de hefbomen over de raadsperiode",
    "vermeden_trajecten": "specialistische trajecten die niet starten, over de raadsperiode",
    "bruto_euro_per_vermeden_traject": "kosten van de hefbomen per vermeden traject",
    "netto_euro_per_vermeden_traject": "netto uitgaven per vermeden traject",
    "kans_trajecten_vermeden": "aandeel trekkingen waarin trajecten worden vermeden",
    "kans_besparing_raadsperiode": "aandeel trekkingen waarin het plan in de raadsperiode geld "
                                   "bespaart",
    "terugverdienjaar": "eerste jaar vanaf waar de opgetelde netto uitgaven onder nul blijven "
                        "(leeg: niet binnen de periode)",
    "kans_terugverdiend_binnen_periode": "aandeel trekkingen waarin het plan binnen de "
                                         "doorgerekende jaren is terugverdiend",
    "hefboom": "sleutel van de hefboom (jeugdstelsel levers)",
    "naam": "naam van de hefboom",
    "dosis": "ingezette dosis, in de eenheid van de volgende kolom",
    "start": "eerste jaar van de hefboom",
    "eind": "laatste jaar van de hefboom (leeg: doorlopend)",
    "aanloop_maanden": "maanden tot de hefboom op volle sterkte werkt",
    "effecten": "welke parameters de hefboom verandert, met de band per eenheid dosis",
    "kosten": "kosten per eenheid dosis per jaar en hun grondslag",
    "bronnen": "bron in de seeds, met de passage",
    "uitkomst": "de uitkomst waarvan de gevoeligheid is berekend",
    "factor": "sleutel van de aanname (parameter of hefboomeffect)",
    "label": "de aanname in woorden",
    "soort": "parameter of hefboom",
    "ondergrens_invoer": "ondergrens van de aanname (invoer)",
    "bovengrens_invoer": "bovengrens van de aanname (invoer)",
    "centraal": "uitkomst met alle aannames op hun centrale waarde (euro in miljoenen)",
    "laag": "uitkomst met deze aanname op de ondergrens (euro in miljoenen)",
    "hoog": "uitkomst met deze aanname op de bovengrens (euro in miljoenen)",
    "bereik": "verschil tussen hoog en laag, absoluut",
}
STAT_SUFFIX = {"mediaan": "mediaan over de trekkingen", "p10": "10e percentiel",
               "p90": "90e percentiel"}
ID_COLUMNS = ("scenario", "indicator", "reeks", "omschrijving", "eenheid", "statistiek",
              "onderdeel", "uitkomst", "hefboom", "naam", "veld", "jaar")


def explain(column: str) -> str:
    """The Dutch explanation of a column of the workbook."""
    if column in COLUMNS:
        return COLUMNS[column]
    if column.isdigit():
        return f"waarde in {column}"
    stem, _, stat = column.rpartition("_")
    if stat in STAT_SUFFIX and stem:
        base = COLUMNS.get(f"{stem}_") or COLUMNS.get(stem) or stem.replace("_", " ")
        return f"{base}; {STAT_SUFFIX[stat]}"
    return column.replace("_", " ")


def unit_format(unit: str | None) -> str:
    """The number format for values in ``unit`` (an 'eenheid' of a series or indicator)."""
    u = (unit or "").lower()
    if "weken" in u or "%" in u or "procent" in u or "fte" in u:
        return ONE
    if "euro" in u or "personen" in u or "jongeren" in u or "trajecten" in u or \
            "maatregelen" in u or "plaatsingen" in u:
        return WHOLE
    return TWO


def column_format(column: str) -> str | None:
    """A fixed number format for a column, or None when it follows the row's unit."""
    if column.startswith("kans") or column in ("S1", "S1_conf", "ST", "ST_conf"):
        return PERCENT if column.startswith("kans") else TWO
    if column in ("jaar", "start", "eind") or column.startswith("terugverdienjaar"):
        return YEAR
    if "euro" in column or column.startswith(("netto_uitgaven", "kosten_hefbomen")):
        return WHOLE
    if column.startswith("vermeden_trajecten") or column == "aanloop_maanden":
        return WHOLE
    if column in ("centraal", "laag", "hoog", "bereik", "ondergrens_invoer",
                  "bovengrens_invoer", "dosis"):
        return TWO
    return None


def series_table(comp: Comparison, index: int) -> pd.DataFrame:
    """All model series of one scenario: one row per series and statistic, years as columns."""
    res = comp.results[index]
    keys = list(res.series)
    if not keys:
        return pd.DataFrame(columns=["reeks", "omschrijving", "eenheid", "statistiek"])
    stack = np.stack([np.asarray(res.series[k], dtype=float) for k in keys])  # (S, D, Y)
    stats = np.percentile(stack, list(STATS.values()), axis=1)  # (stats, S, Y)
    stats = np.concatenate([stats, stack.mean(axis=1)[None], stack.std(axis=1)[None]])
    names = [*STATS, "gemiddelde", "sd"]
    n = len(names)
    frame = pd.DataFrame({
        "reeks": np.repeat(keys, n),
        "omschrijving": np.repeat([SERIES_BY_KEY[k].label_nl for k in keys], n),
        "eenheid": np.repeat([SERIES_BY_KEY[k].unit for k in keys], n),
        "statistiek": np.tile(names, len(keys)),
    })
    values = no_negative_zero(stats.transpose(1, 0, 2).reshape(len(keys) * n, -1))
    years = pd.DataFrame(values, columns=[str(y) for y in comp.years])
    return pd.concat([frame, years], axis=1)


def lever_table(comp: Comparison) -> pd.DataFrame:
    rows = []
    for res in comp.results:
        for a in res.plan.active:
            lv = a.lever
            rows.append({"scenario": res.name, "hefboom": lv.key, "naam": lv.naam,
                         "dosis": a.use.dosis, "eenheid": lv.dosis.eenheid,
                         "start": a.use.start, "eind": a.use.eind or None,
                         "aanloop_maanden": lv.aanloop_maanden,
                         "effecten": "; ".join(f"{e.parameter} {e.bewerking} "
                                               f"[{e.per_eenheid[0]:g}, {e.per_eenheid[1]:g}]"
                                               f" per eenheid" for e in lv.all_effects),
                         "kosten": f"{lv.kosten.euro_per_eenheid_per_jaar:g} euro per eenheid "
                                   f"per jaar ({lv.kosten.grondslag})",
                         "bronnen": " | ".join(f"{b.seed}: '{b.passage}'" for b in lv.bronnen)})
    columns = ["scenario", "hefboom", "naam", "dosis", "eenheid", "start", "eind",
               "aanloop_maanden", "effecten", "kosten", "bronnen"]
    return pd.DataFrame(rows, columns=columns)


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "scenario"
    out, i = base, 2
    while out.lower() in {u.lower() for u in used}:
        out, i = f"{base[:25]} {i}", i + 1
    used.add(out)
    return out


def _clean(table: pd.DataFrame) -> pd.DataFrame:
    """Floats without -0 and without inf (Excel has no infinity: an empty cell instead)."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            v = no_negative_zero(out[col].to_numpy(dtype=float))
            out[col] = np.where(np.isfinite(v), v, np.nan)
    return out


def _format_sheet(ws, table: pd.DataFrame, *, unit_column: str | None = "eenheid") -> None:
    """Bold frozen header, filter, widths, number formats per column or per row's unit."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    n_rows, n_cols = len(table), len(table.columns)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF4")
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    ids = [i for i, c in enumerate(table.columns) if c in ID_COLUMNS and c != "jaar"]
    frozen = (max(ids) + 2) if ids and max(ids) < 5 else 1
    ws.freeze_panes = ws.cell(row=2, column=frozen)
    if n_cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{max(n_rows + 1, 1)}"
    units = (table[unit_column].astype(str).to_numpy() if unit_column in table.columns
             else None)
    row_formats = [unit_format(u) for u in units] if units is not None else None
    for j, col in enumerate(table.columns, start=1):
        letter = get_column_letter(j)
        series = table[col]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric:
            fixed = column_format(str(col))
            cells = ws.iter_rows(min_row=2, max_row=n_rows + 1, min_col=j, max_col=j)
            for i, (cell,) in enumerate(cells):
                cell.number_format = fixed or (row_formats[i] if row_formats else TWO)
            width = 14
        else:
            longest = series.astype(str).str.len().max() if n_rows else 0
            width = min(max(len(str(col)), int(longest if longest == longest else 0)) + 2, 60)
        ws.column_dimensions[letter].width = max(width, min(len(str(col)) + 2, 30))


def _write(xl, table: pd.DataFrame, name: str, used: set[str], docs: list[tuple],
           **fmt) -> str:
    sheet = _sheet_name(name, used)
    clean = _clean(table)
    clean.to_excel(xl, sheet_name=sheet, index=False)
    _format_sheet(xl.sheets[sheet], clean, **fmt)
    for col in clean.columns:
        unit = ("zie kolom 'eenheid'" if "eenheid" in clean.columns and
                column_format(str(col)) is None and pd.api.types.is_numeric_dtype(clean[col])
                else _unit_of(str(col)))
        docs.append((sheet, str(col), explain(str(col)), unit))
    return sheet


def _unit_of(column: str) -> str:
    fmt = column_format(column)
    if column.startswith("kans"):
        return "aandeel (0-100%)"
    if "euro" in column or column.startswith(("netto_uitgaven", "kosten_hefbomen")):
        return "euro"
    if column.startswith("vermeden_trajecten"):
        return "trajecten"
    if fmt == YEAR:
        return "jaar"
    if column == "aanloop_maanden":
        return "maanden"
    return ""


def _notes(xl, comp: Comparison, prov: Provenance, docs: list[tuple]) -> None:
    """The first sheet: provenance, run settings, and every column of every sheet explained."""
    from openpyxl.styles import Alignment, Font

    ws = xl.book.create_sheet(NOTES_SHEET, 0)
    bold = Font(bold=True)
    ws.append(["Scenariovergelijking jeugdzorg", comp.area_name])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(["Herkomst"])
    ws.cell(row=ws.max_row, column=1).font = bold
    for line in prov.lines_nl():
        ws.append(["", line.strip()])
    ws.append([])
    ws.append(["Doorrekening"])
    ws.cell(row=ws.max_row, column=1).font = bold
    for field, value in (("gebied", comp.area_name),
                         ("jaren", f"{comp.years[0]}-{comp.years[-1]}"),
                         ("trekkingen", comp.n_draws),
                         ("zaad", comp.base.scenario.simulatie.zaad),
                         ("referentie", comp.base.name)):
        ws.append(["", field, value])
    ws.append([])
    ws.append(["Kolommen per blad"])
    ws.cell(row=ws.max_row, column=1).font = bold
    ws.append(["blad", "kolom", "betekenis", "eenheid"])
    header = ws.max_row
    for cell in ws[header]:
        cell.font = bold
    seen: set[tuple[str, str]] = set()
    for sheet, col, text, unit in docs:
        if col.isdigit() and (sheet, "jaar-kolommen") in seen:
            continue
        if col.isdigit():
            seen.add((sheet, "jaar-kolommen"))
            col, text = f"{col} ...", "één kolom per jaar: de statistiek in dat jaar"
        ws.append([sheet, col, text, unit])
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCD", (22, 34, 90, 22), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header + 1, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_workbook(comp: Comparison, path: Path, *, term: pd.DataFrame | None = None,
                   effectiveness: pd.DataFrame | None = None,
                   tornado: pd.DataFrame | None = None,
                   provenance: Provenance | None = None) -> Path:
    """'Toelichting' (provenance, columns) first, then comparison sheets, one per scenario."""
    prov = provenance or provenance_of(comp)
    used: set[str] = {NOTES_SHEET}
    docs: list[tuple] = []
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        _write(xl, comp.differences(), "verschillen per jaar", used, docs)
        if term is not None:
            _write(xl, term, "raadsperiode", used, docs)
        if effectiveness is not None:
            _write(xl, effectiveness, "kosteneffectiviteit", used, docs, unit_column=None)
        if tornado is not None:
            _write(xl, tornado, "gevoeligheid", used, docs, unit_column=None)
        _write(xl, lever_table(comp), "hefbomen", used, docs, unit_column=None)
        for i, res in enumerate(comp.results):
            _write(xl, series_table(comp, i), res.name, used, docs)
        _notes(xl, comp, prov, docs)
        xl.book.active = 0
    return path

