"""Every ``jeugdstelsel ...`` command shown in README.md and docs/*.md runs, as documented.

The commands are read from the documents themselves (code blocks and inline code, tables too),
so a new documented command is tested without anyone adding it here. Each runs as the installed
console script in a fresh process and a fresh store (``JEUGDSTELSEL_HOME`` in a temporary
folder) at 80 columns; it must exit 0 without a traceback. Placeholders in the documents
(``<gemeente>``, ``[--draws N]``, ``a|b``) are filled in by :func:`variants`; a placeholder it
does not know fails the test, so that the documents stay runnable.

To keep CI short, model commands get few draws (``--trekkingen``) where they accept them, and
the sensitivity analysis a small Sobol sample; the numbers are tested at the end of this file.
"""

from __future__ import annotations

import functools
import re
import shutil

import pandas as pd
import pytest

from .conftest import ROOT, Shell, wide_lines

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: commands that cannot run in CI, with the reason (keep this short)
SKIPPED = {
    "cbs download": "needs the CBS StatLine server (network); the client is tested against "
                    "recorded responses in tests/data/test_statline.py",
    "serve": "starts a server that runs until stopped; tested in tests/web/test_web_cli.py",
    "webapp": "starts a server that runs until stopped; tested in tests/web/test_web_cli.py",
    "sweep": "a national sweep (342 municipalities, a Dask cluster: minutes); tested in "
             "tests/sweep with a few municipalities",
    "sweep-sobol": "a Sobol analysis on a Dask cluster (minutes); tested in tests/sweep",
}

#: placeholders in the documents -> what the test types
PLACEHOLDERS = {
    "<gemeente>": "Tiel",
    "<naam>": "Tiel",
    "<naam of GM-code>": "GM0281",
    "<user>": "admin",
    "<bestand>": str(ROOT / "tests" / "data" / "cbs" / "85098NED_statline_codes.csv"),
    "NAAM": "poh_jeugd",
    "GEMEENTE": "Tiel",
    "PLAN.toml": "examples/raadsvraag.toml",
    " N": " 100",
    " S": " 7",
    "MAP": "uit",
}
#: option words that stand for a choice in the documents: "gemeente" in [Nederland|gemeente|alle]
CHOICE_WORDS = {"gemeente": "Tiel"}

FAST = {  # model commands: few draws, small Sobol samples
    "run": ["--trekkingen", "20"], "draai": ["--trekkingen", "20"],
    "compare": ["--trekkingen", "20"], "vergelijk": ["--trekkingen", "20"],
    "report": ["--trekkingen", "20", "--sobol-n", "8"],
    "rapport": ["--trekkingen", "20", "--sobol-n", "8"],
    "gevoeligheid": ["--trekkingen", "20", "--sobol-n", "8"],
    "routekaart": ["--trekkingen", "100"],
    "toets": ["--trekkingen", "20", "--horizon", "1", "--tot", "2021"],
    "doelzoeker": ["--trekkingen", "50", "--generaties", "1", "--hefbomen", "poh_jeugd"],
}


def _code_lines(text: str) -> list[str]:
    """Commands in fenced code blocks (continuation lines joined, comments dropped)."""
    found, inside, pending = [], False, ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("```"):
            inside, pending = not inside, ""
            continue
        if not inside:
            continue
        line = re.sub(r"\s+#.*$", "", raw).strip()
        if pending:
            line, pending = pending + " " + line, ""
        if line.endswith("\\"):
            pending = line[:-1].strip()
            continue
        if line.startswith("jeugdstelsel "):
            found.append(line)
    return found


def documented() -> list[tuple[str, str]]:
    """(document, command) for every command shown, each once; code blocks first, then the
    commands named in the text (inline code, tables)."""
    return [(doc, command) for doc, command, _ in _documented()]


def _documented() -> list[tuple[str, str, bool]]:
    seen: dict[str, tuple[str, bool]] = {}
    for doc in DOCUMENTS:
        text = doc.read_text(encoding="utf-8")
        for command in _code_lines(text):
            seen.setdefault(" ".join(command.split()), (doc.name, True))
        for match in re.finditer(r"`(jeugdstelsel [^`\n]+)`", text):
            seen.setdefault(" ".join(match.group(1).split()), (doc.name, False))
    return [(doc, command, block) for command, (doc, block) in seen.items()]


def _expand_choices(words: list[str]) -> list[list[str]]:
    """``[a|b|c]`` and ``a|b|c`` -> one command per choice; other ``[...]`` groups optional."""
    out = [[]]
    for word in words:
        bare = word.strip("[]")
        if "|" in bare:
            choices = [CHOICE_WORDS.get(c, c) for c in bare.split("|")]
            out = [[*prefix, c] for prefix in out for c in choices]
        else:
            out = [[*prefix, word] for prefix in out]
    return out


def variants(command: str) -> list[list[str]]:
    """The argument lists to run for one documented command (without ``jeugdstelsel``)."""
    text = command.replace("\\|", "|")
    for placeholder, value in PLACEHOLDERS.items():
        text = re.sub(re.escape(placeholder) + r"(?=[\]\s]|$)", value, text)
    words = text.split()[1:]
    if "..." in words:  # an option shown on its own, for the command documented above it
        return []
    # optional groups: once without, once with (their content, brackets removed)
    without, with_all, group = [], [], None
    for word in words:
        if word.startswith("[") and "|" not in word:
            group = []
        if group is not None:
            group.append(word.strip("[]"))
            if word.endswith("]"):
                with_all += group
                group = None
            continue
        without.append(word)
        with_all.append(word)
    runs = _expand_choices(without)
    if with_all != without:
        runs += _expand_choices(with_all)
    leftover = [w for run in runs for w in run if re.search(r"[<>]", w)]
    assert not leftover, f"unknown placeholder in '{command}': {leftover} (add to PLACEHOLDERS)"
    unique = []
    for run in runs:
        if run not in unique:
            unique.append(run)
    return unique


@functools.cache
def _root():
    import typer

    from jeugdstelsel.cli import app

    return typer.main.get_command(app)


def _resolve(words: list[str]):
    """The command that ``words`` name, or None when a word is an argument or option."""
    node = _root()
    for word in words:
        node = getattr(node, "commands", {}).get(word)
        if node is None:
            return None
    return node


def _cannot_run_bare(argv: list[str]) -> bool:
    """``argv`` is only command names, and that command needs more (a group, or a required
    argument): ``cbs import`` out of ``cbs download|import|tabellen``."""
    node = _resolve(argv)
    if node is None:
        return False
    if getattr(node, "commands", None):
        return True
    return any(p.required for p in node.params if p.param_type_name == "argument")


def _skip_reason(argv: list[str]) -> str | None:
    if "-h" in argv:
        return None  # the help needs no network, server or cluster
    for prefix, reason in SKIPPED.items():
        if argv[: len(prefix.split())] == prefix.split():
            return reason
    return None


def _fast(argv: list[str]) -> list[str]:
    extra = FAST.get(argv[0] if argv else "", [])
    argv = list(argv)
    for i in range(0, len(extra), 2):
        option = extra[i]
        if option == "--trekkingen" and "--draws" in argv:
            argv[argv.index("--draws") + 1] = extra[i + 1]
            continue
        if option not in argv:
            argv += [option, extra[i + 1]]
    return argv


def _prepare(shell: Shell, argv: list[str]) -> None:
    """What a user has in front of them: the examples, their own files, an administrator."""
    shutil.copytree(ROOT / "examples", shell.cwd / "examples")
    for name in ("scenario.toml", "plan.toml", "basis.toml"):
        shutil.copy(ROOT / "examples" / "basis.toml", shell.cwd / name)
    (shell.cwd / "docs").mkdir()
    if argv[:1] in (["import"], ["importeer"]):
        import openpyxl

        from jeugdstelsel.data.importers import write_template

        write_template(shell.cwd / "cijfers.xlsx")  # what `sjabloon` writes (tested itself)
        book = openpyxl.load_workbook(shell.cwd / "cijfers.xlsx")
        book["cijfers"].append(["GM0363", "2024", "met_verblijf", "jongeren", "", "", "", 12,
                                "lokaal", ""])
        book.save(shell.cwd / "cijfers.xlsx")
    if argv[:1] == ["token"]:
        assert shell.run("beheerder", "admin").returncode == 0


def _canonical(argv: list[str]) -> list[str]:
    """The same command under its Dutch name: ``calibrate alle`` is ``kalibreer alle``."""
    from jeugdstelsel.cli import CBS_DUTCH_NAMES, DUTCH_NAMES

    if argv[:1] == ["cbs"] and len(argv) > 1:
        return ["cbs", CBS_DUTCH_NAMES.get(argv[1], argv[1]), *argv[2:]]
    return [DUTCH_NAMES.get(argv[0], argv[0]), *argv[1:]] if argv else argv


def _cases():
    cases, seen = [], []
    for doc, command, block in _documented():
        for argv in variants(command):
            key = _canonical(argv)
            if key in seen:  # shown twice (also under its old name): run once
                continue
            seen.append(key)
            # a command named in the text (not a code block, no arguments shown): its help
            named = not block and _resolve(command.split()[1:]) is not None
            if named or _cannot_run_bare(argv):
                argv = [*argv, "-h"]
            reason = _skip_reason(argv)
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            if argv and argv[0] in ("calibrate", "kalibreer", "report", "rapport",
                                    "gevoeligheid", "compare", "vergelijk"):
                marks.append(pytest.mark.slow)
            cases.append(pytest.param(argv, id=f"{doc}: {' '.join(argv)}", marks=marks))
    return cases


def test_documents_show_commands():
    commands = [c for _, c in documented()]
    assert len(commands) > 20
    assert any(c.startswith("jeugdstelsel vergelijk ") for c in commands)


@pytest.mark.parametrize("argv", _cases())
def test_documented_command_runs(fresh, argv):
    """Exit 0, no traceback, no error code; and readable at 80 columns: no line wider, no
    cell cut to "…" (the tables of run, levers, model, compare and calibrate among them)."""
    _prepare(fresh, argv)
    done = fresh.run(*_fast(argv)) if "-h" not in argv else fresh.run(*argv)
    assert done.returncode == 0, done.explain()
    assert "Traceback" not in done.output, done.explain()
    assert "(code: " not in done.stderr, done.explain()
    assert "…" not in done.stdout, f"a cell was cut\n{done.explain()}"
    assert not wide_lines(done.stdout), wide_lines(done.stdout)[:3]


# -- the header -----------------------------------------------------------------------------------
def test_run_header_names_area_scenario_draws_and_seed(fresh):
    _prepare(fresh, [])
    done = fresh.run("draai", "examples/raadsvraag.toml", "--trekkingen", "12", "--zaad", "5",
                     "--uit", "u")
    assert done.returncode == 0, done.explain()
    head = " ".join(done.stdout.split("Jongeren in zorg")[0].split())
    for part in ("Gebied: Utrecht", "Raadsvraag", "12 trekkingen", "zaad 5", "kalibratie"):
        assert part in head, part
    assert "…" not in done.stdout and not wide_lines(done.stdout)
    assert "Samenvatting:" in done.stdout  # long output summarised, all years in the files


# -- the numbers ----------------------------------------------------------------------------------
def _final(shell: Shell, folder: str, series: str) -> float:
    frame = pd.read_csv(shell.cwd / folder / "results.csv")
    row = frame[(frame["reeks"] == series) & (frame["statistiek"] == "mediaan")]
    return float(row.sort_values("jaar")["waarde"].iloc[-1])


@pytest.mark.slow
def test_plan_moves_the_declared_way_and_zero_doses_equal_the_baseline(fresh):
    """raadsvraag.toml: POH-jeugd and school shift help to the first line (poh_shift,
    school_shift 'optellen' > 0 in data/levers), multi-year contracts shorten ambulatory care;
    so, against basis.toml on the same draws: fewer young people with specialist care without
    residence, more with first-line help, and the levers cost money. With every dose 0 the
    plan is the baseline, to the last digit."""
    shell = fresh
    _prepare(shell, [])
    common = ["--trekkingen", "30", "--zaad", "11", "--stil"]
    for plan, out in (("examples/basis.toml", "basis"), ("examples/raadsvraag.toml", "plan")):
        done = shell.run("draai", plan, "--uit", out, *common)
        assert done.returncode == 0, done.explain()
    assert (_final(shell, "plan", "jeugdhulp_zonder_verblijf_0_22")
            < _final(shell, "basis", "jeugdhulp_zonder_verblijf_0_22"))
    assert (_final(shell, "plan", "jeugdhulp_wijkteam_0_22")
            > _final(shell, "basis", "jeugdhulp_wijkteam_0_22"))
    assert _final(shell, "plan", "uitgaven_hefbomen") > 0 == _final(shell, "basis",
                                                                    "uitgaven_hefbomen")

    text = (shell.cwd / "examples" / "raadsvraag.toml").read_text(encoding="utf-8")
    zero = re.sub(r"(?m)^dosis\s*=\s*[0-9.]+", "dosis = 0.0", text)
    assert zero != text
    (shell.cwd / "nul.toml").write_text(zero, encoding="utf-8")
    done = shell.run("draai", "nul.toml", "--uit", "nul", *common)
    assert done.returncode == 0, done.explain()
    columns = ["gebied", "reeks", "jaar", "statistiek", "waarde"]
    base = pd.read_csv(shell.cwd / "basis" / "results.csv")[columns]
    nul = pd.read_csv(shell.cwd / "nul" / "results.csv")[columns]
    pd.testing.assert_frame_equal(nul, base, check_exact=True)


def test_every_skip_is_for_a_documented_command():
    documented_argv = [argv for _, c in documented() for argv in variants(c)]
    for prefix in SKIPPED:
        if prefix in ("webapp", "serve"):  # one server under two names; documents show either
            continue
        assert any(a[: len(prefix.split())] == prefix.split() for a in documented_argv), prefix
