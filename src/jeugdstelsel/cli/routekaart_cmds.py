"""`jeugdstelsel routekaart`: the reform agenda's targets for an area, baseline and plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jeugdstelsel.cli.common import fmt_number, print_header, print_provenance, print_table

console = Console()
FILES = ("routekaart.csv",)
KIND_NL = {"hoogstens": "≤", "minstens": "≥"}


def _target_text(t) -> str:
    if t.soort in KIND_NL:
        return f"{KIND_NL[t.soort]} {fmt_number(t.waarde, 1)} in {t.jaar}"
    if t.soort in ("dalend", "stijgend"):
        return f"{t.soort} {t.basisjaar}-{t.jaar}"
    if t.soort == "volgen":
        return "volgen (geen streefwaarde)"
    return "niet in het model"


def _decimals(t) -> int:
    return 1 if "%" in t.unit or t.unit == "weken" else 0


def _cell(o) -> str:
    if o.probability is None and not o.years:
        return "–"
    lo, med, hi = o.at_deadline
    d = _decimals(o.target)
    text = f"{fmt_number(med, d)} [{fmt_number(lo, d)}–{fmt_number(hi, d)}]"
    if o.probability is not None:
        text += f"; kans {fmt_number(100 * o.probability, 0)}%"
    return text


def routekaart_cmd(
    args: Annotated[list[str] | None, typer.Argument(
        help="Een gemeente (naam of GM-code) en/of een scenariobestand (.toml); zonder: "
             "Nederland, ongewijzigd beleid.", metavar="[GEMEENTE] [PLAN.toml]")] = None,
    draws: Annotated[int | None, typer.Option("--trekkingen", "--draws", min=100, max=100_000,
                                              help="Aantal trekkingen.")] = None,
    out: Annotated[Path | None, typer.Option("--uit", "--out",
                                             help="Map voor routekaart.csv.")] = None,
    overwrite: Annotated[bool, typer.Option("--overschrijf",
                                            help="Overschrijf routekaart.csv.")] = False,
    alle: Annotated[bool, typer.Option(
        "--alle", help="Routekaart voor alle gemeenten via de landelijke sweep (Dask, in "
        "chunks, hervatbaar); vereist --uit.")] = False,
    gemeenten: Annotated[str, typer.Option(
        help="Met --alle: 'alle' of GM-codes gescheiden door komma's.")] = "alle",
    workers: Annotated[int | None, typer.Option(
        help="Met --alle: aantal lokale workerprocessen.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Met --alle: adres van een bestaand Dask-cluster.")] = None,
) -> None:
    """Halen we de doelen van de Hervormingsagenda? Pad naar 2028/2030 met band en kans.

    Onder ongewijzigd beleid en onder een plan, op dezelfde trekkingen; met --alle voor het
    land en elke gemeente.
    """
    from jeugdstelsel.errors import ScenarioError
    from jeugdstelsel.services.routekaart import routekaart
    from jeugdstelsel.services.scenario import load

    area, plan, source = None, None, "routekaart"
    for arg in args or []:
        if arg.lower().endswith(".toml") or Path(arg).is_file():
            if plan is not None:
                raise ScenarioError("geef hoogstens één scenariobestand")
            plan, source = load(Path(arg)), arg
        elif area is None:
            area = arg
        else:
            raise ScenarioError(f"'{arg}': geef hoogstens één gemeente en één scenariobestand")
    if alle:
        if area is not None:
            raise ScenarioError("--alle rekent alle gemeenten door; kies gemeenten met "
                                "--gemeenten, niet als argument")
        if out is None:
            raise ScenarioError("--alle schrijft per gemeente een tabel: geef een map met --uit")
        _all(plan, source, out, gemeenten, draws, workers, scheduler)
        return
    folder = None
    if out is not None:
        from jeugdstelsel.reports.files import prepare_output

        folder = prepare_output(out, overwrite=overwrite, names=FILES)
    with console.status("Routekaart doorrekenen…"):
        result = routekaart(plan, source, area=area, draws=draws)
    print_header(console, f"Routekaart voor {result.area_name}: "
                          + " tegen ".join(result.scenarios))
    print_provenance(console, result)
    headers = ["Doel", "Streefwaarde", *(f"{name} (mediaan [80%])" for name in result.scenarios)]
    rows = []
    for t_index, target in enumerate(o.target for o in result.of(result.scenarios[0])):
        cells = [_cell(result.of(name)[t_index]) for name in result.scenarios]
        rows.append([target.naam, _target_text(target), *cells])
    print_table(console, "Doelen: waarde in het doeljaar en kans dat het doel gehaald wordt",
                headers, rows)
    console.print("[dim]Kans = aandeel trekkingen dat het doel haalt. Bronnen en toelichting: "
                  "routekaart.csv (met --uit) en docs/routekaart.md.[/]")
    if folder is not None:
        with folder.writing() as tmp:
            _frame(result).to_csv(tmp / "routekaart.csv", index=False)
        console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in folder.written)}")


ALL_FILES = ("routekaart_gemeenten.csv", "routekaart_samenvatting.csv", "routekaart.csv")


def _excel(frame, path: Path) -> None:
    """CSV for Dutch Excel: semicolons, decimal comma, a BOM so the accents survive."""
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")


def _all(plan, source: str, out: Path, gemeenten: str, draws, workers, scheduler) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from jeugdstelsel.cli.sweep_cmds import _codes
    from jeugdstelsel.services.routekaart import routekaart_all

    out = Path(out)
    existing = [n for n in ALL_FILES if (out / n).exists()]
    if existing and not (out / "manifest.json").exists():
        from jeugdstelsel.errors import OutputError

        raise OutputError(f"{out} bevat al {', '.join(existing)}, maar geen sweep-manifest; "
                          "kies een andere (lege) map", file=str(out))
    with Progress(TextColumn("[bold]Routekaart alle gemeenten[/]"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("routekaart", total=None)
        result = routekaart_all(plan, source, out=out, codes=_codes(gemeenten), draws=draws,
                                workers=workers, scheduler=scheduler,
                                progress=lambda done, total: bar.update(task, completed=done,
                                                                        total=total))
    table, summary = result.table, result.summary
    n = table["gemeente"].nunique()
    print_header(console, f"Routekaart voor {n} gemeenten en Nederland: "
                          + " tegen ".join(result.national.scenarios))
    rows = []
    for r in summary.itertuples():
        rows.append([r.scenarionaam, r.omschrijving,
                     f"{r.kans_minstens_50} van {r.gemeenten}",
                     f"{r.kans_minstens_80} van {r.gemeenten}",
                     fmt_number(r.mediaan_van_gemeenten, 1)])
    print_table(console, "Gemeenten die het doel halen (kans = aandeel trekkingen)",
                ["Scenario", "Doel", "Kans ≥ 50%", "Kans ≥ 80%", "Mediaan gemeenten"], rows,
                right=("Kans ≥ 50%", "Kans ≥ 80%", "Mediaan gemeenten"))
    nat = []
    for t_index, target in enumerate(o.target for o in result.national.of(
            result.national.scenarios[0])):
        nat.append([target.naam, _target_text(target),
                    *(_cell(result.national.of(name)[t_index])
                      for name in result.national.scenarios)])
    print_table(console, "Nederland (landelijk model)", ["Doel", "Streefwaarde",
                *(f"{name} (mediaan [80%])" for name in result.national.scenarios)], nat)
    _excel(table.assign(doeljaar=table["doeljaar"].map({True: "ja", False: "nee"})).round(4),
           out / "routekaart_gemeenten.csv")
    _excel(summary.round(4), out / "routekaart_samenvatting.csv")
    _excel(_frame(result.national), out / "routekaart.csv")
    report = result.report
    console.print(f"Klaar in {fmt_number(result.seconds, 1)} s ({report.partitions_computed} "
                  f"partities berekend, {report.partitions_skipped} al klaar, "
                  f"{report.workers} worker(s)).")
    console.print("[green]Geschreven:[/] " + ", ".join(str(out / f) for f in ALL_FILES)
                  + " (puntkomma's en decimale komma's, voor Excel); sweepresultaten in "
                  f"{out / 'routekaart'}.")


def _frame(result):
    import pandas as pd

    rows = []
    for o in result.outlooks:
        t = o.target
        base = {"gebied": result.area, "scenario": o.scenario, "doel": t.sleutel,
                "omschrijving": t.naam, "soort": t.soort, "streefwaarde": t.waarde,
                "basisjaar": t.basisjaar, "doeljaar": t.jaar, "eenheid": t.unit,
                "kans": o.probability, "bron": t.bron, "url": t.url}
        if not o.years:
            rows.append({**base, "jaar": None, "mediaan": None, "p10": None, "p90": None})
        for y, lo, med, hi in zip(o.years, o.p10, o.median, o.p90, strict=True):
            rows.append({**base, "jaar": y, "mediaan": med, "p10": lo, "p90": hi})
    return pd.DataFrame(rows)


def register(app: typer.Typer) -> None:
    """Add ``routekaart``."""
    app.command("routekaart")(routekaart_cmd)
