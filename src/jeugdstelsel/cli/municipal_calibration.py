"""`jeugdstelsel kalibreer <gemeente>` and `jeugdstelsel kalibreer alle`: the pooled fit.

All municipalities are fitted together (one hierarchical model, see
:mod:`jeugdstelsel.services.municipal_calibration`). ``alle`` refits it and stores it in the
user's folder (scenario runs then use it); a single municipality shows its share of the stored
fit (the shipped one when the user has not refitted), fitting first only when there is none.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from jeugdstelsel.cli.common import fmt_number, print_fitting

console = Console()
ALL = ("alle", "all", "allemaal")
SHORT = {"jeugdzorg_natura_0_22_pct": "Jeugdzorg in natura, 0-22",
         "jeugdhulp_natura_0_17_pct": "Jeugdhulp in natura, 0-17",
         "jeugdbescherming_0_17_pct": "Jeugdbescherming, 0-17",
         "jeugdreclassering_12_22_pct": "Jeugdreclassering, 12-22",
         "jeugdhulp_met_verblijf_aandeel": "Met verblijf (% jeugdhulp)"}


def _num(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None or value != value else fmt_number(float(value), decimals)


def calibrate_municipality(gebied: str, save: Path | None, store: bool = True) -> None:
    """Fit all municipalities (``alle``) or show one municipality's calibration."""
    from jeugdstelsel.services import municipal_calibration as mc

    if gebied.strip().lower() in ALL:
        _calibrate_all(save, store)
        return
    from jeugdstelsel.data.municipalities import resolve

    code, name = resolve(gebied)
    found = mc.stored_for_run([code])
    doc, origin = mc.pooled_document()
    if code not in found:
        console.print("Nog geen gezamenlijke kalibratie gevonden: alle gemeenten worden nu "
                      "gekalibreerd.")
        doc = _calibrate_all(None, store, quiet=True)
        found = {code: mc.MunicipalCalibrationResult.from_dict(doc["gemeenten"][code])}
        origin = "gebruiker" if store else "zojuist berekend"
    result = found[code]
    where = {"gebruiker": f"uw eigen herberekening ({mc.user_file()})",
             "meegeleverd": "de meegeleverde kalibratie (data/calibration/gemeenten.json)"}
    console.print(f"Bron: {where.get(origin, origin)}, gemaakt {result.created[:10]}.",
                  highlight=False)
    report(result, doc)
    if save is not None:
        save.write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False),
                        encoding="utf-8")
        console.print(f"[green]Kalibratie van {name} ook bewaard in:[/] {save}")


def report(result, doc: dict | None = None) -> None:
    """One municipality's calibration (Dutch): figures, parameters, weight, flags."""
    console.rule(f"[bold]Kalibratie {result.name}[/] ({result.code}) — hiërarchisch model")
    table = Table(title="Cijfers in % (CBS): gepubliceerd, model, pool, Nederland",
                  title_justify="left")
    for col in ("Reeks", "Jaar", "CBS", "Model", "Pool", "NL", "z pool", "Invloed"):
        table.add_column(col, justify="left" if col == "Reeks" else "right")
    for r in result.fit:
        observed = _num(r["observed"]) if r["observed"] is not None else "[dim]geheim[/]"
        z = r.get("z_pool")
        zt = "–" if z is None else (f"[red]{_num(z)}[/]" if abs(z) > 3 else _num(z))
        infl = r.get("invloed_risico_pct")
        table.add_row(SHORT.get(r["series"], r["label"]), r["period"], observed,
                      _num(r["model"]), _num(r["pool"]), _num(r["landelijk"]), zt,
                      "–" if infl is None else f"{infl:+.0f} %")
    print_fitting(console, table)
    params = Table(title="Parameters: pool (regressie op indicatoren) en gemeente",
                   title_justify="left")
    for col in ("Parameter", "Pool", "Gemeente", "80%-interval", "Eigen"):
        params.add_column(col, justify="left" if col == "Parameter" else "right")
    for k, p in enumerate(result.parameters):
        digits = 2 if p["estimate"] >= 0.01 else 6
        if k == 0:
            lo, hi = (result.risk * math.exp(z * result.risk_sd) for z in (-1.2816, 1.2816))
            interval = f"{_num(lo, 2)}–{_num(hi, 2)}"
        else:
            interval = f"± {_num(1.2816 * p['sd_logit'], 2)} logit"
        colour = "green" if p["bron"] == "eigen cijfers" else "yellow"
        params.add_row(p["label"].split(" (")[0], _num(p["prior"], digits),
                       _num(p["estimate"], digits), interval,
                       f"[{colour}]{_num(100 * p['gewicht_eigen_cijfers'], 0)} %[/]")
    print_fitting(console, params)
    console.print(f"Risico-index {_num(result.risk, 2)} (pool {_num(result.risk_prior, 2)}, "
                  f"oude index uit indicatoren {_num(result.risk_indicator, 2)}); gewicht van de "
                  f"eigen cijfers {_num(100 * result.weight_own, 0)} %, de rest komt uit de pool.",
                  highlight=False)
    for flag in result.flags:
        console.print(f"[red]Let op:[/] {flag}", highlight=False)
    for note in result.notes:
        console.print(f"[yellow]•[/] {note}", highlight=False)
    console.print("[dim]Model = na kalibratie; Pool = wat de regressie op de indicatoren en de "
                  "andere gemeenten verwachten zonder eigen cijfers; z pool = afwijking van die "
                  "verwachting in sd (> 3: gemarkeerd); Eigen = gewicht van de eigen cijfers; "
                  "Invloed = hoeveel de risico-index "
                  "verschuift door dit ene cijfer. Elke scenarioband van de gemeente trekt de "
                  "risico-index per trekking uit deze onzekerheid.[/]", highlight=False)


def _calibrate_all(save: Path | None, store: bool = True, quiet: bool = False) -> dict:
    """Fit every municipality jointly; store in the user's folder; print the summary."""
    from jeugdstelsel.services import municipal_calibration as mc

    start = time.perf_counter()
    with console.status("Alle gemeenten tegelijk kalibreren…") as status:
        result, timings = mc.fit_all(progress=status.update)
        status.update("Resultaat per gemeente samenstellen…")
        doc = mc.results(result, timings)
    seconds = time.perf_counter() - start
    doc["tijden"]["totaal_met_rapport_s"] = round(seconds, 1)
    if store:
        path = mc.write(doc)
    if save is not None:
        mc.write(doc, save)
    if quiet:
        return doc
    gem = list(doc["gemeenten"].values())
    weights = sorted(g["weight_own"] for g in gem)
    flagged = [g for g in gem if g["flags"]]
    leaning = [g for g in gem if g["weight_own"] < 0.5]
    console.rule(f"[bold]{len(gem)} gemeenten gezamenlijk gekalibreerd[/] in "
                 f"{_num(seconds, 0)} s")
    h = doc["hyper"]
    console.print(
        f"Spreiding tussen gemeenten na de regressie (sd, log): risico-index "
        f"{_num(doc['tau'][mc.RISK], 3)}, jeugdbescherming {_num(doc['tau']['jb_rate'], 3)}, "
        f"verblijf {_num(doc['tau']['residential_share'], 3)}; jaarschok "
        f"{_num(h['sigma_jaar'], 3)}, telruis {_num(h['phi'], 2)} x Poisson.", highlight=False)
    console.print(
        f"Gewicht eigen cijfers in de risico-index: mediaan {_num(100 * weights[len(gem) // 2], 0)}"
        f" %, laagste {_num(100 * weights[0], 0)} %; "
        + (f"{len(leaning)} gemeente leunt" if len(leaning) == 1
           else f"{len(leaning)} gemeenten leunen")
        + f" vooral op de pool; {len(flagged)} met een gemarkeerd cijfer.", highlight=False)
    table = Table(title="Gemarkeerd (afwijkend cijfer of één cijfer met grote invloed), en wie "
                  "op de pool leunt", title_justify="left")
    for col in ("Gemeente", "Risico", "Pool", "Eigen", "Opmerking"):
        table.add_column(col, justify="left" if col in ("Gemeente", "Opmerking") else "right")
    shown = sorted(flagged, key=lambda g: g["weight_own"])[:20]
    shown += [g for g in sorted(leaning, key=lambda g: g["weight_own"]) if g not in shown][:10]
    for g in shown:
        table.add_row(g["name"], _num(g["risk"], 2), _num(g["risk_prior"], 2),
                      f"{_num(100 * g['weight_own'], 0)} %",
                      "; ".join(g["flags"][:2]) or (g["notes"][0] if g["notes"] else ""))
    print_fitting(console, table)
    t = doc["tijden"]
    console.print(f"Rekentijd: rekenmodel {_num(sum(t['rekenmodel_s']))} s ({t['rondes']} "
                  "aanroepen, elk alle gemeenten tegelijk; opnieuw gelineariseerd tot de "
                  f"schatting stillag), schatten {_num(sum(t['schatten_s']))} s.",
                  highlight=False)
    if store:
        console.print(f"[green]Opgeslagen[/] in {path}: scenario's voor elke gemeente gebruiken "
                      "nu deze kalibratie (met de onzekerheid van de risico-index in de band). "
                      "Alleen bekijken: --niet-opslaan.", highlight=False)
    else:
        console.print("Niet opgeslagen (--niet-opslaan): scenario's gebruiken de vorige "
                      "kalibratie.")
    if save is not None:
        console.print(f"[green]Kalibratie ook bewaard in:[/] {save}")
    console.print("Eén gemeente bekijken: jeugdstelsel kalibreer <gemeente>.")
    return doc
