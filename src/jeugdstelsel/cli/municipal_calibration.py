"""`jeugdstelsel calibrate <gemeente>` and `jeugdstelsel calibrate alle`.

Why a separate module: the national calibration command stays small, and the municipal one
needs the store (its figures, and where the result is kept so every scenario uses it).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from jeugdstelsel.cli.common import ensure_store, fmt_number, print_fitting
from jeugdstelsel.errors import AreaError

console = Console()
ALL = ("alle", "all", "allemaal")


def _stored_where() -> str:
    from jeugdstelsel.cli.common import store_description

    return f"in de lokale opslag ({store_description()}, tabel MunicipalCalibration)"


def calibrate_municipality(gebied: str, save: Path | None, store: bool = True) -> None:
    """Calibrate one municipality (or all with figures), print the report and store it.

    Says what it stores and where; with ``store=False`` nothing is stored (only shown, and
    written to ``save`` when given).
    """
    from jeugdstelsel.data import store_service

    ensure_store()
    if gebied.strip().lower() in ALL:
        _calibrate_all(save, store)
        return
    found = store_service.gemeente_lookup(gebied)
    if found.valid_to is not None:
        if found.merged_into is None:
            raise AreaError(f"{found.name} bestaat niet meer en is over meerdere gemeenten "
                            "verdeeld; kies een van die gemeenten.")
        console.print(f"{found.name} is opgegaan in {found.merged_into.name}; die wordt "
                      "gekalibreerd.")
        found = found.merged_into
    from jeugdstelsel.services import municipal_calibration as mc

    start = time.perf_counter()
    with console.status(f"Kalibreren van {found.name} op de eigen cijfers…"):
        result = mc.calibrate_municipality(found.code)
    seconds = time.perf_counter() - start
    report(result)
    if store:
        mc.save(result)
        console.print(
            f"[green]Opgeslagen[/] {_stored_where()}: 1 kalibratie voor {result.name}. Elke "
            f"scenarioberekening voor {result.name} gebruikt nu deze kalibratie (risico-index "
            f"{_num(result.risk, 2)}). Rekentijd {_num(seconds, 1)} s.", highlight=False)
    else:
        console.print("Niet opgeslagen (--niet-opslaan): scenario's gebruiken de vorige "
                      f"kalibratie of de risico-index. Rekentijd {_num(seconds, 1)} s.")
    if save is not None:
        save.write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False),
                        encoding="utf-8")
        console.print(f"[green]Kalibratie ook bewaard in:[/] {save}")


def _num(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else fmt_number(float(value), decimals)


def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "[dim]ontbreekt[/]"
    if unit in ("personen", "trajecten"):
        return fmt_number(value, 0)
    if unit == "euro":
        return "€ " + fmt_number(value, 0)
    return fmt_number(value, 1) + " %"


def report(result) -> None:
    """Print the calibration of one municipality (Dutch)."""
    from jeugdstelsel.services import municipal_calibration as mc

    console.rule(f"[bold]Kalibratie {result.name}[/] ({result.code})")
    _figures_table(result)
    if result.fit:
        table = Table(title=f"Fit per reeks (gekalibreerd t/m {result.fitted_through})",
                      title_justify="left")
        for col in ("Reeks", "Periode", "Gepubliceerd", "Model", "Afwijking", "Status"):
            table.add_column(col, justify="left" if col in ("Reeks", "Status") else "right")
        for r in result.fit:
            unit = mc.MAPPINGS[r["series"]].unit
            sign = {"min": "≥ ", "max": "≤ "}.get(r.get("bound", ""), "")
            star = "*" if r["status"] == "voorlopig" else ""
            table.add_row(r["label"], r["period"], sign + _fmt(r["observed"], unit) + star,
                          _fmt(r["model"], unit), _error(r), r["status"])
        print_fitting(console, table)
    _holdout_table(result)
    _parameter_table(result)
    for note in result.notes:
        console.print(f"[yellow]•[/] {note}", highlight=False)
    console.print(
        "[dim]* = voorlopig (ruimere marge). ≥/≤ = gepubliceerde grens ('meer dan 17%'), telt "
        "alleen als het model erbuiten valt. Cijfers vóór 2021 vergelijkt het model met zijn "
        "eigen dekkingsfactor (trendbreuk 2021). Zie docs/calibration.md.[/]",
        highlight=False,
    )


def _error(row: dict) -> str:
    unit = "%" if row["unit"] == "%" else " pp"
    if row.get("bound"):
        inside = (row["bound"] == "min" and row["model"] >= row["observed"]) or (
            row["bound"] == "max" and row["model"] <= row["observed"])
        if inside:
            return "[green]binnen grens[/]"
    return f"{row['error']:+.1f}{unit}".replace(".", ",")


def _figures_table(result) -> None:
    """The municipality's figures beside its region (where known) and the country."""
    from jeugdstelsel.services import municipal_calibration as mc

    if not result.fit:
        return
    region = _region_values(result)
    table = Table(title="Cijfers van de gemeente naast regio en Nederland", title_justify="left")
    for col in ("Reeks", "Periode", result.name, "Jeugdregio", "Nederland", "Bron"):
        table.add_column(col, justify="left" if col in ("Reeks", "Bron") else "right")
    for r in result.fit:
        mapping = mc.MAPPINGS[r["series"]]
        sign = {"min": "≥ ", "max": "≤ "}.get(r.get("bound", ""), "")
        national = mc.national_reference(r["series"], r["period"])
        regional = region.get((r["series"], r["period"]))
        table.add_row(
            mapping.label_nl, r["period"], sign + _fmt(r["observed"], mapping.unit),
            _fmt(regional, mapping.unit) if regional is not None else "[dim]onbekend[/]",
            _fmt(national, mapping.unit) if national is not None else "[dim]onbekend[/]",
            r["source"],
        )
    print_fitting(console, table)


def _region_values(result) -> dict[tuple[str, str], float]:
    """Mean of the region members' percentages where every member has the figure."""
    try:
        from jeugdstelsel.data import store_service
        from jeugdstelsel.services import municipal_calibration as mc

        found = store_service.gemeente_lookup(result.code)
        members = store_service.region_members(found)
        if len(members) < 2:
            return {}
        names = mc._names()
        per_member = [mc.gather(c, names.get(c, c))[0] for c in members]
        out = {}
        for r in result.fit:
            values = []
            for figs in per_member:
                match = [f.value for f in figs if f.kind == r["series"] and f.period == r["period"]
                         and not f.bound]
                values.append(match[0] if match else None)
            if values and all(v is not None for v in values) and mc.MAPPINGS[
                    r["series"]].unit.startswith("%"):
                out[(r["series"], r["period"])] = sum(values) / len(values)
        return out
    except Exception:
        return {}


def _holdout_table(result) -> None:
    h = result.holdout or {}
    if not h.get("beschikbaar"):
        reason = h.get("reden", "geen cijfers")
        console.print(f"Toets buiten de steekproef: niet mogelijk ({reason}).")
        return
    table = Table(
        title=f"Toets buiten de steekproef: gekalibreerd t/m {h['fit_through']}, "
        f"voorspeld {h['year']}",
        title_justify="left",
    )
    for col in ("Reeks", "Periode", "Gepubliceerd", "Voorspeld", "Afwijking", "Vorig cijfer"):
        table.add_column(col, justify="left" if col == "Reeks" else "right")
    for r in h["rows"]:
        naive = r.get("vorig_cijfer_herhaald_error")
        table.add_row(r.get("label", r["series"]), r["period"],
                      ({"min": "≥ ", "max": "≤ "}.get(r.get("bound", ""), "")
                       + fmt_number(r["observed"], 1)),
                      fmt_number(r["model"], 1), _error(r),
                      "–" if naive is None else f"{naive:+.1f}".replace(".", ","))
    print_fitting(console, table)
    if h.get("mean_abs_error") is not None:
        line = f"Gemiddelde absolute fout van het model: {_num(h['mean_abs_error'])}"
        if h.get("naive_mean_abs_error") is not None:
            line += f"; 'vorig cijfer herhaald': {_num(h['naive_mean_abs_error'])}"
        console.print(line + ".")
    if h.get("bounds"):
        console.print(f"Grenzen gehaald: {h['bounds_met']} van {h['bounds']}.")


def _parameter_table(result) -> None:
    table = Table(title="Parameters: landelijke prior en gemeentelijke schatting",
                  title_justify="left")
    for col in ("Parameter", "Landelijk / indicatoren", "Gemeente", "Onzekerheid", "Herkomst"):
        table.add_column(col, justify="left" if col in ("Parameter", "Herkomst") else "right")
    for p in result.parameters:
        digits = 2 if p["estimate"] >= 0.1 else 5
        shrink = p["sd_logit"] / p["prior_sd_logit"] if p["prior_sd_logit"] else 1.0
        colour = "green" if p["bron"] == "eigen cijfers" else "dim"
        table.add_row(p["label"], _num(p["prior"], digits), _num(p["estimate"], digits),
                      f"{_num(100 * shrink, 0)}% van prior",
                      f"[{colour}]{p['bron']}[/]")
    print_fitting(console, table)


def _calibrate_all(save: Path | None, store: bool = True) -> None:
    """Every municipality with figures, in one batched fit; stores each result."""
    from jeugdstelsel.services import municipal_calibration as mc

    start = time.perf_counter()
    with console.status("Cijfers van alle gemeenten verzamelen…"):
        found = mc.municipalities_with_data()
    if not found:
        console.print("Geen gemeente heeft bruikbare cijfers; niets gekalibreerd.")
        return
    with console.status(f"{len(found)} gemeenten tegelijk kalibreren…"):
        results = mc.calibrate_many({c: f for c, (f, _) in found.items()},
                                    missing={c: m for c, (_, m) in found.items()})
    if store:
        for result in results.values():
            mc.save(result)
    seconds = time.perf_counter() - start
    done = "gekalibreerd en opgeslagen" if store else "gekalibreerd (niet opgeslagen)"
    table = Table(title=f"{len(results)} gemeenten {done}", title_justify="left")
    for col in ("Gemeente", "Cijfers", "Risico-index (indicatoren)", "Risico-index (kalibratie)",
                "Gem. afwijking", "Uit eigen cijfers"):
        table.add_column(col, justify="left" if col in ("Gemeente", "Uit eigen cijfers")
                         else "right")
    for r in sorted(results.values(), key=lambda r: r.name):
        errors = [abs(row["error"]) for row in r.fit if not row.get("bound")]
        own = [p["label"].split(" (")[0] for p in r.parameters if p["bron"] == "eigen cijfers"]
        table.add_row(r.name, str(len(r.fit)), _num(r.risk_indicator, 2), _num(r.risk, 2),
                      (_num(sum(errors) / len(errors)) + " %") if errors else "–",
                      ", ".join(own) or "[dim]alles landelijk[/]")
    print_fitting(console, table)
    console.print(
        "Gebruikte cijfers: wat in de lokale opslag staat (CBS-tabellen, geïmporteerde eigen "
        "cijfers, de ingebouwde CBS-steekproef 85098NED 2022) en de ingebouwde gemeentecijfers "
        "uit CBS-nieuws en pers (figures.csv).", highlight=False)
    if store:
        console.print(f"[green]Opgeslagen[/] {_stored_where()}: {len(results)} kalibraties, één "
                      "per gemeente hierboven; scenario's voor die gemeenten gebruiken ze. "
                      "Alleen bekijken: --niet-opslaan.", highlight=False)
    console.print(f"Rekentijd {_num(seconds, 1)} s. Gemeenten zonder cijfers houden de "
                  "risico-index uit indicatoren en de landelijke parameters.")
    if save is not None:
        save.write_text(json.dumps({c: r.to_dict() for c, r in results.items()}, indent=1,
                                   ensure_ascii=False), encoding="utf-8")
        console.print(f"[green]Kalibraties ook bewaard in:[/] {save}")
