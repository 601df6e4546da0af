"""Dutch texts for the parts of the command line that Typer and Click write themselves.

Typer 0.29 ships its own copy of Click (``typer._click``) in which the gettext calls of Click are
gone: "Usage:", "Show this message and exit." and the messages of usage errors are plain English
strings. So there is no message catalogue to install. What is translated here, and how:

* Typer's rich help: the module constants of :mod:`typer.rich_utils` (panel titles, "[default:
  ...]", "[required]", "Aborted.", the hint line), set when Typer imports that module (it does
  so only for help and errors): :func:`install` registers the patch.
* "Usage: " (help and errors): the default prefix of ``HelpFormatter.write_usage``.
* "Show this message and exit.": the help option each command creates on first use.
* Type labels in help (``<int range> [1<=x<=100000]``, ``<bool>`` on a flag): Dutch words, and
  no label on flags.
* Usage errors (missing argument, unknown option or command, invalid value): rewritten from the
  exception's fields by :func:`usage_error_nl`, never by matching English text where the fields
  say it; pydantic's own messages (Typer converts values with pydantic) by error type
  (:func:`pydantic_error_nl`).

``tests/cli/test_errors.py`` asserts these texts, so an upgrade of Typer that moves one of the
hooks fails a test instead of showing English.
"""

from __future__ import annotations

import re
from typing import Any

_installed = False
#: old command name -> the name shown in the help (filled by ``jeugdstelsel.cli``)
ALIASES: dict[str, str] = {}

HELP_TEXT = "Toon deze hulp en stop."

RICH_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "Argumenten",
    "OPTIONS_PANEL_TITLE": "Opties",
    "COMMANDS_PANEL_TITLE": "Opdrachten",
    "ERRORS_PANEL_TITLE": "Fout",
    "ABORTED_TEXT": "Afgebroken.",
    "RICH_HELP": "Hulp: [blue]'{command_path} {help_option}'[/]",
    "DEFAULT_STRING": "[standaard: {}]",
    "ENVVAR_STRING": "[omgevingsvariabele: {}]",
    "REQUIRED_LONG_STRING": "[verplicht]",
    "DEPRECATED_STRING": "(verouderd) ",
}

TYPE_WORDS = {
    "int": "geheel getal",
    "float": "getal",
    "str": "tekst",
    "text": "tekst",
    "path": "pad",
    "file": "bestand",
    "directory": "map",
    "bool": "ja/nee",
    "int range": "geheel getal",
    "float range": "getal",
    "datetime": "datum",
}

# pydantic error types (https://docs.pydantic.dev/latest/errors/validation_errors/) -> Dutch.
PYDANTIC_NL = {
    "missing": "verplicht, maar ontbreekt",
    "int_parsing": "{input!r} is geen geheel getal",
    "int_type": "{input!r} is geen geheel getal",
    "int_from_float": "{input!r} is geen geheel getal",
    "float_parsing": "{input!r} is geen getal",
    "float_type": "{input!r} is geen getal",
    "bool_parsing": "{input!r} is geen ja/nee-waarde (gebruik true of false)",
    "bool_type": "{input!r} is geen ja/nee-waarde (gebruik true of false)",
    "string_type": "{input!r} is geen tekst",
    "greater_than_equal": "{input!r} is te klein; minstens {ge}",
    "greater_than": "{input!r} is te klein; groter dan {gt}",
    "less_than_equal": "{input!r} is te groot; hoogstens {le}",
    "less_than": "{input!r} is te groot; kleiner dan {lt}",
    "literal_error": "{input!r} is niet toegestaan; kies uit {expected}",
    "enum": "{input!r} is niet toegestaan; kies uit {expected}",
    "extra_forbidden": "onbekende sleutel",
    "string_too_short": "tekst is te kort",
    "string_too_long": "tekst is te lang",
    "date_parsing": "{input!r} is geen datum",
    "datetime_parsing": "{input!r} is geen datum en tijd",
}


def pydantic_error_nl(error: dict[str, Any]) -> str:
    """One error of ``ValidationError.errors()`` in Dutch (the English ``msg`` as last resort)."""
    template = PYDANTIC_NL.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", "ongeldige waarde"))
    fields = {"input": error.get("input"), **(error.get("ctx") or {})}
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", "ongeldige waarde"))


def _param_hint(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint is None and getattr(exc, "param", None) is not None:
        hint = exc.param.get_error_hint()
    if hint is None:
        return ""
    if not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    return hint


def _value_message(exc: Any) -> str:
    """The reason inside a BadParameter, from pydantic's errors or Typer's own path checks."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            return "; ".join(pydantic_error_nl(e) for e in errors())
        except Exception:  # not pydantic after all: fall back to the message
            pass
    message = str(getattr(exc, "message", exc))
    for pattern, dutch in _VALUE_PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return dutch.format(*found.groups())
    return message


_VALUE_PATTERNS = [
    (re.compile(r"(?:Path|File|Directory) (.+) does not exist\."), "{0} bestaat niet"),
    (re.compile(r"(?:Path|File|Directory) (.+) is a directory\."), "{0} is een map, geen bestand"),
    (re.compile(r"(?:Path|File|Directory) (.+) is a file\."), "{0} is een bestand, geen map"),
    (re.compile(r"(?:Path|File|Directory) (.+) is not readable\."), "{0} is niet leesbaar"),
    (re.compile(r"(?:Path|File|Directory) (.+) is not writable\."), "{0} is niet schrijfbaar"),
    (re.compile(r"Value (.+) is not a valid (.+)\."), "{0} is geen geldige waarde"),
    (re.compile(r"(.+) is not one of (.+)\."), "{0} is niet toegestaan; kies uit {1}"),
]

_OPTION_LIST = re.compile(r"(?:--?[\w-]+,)+--?[\w-]+")

_USAGE_PATTERNS = [
    (re.compile(r"No such command '(.+)'\.(?: Did you mean (.+)\?)?"), None),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "Onverwacht extra argument: {0}."),
    (re.compile(r"Option '(.+)' requires an argument\."), "Optie '{0}' verwacht een waarde."),
    (re.compile(r"Option '(.+)' requires (\d+) arguments\."),
     "Optie '{0}' verwacht {1} waarden."),
    (re.compile(r"Option '(.+)' does not take a value\."), "Optie '{0}' neemt geen waarde."),
    (re.compile(r"Missing command\."), "Geef een opdracht."),
]


def usage_error_nl(exc: Any) -> str:
    """A Click/Typer usage error in Dutch, built from the exception's fields."""
    from typer._click import exceptions as ce

    if isinstance(exc, ce.MissingParameter):
        kind = exc.param_type or getattr(exc.param, "param_type_name", "parameter")
        word = {"argument": "argument", "option": "optie"}.get(kind, "waarde")
        return f"Ontbrekend {word} {_param_hint(exc)}.".replace("  ", " ")
    if isinstance(exc, ce.NoSuchOption):
        text = f"Onbekende optie: {exc.option_name}."
        if exc.possibilities:
            text += f" Bedoelt u {' of '.join(sorted(exc.possibilities))}?"
        return text
    if isinstance(exc, ce.BadParameter):
        hint = _param_hint(exc)
        reason = _value_message(exc)
        if hint:
            return f"Ongeldige waarde voor {hint}: {reason}."
        return f"Ongeldige waarde: {reason}."
    message = str(getattr(exc, "message", exc))
    for pattern, dutch in _USAGE_PATTERNS:
        found = pattern.fullmatch(message)
        if not found:
            continue
        if dutch is None:  # unknown command, with Typer's suggestions
            text = f"Onbekende opdracht '{found.group(1)}'."
            if found.group(2):
                names = [n.strip().strip("'") for n in found.group(2).split(",")]
                names = list(dict.fromkeys(f"'{ALIASES.get(n, n)}'" for n in names))
                text += f" Bedoelt u {' of '.join(names)}?"
            return text
        return dutch.format(*found.groups())
    return message


def install() -> None:
    """Put the Dutch texts in Typer's help and error output (idempotent)."""
    global _installed
    if _installed:
        return
    from typer import core as typer_core
    from typer._click import core as click_core
    from typer._click import formatting

    _when_imported("typer.rich_utils", _rich_nl)

    write_usage = formatting.HelpFormatter.write_usage

    def write_usage_nl(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = (args.replace("[OPTIONS]", "[OPTIES]").replace("COMMAND [ARGS]...",
                                                             "OPDRACHT [ARGUMENTEN]..."))
        write_usage(self, prog, args, "Gebruik: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage_nl

    get_help_option = click_core.Command.get_help_option

    def get_help_option_nl(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    click_core.Command.get_help_option = get_help_option_nl

    display_type = typer_core._TyperParameter.display_type

    def display_type_nl(self, ctx):
        if getattr(self, "is_flag", False):
            return None
        text = display_type(self, ctx)
        if not text or not (text.startswith("<") and text.endswith(">")):
            return text
        return f"<{TYPE_WORDS.get(text[1:-1], text[1:-1])}>"

    typer_core._TyperParameter.display_type = display_type_nl

    def range_nl(self) -> str | None:
        low, high = getattr(self, "min", None), getattr(self, "max", None)
        if low is None and high is None:
            return None
        if low is None:
            return f"hoogstens {high}"
        if high is None:
            return f"minstens {low}"
        return f"{low} t/m {high}"

    for cls in (typer_core.TyperOption, typer_core.TyperArgument):
        if hasattr(cls, "_get_number_range_help_str"):
            cls._get_number_range_help_str = range_nl
    _installed = True


def _rich_nl(rich_utils) -> None:
    """The Dutch texts of :mod:`typer.rich_utils` (help panels, errors, "Aborted.")."""
    for name, text in RICH_CONSTANTS.items():
        setattr(rich_utils, name, text)
    usage = r"(?P<usage>Gebruik: )"
    if usage not in rich_utils.OptionHighlighter.highlights:
        rich_utils.OptionHighlighter.highlights = [*rich_utils.OptionHighlighter.highlights, usage]

    class WrappingHighlighter(rich_utils.OptionHighlighter):
        """Option names that wrap (``--rekenprocessen, --workers``) instead of being cut."""

        def __call__(self, text):
            if isinstance(text, str) and _OPTION_LIST.fullmatch(text):
                text = text.replace(",", ", ")
            out = super().__call__(text)
            out.overflow = "fold"
            return out

    rich_utils.highlighter = WrappingHighlighter()


def _when_imported(name: str, patch) -> None:
    """Run ``patch(module)`` once ``name`` is imported: now if it is, else right after Typer
    imports it. Why: Typer imports its rich help only to show help or an error; importing it
    for every command cost 0.08 s of each ``draai`` (rich.markdown, markdown-it)."""
    import importlib.abc
    import importlib.util
    import sys

    if name in sys.modules:
        patch(sys.modules[name])
        return

    class AfterImport(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                patch(module)

            spec.loader.exec_module = exec_module  # this spec's own loader instance
            return spec

    sys.meta_path.insert(0, AfterImport())
