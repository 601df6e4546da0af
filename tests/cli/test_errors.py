"""Bad input gives a Dutch message and a stable code, never a traceback; Typer's texts are Dutch.

Each case runs the installed console script in a fresh process and store (conftest.Shell) and
asserts the exit status and the ``code`` the boundary prints, not the wording of the message.
"""

from __future__ import annotations

import pytest

from .conftest import ROOT

EXAMPLES = ROOT / "examples"


def _plan(shell, text: str, name: str = "plan.toml"):
    path = shell.cwd / name
    path.write_text(text, encoding="utf-8")
    return path


#: an unknown municipality: AreaError (services) or UnknownMunicipalityError (data); one code
#: for both is requested from their owners
AREA = ("gebied_onbekend", "gemeente_onbekend")


def _refused(done, code: str | tuple[str, ...], status: int = 1) -> None:
    assert done.returncode == status, done.explain()
    codes = (code,) if isinstance(code, str) else code
    assert any(f"(code: {c})" in done.stderr for c in codes), done.explain()
    assert "Traceback" not in done.output, done.explain()


LEVER = "[simulatie]\ntrekkingen = 5\n[[hefbomen]]\nnaam = '{naam}'\ndosis = {dosis}\n{extra}"


def test_folder_as_scenario_file(shell):
    (shell.cwd / "map.toml").mkdir()
    _refused(shell.run("draai", "map.toml"), "scenario_ongeldig")


def test_missing_scenario_file(shell):
    _refused(shell.run("draai", "bestaat-niet.toml"), "scenario_ongeldig")


def test_png_given_to_import(shell):
    (shell.cwd / "foto.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    done = shell.run("importeer", "foto.png")
    assert done.returncode == 1, done.explain()
    assert "(code: " in done.stderr and "Traceback" not in done.output, done.explain()
    assert "intern" not in done.stderr, done.explain()


def test_quoted_cell_with_a_line_break_in_own_figures(shell):
    header = "gemeente;periode;vorm;maat;verwijzer;wijk;aanbieder;aantal;definitie"
    (shell.cwd / "cijfers.csv").write_text(
        f'{header}\nGM0363;2023;totaal;jongeren;;"Centrum\nOost";;12;lokaal\n', encoding="utf-8")
    done = shell.run("importeer", "cijfers.csv")
    assert "Traceback" not in done.output, done.explain()
    assert "(code: intern)" not in done.stderr, done.explain()


def test_import_works_on_a_fresh_machine(shell):
    header = "gemeente;periode;vorm;maat;verwijzer;wijk;aanbieder;aantal;definitie"
    (shell.cwd / "cijfers.csv").write_text(
        f"{header}\nGM0363;2023;totaal;jongeren;;;;1234;lokaal\n", encoding="utf-8")
    done = shell.run("importeer", "cijfers.csv")
    assert done.returncode == 0, done.explain()
    assert "1 regels geïmporteerd" in done.stdout
    assert "Nieuwe lokale opslag" in done.stderr  # said, not silent
    assert shell.run("import", "cijfers.csv").returncode == 0  # the old name still works


def test_unknown_lever_in_levers(shell):
    _refused(shell.run("hefbomen", "bestaat_niet"), "hefboom_ongeldig")


def test_unknown_lever(shell):
    _plan(shell, LEVER.format(naam="bestaat_niet", dosis=0.5, extra=""))
    _refused(shell.run("draai", "plan.toml", "--uit", "uit"), "hefboom_ongeldig")
    assert not (shell.cwd / "uit").exists()


@pytest.mark.parametrize("dosis", ["5.0", "-0.2"])
def test_dose_out_of_range(shell, dosis):
    _plan(shell, LEVER.format(naam="poh_jeugd", dosis=dosis, extra=""))
    _refused(shell.run("draai", "plan.toml", "--uit", "uit"), "hefboom_ongeldig")
    assert not (shell.cwd / "uit").exists()


def test_lever_starting_after_the_period(shell):
    _plan(shell, "[periode]\nstart = 2024\neind = 2028\n"
          + LEVER.format(naam="poh_jeugd", dosis=0.5, extra="start = 2031\n"))
    done = shell.run("draai", "plan.toml", "--uit", "uit")
    assert done.returncode == 1, done.explain()
    assert ("(code: hefboom_ongeldig)" in done.stderr
            or "(code: periode_ongeldig)" in done.stderr), done.explain()
    assert "Traceback" not in done.output


def test_misspelt_municipality_in_compare(shell):
    _plan(shell, "[gebied]\ngemeente = 'Utrecth'\n[simulatie]\ntrekkingen = 5\n", "a.toml")
    _plan(shell, "[gebied]\ngemeente = 'Utrecth'\n[simulatie]\ntrekkingen = 5\n", "b.toml")
    _refused(shell.run("vergelijk", "a.toml", "b.toml"), AREA)


def test_misspelt_municipality_in_run(shell):
    _plan(shell, "[gebied]\ngemeente = 'Amsterdm'\n[simulatie]\ntrekkingen = 5\n")
    done = shell.run("draai", "plan.toml", "--uit", "uit")
    _refused(done, AREA)
    assert "Amsterdam" in done.stderr


def test_misspelt_municipality_in_calibrate(shell):
    _refused(shell.run("kalibreer", "Tiell"), AREA)


def test_bad_scenario_key(shell):
    _plan(shell, "[periode]\nstart = 2024\neind = 2020\n[onzin]\nx = 1\n")
    done = shell.run("draai", "plan.toml", "--uit", "uit")
    _refused(done, "scenario_ongeldig")
    assert "plan.toml" in done.stderr
    assert not (shell.cwd / "uit").exists()


# -- Typer's own texts ---------------------------------------------------------------------------
def test_usage_errors_are_dutch(shell):
    done = shell.run("draai", "--trekkingen", "abc")
    _refused(done, "gebruik_ongeldig", status=2)
    assert "Gebruik: jeugdstelsel draai" in done.stderr
    for english in ("Usage", "Invalid value", "Error", "Try "):
        assert english not in done.stderr
    done = shell.run("draai", "--onzin")
    _refused(done, "gebruik_ongeldig", status=2)
    assert "No such option" not in done.stderr and "--onzin" in done.stderr
    done = shell.run("vergelijk")
    _refused(done, "gebruik_ongeldig", status=2)
    assert "Missing" not in done.stderr
    done = shell.run("vergelijkk")
    _refused(done, "gebruik_ongeldig", status=2)
    assert "'vergelijk'" in done.stderr and "No such command" not in done.stderr


def test_help_is_dutch_and_names_are_dutch(shell):
    done = shell.run("-h")
    assert done.returncode == 0, done.explain()
    for dutch in ("Gebruik:", "Opties", "Opdrachten", "Toon deze hulp en stop.", "draai",
                  "vergelijk", "rapport", "hefbomen", "kalibreer", "importeer", "sjabloon"):
        assert dutch in done.stdout, dutch
    for english in ("Usage:", "Options", "Commands", "Show this message", "│ run "):
        assert english not in done.stdout, english
    done = shell.run("draai", "--help")
    assert done.returncode == 0
    assert "Argumenten" in done.stdout and "[standaard: uitvoer]" in done.stdout
    assert "<bool>" not in done.stdout and "<int" not in done.stdout


def test_old_names_still_work(shell):
    for old in ("run", "compare", "report", "levers", "calibrate", "import", "template",
                "serve"):
        done = shell.run(old, "-h")
        assert done.returncode == 0, done.explain()
    assert shell.run("cbs", "import", "-h").returncode == 0


def test_version(shell):
    done = shell.run("--version")
    assert done.returncode == 0 and done.stdout.startswith("jeugdstelsel ")


def test_internal_error_is_short_and_logged(shell, monkeypatch, capsys):
    """A bug: no traceback on screen, a Dutch message with the log file that holds it."""
    from jeugdstelsel import cli
    from jeugdstelsel.cli import boundary

    monkeypatch.setenv("JEUGDSTELSEL_HOME", str(shell.home))
    monkeypatch.delenv(boundary.DEBUG_ENV, raising=False)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("kapot")

    monkeypatch.setattr("jeugdstelsel.services.modeldoc.parameter_rows", broken)
    monkeypatch.setattr("sys.argv", ["jeugdstelsel", "model"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 1 and calls
    log = shell.home / "fouten.log"
    assert "RuntimeError: kapot" in log.read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert "Interne fout" in err and "(code: intern)" in err and "fouten.log" in err
    assert "Traceback" not in err


def test_ctrl_c_says_afgebroken(monkeypatch):
    from typer.testing import CliRunner

    from jeugdstelsel.cli import app

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("jeugdstelsel.services.modeldoc.parameter_rows", interrupted)
    result = CliRunner().invoke(app, ["model"])
    assert result.exit_code == 130
    assert "Afgebroken" in result.output and "Traceback" not in result.output
