"""Small helpers shared by the CLI modules: Dutch numbers, the store, the run header, failure."""

from __future__ import annotations

from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape

from jeugdstelsel.errors import JeugdstelselError
from jeugdstelsel.numbers import nl_number

_err = Console(stderr=True, highlight=False)


def fmt_number(value: float, decimals: int = 0) -> str:
    """Dutch notation for tables; an en dash where a value is missing."""
    return nl_number(value, decimals, missing="–")


def fail(message: str) -> NoReturn:
    """Stop with a Dutch error; the boundary (:mod:`jeugdstelsel.cli.boundary`) prints it."""
    raise JeugdstelselError(message)


def store_description() -> str:
    """Where the local store lives, in words (after Django is set up)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite-bestand {db['NAME']}"
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    return f"{engine} op {db.get('HOST') or 'localhost'}, database {db['NAME']}"


def _store_is_new() -> bool:
    try:
        from jeugdstelsel.store.models import ImportBatch

        return not ImportBatch.objects.filter(kind=ImportBatch.Kind.INGEBOUWD).exists()
    except Exception:  # no tables yet: a new store
        return True


def ensure_store() -> None:
    """Set up the local store before any command touches it (Django, migrations, seed).

    Every data command calls this first, so a fresh machine works without a server. When the
    store is new, say so and what was put in it: nothing lands in it without the user knowing.
    """
    from jeugdstelsel.data import store_service

    store_service.setup_django()
    new = _store_is_new()
    store_service.ensure_db()
    if new:
        _err.print(
            f"[dim]Nieuwe lokale opslag aangemaakt ({store_description()}), met de gemeenten "
            "(indeling 2024) en de ingebouwde CBS-steekproef 85098NED 2022 (10 gemeenten). "
            "Een andere plek: JEUGDSTELSEL_HOME of DATABASE_URL.[/]"
        )


def spec_line(spec: Any, source: str | None = None, *, plans: list[str] | None = None) -> str:
    """Area, scenario, period, draws and seed of a scenario, on one line (before it runs)."""
    area = spec.gebied.gemeente or "Nederland"
    name = spec.scenario.naam + (f" ({source})" if source else "")
    label = "referentie" if plans else "scenario"
    parts = [f"Gebied: {area}", f"{label}: {name}"]
    if plans:
        parts.append(f"plan(nen): {', '.join(plans)}")
    parts += [f"periode {spec.periode.start}-{spec.periode.eind}",
              f"{nl_number(spec.simulatie.trekkingen, 0)} trekkingen",
              f"zaad {spec.simulatie.zaad}"]
    return "; ".join(parts)


#: provenance lines already said by :func:`spec_line`
_SAID = ("scenario", "trekkingen:", "gemaakt:")


def provenance_lines(result: Any) -> list[str]:
    """What the result was computed with (version, calibration, data), from the provenance the
    pipeline attached (:func:`jeugdstelsel.services.provenance.of`)."""
    from jeugdstelsel.services import provenance as prov

    return [line for line in prov.of(result).lines_nl() if not line.startswith(_SAID)]


def print_header(console: Console, line: str) -> None:
    """The first line of a model command: what is computed (wrapped, never cut)."""
    console.print(f"[bold]{escape(line)}[/]", highlight=False)


def print_provenance(console: Console, result: Any) -> None:
    for line in provenance_lines(result):
        console.print(f"[dim]{escape(line)}[/]", highlight=False)


def print_table(console: Console, title: str, headers: list[str], rows: list[list[str]], *,
                right: tuple[str, ...] = (), show_lines: bool = False) -> None:
    """A table that is readable at any width: as a table where it fits, else stacked.

    No cell is ever cut to "…": columns fold instead, and when the table does not fit without
    breaking words (an 80-column terminal), each row becomes a small block of "label value"
    lines under the row's first cell.
    """
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=show_lines)
    for head in headers:
        table.add_column(head, justify="right" if head in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*row)
    if _fits_unbroken(console, table, [headers, *rows]):
        console.print(table)
        return
    console.print(f"[bold]{escape(title)}[/]" if title else "", highlight=False)
    labels = [" ".join(h.split()) for h in headers[1:]]
    for row in rows:
        console.print(f"[bold]{row[0]}[/]", highlight=False)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=min(max(map(len, labels), default=0), 32) + 2, style="dim",
                        overflow="fold")
        grid.add_column(ratio=1, overflow="fold")
        for label, cell in zip(labels, row[1:], strict=True):
            if cell:
                grid.add_row(f"  {label}", cell)
        console.print(grid)


def _fits_unbroken(console: Console, table: Any, cells: list[list[str]]) -> bool:
    """Whether ``table`` at the console's width keeps every word of every cell whole."""
    import io

    from rich.text import Text

    probe = Console(file=io.StringIO(), width=console.width, color_system=None,
                    legacy_windows=False)
    probe.print(table)
    rendered = probe.file.getvalue()
    for row in cells:
        for cell in row:
            for word in Text.from_markup(cell).plain.split():
                if word not in rendered:
                    return False
    return True


def print_fitting(console: Console, table: Any) -> None:
    """Print a built rich ``Table`` like :func:`print_table`: whole, or stacked when narrow."""
    headers = [str(col.header) for col in table.columns]
    cells = [[str(c) for c in col._cells] for col in table.columns]
    rows = [list(r) for r in zip(*cells, strict=True)] if cells else []
    for col in table.columns:
        col.overflow = "fold"
    if _fits_unbroken(console, table, [headers, *rows]):
        console.print(table)
        return
    title = str(table.title) if table.title else ""
    right = tuple(str(c.header) for c in table.columns if c.justify == "right")
    print_table(console, title, headers, rows, right=right)
