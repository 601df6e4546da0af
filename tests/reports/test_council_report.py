"""The council report as a user makes it (`jeugdstelsel rapport`, issue 16 item 4): the question
from the scenario file, the per-budget-year table, the colophon, and an accessible PDF/UA-1."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jeugdstelsel.cli import app
from jeugdstelsel.services.provenance import tool_version

from . import pdf_checks

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Als we in elke huisartsenpraktijk een POH-jeugd zetten"

PLAN_WITHOUT_QUESTION = """
[scenario]
naam = "School en contracten"
[periode]
start = 2024
eind = 2030
[gebied]
gemeente = "Tiel"
[simulatie]
trekkingen = 20
zaad = 2026
[[hefbomen]]
naam = "jeugdhulp_op_school"
dosis = 0.5
start = 2026
[[hefbomen]]
naam = "meerjarige_contracten"
dosis = 1.0
start = 2026
"""
BASE = PLAN_WITHOUT_QUESTION.split("[[hefbomen]]")[0].replace("School en contracten", "Basis")


def _run(tmp: Path, *args: str) -> bytes:
    out = tmp / "rapport"
    res = CliRunner().invoke(app, ["rapport", *args, "--uit", str(out), "--trekkingen", "20",
                                   "--sobol-n", "8"])
    assert res.exit_code == 0, res.output
    return (out / "rapport.pdf").read_bytes()


@pytest.fixture(scope="module")
def documented(tmp_path_factory) -> bytes:
    """The command of docs/levers.md on the shipped examples."""
    return _run(tmp_path_factory.mktemp("doc"), str(ROOT / "examples" / "basis.toml"),
                str(ROOT / "examples" / "raadsvraag.toml"))


@pytest.mark.slow
def test_report_answers_the_question_of_the_scenario_file(documented):
    text = pdf_checks.text(documented)
    flat = " ".join(text.split())
    assert QUESTION in flat
    assert "Er is geen vraag opgegeven" not in flat
    for needle in ("Het korte antwoord", "De doelen van de Routekaart", "Wachtlijst",
                   "Financiële paragraaf", "Begrotingsjaar", "Maatregelen incidenteel",
                   "Maatregelen structureel", "Effect op zorguitgaven", "Netto",
                   "Tekst voor het raadsvoorstel", "fte POH-jeugd voor de",
                   "scholen (geschat", "De aannames die de uitkomst bepalen", "Colofon"):
        assert needle in flat, needle
    for year in range(2026, 2030):  # one row per budget year of the council term
        assert re.search(rf"\n{year} ", text) or f"In {year}:" in flat
    assert f"jeugdstelsel {tool_version()}" in flat and "zaad: 2026" in flat
    # no internal codes: parameter keys, operations or the file names of the sources
    for code in ("poh_shift", "optellen", ".txt", "seed 00"):
        assert code not in flat, code


@pytest.mark.slow
def test_report_is_pdf_ua(documented):
    assert pdf_checks.problems(documented) == []
    alts = pdf_checks.figures(documented)
    assert len(alts) >= 3  # differences, levels, tornado
    assert all(re.search(r"\d", alt) for alt in alts)  # the numbers, not just a title


@pytest.mark.slow
def test_pages_render(documented, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "r.pdf").write_bytes(documented)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(tmp_path / "r.pdf"),
                    str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) >= 4


@pytest.mark.slow
def test_without_question_a_neutral_one_and_no_poh_text(tmp_path):
    (tmp_path / "basis.toml").write_text(BASE, encoding="utf-8")
    (tmp_path / "plan.toml").write_text(PLAN_WITHOUT_QUESTION, encoding="utf-8")
    flat = " ".join(pdf_checks.text(_run(tmp_path, str(tmp_path / "basis.toml"),
                                         str(tmp_path / "plan.toml"))).split())
    assert "Wat doet 'School en contracten' in Tiel" in flat
    assert "Er is geen vraag opgegeven" in flat
    assert "huisartsenpraktijk" not in flat and "POH-jeugd zetten" not in flat


@pytest.mark.slow
def test_question_on_the_command_line_wins(tmp_path):
    (tmp_path / "basis.toml").write_text(BASE, encoding="utf-8")
    (tmp_path / "plan.toml").write_text(PLAN_WITHOUT_QUESTION.replace(
        'naam = "School en contracten"',
        'naam = "School en contracten"\nvraag = "Vraag uit het bestand?"'), encoding="utf-8")
    flat = " ".join(pdf_checks.text(_run(tmp_path, str(tmp_path / "basis.toml"),
                                         str(tmp_path / "plan.toml"), "--vraag",
                                         "Wat kost jeugdhulp op school?")).split())
    assert "Wat kost jeugdhulp op school?" in flat and "Vraag uit het bestand?" not in flat
