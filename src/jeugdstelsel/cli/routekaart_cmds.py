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
) -> None:
    """Halen we de doelen van de Hervormingsagenda? Pad naar 2028/2030 met band en kans.

    Onder ongewijzigd beleid en onder een plan, op dezelfde trekkingen.
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
