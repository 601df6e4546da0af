"""CLI for the scenario lab: ``levers``, ``compare``, ``gevoeligheid``, ``report``.

Scenario and lever errors become a Dutch message and exit code 1, without a traceback; nothing
is run or written when the input is not valid. Output folders are written atomically.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from jeugdstelsel.cli.common import (
    print_header,
    print_provenance,
    print_table,
    spec_line,
)
from jeugdstelsel.errors import LeverUseError
from jeugdstelsel.numbers import nl_number

F = TypeVar("F", bound=Callable[..., Any])
console = Console()
errors = Console(stderr=True)

TERM_HELP = "Eerste jaar van de raadsperiode (4 jaar)."
SHOWN = ("specialistisch", "eerste_lijn", "specialistisch_met_verblijf", "herhaald_beroep_pct",
         "wachttijd_weken", "verblijf_plaatsingen", "uitgaven", "uitgaven_per_jongere")
SHORT = {"specialistisch": "Specialistisch", "eerste_lijn": "Eerste lijn",
         "specialistisch_met_verblijf": "Met verblijf", "herhaald_beroep_pct": "Herhaald %",
         "wachttijd_weken": "Wachttijd wk", "verblijf_plaatsingen": "Plaatsingen",
         "uitgaven": "Uitgaven mln €", "uitgaven_per_jongere": "€ per jongere"}


def friendly(func: F) -> F:
    """Kept for callers; errors are turned into Dutch by the CLI's one boundary."""
    return func


_nl = nl_number


def _cell(key: str, med: float, lo: float, hi: float) -> str:
    div, digits = (1e6, 1) if key == "uitgaven" else (1.0, 1 if key in (
        "herhaald_beroep_pct", "wachttijd_weken") else 0)
    return (f"{_nl(med / div, digits, True)}\n[dim]({_nl(lo / div, digits, True)}; "
            f"{_nl(hi / div, digits, True)})[/]")


def _load(paths: list[Path], draws: int | None = None, seed: int | None = None):
    from jeugdstelsel.services.scenario import load

    loaded = []
    for path in paths:
        spec = load(path)
        updates = {k: v for k, v in (("trekkingen", draws), ("zaad", seed)) if v is not None}
        if updates:
            spec = spec.model_copy(update={"simulatie": spec.simulatie.model_copy(
                update=updates)})
        loaded.append((str(path), spec))
    return loaded


def _header(loaded, comp=None) -> None:
    (src, ref), *plans = loaded
    print_header(console, spec_line(ref, src, plans=[f"{sc.scenario.naam} ({p})"
                                                    for p, sc in plans]))
    if comp is not None:
        print_provenance(console, comp)


OUT_TABLES = typer.Option("--uit", "--out", help="Map voor tabellen en grafieken.")
OVERWRITE = typer.Option("--overschrijf", help="Overschrijf bestanden met dezelfde naam in de "
                         "uitvoermap (standaard: weigeren).")
DRAWS = typer.Option("--trekkingen", "--draws", min=1, max=100_000,
                     help="Aantal trekkingen voor alle scenario's (standaard: uit de "
                     "referentie).")
SEED = typer.Option("--zaad", "--seed", min=0, help="Zaad voor alle scenario's (standaard: "
                    "uit de referentie).")


def _print_comparison(comp, term_start: int) -> None:
    diff = comp.differences()
    term = comp.term(term_start)
    # narrow terminals: the indicators in groups of four, so no column is cut
    per_table = len(SHOWN) if console.width >= 130 else 4
    groups = [SHOWN[i:i + per_table] for i in range(0, len(SHOWN), per_table)]
    for res in comp.results[1:]:
        d = diff[diff["scenario"] == res.name]
        t = term[term["scenario"] == res.name].set_index("indicator")
        for part, keys in enumerate(groups, 1):
            suffix = f" ({part}/{len(groups)})" if len(groups) > 1 else ""
            table = Table(title=f"{res.name} min {comp.base.name} — {comp.area_name}{suffix}\n"
                                "mediaan (80%-interval) van gepaarde verschillen",
                          show_lines=False, title_justify="left")
            table.add_column("Jaar")
            for key in keys:
                table.add_column(SHORT[key], justify="right", overflow="fold")
            for year in comp.years:
                row = d[d["jaar"] == year].set_index("indicator")
                table.add_row(str(year), *(_cell(k, row.loc[k, "verschil_mediaan"],
                                                 row.loc[k, "verschil_p10"],
                                                 row.loc[k, "verschil_p90"]) for k in keys))
            table.add_section()
            table.add_row(f"[bold]{t['raadsperiode'].iloc[0]}[/]",
                          *(_cell(k, t.loc[k, "verschil_mediaan"], t.loc[k, "verschil_p10"],
                                  t.loc[k, "verschil_p90"]) for k in keys))
            console.print(table)
    console.print("[dim]Raadsperiode: personen en wachttijd gemiddeld per jaar, plaatsingen en "
                  "uitgaven opgeteld over de vier jaar. Uitgaven inclusief kosten van de "
                  "hefbomen.[/]")


def levers(
    detail: Annotated[str | None, typer.Argument(help="Naam van een hefboom voor alle "
                                                      "details.")] = None,
) -> None:
    """Toon de hefboombibliotheek: maatregelen uit de bronnen met dosis, werking en kosten."""
    from jeugdstelsel.levers import load_library

    lib = load_library()
    if detail:
        if detail not in lib.levers:
            raise LeverUseError(f"onbekende hefboom '{detail}'; bekend: "
                                f"{', '.join(sorted(lib.levers))}")
        lv = lib[detail]
        console.print(f"[bold]{lv.naam}[/] ({lv.key}, {lv.bestand})\n{lv.beschrijving}\n")
        console.print(f"Ingrediënt: {lv.ingredient}; aanloop {lv.aanloop_maanden} maanden")
        console.print(f"Dosis: {lv.dosis.eenheid}, {_nl(lv.dosis.min, 2)} tot "
                      f"{_nl(lv.dosis.max, 2)} (voorbeeld {_nl(lv.dosis.voorbeeld, 2)})")
        for e in lv.all_effects:
            console.print(f"- {e.parameter} {e.bewerking} {e.per_eenheid[0]:g} tot "
                          f"{e.per_eenheid[1]:g} per eenheid — {e.onderbouwing.text_nl()}")
        if lv.preventie is not None:
            p = lv.preventie
            console.print(f"- samenhangfactor {p.samenhangfactor[0]:g} tot "
                          f"{p.samenhangfactor[1]:g} — {p.onderbouwing_samenhang.text_nl()}")
        c = lv.kosten
        console.print(f"Kosten: {_nl(c.euro_per_eenheid_per_jaar, 2)} euro per eenheid per jaar "
                      f"({c.grondslag}); eenmalig {_nl(c.eenmalig_euro_per_eenheid, 2)} — "
                      f"{c.onderbouwing.text_nl()}")
        for b in lv.bronnen:
            console.print(f"Bron: seed {b.seed}: '{b.passage}'")
        return
    rows = []
    for lv in lib:
        work = "\n".join(f"{e.parameter} {e.bewerking} {e.per_eenheid[0]:g}..{e.per_eenheid[1]:g}"
                         for e in lv.all_effects)
        cost = (f"€ {_nl(lv.kosten.euro_per_eenheid_per_jaar, 2)} / eenheid / jaar "
                f"({lv.kosten.grondslag})" if lv.kosten.grondslag != "geen"
                else "via zorgkosten")
        rows.append([lv.key, lv.naam, lv.ingredient,
                     f"{lv.dosis.eenheid} ({_nl(lv.dosis.min, 2)}-{_nl(lv.dosis.max, 2)})",
                     work, cost, ", ".join(sorted({b.seed[:3] for b in lv.bronnen}))])
    print_table(console, f"Hefbomen ({len(lib)}) — details: jeugdstelsel hefbomen NAAM",
                ["Naam", "Hefboom", "Ingrediënt", "Dosis (bereik)", "Werking", "Kosten", "Bron"],
                rows, show_lines=True)


def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Referentiescenario gevolgd door een "
                                                         "of meer plannen (TOML).")],
    raadsperiode: Annotated[int, typer.Option(help=TERM_HELP)] = 2026,
    out: Annotated[Path | None, OUT_TABLES] = None,
    per_hefboom: Annotated[bool, typer.Option(help="Ook elke hefboom afzonderlijk doorrekenen "
                                                   "(kosteneffectiviteit per hefboom).")] = True,
    draws: Annotated[int | None, DRAWS] = None,
    seed: Annotated[int | None, SEED] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Vergelijk scenario's met gemeenschappelijke trekkingen (verschillen met de eerste)."""
    import contextlib

    from jeugdstelsel.reports.chart_process import ChartProcess

    # with files to write: a child process imports matplotlib meanwhile and draws the charts
    with ChartProcess("bands", "flows") if out is not None else contextlib.nullcontext() as charts:
        _compare(scenarios, raadsperiode, out, per_hefboom, draws, seed, overwrite, charts)


def _compare(scenarios, raadsperiode, out, per_hefboom, draws, seed, overwrite, charts) -> None:
    from jeugdstelsel.reports.bundle import write_comparison
    from jeugdstelsel.reports.files import COMPARE_FILES, atomic_dir, prepare_output
    from jeugdstelsel.services.compare import compare_scenarios

    loaded = _load(scenarios, draws, seed)
    _header(loaded)
    folder = (prepare_output(out, overwrite=overwrite, names=COMPARE_FILES)
              if out is not None else None)
    with console.status("Scenario's doorrekenen…"):
        comp = compare_scenarios(loaded, per_lever=per_hefboom)
        comp.term_years(raadsperiode)
    print_provenance(console, comp)
    if folder is None:
        _print_comparison_tables(comp, raadsperiode)
        return
    with atomic_dir(folder) as tmp:
        write_comparison(comp, tmp, raadsperiode, charts_process=charts)
        _print_comparison_tables(comp, raadsperiode)  # while the charts are drawn
        charts.wait()
    console.print(f"Resultaten geschreven naar {out}")


def _print_comparison_tables(comp, raadsperiode: int) -> None:
    """The differences and the cost-effectiveness table of ``vergelijk``."""
    from jeugdstelsel.services.effectiveness import cost_effectiveness

    _print_comparison(comp, raadsperiode)
    eff = cost_effectiveness(comp, raadsperiode)
    rows = []
    for _, r in eff.iterrows():
        be = r["terugverdienjaar_mediaan"]
        rows.append([r["scenario"] if r["onderdeel"] == "hele scenario"
                     else f"  alleen {r['onderdeel']}",
                     _cell("uitgaven", r["netto_uitgaven_mediaan"], r["netto_uitgaven_p10"],
                           r["netto_uitgaven_p90"]),
                     _cell("x", r["vermeden_trajecten_mediaan"], r["vermeden_trajecten_p10"],
                           r["vermeden_trajecten_p90"]),
                     _nl(r["bruto_euro_per_vermeden_traject_mediaan"]),
                     f"{_nl(100 * r['kans_besparing_raadsperiode'])}%",
                     "niet in periode" if math.isinf(be) else str(int(be))])
    heads = ["Scenario / hefboom", "Netto uitgaven mln €", "Vermeden trajecten",
             "€ hefbomen per vermeden traject", "Kans besparing", "Terugverdiend"]
    print_table(console, "Kosteneffectiviteit (raadsperiode)", heads, rows,
                right=tuple(heads[1:]))


def gevoeligheid(
    scenario: Annotated[Path, typer.Argument(help="Scenario (TOML).")],
    raadsperiode: Annotated[int, typer.Option(help=TERM_HELP)] = 2026,
    sobol_n: Annotated[int, typer.Option(help="Basisgrootte van de Sobol-steekproef (macht "
                                              "van 2; 1024 convergeert, docs/levers.md).")]
    = 1024,
    out: Annotated[Path | None, OUT_TABLES] = None,
    draws: Annotated[int | None, DRAWS] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Welke aannames bepalen de uitkomst: tornado en Sobol-indices (SALib)."""
    from jeugdstelsel.reports import charts
    from jeugdstelsel.reports.files import SENSITIVITY_FILES, atomic_dir, prepare_output
    from jeugdstelsel.services.sensitivity import sensitivity

    (src, sc), = _load([scenario], draws)
    print_header(console, spec_line(sc, src))
    folder = (prepare_output(out, overwrite=overwrite, names=SENSITIVITY_FILES)
              if out is not None else None)
    with console.status("Gevoeligheid berekenen…"):
        res = sensitivity(sc, src, term_start=raadsperiode, sobol_n=sobol_n)
    for _, g in res.tornado.groupby("indicator", sort=False):
        table = Table(title=g["uitkomst"].iloc[0], title_justify="left")
        for col in ("Aanname", "Bij ondergrens", "Bij bovengrens", "Centraal"):
            table.add_column(col, justify="left" if col == "Aanname" else "right")
        for _, r in g.nlargest(8, "bereik").iterrows():
            table.add_row(r["label"], _nl(r["laag"], 1), _nl(r["hoog"], 1),
                          _nl(r["centraal"], 1))
        console.print(table)
    if len(res.sobol):
        top = res.sobol.sort_values("ST", ascending=False).groupby("indicator").head(3)
        table = Table(title="Sobol: grootste totale indices", title_justify="left")
        for col in ("Uitkomst", "Aanname", "S1 ± 95%", "ST ± 95%", "Status"):
            table.add_column(col, overflow="fold")  # never cut a name at 80 columns
        for _, r in top.iterrows():
            table.add_row(r["indicator"], r["label"],
                          f"{_nl(r['S1'], 2)} ± {_nl(r['S1_conf'], 2)}",
                          f"{_nl(r['ST'], 2)} ± {_nl(r['ST_conf'], 2)}", r["status"])
        console.print(table)
        flagged = int((res.sobol["status"] != "geconvergeerd").sum())
        console.print(f"[dim]Sobol met N = {sobol_n}: {flagged} van {len(res.sobol)} indices "
                      "'niet geconvergeerd' (95%-interval buiten [0, 1]; niets afgekapt). "
                      "Kies een grotere --sobol-n voor een nauwer interval.[/]")
    if folder is not None:
        with atomic_dir(folder) as tmp:
            res.tornado.to_csv(tmp / "tornado.csv", index=False, sep=";", decimal=",")
            res.sobol.to_csv(tmp / "sobol.csv", index=False, sep=";", decimal=",")
            charts.tornado(res.tornado, tmp / "tornado.png")
            if len(res.sobol):
                charts.sobol(res.sobol, tmp / "sobol.png")
        console.print(f"Resultaten geschreven naar {out}")


def report(
    scenarios: Annotated[list[Path], typer.Argument(help="Referentiescenario gevolgd door een "
                                                         "of meer plannen (TOML).")],
    out: Annotated[Path, typer.Option("--uit", "--out", help="Map voor rapport.pdf, "
                                      "rapport.xlsx en de grafieken.")] = Path("rapport"),
    raadsperiode: Annotated[int, typer.Option(help=TERM_HELP)] = 2026,
    sobol_n: Annotated[int, typer.Option(help="Basisgrootte van de Sobol-steekproef (macht "
                                              "van 2; 1024 convergeert, docs/levers.md).")]
    = 1024,
    draws: Annotated[int | None, DRAWS] = None,
    seed: Annotated[int | None, SEED] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
    vraag: Annotated[str | None, typer.Option(
        "--vraag", help="De vraag die het rapport beantwoordt (standaard: 'vraag' onder "
        "[scenario] in het plan; anders een vraag afgeleid uit de scenario's).")] = None,
) -> None:
    """Schrijf een raadsrapport (toegankelijke PDF) en een Excel-werkmap met alle reeksen."""
    from jeugdstelsel.reports import charts
    from jeugdstelsel.reports.bundle import write_comparison
    from jeugdstelsel.reports.council_pdf import write_pdf
    from jeugdstelsel.reports.excel import write_workbook
    from jeugdstelsel.reports.files import REPORT_FILES, atomic_dir, prepare_output
    from jeugdstelsel.services.compare import compare_scenarios
    from jeugdstelsel.services.council_report import context
    from jeugdstelsel.services.sensitivity import sensitivity

    loaded = _load(scenarios, draws, seed)
    _header(loaded)
    folder = prepare_output(out, overwrite=overwrite, names=REPORT_FILES)
    with console.status("Scenario's doorrekenen…"):
        comp = compare_scenarios(loaded, per_lever=True)
        comp.term_years(raadsperiode)
    # the drivers of the richest plan: the one with the most levers
    src, plan = max(loaded[1:], key=lambda p: len(p[1].hefbomen))
    with console.status("Gevoeligheid berekenen…"):
        sens = sensitivity(plan, src, term_start=raadsperiode, sobol_n=sobol_n)
    with atomic_dir(folder) as tmp:
        _, term, eff = write_comparison(comp, tmp, raadsperiode)
        charts.tornado(sens.tornado, tmp / "tornado.png")
        if len(sens.sobol):
            charts.sobol(sens.sobol, tmp / "sobol.png")
        sens.tornado.to_csv(tmp / "tornado.csv", index=False, sep=";", decimal=",")
        sens.sobol.to_csv(tmp / "sobol.csv", index=False, sep=";", decimal=",")
        write_workbook(comp, tmp / "rapport.xlsx", term=term, effectiveness=eff,
                       tornado=sens.tornado)
        with console.status("Rapport opmaken…"):
            write_pdf(context(comp, raadsperiode, term=term, effectiveness=eff,
                              sensitivity=sens, question=vraag), tmp / "rapport.pdf")
    print_provenance(console, comp)
    _print_comparison(comp, raadsperiode)
    console.print(f"Rapport geschreven naar {out / 'rapport.pdf'} en {out / 'rapport.xlsx'}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("levers")(friendly(levers))
    app.command("compare")(friendly(compare))
    app.command("gevoeligheid")(friendly(gevoeligheid))
    app.command("report")(friendly(report))
