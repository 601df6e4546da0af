"""`jeugdstelsel toets`: the rolling-origin backtest of the forecast (issue 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jeugdstelsel.cli.common import fmt_number, print_header, print_table

console = Console()
err = Console(stderr=True)
FILES = ("toets.csv", "toets_samenvatting.csv", "toets.png", "toets.json")
METHOD_NL = {"model": "model", "trend": "trendlijn", "vorig_jaar": "vorig jaar"}


def toets_cmd(
    tot: Annotated[int | None, typer.Option(
        "--tot", help="Alleen deze oorsprong: kalibreer t/m dit jaar, voorspel de jaren erna.")
    ] = None,
    horizon: Annotated[int, typer.Option("--horizon", min=1, max=5,
                                         help="Jaren vooruit vanaf elke oorsprong.")] = 2,
    niveau: Annotated[str, typer.Option("--niveau", help="land (gemeente en wijk volgen).")
                      ] = "land",
    draws: Annotated[int, typer.Option("--trekkingen", "--draws", min=20, max=5000,
                                       help="Trekkingen per voorspelling.")] = 400,
    seed: Annotated[int, typer.Option("--zaad", "--seed", min=0,
                                      help="Startwaarde van de toevalsgenerator.")] = 2015,
    out: Annotated[Path, typer.Option("--uit", "--out", help="Map voor toets.csv en de rest.")
                   ] = Path("toets"),
    overwrite: Annotated[bool, typer.Option(
        "--overschrijf", help="Overschrijf bestanden in een bestaande map.")] = False,
) -> None:
    """Toets de voorspelling: kalibreer op wat tot elk jaar bekend was, voorspel de jaren erna
    en vergelijk met wat daarna gepubliceerd werd (naast trendlijn en vorig jaar herhaald)."""
    import json

    from jeugdstelsel.errors import PeriodError
    from jeugdstelsel.reports.backtest_chart import chart
    from jeugdstelsel.reports.files import prepare_output
    from jeugdstelsel.services import backtest as B

    if niveau != "land":
        raise PeriodError(f"niveau '{niveau}' is (nog) niet beschikbaar: alleen 'land'. De "
                          "toets per gemeente en per wijk staat in issue 15.")
    folder = prepare_output(out, overwrite=overwrite, names=FILES)
    origins = [tot] if tot is not None else None
    print_header(console, f"Toets van de landelijke voorspelling: {horizon} jaar vooruit, "
                          f"{draws} trekkingen, zaad {seed}")
    with console.status("Kalibreren en voorspellen per oorsprong…") as status:
        def progress(done: int, total: int, origin: int) -> None:
            status.update(f"Oorsprong {origin} klaar ({done}/{total})…")

        result = B.backtest(origins, horizon, draws=draws, seed=seed, progress=progress)
    cases, summary = result.cases, result.summary()
    labels = B.reliability(cases)
    fair = B.summarise(B.comparable(cases))
    _print_summary(fair, labels, result)
    figures = B.published().figures
    with folder.writing() as tmp:
        cases.drop(columns=["crps"]).to_csv(tmp / "toets.csv", index=False)
        summary.assign(betrouwbaarheid=summary["reeks"].map(labels)).to_csv(
            tmp / "toets_samenvatting.csv", index=False)
        chart(cases, figures, list(B.HEADLINE), tmp / "toets.png")
        (tmp / "toets.json").write_text(json.dumps(
            {"oorsprongen": list(result.origins), "horizon": horizon, "trekkingen": draws,
             "zaad": seed, "betrouwbaarheid": labels}, indent=1, ensure_ascii=False),
            encoding="utf-8")
    console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in folder.written)}")


def _print_summary(fair, labels: dict[str, str], result) -> None:
    """Per headline series: MAPE per method over the cases all three forecast, and coverage."""
    from jeugdstelsel.core.outputs import SERIES_BY_KEY
    from jeugdstelsel.services.backtest import HEADLINE

    rows, missing = [], []
    for key in sorted(labels, key=lambda k: (k not in HEADLINE, k)):
        g = fair[fair["reeks"] == key]
        model = g[g["methode"] == "model"]
        if model.empty:
            missing.append(SERIES_BY_KEY[key].label_nl)
            continue
        cells = []
        for method in ("model", "trend", "vorig_jaar"):
            m = g[g["methode"] == method]
            cells.append(fmt_number(m["mape"].mean(), 1))
        cover = fmt_number(100 * model["dekking_80"].mean(), 0)
        rows.append([SERIES_BY_KEY[key].label_nl, str(int(model["n"].sum())), *cells, cover,
                     labels[key]])
    origins = ", ".join(map(str, result.origins))
    print_table(console, f"Gemiddelde absolute fout in % (oorsprongen {origins})",
                ["Reeks", "n", "Model", "Trend", "Vorig", "80%", "Oordeel"], rows,
                right=("n", "Model", "Trend", "Vorig", "80%"))
    console.print("[dim]n = gevallen die alle drie methoden konden voorspellen; Vorig = vorig "
                  "jaar herhaald; 80% = aandeel cijfers binnen de 80%-band van het model; "
                  "Oordeel: goed, matig, zwak of onbekend (te weinig gevallen).[/]")
    if missing:
        console.print("[dim]Alleen het model (te weinig eerdere cijfers voor een trend): "
                      + ", ".join(missing) + "; zie toets.csv.[/]")


def register(app: typer.Typer) -> None:
    """Add ``toets``."""
    app.command("toets")(toets_cmd)
