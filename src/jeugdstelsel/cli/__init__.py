"""Command-line interface (Dutch for the user). Each module registers its own commands.

Modules: ``model_cmds`` (run, model), ``data_cmds`` (cbs, import, template, gemeente,
calibrate), ``lever_cmds`` (levers, compare, report), ``web_cmds`` (serve, beheerder),
``sweep_cmds`` (sweep).
"""

from __future__ import annotations

import typer

from jeugdstelsel.cli import data_cmds, lever_cmds, model_cmds, sweep_cmds, web_cmds

app = typer.Typer(
    name="jeugdstelsel",
    help="Zien, simuleren en sturen van het jeugdstelsel van een gemeente.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

for _module in (model_cmds, data_cmds, lever_cmds, web_cmds, sweep_cmds):
    _module.register(app)


def main() -> None:
    """Entry point of the ``jeugdstelsel`` console script."""
    app()
