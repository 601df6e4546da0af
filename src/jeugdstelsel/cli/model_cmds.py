"""`jeugdstelsel run`, `model` and `calibrate`: the model on the default and on scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from jeugdstelsel.cli.common import fail, fmt_number

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
    wide, key: str, year: int, *, pct_key: str | None = None, scale: float = 1.0, decimals: int = 0
) -> str:
    med, lo, hi = (wide.loc[(key, year), s] / scale for s in ("mediaan", "p10", "p90"))
    # the band on two lines of its own, so a narrow terminal never breaks a number
    low, high = fmt_number(lo, decimals), fmt_number(hi, decimals)
    text = f"{fmt_number(med, decimals)}\n[{low} –\n{high}]"
    if pct_key is not None:
        text += f"\n{fmt_number(wide.loc[(pct_key, year), 'mediaan'], 1)}%"
    obs = wide.loc[(key, year), "waargenomen"] if "waargenomen" in wide.columns else np.nan
    if obs == obs:  # not NaN
        status = wide.loc[(key, year), "status"]
        mark = "*" if status == "voorlopig" else ""
        text += f"\n[bold red]gepubl. {fmt_number(obs / scale, decimals)}{mark}[/]"
    return text


def print_tables(frame, years) -> None:
    """The year-by-year tables the issue asks for: median, 80% band, published figure."""
    stats = frame.pivot_table(index=["reeks", "jaar"], columns="statistiek", values="waarde")
    if "waargenomen" in frame.columns:
        extra = frame[frame["statistiek"] == "mediaan"].set_index(["reeks", "jaar"])
        stats["waargenomen"] = extra["waargenomen"]
        stats["status"] = extra["status"]
    for group, title in GROUP_TITLES.items():
        table = Table(
            title=f"Jongeren in zorg per jaar, {title} — aantal, 80%-band, % van de leeftijdsgroep",
            show_lines=True,
            title_justify="left",
        )
        table.add_column("Jaar", justify="right")
        for _, label in PERSON_FORMS:
            table.add_column(label, justify="right", overflow="fold")
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
        "[dim]gepubl. = gepubliceerd cijfer (CBS/NJi); * = voorlopig. Jeugdhulp vóór "
        "2021 is geteld zoals CBS het toen waarnam (trendbreuk 2021: meer aanbieders "
        "leveren sindsdien aan).[/]"
    )


def run_cmd(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenariobestand (TOML); zonder: Nederland 2015-2030.")
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws", "--trekkingen", min=1, max=100_000, help="Aantal Monte Carlo-trekkingen."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", "--zaad", min=0, help="Startwaarde van de toevalsgenerator."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Map voor results.csv/.parquet en grafiek.png.")
    ] = Path("uitvoer"),
    quiet: Annotated[bool, typer.Option("--stil", help="Geen tabellen tonen.")] = False,
) -> None:
    """Simuleer het jeugdstelsel (standaard: Nederland 2015-2030, maandelijks)."""
    from jeugdstelsel.services import results
    from jeugdstelsel.services.run import AreaError, run
    from jeugdstelsel.services.scenario import ScenarioError, load, parse

    try:
        spec = load(scenario) if scenario else parse("", "standaardscenario")
        updates = {}
        if draws is not None:
            updates["trekkingen"] = draws
        if seed is not None:
            updates["zaad"] = seed
        if updates:
            spec = spec.model_copy(update={"simulatie": spec.simulatie.model_copy(update=updates)})
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
            result = run(spec, progress=lambda done, total: bar.update(task, completed=done))
        written = results.write(result, out)
    except (ScenarioError, AreaError) as exc:
        fail(str(exc))
    if not quiet:
        print_tables(results.table(result), result.years)
    console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in written)}")


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

    table = Table(title="Voorraden", title_justify="left")
    for col in ("Naam", "Omschrijving", "Soort"):
        table.add_column(col)
    for s in STOCKS:
        table.add_row(
            s.name, f"{s.label_nl}: {s.description}", "toestand" if s.kind == "state" else "overlay"
        )
    console.print(table)
    table = Table(title="Stromen (per maand)", title_justify="left", show_lines=True)
    for col in ("Nr", "Stroom", "Van → naar", "Formule", "Parameters"):
        table.add_column(col)
    for f in FLOWS:
        table.add_row(
            f.number, f.label_nl, f"{f.source} → {f.target}", f.formula, ", ".join(f.parameters)
        )
    console.print(table)
    table = Table(title="Parameters", title_justify="left", show_lines=True)
    for col in ("Naam", "Omschrijving", "Eenheid", "Standaard", "Bereik", "Gekal.", "Bron"):
        table.add_column(col)
    for r in modeldoc.parameter_rows():
        table.add_row(
            r["naam"],
            r["omschrijving"],
            r["eenheid"],
            r["standaard"],
            r["bereik"],
            r["gekalibreerd"],
            r["bron"],
        )
    console.print(table)
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
) -> None:
    """Kalibreer het model op gepubliceerde cijfers; toon fit en toets buiten de steekproef."""
    from jeugdstelsel.services.calibration import HOLDOUT_YEAR, calibrate, holdout_check

    if gebied.strip().lower() not in ("nederland", "nl", "nl01"):
        from jeugdstelsel.cli import municipal_calibration

        municipal_calibration.calibrate_municipality(gebied, save)
        return
    with console.status("Kalibreren op de landelijke cijfers…"):
        cal = calibrate(HOLDOUT_YEAR)
        cal.holdout = holdout_check()
    table = Table(
        title=f"Fit per reeks (gekalibreerd t/m {cal.fitted_through})", title_justify="left"
    )
    for col in ("Reeks", "Jaar", "Gepubliceerd", "Model", "Afwijking", "Status"):
        table.add_column(col, justify="right" if col not in ("Reeks", "Status") else "left")
    for r in cal.fit:
        unit = "%" if r["unit"] == "%" else " pp"
        table.add_row(
            r["series"],
            str(r["year"]),
            fmt_number(r["observed"], 1 if r["unit"] == "pp" else 0),
            fmt_number(r["model"], 1 if r["unit"] == "pp" else 0),
            f"{r['error']:+.1f}{unit}",
            r["status"],
        )
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
