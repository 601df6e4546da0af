"""Importing a municipality's own figures: good and bad files, privacy refusal, idempotency, CLI."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from jeugdstelsel.cli import data_cmds
from jeugdstelsel.data import importers, store_service
from jeugdstelsel.data.errors import DataError, ImportValidationError, PersonalDataError

HEADER = "gemeente;periode;vorm;maat;verwijzer;wijk;aanbieder;aantal;definitie"
GOOD = [
    "GM0363;2023;zonder_verblijf;jongeren;huisarts;;;1234;lokaal",
    "Amsterdam;2023;met_verblijf;jongeren;;;;210;lokaal",
    "amsterdam;2023-H1;wijkteam;trajecten_gestart;gemeente;Centrum;;1.250;cbs",
    "GM0014;2023-K2;jeugdbescherming;jongeren;;;Stichting X;35;cbs",
    "Súdwest-Fryslân;2022;totaal;jongeren;;;;;lokaal",
]


def _csv(tmp_path: Path, lines: list[str], name: str = "cijfers.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(db):
    store_service.ensure_db()


def _figures():
    from jeugdstelsel.store.models import LocalFigure

    return LocalFigure.objects


def test_good_csv_is_imported_with_its_keys(store, tmp_path):
    result = importers.import_file(_csv(tmp_path, GOOD), by="beleidsadviseur")
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 5, 0, False)
    figure = _figures().get(gemeente_id="GM0363", vorm="wijkteam")
    assert (figure.period, figure.measure, figure.value, figure.wijk) == (
        "2023H1", "trajecten_gestart", 1250, "Centrum")
    assert _figures().get(gemeente_id="GM0014").period == "2023Q2"
    unknown = _figures().get(gemeente_id="GM1900")
    assert unknown.value is None  # empty is unknown, never 0
    frame = store_service.local_figures("Amsterdam")
    assert len(frame) == 3


def test_reimporting_the_same_file_changes_nothing(store, tmp_path):
    from jeugdstelsel.store.models import ImportBatch

    path = _csv(tmp_path, GOOD)
    first = importers.import_file(path)
    again = importers.import_file(path)
    assert again.unchanged and again.batch_id == first.batch_id
    assert _figures().count() == 5
    assert ImportBatch.objects.filter(kind="eigen").count() == 1


def test_a_corrected_file_updates_by_natural_key(store, tmp_path):
    importers.import_file(_csv(tmp_path, GOOD))
    corrected = [GOOD[0].replace(";1234;", ";1300;"), GOOD[1]]
    result = importers.import_file(_csv(tmp_path, corrected, "correctie.csv"))
    assert (result.created, result.updated) == (0, 2)
    assert _figures().get(gemeente_id="GM0363", vorm="zonder_verblijf").value == 1300
    assert _figures().count() == 5


def test_bad_file_names_every_row_and_column_and_stores_nothing(store, tmp_path):
    bad = [
        GOOD[0],
        "Amsterdm;2023;met_verblijf;jongeren;;;;10;lokaal",
        "GM0363;23;met_verblijf;jongeren;;;;10;lokaal",
        "GM0363;2023;residentieel;jongeren;;;;10;lokaal",
        "GM0363;2023;met_verblijf;jongeren;bakker;;;-4;lokaal",
        "GM0363;2023;met_verblijf;jongeren;;;;12,5;eigen",
        "Weesp;2023;met_verblijf;jongeren;;;;10;lokaal",
        GOOD[0],
    ]
    with pytest.raises(ImportValidationError) as info:
        importers.import_file(_csv(tmp_path, bad))
    where = {(p.row, p.column) for p in info.value.problems}
    assert {(3, "gemeente"), (4, "periode"), (5, "vorm"), (6, "verwijzer"), (6, "aantal"),
            (7, "aantal"), (7, "definitie"), (8, "gemeente"), (9, None)} == where
    message = str(info.value)
    assert "Er is niets opgeslagen" in message and "Bedoelt u: Amsterdam" in message
    assert "opgegaan in Amsterdam" in message and "dubbele regel" in message
    assert _figures().count() == 0


def test_unknown_and_missing_columns(store, tmp_path):
    path = tmp_path / "kolommen.csv"
    path.write_text("gemeente,jaar,vorm,maat,aantal\nGM0363,2023,totaal,jongeren,5\n", "utf-8")
    with pytest.raises(ImportValidationError) as info:
        importers.import_file(path)
    columns = {p.column for p in info.value.problems}
    assert {"jaar", "periode", "definitie"} <= columns


def test_definition_may_come_from_the_command_line(store, tmp_path):
    path = tmp_path / "zonder_definitie.csv"
    path.write_text("gemeente;periode;vorm;maat;aantal\nGM0363;2023;totaal;jongeren;5\n", "utf-8")
    importers.import_file(path, default_definition="lokaal")
    assert _figures().get().definition == "lokaal"


def test_bsn_column_is_refused(store, tmp_path):
    lines = [GOOD[0] + ";111222333"]  # passes the 11-proef
    path = tmp_path / "bsn.csv"
    path.write_text("\n".join([HEADER + ";toelichting", *lines]) + "\n", encoding="utf-8")
    with pytest.raises(PersonalDataError) as info:
        importers.import_file(path)
    assert info.value.column == "toelichting"
    assert "burgerservicenummer" in str(info.value) and "111222333" not in str(info.value)
    assert _figures().count() == 0


def test_birth_dates_are_refused(store, tmp_path):
    path = tmp_path / "geboorte.csv"
    rows = [f"GM0363;2023;totaal;jongeren;;;;1;lokaal;{d}"
            for d in ("03-05-2010", "17-11-2012", "2011-02-14")]
    path.write_text("\n".join([HEADER + ";toelichting", *rows]) + "\n", encoding="utf-8")
    with pytest.raises(PersonalDataError, match="geboortedatums"):
        importers.import_file(path)


def test_a_column_named_bsn_is_refused_even_when_empty(store, tmp_path):
    path = tmp_path / "leeg.csv"
    path.write_text(HEADER + ";BSN\nGM0363;2023;totaal;jongeren;;;;1;lokaal;\n", "utf-8")
    with pytest.raises(PersonalDataError):
        importers.import_file(path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("111222333", True), ("123456782", True), ("012345672", True), ("12345672", True),
     ("123456789", False), ("000000000", False), ("1234", False), ("GM0363", False)],
)
def test_eleven_test(value, expected):
    assert importers.is_bsn(value) is expected


@given(st.integers(min_value=0, max_value=9_999_999))
def test_realistic_counts_never_look_like_a_bsn(count):
    assert not importers.is_bsn(str(count)) or count >= 10_000_000


def test_excel_template_round_trip(store, tmp_path):
    path = importers.write_template(tmp_path / "sjabloon.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["cijfers", "toelichting"]
    sheet = book["cijfers"]
    sheet.append(["GM0363", "2024", "met_verblijf", "jongeren", "", "", "", 12, "lokaal", ""])
    book.save(path)
    result = importers.import_file(path)
    assert result.rows == 1
    assert _figures().get().value == 12


def test_empty_csv_template_has_no_figures(store, tmp_path):
    path = importers.write_template(tmp_path / "sjabloon.csv")
    text = path.read_text(encoding="utf-8")
    assert "# Alleen GEAGGREGEERDE aantallen" in text
    with pytest.raises(ImportValidationError, match="geen rijen"):
        importers.import_file(path)


def test_unsupported_file_type(store, tmp_path):
    path = tmp_path / "cijfers.ods"
    path.write_bytes(b"x")
    with pytest.raises(DataError, match=r"\.csv of \.xlsx"):
        importers.import_file(path)


@pytest.mark.postgres
def test_import_on_postgres_is_all_or_nothing(on_postgres, tmp_path):
    store_service.ensure_db()
    with pytest.raises(ImportValidationError):
        importers.import_file(_csv(tmp_path, [GOOD[0], "GM9999;2023;x;y;;;;1;lokaal"]))
    assert _figures().count() == 0
    result = importers.import_file(_csv(tmp_path, GOOD, "goed.csv"))
    assert result.created == 5
    assert importers.import_file(_csv(tmp_path, GOOD, "goed.csv")).unchanged


# -- CLI ------------------------------------------------------------------------------------------
@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setattr(data_cmds, "console", Console(width=200))
    monkeypatch.setattr(data_cmds, "errors", Console(width=200, stderr=True))
    app = typer.Typer()
    data_cmds.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_cli_import_reports_in_dutch_and_exits_1_without_traceback(store, cli, tmp_path):
    result = cli("import", str(_csv(tmp_path, ["GM0363;2023;x;jongeren;;;;1;lokaal"])))
    assert result.exit_code == 1
    assert "rij 2, kolom 'vorm'" in result.output
    assert "Traceback" not in result.output
    ok = cli("import", str(_csv(tmp_path, GOOD, "goed.csv")))
    assert ok.exit_code == 0 and "5 regels geïmporteerd" in ok.output


def test_cli_gemeente_profile_marks_provisional_and_missing(store, cli, client):
    store_service.save_table(client.table("85097NED"))
    result = cli("gemeente", "weesp")
    assert result.exit_code == 0, result.output
    assert "opgegaan in Amsterdam" in result.output
    assert "2022JJ00*" in result.output
    assert "Eenoudergezinnen" in result.output
    missing = cli("gemeente", "Ameland")
    assert "ontbreekt" in missing.output
    unknown = cli("gemeente", "Atlantis")
    assert unknown.exit_code == 1 and "Geen gemeente gevonden" in unknown.output


def test_cli_cbs_import_and_tabellen(store, cli):
    csv_path = Path(__file__).parent / "cbs" / "85098NED_statline_labels.csv"
    first = cli("cbs", "import", str(csv_path))
    assert first.exit_code == 0 and "cijfers opgeslagen" in first.output
    again = cli("cbs", "import", str(csv_path))
    assert "niets gewijzigd" in again.output
    listing = cli("cbs", "tabellen")
    assert "85098NED" in listing.output


def test_cli_template(cli, tmp_path):
    result = cli("template", str(tmp_path / "t.csv"))
    assert result.exit_code == 0 and (tmp_path / "t.csv").exists()
    bad = cli("template", str(tmp_path / "t.pdf"))
    assert bad.exit_code == 1
