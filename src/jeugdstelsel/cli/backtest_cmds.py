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
    niveau: Annotated[str, typer.Option(
        "--niveau", help="land, gemeente (alle gemeenten, 2022 voorspeld) of wijk.")] = "land",
    draws: Annotated[int, typer.Option("--trekkingen", "--draws", min=20, max=5000,
                                       help="Trekkingen per voorspelling.")] = 400,
    seed: Annotated[int, typer.Option("--zaad", "--seed", min=0,
                                      help="Startwaarde van de toevalsgenerator.")] = 2015,
    out: Annotated[Path, typer.Option("--uit", "--out", help="Map voor toets.csv en de rest.")
                   ] = Path("toets"),
    overwrite: Annotated[bool, typer.Option(
        "--overschrijf", help="Overschrijf bestanden in een bestaande map.")] = False,
    methode: Annotated[str, typer.Option(
        "--methode", help="Kalibratie per oorsprong: laplace (meegeleverd) of emcee (proef, "
                          "snelle instelling; minuten per oorsprong).")] = "laplace",
    bewaar_oordeel: Annotated[Path | None, typer.Option(
        "--bewaar-oordeel", help="Bewaar het oordeel per reeks ook in dit bestand (JSON); "
                                 "het pakket toont het naast elke voorspelling "
                                 "(scripts/calibrate_national.sh).")] = None,
) -> None:
    """Toets de voorspelling tegen wat daarna gepubliceerd werd (naast trend en vorig jaar).

    Per oorsprongsjaar: kalibreren op wat tot dat jaar bekend was, de jaren erna voorspellen.
    """
    import json

    from jeugdstelsel.reports.backtest_chart import chart
    from jeugdstelsel.reports.files import prepare_output
    from jeugdstelsel.services import backtest as B

    level = niveau.strip().lower()
    if level == "gemeente":
        _toets_municipal(out, overwrite, seed)
        return
    if level == "wijk":
        _toets_wijk(out, overwrite, tot, horizon, seed)
        return
    if level != "land":
        from jeugdstelsel.errors import OptionError

        raise OptionError(f"niveau '{niveau}' bestaat niet: kies land, gemeente of wijk.")
    if methode not in ("laplace", "emcee"):
        from jeugdstelsel.errors import OptionError

        raise OptionError(f"methode '{methode}' bestaat niet: kies laplace of emcee.")
    folder = prepare_output(out, overwrite=overwrite, names=FILES)
    if bewaar_oordeel is not None:
        from jeugdstelsel.services.reliability import writable

        writable(bewaar_oordeel)  # refused before the backtest runs
    origins = [tot] if tot is not None else None
    print_header(console, f"Toets van de landelijke voorspelling: {horizon} jaar vooruit, "
                          f"{draws} trekkingen, zaad {seed}, kalibratie {methode}")
    with console.status("Kalibreren en voorspellen per oorsprong…") as status:
        def progress(done: int, total: int, origin: int) -> None:
            status.update(f"Oorsprong {origin} klaar ({done}/{total})…")

        result = B.backtest(origins, horizon, draws=draws, seed=seed, progress=progress,
                            method=methode)
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
             "zaad": seed, "kalibratie": methode, "betrouwbaarheid": labels},
            indent=1, ensure_ascii=False),
            encoding="utf-8")
    console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in folder.written)}")
    if bewaar_oordeel is not None:
        from jeugdstelsel.services import reliability

        path = reliability.save(bewaar_oordeel, B.reliability_table(cases), list(result.origins),
                                horizon)
        console.print(f"[green]Oordeel per reeks bewaard in:[/] {path}")


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


MUNICIPAL_FILES = ("toets.csv", "toets_samenvatting.csv", "toets.json")
MUNICIPAL_METHOD_NL = {"model": "model", "model_zonder_eigen_cijfers": "zonder eigen",
                       "vorig_jaar": "vorig jaar", "landelijk_aandeel": "landelijk"}
MUNICIPAL_SERIES_NL = {"jeugdzorg_natura_0_22_pct": "Jeugdzorg in natura, 0-22",
                       "jeugdhulp_natura_0_17_pct": "Jeugdhulp in natura, 0-17",
                       "jeugdbescherming_0_17_pct": "Jeugdbescherming, 0-17",
                       "jeugdreclassering_12_22_pct": "Jeugdreclassering, 12-22",
                       "jeugdhulp_met_verblijf_aandeel": "Met verblijf (% jeugdhulp)"}


def _toets_municipal(out: Path, overwrite: bool, seed: int) -> None:
    """``--niveau gemeente``: every municipality's 2022 figures, model against naive."""
    import json

    from jeugdstelsel.reports.files import prepare_output
    from jeugdstelsel.services import backtest_municipal as BM

    folder = prepare_output(out, overwrite=overwrite, names=MUNICIPAL_FILES)
    print_header(console, "Toets per gemeente: 2022 voorspeld uit de cijfers t/m 2021 (model), "
                          f"en zonder eigen cijfers ({BM.FOLDS} delen gemeenten weggelaten)")
    with console.status("Toets per gemeente…") as status:
        result = BM.backtest(seed=seed, progress=status.update)
    summary = result.summary()
    rows = []
    for r in summary.itertuples():
        rows.append([MUNICIPAL_SERIES_NL.get(r.reeks, r.reeks),
                     MUNICIPAL_METHOD_NL.get(r.methode, r.methode), str(r.n),
                     fmt_number(r.mae_pp, 2), fmt_number(r.verhouding_beste_naief, 2),
                     "–" if r.dekking_80 != r.dekking_80 else fmt_number(100 * r.dekking_80, 0)])
    print_table(console, "Gemiddelde absolute fout in procentpunten (2022)",
                ["Reeks", "Methode", "n", "Fout", "x naïef", "80%"], rows,
                right=("n", "Fout", "x naïef", "80%"))
    console.print("[dim]x naïef = fout gedeeld door die van de beste naïeve voorspelling (vorig "
                  f"jaar of landelijk aandeel); doel: ten hoogste {fmt_number(BM.GOAL, 1)}. "
                  "80% = aandeel cijfers binnen de 80%-band. Vorig jaar bestaat alleen waar "
                  "hetzelfde cijfer voor 2021 gepubliceerd is.[/]")
    with folder.writing() as tmp:
        result.cases.to_csv(tmp / "toets.csv", index=False)
        summary.to_csv(tmp / "toets_samenvatting.csv", index=False)
        (tmp / "toets.json").write_text(json.dumps(
            {"niveau": "gemeente", "oorsprong": BM.ORIGIN, "jaar": BM.TARGET,
             "delen": result.folds, "zaad": seed, "tijden": result.seconds},
            indent=1, ensure_ascii=False), encoding="utf-8")
    console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in folder.written)}")


def _toets_wijk(out: Path, overwrite: bool, tot: int | None, horizon: int, seed: int) -> None:
    """``--niveau wijk``: wijk forecasts of young people with jeugdzorg in natura."""
    import json

    from jeugdstelsel.reports.files import prepare_output
    from jeugdstelsel.services import wijken as W

    folder = prepare_output(out, overwrite=overwrite, names=MUNICIPAL_FILES)
    origin = W.ORIGIN if tot is None else tot
    print_header(console, f"Toets per wijk: jongeren met jeugdzorg in natura, t/m {origin}, "
                          f"{horizon} jaar vooruit")
    with console.status("Wijken voorspellen…"):
        cases, summary = W.backtest(origin, horizon, seed=seed)
    rows = [[r.methode, str(r.n), "–" if r.mae != r.mae else fmt_number(r.mae, 1)]
            for r in summary.itertuples()]
    print_table(console, "Wijken: gemiddelde absolute fout (personen), waar gepubliceerd",
                ["Methode", "n", "Fout"], rows, right=("n", "Fout"))
    with folder.writing() as tmp:
        cases.to_csv(tmp / "toets.csv", index=False)
        summary.to_csv(tmp / "toets_samenvatting.csv", index=False)
        (tmp / "toets.json").write_text(json.dumps(
            {"niveau": "wijk", "oorsprong": origin, "horizon": horizon, "zaad": seed},
            indent=1, ensure_ascii=False), encoding="utf-8")
    console.print(f"[green]Geschreven:[/] {', '.join(str(p) for p in folder.written)}")


def register(app: typer.Typer) -> None:
    """Add ``toets``."""
    app.command("toets")(toets_cmd)
