"""CLI commands ``sweep`` and ``sweep-sobol``: the national sweep and its sensitivity analysis.

Both run on a local Dask cluster of worker processes by default and on an existing cluster with
``--scheduler tcp://host:port``; the service does the work (:mod:`jeugdstelsel.services.sweep`).
Errors become a Dutch message and exit code 1, without a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jeugdstelsel.numbers import nl_number

F = TypeVar("F", bound=Callable[..., Any])
console = Console()
errors = Console(stderr=True)


def _friendly(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from jeugdstelsel.errors import JeugdstelselError
        from jeugdstelsel.services.scenario import ScenarioError
        from jeugdstelsel.services.sweep import SweepError

        try:
            return func(*args, **kwargs)
        except (ScenarioError, SweepError, LookupError) as exc:
            if isinstance(exc, JeugdstelselError):
                raise  # the CLI's one boundary prints it, with its code
            errors.print(f"[bold red]Fout:[/] {exc}", highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def _progress(label: str) -> Progress:
    return Progress(TextColumn(f"[bold]{label}[/]"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def _codes(gemeenten: str) -> list[str] | None:
    if gemeenten.strip().lower() in ("alle", "all", "*"):
        return None
    return [c for c in (p.strip() for p in gemeenten.split(",")) if c]


_num = nl_number


def sweep(
    scenarios: Annotated[list[Path], typer.Argument(
        help="Scenariobestanden (TOML); het eerste is de referentie tenzij --basis is gegeven.")],
    gemeenten: Annotated[str, typer.Option(
        help="'alle' of GM-codes gescheiden door komma's, bijvoorbeeld GM0014,GM0363.")] = "alle",
    trekkingen: Annotated[int | None, typer.Option(
        "--draws", "--trekkingen", help="Aantal trekkingen per gemeente (standaard: uit de "
        "referentie).")] = None,
    uit: Annotated[Path, typer.Option("--out", "--uit", help="Map voor de resultaten.")] = Path(
        "sweep-resultaten"),
    basis: Annotated[Path | None, typer.Option(help="Referentiescenario (TOML).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Adres van een bestaand Dask-cluster, bijvoorbeeld tcp://10.0.0.5:8786.")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Aantal lokale workerprocessen (standaard: aantal kernen, hoogstens 8).")] = None,
    chunk_draws: Annotated[int | None, typer.Option(
        help="Trekkingen per chunk (standaard: alle, zolang het geheugen het toelaat).")] = None,
    zaad: Annotated[int | None, typer.Option(help="Zaad (standaard: dat van de referentie).")]
    = None,
) -> None:
    """Alle gemeenten x alle scenario's met gemeenschappelijke trekkingen (landelijke sweep)."""
    from jeugdstelsel.services import sweep as service

    plan = service.plan(scenarios, codes=_codes(gemeenten), draws=trekkingen, basis=basis,
                        seed=zaad, chunk_draws=chunk_draws)
    console.print(f"Sweep: {len(plan.codes)} gemeenten x {len(plan.names)} scenario's x "
                  f"{plan.draws} trekkingen, {plan.start}-{plan.end}; referentie "
                  f"'{plan.reference}', zaad {plan.seed}; {len(plan.chunks())} chunks "
                  f"({plan.block} gemeente(n) x {plan.chunk_draws} trekkingen).")
    with _progress("Partities") as bar:
        task = bar.add_task("sweep", total=len(plan.codes) * len(plan.names))
        report = service.run_sweep(plan, uit, scheduler=scheduler, workers=workers,
                                   progress=lambda done, total: bar.update(task, completed=done,
                                                                           total=total))
    console.print(f"Klaar in {_num(report.seconds, 1)} s op {report.workers} worker(s): "
                  f"{report.partitions_computed} partities berekend, "
                  f"{report.partitions_skipped} overgeslagen (al klaar).")
    peak = max(report.peak_rss_per_worker.values(), default=0)
    if peak:
        console.print(f"Piekgeheugen per worker: hoogstens {_num(peak / 2**20)} MiB.")
    nat = report.national_difference
    if nat is not None and len(nat):
        table = Table(title=f"Landelijk {plan.end}: som van gemeenten naast het landelijke model")
        for col in ("scenario", "reeks", "som gemeenten", "landelijk model", "verschil"):
            table.add_column(col, justify="right" if col[0] in "slv" and col != "scenario"
                             else "left")
        for row in nat.itertuples():
            if row.reeks == "bevolking_0_22":
                continue
            table.add_row(row.scenario, row.omschrijving, _num(row.som_gemeenten_mediaan),
                          _num(row.landelijk_model_mediaan),
                          f"{_num(row.verschil_pct_mediaan, 1)} %")
        console.print(table)
        if len(plan.codes) < 342:
            console.print("[dim]Let op: niet alle gemeenten doen mee, dus de som is kleiner dan "
                          "het landelijke model.[/]")
    console.print(f"Resultaten: {report.out} (Parquet per scenario en gemeente, samenvatting in "
                  f"{report.out / 'samenvatting'}).")


def sweep_sobol(
    scenario: Annotated[Path, typer.Argument(help="Scenariobestand (TOML).")],
    n: Annotated[int, typer.Option("--n", help="Basisaantal steekproeven (macht van 2); het "
                                   "model draait n x (aantal parameters + 2) keer.")] = 256,
    uit: Annotated[Path, typer.Option("--out", "--uit", help="Map voor de resultaten.")] = Path(
        "sobol-resultaten"),
    scheduler: Annotated[str | None, typer.Option(help="Adres van een bestaand Dask-cluster.")]
    = None,
    workers: Annotated[int | None, typer.Option(help="Aantal lokale workerprocessen.")] = None,
    zaad: Annotated[int | None, typer.Option(help="Zaad (standaard: dat van het scenario).")]
    = None,
) -> None:
    """Globale gevoeligheidsanalyse (Sobol) van de landelijke kernuitkomsten."""
    from jeugdstelsel.services.scenario import load
    from jeugdstelsel.services.sweep_sobol import problem, run_sobol

    s = load(scenario)
    d = len(problem(s).names)
    console.print(f"Sobol: {d} onzekere parameters, {n * (d + 2)} modelruns.")
    with _progress("Chunks") as bar:
        task = bar.add_task("sobol", total=None)
        result = run_sobol(s, uit, n=n, seed=zaad, scheduler=scheduler, workers=workers,
                           progress=lambda done, total: bar.update(task, completed=done,
                                                                   total=total))
    top = (result.indices[result.indices["uitkomst"] == "jeugdzorg_0_22"]
           .sort_values("ST", ascending=False).head(8))
    table = Table(title="Belangrijkste parameters voor jongeren met jeugdzorg (ST)")
    for col in ("parameter", "S1", "ST", "status"):
        table.add_column(col, justify="left" if col in ("parameter", "status") else "right")
    for row in top.itertuples():
        table.add_row(row.parameter, f"{_num(row.S1, 2)} ± {_num(row.S1_conf, 2)}",
                      f"{_num(row.ST, 2)} ± {_num(row.ST_conf, 2)}", row.status)
    console.print(table)
    flagged = int((result.indices["status"] != "geconvergeerd").sum())
    console.print(f"[dim]{flagged} van {len(result.indices)} indices 'niet geconvergeerd' "
                  "(95%-interval buiten [0, 1]; niets afgekapt); kies een grotere --n.[/]")
    console.print(f"Klaar in {_num(result.seconds, 1)} s ({result.runs} runs). Bestanden: "
                  + ", ".join(str(f) for f in result.files))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("sweep")(_friendly(sweep))
    app.command("sweep-sobol")(_friendly(sweep_sobol))
