"""The one place where the command line turns errors into Dutch for the user.

* :class:`jeugdstelsel.errors.JeugdstelselError` (anything core, services and data raise for the
  user): ``Fout: <message>`` on stderr and, dimmed, ``(code: <code>)``; exit status 1.
* Usage errors of Typer/Click (missing argument, unknown option, invalid value): the usage line,
  a hint to ``-h`` and the Dutch message (:func:`jeugdstelsel.cli.texts.usage_error_nl`); exit 2.
* Ctrl+C: ``Afgebroken.``; exit 130.
* Anything else is a bug: in :func:`jeugdstelsel.cli.main` a short Dutch message with the path
  of a log file that holds the traceback; ``--debug`` or ``JEUGDSTELSEL_DEBUG=1`` shows it.

The group class does the first three, so ``CliRunner`` tests see the same output as a user; the
last lives in ``main`` so that tests still get the exception of a bug.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer import core as typer_core
from typer._click import exceptions as click_exceptions

from jeugdstelsel.cli import texts
from jeugdstelsel.errors import JeugdstelselError

DEBUG_ENV = "JEUGDSTELSEL_DEBUG"
USAGE_CODE = "gebruik_ongeldig"


def _stderr() -> Console:
    # a fresh console each time: tests swap sys.stderr between invocations
    return Console(stderr=True, highlight=False)


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "ja", "true", "yes"}


def report_error(exc: JeugdstelselError) -> None:
    """Print one of our errors the way every command does."""
    console = _stderr()
    console.print(f"[bold red]Fout:[/] {escape(str(exc))}")
    console.print(f"[dim](code: {exc.code})[/]")


def report_usage_error(exc: click_exceptions.UsageError) -> None:
    console = _stderr()
    ctx = exc.ctx
    if ctx is not None:
        console.print(escape(ctx.get_usage()))
        if ctx.command.get_help_option(ctx) is not None:
            console.print(f"[dim]Hulp: {escape(ctx.command_path)} -h[/]")
    console.print(f"[bold red]Fout:[/] {escape(texts.usage_error_nl(exc))}")
    console.print(f"[dim](code: {USAGE_CODE})[/]")


def report_interrupt() -> None:
    _stderr().print("[yellow]Afgebroken.[/]")


def log_internal_error(exc: BaseException) -> Path | None:
    """Write the traceback of a bug to the log file in the home folder; its path, or None."""
    try:
        from jeugdstelsel.paths import home

        path = home() / "fouten.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} "
                     f"jeugdstelsel {' '.join(sys.argv[1:])}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def report_internal_error(exc: BaseException) -> None:
    console = _stderr()
    if debug_enabled():
        traceback.print_exception(exc, file=sys.stderr)
    path = log_internal_error(exc)
    where = f" De technische details staan in {path}." if path else ""
    console.print(
        f"[bold red]Interne fout:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
        f"Dit is een fout in jeugdstelsel, niet in uw invoer. Meld dit alstublieft (met de "
        f"opdracht die u gaf).{escape(where)}"
    )
    if not debug_enabled():
        console.print(f"[dim]Met {DEBUG_ENV}=1 of --debug ziet u de details hier.[/]")
    console.print("[dim](code: intern)[/]")


class JeugdstelselGroup(typer_core.TyperGroup):
    """The root group: Dutch errors for every command below it (see the module docstring)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except JeugdstelselError as exc:
            report_error(exc)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            report_interrupt()
            raise typer.Exit(130) from None

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        texts.install()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_exceptions.NoArgsIsHelpError:
            code = 0  # the help was printed already
        except click_exceptions.UsageError as exc:
            report_usage_error(exc)
            code = 2
        except click_exceptions.ClickException as exc:
            _stderr().print(f"[bold red]Fout:[/] {escape(exc.format_message())}")
            code = exc.exit_code
        except typer.Abort:
            report_interrupt()
            code = 1
        else:
            code = result if isinstance(result, int) else 0
        sys.exit(code)
