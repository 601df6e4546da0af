"""`jeugdstelsel wijken <gemeente>`: each wijk's published figure and a forecast with bands.

The municipality's forecast (the pooled municipal model) distributed over its wijken by the
pooled wijk model (:mod:`jeugdstelsel.services.wijken`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jeugdstelsel.cli.common import fmt_number, print_header, print_table

console = Console()


def wijken_cmd(
    gemeente: Annotated[str, typer.Argument(help="Gemeente (naam of GM-code).")],
    jaar: Annotated[int, typer.Option("--jaar", min=2022, max=2030,
                                      help="Voorspel dit jaar.")] = 2025,
    csv: Annotated[Path | None, typer.Option("--csv", help="Schrijf de tabel ook naar dit "
                                             "CSV-bestand.")] = None,
) -> None:
    """Toon per wijk het gepubliceerde cijfer (CBS 85075NED, 2021) en een voorspelling met
    80%-band: de voorspelling van de gemeente verdeeld over haar wijken."""
    from jeugdstelsel.data.municipalities import resolve
    from jeugdstelsel.services import wijken as W

    code, name = resolve(gemeente)
    with console.status(f"Wijken van {name} voorspellen…"):
        frame = W.forecast(code, [jaar])
    if frame.empty:
        console.print(f"Voor {name} publiceert CBS geen wijkcijfers (85075NED, 2021).")
        return
    print_header(console, f"{name} ({code}): jongeren met jeugdzorg in natura per wijk, 2021 "
                          f"gepubliceerd en {jaar} voorspeld")
    rows = []
    for r in frame.itertuples():
        published = ("[dim]geheim[/]" if r.geheim_2021
                     else fmt_number(r.gepubliceerd_2021, 0))
        share = "–" if r.pct_2021 is None or r.pct_2021 != r.pct_2021 else fmt_number(
            r.pct_2021, 1)
        rows.append([f"{r.naam} ({r.wijk})", published, share,
                     f"{fmt_number(100 * r.gewicht_eigen_cijfer, 0)} %",
                     fmt_number(r.mediaan, 0),
                     f"{fmt_number(r.p10, 0)}–{fmt_number(r.p90, 0)}"])
    print_table(console, f"Per wijk ({len(frame)} wijken)",
                ["Wijk", "2021", "% jong", "Eigen", str(jaar), "80%-band"], rows,
                right=("2021", "% jong", "Eigen", str(jaar), "80%-band"))
    wf = W.fit()
    coverage = float(wf.table.loc[wf.table["gm_code"] == code, "coverage"].iloc[0])
    console.print(
        f"[dim]2021 = CBS 85075NED (afgerond op 5; geheim = minder dan 10); % jong = van de "
        f"inwoners van 0-22 jaar; Eigen = gewicht van het eigen wijkcijfer (de rest komt uit "
        f"het wijkmodel: leeftijdsopbouw, aandeel jongeren, omvang en de SCP-cijfers van 2017); "
        f"{fmt_number(100 * coverage, 0)} % van de jongeren van {name} staat in een wijk, de "
        f"rest niet (zo ook voorspeld). Wijkbevolking gelijk gehouden aan 2021 (aanname).[/]",
        highlight=False)
    if csv is not None:
        frame.to_csv(csv, index=False)
        console.print(f"[green]Geschreven:[/] {csv}")


def register(app: typer.Typer) -> None:
    """Add ``wijken``."""
    app.command("wijken")(wijken_cmd)
