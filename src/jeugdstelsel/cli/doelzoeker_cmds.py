"""`jeugdstelsel doelzoeker`: the cheapest package of levers that reaches a target."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jeugdstelsel.cli.common import fmt_number, print_header, print_table

console = Console()
FILES = ("doelzoeker.csv",)


def _package(levers, c) -> str:
    parts = [f"{k} {fmt_number(d, 2)} vanaf {s}" for k, d, s in zip(levers, c.doses, c.starts,
                                                                    strict=True) if d > 0]
    return ", ".join(parts) or "geen hefbomen (basis)"


def doelzoeker_cmd(
    gemeente: Annotated[str, typer.Argument(help="'Nederland' of een gemeente.")] = "Nederland",
    doel: Annotated[str, typer.Option("--doel", help="Doel uit de Routekaart (sleutel).")
                    ] = "bereik_0_17",
    kans: Annotated[float, typer.Option("--kans", min=0.01, max=0.99,
                                        help="Gevraagde kans om het doel te halen.")] = 0.5,
    hefbomen: Annotated[str | None, typer.Option(
        "--hefbomen", help="Hefbomen om te combineren, met komma's (standaard: die op bereik "
                           "werken).")] = None,
    draws: Annotated[int, typer.Option("--trekkingen", "--draws", min=50, max=2000,
                                       help="Trekkingen per pakket.")] = 200,
    generations: Annotated[int, typer.Option("--generaties", min=1, max=100,
                                             help="Generaties van de zoektocht.")] = 8,
    out: Annotated[Path | None, typer.Option("--uit", "--out",
                                             help="Map voor doelzoeker.csv.")] = None,
    overwrite: Annotated[bool, typer.Option("--overschrijf",
                                            help="Overschrijf doelzoeker.csv.")] = False,
) -> None:
    """Zoek het goedkoopste pakket hefbomen dat een doel van de Routekaart haalt.

    Doses en startjaren, met de gevraagde kans; toont de afweging kosten tegen kans.
    """
    from jeugdstelsel.services.doelzoeker import search

    folder = None
    if out is not None:
        from jeugdstelsel.reports.files import prepare_output

        folder = prepare_output(out, overwrite=overwrite, names=FILES)
    levers = [h.strip() for h in hefbomen.split(",")] if hefbomen else None
    print_header(console, f"Doelzoeker voor {gemeente}: doel '{doel}' met kans "
                          f"{fmt_number(100 * kans, 0)}%; {draws} trekkingen per pakket")
    with console.status("Zoeken…") as status:
        def progress(done: int, total: int) -> None:
            status.update(f"Zoeken: generatie {done} van {total}…")

        s = search(doel, kans, area=gemeente, levers=levers, draws=draws,
                   generations=generations, progress=progress)
    console.print(f"{s.target_name} — {s.area_name}. Zonder hefbomen: kans "
                  f"{fmt_number(100 * s.baseline_probability, 0)}%. Onderzocht: "
                  f"{fmt_number(s.evaluated, 0)} pakketten.")
    if s.best is None:
        top = max(s.front, key=lambda c: c.probability)
        console.print(f"[bold]Geen pakket binnen de toegestane doses haalt dit doel met kans "
                      f"{fmt_number(100 * kans, 0)}%.[/] De hoogste kans die gevonden is: "
                      f"{fmt_number(100 * top.probability, 0)}% ({_package(s.levers, top)}).")
    else:
        b = s.best
        console.print(f"[bold]Goedkoopste pakket:[/] {_package(s.levers, b)}: kans "
                      f"{fmt_number(100 * b.probability, 0)}%, netto extra uitgaven "
                      f"{fmt_number(b.net_cost / 1e6, 1)} mln euro (hefbomen zelf "
                      f"{fmt_number(b.lever_cost / 1e6, 1)} mln) t/m het doeljaar.")
    rows = [[fmt_number(100 * c.probability, 0), fmt_number(c.net_cost / 1e6, 1),
             fmt_number(c.lever_cost / 1e6, 1), _package(s.levers, c)] for c in s.front]
    print_table(console, "Afweging: meer kans kost meer (pakketten die geen ander pakket "
                         "goedkoper én kansrijker heeft)",
                ["Kans (%)", "Netto (mln)", "Hefbomen (mln)", "Pakket"], rows,
                right=("Kans (%)", "Netto (mln)", "Hefbomen (mln)"))
    console.print("[dim]Netto = mediaan over de trekkingen van de extra uitgaven (hefbomen plus "
                  "effect op de zorguitgaven) van 2026 t/m het doeljaar, tegen de basis op "
                  "dezelfde trekkingen.[/]")
    if folder is not None:
        import pandas as pd

        frame = pd.DataFrame([{"kans": c.probability, "netto_euro": c.net_cost,
                               "hefbomen_euro": c.lever_cost,
                               **{f"dosis_{k}": d for k, d in zip(s.levers, c.doses,
                                                                  strict=True)},
                               **{f"start_{k}": y for k, y in zip(s.levers, c.starts,
                                                                  strict=True)}}
                              for c in s.front])
        with folder.writing() as tmp:
            frame.to_csv(tmp / "doelzoeker.csv", index=False)
        console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in folder.written)}")


def register(app: typer.Typer) -> None:
    """Add ``doelzoeker``."""
    app.command("doelzoeker")(doelzoeker_cmd)
