"""Plausibility and privacy before anything is stored; the import log; the real console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jeugdstelsel.data import importers, store_service
from jeugdstelsel.data.errors import DataError, ImportValidationError, PersonalDataError
from jeugdstelsel.errors import code_of

HEADER = "gemeente;periode;vorm;maat;verwijzer;wijk;aanbieder;aantal;definitie;toelichting"


@pytest.fixture
def store(db):
    store_service.ensure_store()


def _csv(tmp_path: Path, lines: list[str], name: str = "cijfers.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _count() -> int:
    from jeugdstelsel.store.models import LocalFigure

    return LocalFigure.objects.count()


def test_more_young_people_than_inhabitants_is_refused(store, tmp_path):
    path = _csv(tmp_path, ["Vlieland;2023;totaal;jongeren;;;;250000;lokaal;"])
    with pytest.raises(ImportValidationError) as info:
        importers.import_file(path)
    assert "rij 2, kolom 'aantal'" in str(info.value) and "Vlieland" in str(info.value)
    assert _count() == 0


@pytest.mark.parametrize("period", ["1900", "2014", "2099"])
def test_periods_outside_2015_to_now_are_refused(store, tmp_path, period):
    path = _csv(tmp_path, [f"Tiel;{period};totaal;jongeren;;;;100;lokaal;"])
    with pytest.raises(ImportValidationError, match="rij 2, kolom 'periode'"):
        importers.import_file(path)


def test_an_outlier_against_the_stored_figure_needs_explicit_acceptance(store, tmp_path):
    importers.import_file(_csv(tmp_path, ["Tiel;2023;totaal;jongeren;;;;1200;lokaal;"], "a.csv"))
    jump = _csv(tmp_path, ["Tiel;2023;totaal;jongeren;;;;9000;lokaal;"], "b.csv")
    with pytest.raises(ImportValidationError, match="factor 3"):
        importers.import_file(jump)
    result = importers.import_file(jump, accept_outliers=True)
    assert len(result.warnings) == 1 and result.warnings[0].row == 2  # never silently


def test_an_outlier_against_cbs_is_flagged(store, tmp_path):
    path = _csv(tmp_path, ["Tiel;2022;totaal;jongeren;;;;9000;cbs;"])  # CBS 85335NED: 1,900
    with pytest.raises(ImportValidationError, match="85335NED"):
        importers.import_file(path)


@pytest.mark.parametrize("text", ["cliënt 123-456-782 belde", "bsn 111 222 333", "111.222.333"])
def test_bsn_inside_free_text_is_refused(store, tmp_path, text):
    path = _csv(tmp_path, [f"Tiel;2023;totaal;jongeren;;;;12;lokaal;{text}"])
    with pytest.raises(PersonalDataError) as info:
        importers.import_file(path)
    assert info.value.column == "toelichting" and code_of(info.value) == "persoonsgegevens"


def test_a_birth_date_in_free_text_is_refused(store, tmp_path):
    path = _csv(tmp_path, ["Tiel;2023;totaal;jongeren;;;;12;lokaal;geb. 03-05-2010"])
    with pytest.raises(PersonalDataError, match="geboortedatum"):
        importers.import_file(path)


def test_agb_codes_and_buurtcodes_are_not_bsns(store, tmp_path):
    # 12345672 passes the 11-proef when padded; as an 8-digit AGB code it is no BSN
    lines = ["Tiel;2023;zonder_verblijf;jongeren;;;12345672;12;lokaal;AGB 12345672",
             "Tiel;2023;met_verblijf;jongeren;;BU02810000;;5;lokaal;buurt 02810000",
             "Tiel;2023;wijkteam;jongeren;;WK028100;;7;lokaal;peildatum 31-12-2023"]
    assert importers.import_file(_csv(tmp_path, lines)).rows == 3


def test_quoted_cell_with_a_line_break(store, tmp_path):
    path = tmp_path / "regels.csv"
    path.write_text(HEADER + '\nTiel;2023;totaal;jongeren;;;;12;lokaal;"regel een\nregel twee"\n'
                    "Tiel;2022;totaal;jongeren;;;;11;lokaal;x\n", encoding="utf-8")
    assert importers.import_file(path).rows == 2
    broken = tmp_path / "open.csv"
    broken.write_text(HEADER + '\nTiel;2023;totaal;jongeren;;;;12;lokaal;"open\n', "utf-8")
    with pytest.raises(ImportValidationError, match="aanhalingstekens"):
        importers.import_file(broken)


def test_a_png_is_refused_in_dutch(store, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    for name in ("grafiek.png", "grafiek.csv"):
        (tmp_path / name).write_bytes(png)
        with pytest.raises(DataError, match="PNG") as info:
            importers.import_file(tmp_path / name)
        assert code_of(info.value) == "data_ongeldig"


def test_import_log_and_undo(store, tmp_path):
    result = importers.import_file(_csv(tmp_path, ["Tiel;2023;totaal;jongeren;;;;12;lokaal;"]))
    assert store_service.imports()[0]["id"] == result.batch_id
    done = store_service.undo_import(result.batch_id)
    assert done["own"] == 1 and _count() == 0
    with pytest.raises(DataError):
        store_service.undo_import(result.batch_id)


def test_undo_restores_the_figures_an_import_overwrote(store, tmp_path):
    from jeugdstelsel.store.models import LocalFigure

    first = importers.import_file(_csv(tmp_path, ["Tiel;2023;totaal;jongeren;;;;1200;lokaal;"],
                                       "a.csv"))
    second = importers.import_file(_csv(tmp_path, ["Tiel;2023;totaal;jongeren;;;;1300;lokaal;",
                                                   "Tiel;2022;totaal;jongeren;;;;1100;lokaal;"],
                                        "b.csv"))
    done = store_service.undo_import(second.batch_id)
    assert done["restored"] == 1
    figure = LocalFigure.objects.get()
    assert (figure.value, figure.batch_id, figure.period) == (1200, first.batch_id, "2023")


def test_reimport_with_another_definition_is_not_silently_ignored(store, tmp_path):
    path = tmp_path / "zonder.csv"
    path.write_text("gemeente;periode;vorm;maat;aantal\nTiel;2023;totaal;jongeren;12\n", "utf-8")
    importers.import_file(path, default_definition="lokaal")
    assert importers.import_file(path, default_definition="lokaal").unchanged
    with pytest.raises(DataError, match="--ongedaan"):
        importers.import_file(path, default_definition="cbs")


def test_cbs_table_with_a_share_above_100_is_refused(store):
    import pandas as pd

    from jeugdstelsel.data.statline import LONG_COLUMNS, CbsTable

    data = pd.DataFrame([["JongerenMetJeugdhulpInNatura", "JongerenMetJeugdhulpInNatura_1",
                          "GM0281", "2022JJ00", "", "", 140.0, "%", "voorlopig"]],
                        columns=LONG_COLUMNS)
    table = CbsTable(table_id="85098NED", title="t", api="csv", data=data)
    with pytest.raises(ImportValidationError, match="GM0281"):
        store_service.save_table(table)


def test_the_real_console_script_imports_on_a_fresh_store(tmp_path):
    """Issue 13: `jeugdstelsel import` on a fresh machine (no pytest-django, no server)."""
    home = tmp_path / "verse-opslag"
    path = _csv(tmp_path, ["Tiel;2023;totaal;jongeren;;;;1234;lokaal;"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    env["JEUGDSTELSEL_HOME"] = str(home)
    script = Path(sys.executable).parent / "jeugdstelsel"
    done = subprocess.run([str(script), "import", str(path)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    check = (
        "from jeugdstelsel.data import store_service as s; s.ensure_store(); "
        "from jeugdstelsel.store.models import LocalFigure as F; "
        "print(F.objects.get(gemeente_id='GM0281', period='2023').value)"
    )
    read = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          env=env, timeout=300)
    assert read.stdout.strip() == "1234.0", read.stderr
    assert (home / "jeugdstelsel.sqlite3").exists()
    png = tmp_path / "grafiek.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    bad = subprocess.run([str(script), "import", str(png)], capture_output=True, text=True,
                         env=env, timeout=300)
    assert bad.returncode == 1 and "Traceback" not in bad.stdout + bad.stderr
    assert "PNG" in bad.stdout + bad.stderr
