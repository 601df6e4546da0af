"""Command-line interface (Dutch for the user). Each module registers its own commands.

Modules: ``model_cmds`` (run, model, calibrate), ``data_cmds`` (cbs, import, template,
gemeente), ``lever_cmds`` (levers, compare, gevoeligheid, report), ``web_cmds`` (serve,
beheerder, token), ``sweep_cmds`` (sweep, sweep-sobol).

The modules register the English names the commands always had; :data:`DUTCH_NAMES` then gives
each its Dutch name, shown in the help, and keeps the old name as a hidden alias, so scripts
keep working (``jeugdstelsel run`` is ``jeugdstelsel draai``). Errors become Dutch at one
boundary (:mod:`jeugdstelsel.cli.boundary`), Typer's own texts are Dutch too
(:mod:`jeugdstelsel.cli.texts`).
"""

from __future__ import annotations

import copy
import gc
import sys

import typer

from jeugdstelsel.cli import (
    backtest_cmds,
    boundary,
    data_cmds,
    doelzoeker_cmds,
    lever_cmds,
    model_cmds,
    routekaart_cmds,
    sweep_cmds,
    texts,
    web_cmds,
    wijk_cmds,
)

texts.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "show_default": True}

app = typer.Typer(
    name="jeugdstelsel",
    help="Zien, simuleren en sturen van het jeugdstelsel van een gemeente.",
    epilog="Hulp bij een opdracht: jeugdstelsel OPDRACHT -h. De Engelse namen van vroeger "
    "(run, compare, report, levers, calibrate, import, template, serve) werken nog.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=boundary.JeugdstelselGroup,
    context_settings=CONTEXT,
    options_metavar="[OPTIES]",
    subcommand_metavar="OPDRACHT [ARGUMENTEN]...",
)

for _module in (model_cmds, data_cmds, lever_cmds, web_cmds, sweep_cmds, backtest_cmds,
                routekaart_cmds, doelzoeker_cmds, wijk_cmds):
    _module.register(app)

#: registered (old) name -> Dutch name shown in the help; the old name stays as a hidden alias
DUTCH_NAMES = {
    "run": "draai",
    "compare": "vergelijk",
    "report": "rapport",
    "levers": "hefbomen",
    "calibrate": "kalibreer",
    "import": "importeer",
    "template": "sjabloon",
    "serve": "webapp",
}
#: extra hidden aliases (Dutch synonyms) for commands that keep their name
EXTRA_ALIASES = {"sweep": ["doorrekening"]}
#: the same inside ``jeugdstelsel cbs``
CBS_DUTCH_NAMES = {"import": "importeer", "download": "download", "tabellen": "tabellen"}


def _version() -> str:
    from jeugdstelsel.services.provenance import tool_version

    return tool_version()


def _hidden_alias(info: typer.models.CommandInfo, name: str) -> typer.models.CommandInfo:
    alias = copy.copy(info)
    alias.name = name
    alias.hidden = True
    return alias


def _dutch_names(target: typer.Typer, names: dict[str, str],
                 extra: dict[str, list[str]] | None = None) -> None:
    aliases = []
    for info in target.registered_commands:
        old = info.name
        info.options_metavar = "[OPTIES]"
        if old in names and names[old] != old:
            info.name = names[old]
            texts.ALIASES[old] = names[old]
            aliases.append(_hidden_alias(info, old))
        for name in (extra or {}).get(old, []):
            aliases.append(_hidden_alias(info, name))
    target.registered_commands.extend(aliases)


_dutch_names(app, DUTCH_NAMES, EXTRA_ALIASES)
for _group in app.registered_groups:
    _group.typer_instance.info.options_metavar = "[OPTIES]"
    _group.typer_instance.info.subcommand_metavar = "OPDRACHT [ARGUMENTEN]..."
    if _group.name == "cbs":
        _dutch_names(_group.typer_instance, CBS_DUTCH_NAMES)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"jeugdstelsel {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    _version_flag: bool = typer.Option(
        False, "--version", "-V", callback=_show_version, is_eager=True,
        help="Toon het versienummer en stop.",
    ),
    debug: bool = typer.Option(
        False, "--debug",
        help=f"Toon bij een interne fout de technische details (ook: {boundary.DEBUG_ENV}=1).",
    ),
) -> None:
    """Zien, simuleren en sturen van het jeugdstelsel van een gemeente."""
    if debug:
        import os

        os.environ[boundary.DEBUG_ENV] = "1"


def main() -> None:
    """Entry point of the ``jeugdstelsel`` console script: the error boundary around the app."""
    command = typer.main.get_command(app)
    try:
        command.main(prog_name="jeugdstelsel")
    except SystemExit:
        raise
    except Exception as exc:  # a bug: a short Dutch message, the traceback in a log file
        boundary.report_internal_error(exc)
        sys.exit(1)
    finally:
        # The process ends now: spare it the final garbage collections over everything the
        # model's libraries loaded (0.3-0.4 s after every `draai`, measured in
        # benchmarks/bench_run.py). Files are closed already; the OS frees the memory.
        gc.freeze()
