"""CLI commands for data: CBS tables, a municipality's own figures, the municipality profile.

Commands: ``cbs download|import|tabellen``, ``import``, ``template``, ``gemeente``. Each runs
without a server: the store is configured and migrated on first use (``store_service.ensure_db``).
Data errors become a Dutch message and exit code 1, without a traceback.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from jeugdstelsel.cli.boundary import report_error
from jeugdstelsel.cli.common import ensure_store
from jeugdstelsel.data.errors import DataError
from jeugdstelsel.numbers import nl_number

F = TypeVar("F", bound=Callable[..., Any])
console = Console()
errors = Console(stderr=True)

cbs_app = typer.Typer(
    help="CBS StatLine-tabellen downloaden, importeren en bekijken.", no_args_is_help=True
)


def friendly(func: F) -> F:
    """Turn data errors into a Dutch message and exit code 1 (no traceback for the user)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DataError as exc:  # printed by the CLI's one boundary, with its code
            report_error(exc)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "[dim]ontbreekt[/]"
    is_share = unit.strip() in {"%", "per 1000"} or not float(value).is_integer()
    text = nl_number(value, 1 if is_share else 0)
    return f"{text} %" if unit.strip() == "%" else text


# -- cbs ----------------------------------------------------------------------------------------
@cbs_app.command("download")
@friendly
def cbs_download(
    tabel: Annotated[str, typer.Argument(help="CBS-tabelcode, bijvoorbeeld 85097NED.")],
    api: Annotated[str, typer.Option(help="OData-versie: v3 (opendata.cbs.nl) of v4.")] = "v3",
    opnieuw: Annotated[
        bool, typer.Option("--opnieuw", help="Controleer of CBS een nieuwere versie heeft.")
    ] = False,
) -> None:
    """Download een tabel van CBS StatLine (hervat een afgebroken download) en sla die op."""
    from jeugdstelsel.data import store_service
    from jeugdstelsel.data.statline import StatLineClient

    ensure_store()

    def progress(endpoint: str, page: int) -> None:
        console.print(f"  {endpoint}: pagina {page} binnen", highlight=False)

    with StatLineClient(progress=progress) as client:
        table = client.table(tabel, api=api, refresh=opnieuw)
    result = store_service.save_table(table, file_name=f"{table.table_id} ({api})")
    _report_table(table.table_id, table.title, result.rows, result.unchanged)


@cbs_app.command("import")
@friendly
def cbs_import(
    bestand: Annotated[Path, typer.Argument(help="CSV- of JSON-export van StatLine.")],
    tabel: Annotated[
        str | None, typer.Option(help="CBS-tabelcode als die niet uit het bestand blijkt.")
    ] = None,
    door: Annotated[str, typer.Option(help="Wie importeert (voor het logboek).")] = "",
    accepteer_uitschieters: Annotated[bool, typer.Option(
        "--accepteer-uitschieters",
        help="Sla cijfers die meer dan een factor 3 afwijken van de opslag toch op (gemeld).",
    )] = False,
) -> None:
    """Importeer een tabel die elders met de hand van StatLine is gedownload (CSV of JSON)."""
    import hashlib

    from jeugdstelsel.data import store_service
    from jeugdstelsel.data.cbs_export import read_export

    ensure_store()
    table = read_export(bestand, table_id=tabel)
    digest = hashlib.sha256(bestand.read_bytes()).hexdigest()
    result = store_service.save_table(table, file_name=bestand.name, sha256=digest, by=door,
                                      accept_outliers=accepteer_uitschieters)
    _report_table(table.table_id, table.title, result.rows, result.unchanged)
    _report_warnings(result.warnings)


def _report_warnings(warnings) -> None:
    for line in warnings:
        console.print(f"[yellow]Uitschieter geaccepteerd:[/] {line}", highlight=False)


def _report_table(table_id: str, title: str, rows: int, unchanged: bool) -> None:
    if unchanged:
        console.print(f"{table_id} was al geïmporteerd met precies deze inhoud; niets gewijzigd.")
    else:
        console.print(f"[green]{table_id}[/] {title}: {rows} cijfers opgeslagen.")


@cbs_app.command("tabellen")
@friendly
def cbs_tabellen() -> None:
    """Toon welke CBS-tabellen in de lokale opslag staan."""
    from jeugdstelsel.data import store_service

    ensure_store()
    rows = store_service.tables()
    if not rows:
        console.print("Nog geen CBS-tabellen opgeslagen. Gebruik `jeugdstelsel cbs download`.")
        return
    table = Table(title="CBS-tabellen in de opslag")
    for column in ("Tabel", "Titel", "Bron", "Cijfers", "Perioden", "Gewijzigd door CBS"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["table_id"], row["title"], row["api"], str(row["observations"]), row["periods"],
            row["modified"] or "-",
        )
    console.print(table)


# -- own figures ---------------------------------------------------------------------------------
def import_own(
    bestand: Annotated[Path | None, typer.Argument(
        help="CSV- of Excel-bestand met eigen cijfers.")] = None,
    door: Annotated[str, typer.Option(help="Wie importeert (voor het logboek).")] = "",
    definitie: Annotated[
        str | None, typer.Option(help="cbs of lokaal, als het bestand geen kolom definitie heeft.")
    ] = None,
    accepteer_uitschieters: Annotated[bool, typer.Option(
        "--accepteer-uitschieters",
        help="Sla cijfers die meer dan een factor 3 afwijken van de opslag of van CBS toch op "
             "(ze worden gemeld).",
    )] = False,
    lijst: Annotated[bool, typer.Option(
        "--lijst", help="Toon alle imports met hun nummer.")] = False,
    ongedaan: Annotated[int | None, typer.Option(
        "--ongedaan", metavar="N", help="Maak import N ongedaan (zie --lijst).")] = None,
) -> None:
    """Importeer eigen geaggregeerde cijfers van de gemeente (alles of niets)."""
    from jeugdstelsel.data import store_service
    from jeugdstelsel.data.importers import import_file

    ensure_store()  # before the importer touches the store's models (a fresh machine)
    if lijst:
        _list_imports(store_service.imports())
        return
    if ongedaan is not None:
        done = store_service.undo_import(ongedaan)
        restored = (f"; {done['restored']} eerdere cijfers teruggezet" if done["restored"]
                    else "")
        console.print(f"Import {done['id']} ({done['file_name']}) ongedaan gemaakt: "
                      f"{done['own']} eigen cijfers en {done['cbs']} CBS-cijfers verwijderd"
                      f"{restored}.")
        return
    if bestand is None:
        raise DataError("Geef een bestand om te importeren, of --lijst / --ongedaan N.")
    result = import_file(bestand, by=door, default_definition=definitie,
                         accept_outliers=accepteer_uitschieters)
    if result.unchanged:
        console.print(f"{bestand.name} was al geïmporteerd; niets gewijzigd.")
        return
    console.print(
        f"[green]{bestand.name}[/]: {result.rows} regels geïmporteerd "
        f"({result.created} nieuw, {result.updated} bijgewerkt; import {result.batch_id})."
    )
    _report_warnings(str(w) for w in result.warnings)


def _list_imports(rows) -> None:
    if not rows:
        console.print("Nog geen imports in de opslag.")
        return
    kinds = {"eigen": "eigen cijfers", "cbs": "CBS-tabel", "ingebouwd": "ingebouwd"}
    table = Table(title="Imports (maak er een ongedaan met `jeugdstelsel import --ongedaan N`)")
    for column in ("Nr", "Soort", "Bestand", "Regels", "Wanneer", "Door"):
        table.add_column(column, justify="right" if column in ("Nr", "Regels") else "left",
                         overflow="fold")
    for r in rows:
        table.add_row(str(r["id"]), kinds.get(r["kind"], r["kind"]),
                      r["file_name"] + (f" ({r['table']})" if r["table"] else ""),
                      nl_number(r["rows"], 0), f"{r['imported_at']:%d-%m-%Y %H:%M}",
                      r["imported_by"] or "-")
    console.print(table)


def template(
    bestand: Annotated[Path, typer.Argument(help="Doelbestand, .csv of .xlsx.")],
) -> None:
    """Schrijf een leeg, gedocumenteerd sjabloon voor eigen cijfers."""
    from jeugdstelsel.data.importers import write_template

    path = write_template(bestand)
    console.print(f"Sjabloon geschreven: {path}. Vul het in en gebruik `jeugdstelsel import`.")


# -- profile ---------------------------------------------------------------------------------------
def gemeente(
    naam: Annotated[str, typer.Argument(help="Naam of GM-code, bijvoorbeeld Tiel of GM0281.")],
) -> None:
    """Toon de bekende cijfers van een gemeente naast haar regio en Nederland."""
    from jeugdstelsel.data import store_service

    ensure_store()
    found = store_service.gemeente_lookup(naam)
    if found.valid_to is not None:
        if found.merged_into is None:
            raise DataError(
                f"{found.name} bestaat sinds {found.valid_to:%d-%m-%Y} niet meer en is over "
                "meerdere gemeenten verdeeld; kies een van die gemeenten."
            )
        console.print(
            f"{found.name} is per {found.valid_to:%d-%m-%Y} opgegaan in {found.merged_into.name}; "
            f"hieronder de cijfers van {found.merged_into.name}, inclusief die van {found.name}."
        )
        found = found.merged_into
    console.rule(f"[bold]{found.name}[/] ({found.code})")
    _indicator_table(found)
    _embedded_youth_care_table(found)
    _youth_care_table(found)
    _press_table(found)
    _local_table(found)
    _calibration_line(found)
    console.print(
        "[dim]* = voorlopig cijfer (definitieve cijfers liggen meestal 1-2% hoger). "
        "'ontbreekt' = niet gepubliceerd of geheim (CBS '.'), nooit als 0 gelezen. "
        "Bron: CBS StatLine, CC-BY 4.0; zie docs/data.md.[/]",
        highlight=False,
    )


def _indicator_table(found) -> None:
    from jeugdstelsel.data import store_service

    indicators = store_service.indicators_for(found.code)
    country = store_service.country_indicators()
    region = _region_indicators(found)
    table = Table(title="Kenmerken en risico-indicatoren")
    for column in ("Indicator", found.name, _region_title(found), "Nederland", "Bron (periode)"):
        table.add_column(column, justify="left" if column in ("Indicator",) else "right")
    for key, item in indicators.items():
        table.add_row(
            item["label"],
            _fmt(item["value"], item["unit"]),
            _fmt(region.get(key), item["unit"]) if region else "[dim]onbekend[/]",
            _fmt(country.get(key), item["unit"]),
            f"{item['table']} ({item['period']})",
        )
    console.print(table)
    note = next(iter(indicators.values()))["area_note"]
    if note:
        console.print(
            f"[yellow]Let op:[/] cijfers van vóór de herindeling missen het deel van {note} "
            "dat bij deze gemeente kwam.",
        )
    if not found.jeugdregio_code:
        console.print(
            "[dim]De jeugdregio van deze gemeente is niet bekend in de ingebouwde gegevens; "
            "vergelijk daarom met Nederland.[/]"
        )


def _region_title(found) -> str:
    return f"Jeugdregio {found.jeugdregio}" if found.jeugdregio else "Jeugdregio"


def _region_indicators(found) -> dict[str, float]:
    """Region values recomputed from the member municipalities' counts (never averaged)."""
    from jeugdstelsel.data import municipalities as muni
    from jeugdstelsel.data import store_service

    members = store_service.region_members(found)
    if not members:
        return {}
    table = muni.municipality_table()
    part = table[table["gm_code"].isin(members)]
    inh20 = part["inhabitants_2020"].sum(min_count=len(part))
    return {
        "inhabitants_2024": float(part["inhabitants_2024"].sum(min_count=len(part))),
        "pop_0_14_2020": float(part["pop_0_14_2020"].sum(min_count=len(part))),
        "pop_15_24_2020": float(part["pop_15_24_2020"].sum(min_count=len(part))),
        "share_0_14_2020": muni.ratio(part["pop_0_14_2020"].sum(min_count=len(part)), inh20),
        "share_15_24_2020": muni.ratio(part["pop_15_24_2020"].sum(min_count=len(part)), inh20),
        "bijstand_per_1000_2020": muni.ratio(
            part["bijstand_persons_2020"].sum(min_count=len(part)), inh20, 1000.0
        ),
        "one_parent_share_2022": muni.ratio(
            part["one_parent_households_2022"].sum(min_count=len(part)),
            part["households_with_children_2022"].sum(min_count=len(part)),
        ),
        "households_with_children_2022": float(
            part["households_with_children_2022"].sum(min_count=len(part))
        ),
    }


def _youth_care_table(found) -> None:
    from jeugdstelsel.data import store_service

    frame = store_service.totals(store_service.observations(found.code))
    frame = frame[frame["dataset"] != "85098NED"] if _embedded_only(frame) else frame
    if frame.empty:  # the embedded figures above cover it; downloads add more
        return
    national = store_service.observations(None)
    national = store_service.totals(national[national["region"].isin(["NL01", "NL00"])])
    lookup = {
        (r.dataset, r.measure, r.period): (r.value, r.status) for r in national.itertuples()
    }
    titles = store_service.measure_titles()
    table = Table(title="Jeugdzorg volgens CBS (gedownload of geïmporteerd)")
    for column in ("Tabel", "Onderwerp", "Periode", found.name, "Nederland", "Vergelijkbaar vanaf"):
        table.add_column(column, justify="right" if column in (found.name, "Nederland") else "left")
    for r in frame.itertuples():
        star = "*" if r.status == "voorlopig" else ""
        nl_value, nl_status = lookup.get((r.dataset, r.measure, r.period), (None, ""))
        nl_star = "*" if nl_status == "voorlopig" else ""
        merged = f" [dim](incl. {r.merged_from})[/]" if r.merged_from else ""
        table.add_row(
            r.dataset,
            titles.get((r.dataset, r.measure), r.series),
            f"{r.period}{star}",
            _fmt(r.value, r.unit) + star + merged,
            (_fmt(nl_value, r.unit) + nl_star) if nl_value is not None else "[dim]niet geladen[/]",
            str(r.comparable_since) if not _missing(r.comparable_since) else "-",
        )
    console.print(table)


def _embedded_only(frame) -> bool:
    """True when the store's 85098NED rows are only the seeded sample (shown by the table
    of embedded figures already)."""
    rows = frame[frame["dataset"] == "85098NED"]
    return not rows.empty and set(rows["status"]) <= {"onbekend"}


def _embedded_youth_care_table(found) -> None:
    """The shipped CBS figures of this municipality beside the country (any municipality)."""
    from jeugdstelsel.data import municipal_figures

    rows = municipal_figures.profile(found.code, headline=True)
    table = Table(title="Jeugdzorg volgens CBS (ingebouwd)")
    for column in ("Onderwerp", "Periode", found.name, "Nederland", "Bron"):
        table.add_column(column, justify="right" if column in (found.name, "Nederland")
                         else "left", overflow="fold")
    for r in rows.itertuples():
        star = "*" if r.status == "voorlopig" else ""
        nl_star = "*" if r.country_status == "voorlopig" else ""
        merged = "†" if r.merged_from else ""
        country = (_fmt(r.country, r.unit) + nl_star) if not _missing(r.country) else \
            "[dim]niet in bron[/]"
        table.add_row(r.label, f"{r.period}{star}", _fmt(r.value, r.unit) + star + merged,
                      country, r.table)
    console.print(table)
    merged = sorted({c for v in rows["merged_from"] for c in v.split(",") if c})
    if merged:
        from jeugdstelsel.data.municipalities import names

        old_names = ", ".join(names().get(c, c) for c in merged)
        console.print(f"[dim]† inclusief {old_names} (toen nog een eigen gemeente): aantallen "
                      "opgeteld omdat alle voorgangers bekend zijn; een percentage wordt nooit "
                      "opgeteld en ontbreekt dan.[/]", highlight=False)


def _press_table(found) -> None:
    """Figures from news articles and press releases: shown apart, never as CBS figures."""
    from jeugdstelsel.data import municipal_figures

    press = municipal_figures.press_figures(found.code)
    if press.empty:
        return
    table = Table(title="Uit nieuws- en persberichten (geen CBS-tabel, vaak afgerond)")
    for column in ("Reeks", "Periode", "Waarde", "Soort", "Bron"):
        table.add_column(column, justify="right" if column == "Waarde" else "left",
                         overflow="fold")
    for r in press.itertuples():
        table.add_row(r.label, r.period, _fmt(r.value, r.unit), r.source_kind, r.title)
    console.print(table)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value)  # NaN and pandas NA
    except TypeError:
        return True


def _local_table(found) -> None:
    from jeugdstelsel.data import store_service

    frame = store_service.local_figures(found.code)
    if frame.empty:
        return
    summary = store_service.local_totals(frame)
    table = Table(title="Eigen cijfers van de gemeente (opgeteld)")
    for column in ("Periode", "Vorm", "Maat", "Definitie", "Aantal", "Basis"):
        table.add_column(column, justify="right" if column == "Aantal" else "left")
    for r in summary.itertuples():
        table.add_row(r.period, r.vorm, r.measure, r.definition, _fmt(r.value), r.basis)
    console.print(table)


def _calibration_line(found) -> None:
    """Say whether scenarios for this municipality use a stored calibration."""
    from jeugdstelsel.services.municipal_calibration import latest

    stored = latest([found.code]).get(found.code)
    if stored is None:
        console.print("Nog geen gemeentelijke kalibratie: scenario's gebruiken de risico-index "
                      f"uit indicatoren. Kalibreer met `jeugdstelsel calibrate {found.code}`.")
        return
    own = [p["label"] for p in stored.parameters if p["bron"] == "eigen cijfers"]
    risk = f"{stored.risk:.2f}".replace(".", ",")
    indicator = f"{stored.risk_indicator:.2f}".replace(".", ",")
    console.print(
        f"[green]Gekalibreerd[/] op {stored.created[:10]} (cijfers t/m {stored.fitted_through}): "
        f"risico-index {risk} (uit indicatoren {indicator}); uit eigen cijfers: "
        f"{', '.join(own) or 'geen'}. Scenario's gebruiken deze kalibratie.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(cbs_app, name="cbs")
    app.command("import")(friendly(import_own))
    app.command("template")(friendly(template))
    app.command("gemeente")(friendly(gemeente))
