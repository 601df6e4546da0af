"""Small helpers shared by the CLI modules: Dutch number formatting and clean failure."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from jeugdstelsel.numbers import nl_number

_err = Console(stderr=True)


def fmt_number(value: float, decimals: int = 0) -> str:
    """Dutch notation for tables; an en dash where a value is missing."""
    return nl_number(value, decimals, missing="–")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a Dutch error without a traceback and stop."""
    _err.print(f"[bold red]Fout:[/] {message}")
    raise typer.Exit(code)
