"""`jeugdstelsel run`, `model` and `calibrate`: the model on the default and on scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from jeugdstelsel.cli.common import (
    fmt_number,
    print_header,
    print_provenance,
    print_table,
    spec_line,
)

console = Console()
err = Console(stderr=True)

PERSON_FORMS = (
    ("jeugdzorg", "Jeugdzorg\ntotaal"),
    ("jeugdhulp_zonder_verblijf", "Zonder\nverblijf"),
    ("jeugdhulp_met_verblijf", "Met\nverblijf"),
    ("jeugdbescherming", "Jeugd-\nbescherming"),
    ("jeugdreclassering", "Jeugd-\nreclasse-\nring"),
)
GROUP_TITLES = {
    "0_22": "0 t/m 22 jaar",
    "0_17": "onder de 18 (0 t/m 17 jaar)",
    "18_22": "18 t/m 22 jaar",
}


def _cell(
    cells: dict, key: str, year: int, *, pct_key: str | None = None, scale: float = 1.0,
    decimals: int = 0,
) -> str:
    """One table cell: median, 80% band, share, published figure. ``cells``: (series, year) ->
    column -> value (plain dicts: a pandas ``.loc`` per value made the tables cost 0.3 s)."""
    row = cells[(key, year)]
    med, lo, hi = (row[s] / scale for s in ("mediaan", "p10", "p90"))
    # the band on two lines of its own, so a narrow terminal never breaks a number
    low, high = fmt_number(lo, decimals), fmt_number(hi, decimals)
    text = f"{fmt_number(med, decimals)}\n[{low} –\n{high}]"
    if pct_key is not None:
        text += f"\n{fmt_number(cells[(pct_key, year)]['mediaan'], 1)}%"
    obs = row.get("waargenomen", np.nan)
    if obs == obs:  # not NaN
        mark = "*" if row.get("status") == "voorlopig" else ""
        if row.get("soort_bron") == "nieuwsbericht":
            mark += " (nieuws)"  # a figure from a news article is never called CBS
        text += f"\n[bold red]gepubl. {fmt_number(obs / scale, decimals)}{mark}[/]"
    return text


def _header(label: str, key: str, verdicts) -> str:
    """A column header with the backtest's verdict of that series beside it (if tested)."""
    short = verdicts.short(key) if verdicts is not None else ""
    return f"{label}\n({short})" if short else label


def print_reliability(verdicts) -> None:
    """Where the verdicts in the headers come from; outdated or missing ones are said so."""
    if verdicts is None:
        console.print("[yellow]Betrouwbaarheid: dit pakket heeft geen toetsresultaat; draai "
                      "`jeugdstelsel toets` om de voorspelling te toetsen.[/]")
        return
    style = "dim" if verdicts.current else "yellow"
    console.print(f"[{style}]{verdicts.source()} Oordeel: goed = beter dan beide, matig = "
                  "ongeveer even goed, zwak = slechter dan een van beide; details: "
                  "toets_samenvatting.csv.[/]")


def print_tables(frame, years) -> None:
    """The year-by-year tables the issue asks for: median, 80% band, published figure."""
    from jeugdstelsel.services.reliability import shipped

    verdicts = shipped()
    stats = frame.pivot_table(index=["reeks", "jaar"], columns="statistiek", values="waarde")
    if "waargenomen" in frame.columns:
        extra = frame[frame["statistiek"] == "mediaan"].set_index(["reeks", "jaar"])
        stats["waargenomen"] = extra["waargenomen"]
        stats["status"] = extra["status"]
        if "soort_bron" in extra.columns:
            stats["soort_bron"] = extra["soort_bron"]
    stats = stats.to_dict("index")
    for group, title in GROUP_TITLES.items():
        table = Table(
            title=f"Jongeren in zorg per jaar, {title} — aantal, 80%-band, % van de leeftijdsgroep",
            show_lines=True,
            title_justify="left",
        )
        table.add_column("Jaar", justify="right")
        for k, label in PERSON_FORMS:
            table.add_column(_header(label, f"{k}_{group}", verdicts), justify="right",
                             overflow="fold")
        for y in years:
            table.add_row(
                str(y),
                *(
                    _cell(stats, f"{k}_{group}", y, pct_key=f"{k}_{group}_pct")
                    for k, _ in PERSON_FORMS
                ),
            )
        console.print(table)
    table = Table(
        title="Trajecten per jaar — mediaan en 80%-band", show_lines=True, title_justify="left"
    )
    cols = (
        ("trajecten_gestart_nieuw", "Gestart: nieuw", 0),
        ("trajecten_gestart_herhaald", "Gestart: herhaald beroep", 0),
        ("herhaald_beroep_pct", "Herhaald beroep (%)", 1),
        ("trajecten_beeindigd_volgens_plan", "Beëindigd volgens plan", 0),
        ("trajecten_beeindigd_voortijdig", "Beëindigd voortijdig", 0),
    )
    table.add_column("Jaar", justify="right")
    for _, label, _ in cols:
        table.add_column(label, justify="right", overflow="fold")
    for y in years:
        table.add_row(str(y), *(_cell(stats, k, y, decimals=d) for k, _, d in cols))
    console.print(table)
    table = Table(
        title="Wachtlijst, wachttijd en uitgaven — mediaan en 80%-band",
        show_lines=True,
        title_justify="left",
    )
    for label in (
        "Jaar",
        "Wachtlijst (eind jaar)",
        "Wachttijd (weken)",
        "Uitgaven (mln euro)",
        "Per jongere met jeugdzorg (euro)",
    ):
        table.add_column(label, justify="right", overflow="fold")
    for y in years:
        table.add_row(
            str(y),
            _cell(stats, "wachtlijst", y),
            _cell(stats, "wachttijd_weken", y, decimals=1),
            _cell(stats, "uitgaven", y, scale=1e6),
            _cell(stats, "uitgaven_per_jongere_in_zorg", y),
        )
    console.print(table)
    console.print(
        "[dim]gepubl. = gepubliceerd cijfer (CBS/NJi; '(nieuws)': uit een nieuwsbericht, geen "
        "CBS-publicatie; bron per cijfer in results.csv); * = voorlopig. Jeugdhulp vóór "
        "2021 is geteld zoals CBS het toen waarnam (trendbreuk 2021: meer aanbieders "
        "leveren sindsdien aan).[/]"
    )
    print_reliability(verdicts)


def summary_years(years, spec=None) -> list[int]:
    """The years a summary shows: first, last published, lever starts, every fifth, last."""
    years = [int(y) for y in years]
    if len(years) <= 6:
        return years
    keep = {years[0], years[-1], *(y for y in years if y % 5 == 0)}
    try:
        from jeugdstelsel.services.provenance import figures_vintage

        keep.add(min(max(years), figures_vintage()[0]))  # the last published year
    except Exception:  # the summary is a courtesy; the files hold every year
        pass
    for use in getattr(spec, "hefbomen", ()) or ():
        keep.add(int(use.start))
    return sorted(y for y in keep if y in years)


def run_cmd(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenariobestand (TOML); zonder: Nederland 2015-2030.")
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--trekkingen", "--draws", min=1, max=100_000,
            help="Aantal Monte Carlo-trekkingen (standaard: uit het scenario, anders 1.000).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--zaad", "--seed", min=0,
                     help="Startwaarde van de toevalsgenerator (standaard: uit het scenario, "
                     "anders 42)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--uit", "--out", help="Map voor results.csv/.parquet en grafiek.png.")
    ] = Path("uitvoer"),
    overwrite: Annotated[
        bool, typer.Option("--overschrijf", help="Overschrijf bestanden in een bestaande map.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--stil", help="Geen tabellen tonen.")] = False,
    all_years: Annotated[
        bool, typer.Option("--alle-jaren", help="Toon elk jaar (standaard: een samenvatting; "
                           "alle jaren staan in results.csv).")
    ] = False,
) -> None:
    """Simuleer het jeugdstelsel (standaard: Nederland 2015-2030, maandelijks)."""
    from jeugdstelsel.reports.chart_process import ChartProcess

    with ChartProcess("run") as charts:  # imports matplotlib on the other core meanwhile
        _run(scenario, draws, seed, out, overwrite, quiet, all_years, charts)


def _run(scenario, draws, seed, out, overwrite, quiet, all_years, charts) -> None:
    from jeugdstelsel.reports.files import RUN_FILES, prepare_output
    from jeugdstelsel.services import results
    from jeugdstelsel.services.run import run
    from jeugdstelsel.services.scenario import load, parse

    spec = load(scenario) if scenario else parse("", "standaardscenario")
    updates = {}
    if draws is not None:
        updates["trekkingen"] = draws
    if seed is not None:
        updates["zaad"] = seed
    if updates:
        spec = spec.model_copy(update={"simulatie": spec.simulatie.model_copy(update=updates)})
    print_header(console, spec_line(spec, str(scenario) if scenario else None))
    folder = prepare_output(out, overwrite=overwrite, names=RUN_FILES)  # refused before running
    n_months = (spec.periode.eind - 2015 + 1) * 12
    show = spec.simulatie.trekkingen >= 2000
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} maanden"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show,
    ) as bar:
        task = bar.add_task("Simuleren", total=n_months)
        kwargs = {"source": str(scenario)} if scenario else {}
        result = run(spec, progress=lambda done, total: bar.update(task, completed=done),
                     **kwargs)
    print_provenance(console, result)
    frame = results.table(result)
    with results.writing(result, folder, overwrite=overwrite, charts=charts, frame=frame):
        if not quiet:  # printed while the other process draws the chart
            years = list(result.years) if all_years else summary_years(result.years, spec)
            print_tables(frame, years)
            if len(years) < len(result.years):
                console.print(f"[dim]Samenvatting: {len(years)} van de {len(result.years)} "
                              "jaren. Alle jaren: --alle-jaren, of results.csv / "
                              "resultaten_excel.csv.[/]")
    console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in folder.written)}")


def model_cmd(
    diagram: Annotated[
        Path | None,
        typer.Option(
            "--diagram", help="Schrijf een voorraad-stroomdiagram (.png, .svg, .pdf of .dot)."
        ),
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Schrijf de modelbeschrijving als Markdown.")
    ] = None,
) -> None:
    """Leg het model uit: voorraden, stromen en parameters met eenheid, bereik en bron."""
    from jeugdstelsel.core.model import FLOWS, STOCKS
    from jeugdstelsel.services import modeldoc

    print_table(console, "Voorraden", ["Naam", "Omschrijving", "Soort"],
                [[st.name, f"{st.label_nl}: {st.description}",
                  "toestand" if st.kind == "state" else "overlay"] for st in STOCKS])
    print_table(console, "Stromen (per maand)",
                ["Nr", "Stroom", "Van → naar", "Formule", "Parameters"],
                [[f.number, f.label_nl, f"{f.source} → {f.target}", f.formula,
                  ", ".join(f.parameters)] for f in FLOWS], show_lines=True)
    print_table(console, "Parameters",
                ["Naam", "Omschrijving", "Eenheid", "Standaard", "Bereik", "Gekal.", "Bron"],
                [[r["naam"], r["omschrijving"], r["eenheid"], r["standaard"], r["bereik"],
                  r["gekalibreerd"], r["bron"]] for r in modeldoc.parameter_rows()],
                show_lines=True)
    if diagram is not None:
        console.print(f"[green]Diagram geschreven:[/] {modeldoc.diagram(diagram)}")
    if markdown is not None:
        markdown.write_text(modeldoc.markdown(), encoding="utf-8")
        console.print(f"[green]Beschrijving geschreven:[/] {markdown}")


def calibrate_cmd(
    gebied: Annotated[str, typer.Argument(help="'Nederland' of een gemeente.")] = "Nederland",
    save: Annotated[
        Path | None, typer.Option("--bewaar", help="Sla de kalibratie op in dit bestand (JSON).")
    ] = None,
    store: Annotated[
        bool, typer.Option("--opslaan/--niet-opslaan",
                           help="Gemeenten: bewaar de kalibratie in de lokale opslag, zodat "
                           "scenario's haar gebruiken.")
    ] = True,
) -> None:
    """Kalibreer het model op gepubliceerde cijfers; toon fit en toets buiten de steekproef."""
    from jeugdstelsel.services.calibration import calibrate, holdout_check

    if gebied.strip().lower() not in ("nederland", "nl", "nl01"):
        from jeugdstelsel.cli import municipal_calibration

        municipal_calibration.calibrate_municipality(gebied, save, store)
        return
    with console.status("Kalibreren op de landelijke cijfers…"):
        cal = calibrate()
        cal.holdout = holdout_check()
    print_header(console, "Gebied: Nederland; landelijke kalibratie op de ingebedde cijfers "
                 "(figures.csv)")
    rows = []
    for r in cal.fit:
        unit = "%" if r["unit"] == "%" else " pp"
        period = str(r.get("period", r["year"]))
        name = f"{r['series']} (per halfjaar)" if "H" in period else r["series"]
        rows.append([name, period,
                     fmt_number(r["observed"], 1 if r["unit"] == "pp" else 0),
                     fmt_number(r["model"], 1 if r["unit"] == "pp" else 0),
                     f"{r['error']:+.1f}{unit}".replace(".", ","), r["status"]])
    # one small table per series: readable at 80 columns, the series name said once
    console.print(f"[bold]Fit per reeks (gekalibreerd t/m {cal.fitted_through})[/]")
    for series in dict.fromkeys(row[0] for row in rows):
        table = Table(title=series, title_justify="left", title_style="bold")
        for col in ("Periode", "Gepubliceerd", "Model", "Afwijking", "Status"):
            table.add_column(col, justify="left" if col == "Status" else "right")
        for row in rows:
            if row[0] == series:
                table.add_row(*row[1:])
        console.print(table)
    h = cal.holdout
    table = Table(
        title=f"Toets buiten de steekproef: gekalibreerd t/m {h['fit_through']}, "
        f"voorspeld {h['year']} (gemiddelde absolute fout)",
        title_justify="left",
    )
    for col in ("Methode", "Fout (%)"):
        table.add_column(col)
    names = {
        "model": "jeugdstelsel-model",
        "rechte_trendlijn": "rechte trendlijn",
        "vorig_jaar_herhaald": "vorig jaar herhaald",
    }
    for key, value in h["mean_abs_error_pct"].items():
        table.add_row(names[key], f"{value:.1f}")
    console.print(table)
    if save is not None:
        cal.save(save)
        console.print(f"[green]Kalibratie opgeslagen:[/] {save}")


def register(app: typer.Typer) -> None:
    """Add ``run``, ``model`` and ``calibrate``."""
    app.command("run")(run_cmd)
    app.command("model")(model_cmd)
    app.command("calibrate")(calibrate_cmd)
