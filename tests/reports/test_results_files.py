"""What a run and a comparison write: provenance everywhere (item 5), CSV for Excel and the
workbook (item 6), no negative zero, and the fast summary equal to the old one (item 7)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from jeugdstelsel.numbers import nl_number
from jeugdstelsel.reports.files import MANIFEST
from jeugdstelsel.reports.tables import read_excel_csv, write_excel_csv
from jeugdstelsel.services import provenance as prov
from jeugdstelsel.services.calibration import load_shipped
from jeugdstelsel.services.scenario import parse

SMALL = "[periode]\nstart = 2019\neind = 2023\n[simulatie]\ntrekkingen = 30\nzaad = 7\n"


@pytest.fixture(scope="module")
def result():
    from jeugdstelsel.services.run import run

    return run(parse(SMALL, "klein.toml"))


def test_nl_number_never_prints_negative_zero():
    for value, decimals in ((-0.0, 0), (-0.4, 0), (-0.04, 1), (-0.004, 2), (-1e-12, 3)):
        text = nl_number(value, decimals)
        assert not text.startswith(("-", "−")), (value, text)
        assert nl_number(value, decimals, signed=True) == text  # zero has no sign
    assert nl_number(-0.6) == "-1" and nl_number(0.6, signed=True) == "+1"
    assert nl_number(-1234.5, 1) == "-1.234,5" and nl_number(476560) == "476.560"
    assert nl_number(float("nan")) == "-" and nl_number(None, missing="–") == "–"


def test_provenance_names_version_calibration_data_and_seed():
    cal = load_shipped()
    p = prov.for_run(parse(SMALL, "klein.toml"), cal, {"NL01": "landelijke kalibratie"},
                     "klein.toml")
    d = p.as_dict()
    json.dumps(d)  # JSON-ready
    assert d["versie"] == prov.tool_version()
    assert d["kalibratie"]["gebied"] == cal.area and d["kalibratie"]["soort"] == "landelijk"
    assert d["kalibratie"]["gekalibreerd_tot_en_met"] == cal.fitted_through
    assert len(d["kalibratie"]["hash"]) == 12
    assert d["gegevens"]["laatste_jaar"] >= 2022 and len(d["gegevens"]["hash"]) == 12
    assert d["zaad"] == 7 and d["trekkingen"] == 30
    assert d["scenario"] == {"naam": "Basisscenario", "bestand": "klein.toml"}
    text = "\n".join(p.lines_nl())
    for needle in (p.tool_version, cal.area, p.calibration_hash, p.figures_hash, "zaad: 7"):
        assert needle in text
    assert prov.calibration_hash(cal) == prov.calibration_hash(load_shipped())


def test_municipal_provenance_names_each_calibration():
    sc = parse('[gebied]\ngemeente = "Utrecht"\n' + SMALL, "u.toml")
    p = prov.for_run(sc, load_shipped(), {"GM0344": "gemeentelijke kalibratie van 2026-11-30 "
                                                    "(risico-index 1,10, t/m 2022)"})
    assert p.as_dict()["kalibratie"]["soort"] == "gemeentelijk"
    assert p.as_dict()["gemeentegegevens"]["indeling"] == 2024
    assert any("GM0344: gemeentelijke kalibratie van 2026-11-30" in line
               for line in p.lines_nl())


def test_fast_summary_equals_the_per_series_one(result):
    from jeugdstelsel.core.outputs import SERIES_BY_KEY
    from jeugdstelsel.services.summary import STATISTICS, summarise

    frames = []
    for key, values in result.series.items():
        stats = {n: np.percentile(values, q, axis=0) for n, q in STATISTICS.items()}
        stats["gemiddelde"] = values.mean(axis=0)
        for stat, table in stats.items():
            frames.append(pd.DataFrame({
                "gebied": np.repeat(result.areas, len(result.years)),
                "gebiedsnaam": np.repeat(result.area_names, len(result.years)),
                "reeks": key, "omschrijving": SERIES_BY_KEY[key].label_nl,
                "eenheid": SERIES_BY_KEY[key].unit,
                "jaar": np.tile(result.years, len(result.areas)), "statistiek": stat,
                "waarde": table.reshape(-1)}))
    expected = pd.concat(frames, ignore_index=True)
    got = summarise(result.series, result.years, result.areas, result.area_names)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_run_files_meta_and_excel_csv(result, tmp_path):
    from jeugdstelsel.services import results

    out = tmp_path / "uit"
    written = results.write(result, out)
    names = {p.name for p in written}
    assert {"results.csv", "results.parquet", "resultaten_excel.csv", "grafiek.png",
            "scenario.toml", "meta.json"} == names
    assert (out / MANIFEST).exists()
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    herkomst = meta["herkomst"]
    assert herkomst["versie"] == prov.tool_version() and herkomst["zaad"] == 7
    assert herkomst["trekkingen"] == 30 and len(herkomst["kalibratie"]["hash"]) == 12
    assert herkomst["gegevens"]["bestand"] == "figures.csv"
    # what the population rests on: the migration of 2022 (Ukraine) and the held years named
    demografie = meta["demografie"]
    assert demografie["migratie_index"]["2022"] > 2.0
    assert demografie["migratie_afgeleid_uit_bevolking"] == [2022, 2023]
    assert all(y > 2023 for y in demografie["migratie_aangehouden"])
    # the forecast's start and step per series
    assert all("vertrekpunt" in row for row in meta["modelafwijking"]["reeksen"])
    # machine-readable long format unchanged: ',' and '.'
    long = pd.read_csv(out / "results.csv")
    assert set(long["statistiek"]) == {"mediaan", "p10", "p90", "p2.5", "p97.5", "gemiddelde"}
    raw = (out / "resultaten_excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    header = raw[3:].split(b"\n", 1)[0].decode()
    assert header.split(";")[:7] == ["gebied", "gebiedsnaam", "reeks", "omschrijving",
                                     "eenheid", "jaar", "mediaan"]
    text = raw.decode("utf-8-sig")
    assert ";-0;" not in text and ";-0,0;" not in text and "-0\n" not in text
    wide = read_excel_csv(out / "resultaten_excel.csv")
    assert len(wide) * 6 == len(long)
    med = long[long["statistiek"] == "mediaan"].reset_index(drop=True)
    np.testing.assert_allclose(wide["mediaan"], med["waarde"].round(2), atol=0.006)
    row = wide[(wide["reeks"] == "jeugdzorg_0_22") & (wide["jaar"] == 2019)].iloc[0]
    assert row["waargenomen"] == 443585 and row["status"] == "definitief"


def test_excel_csv_has_no_negative_zero_and_a_decimal_comma(tmp_path):
    frame = pd.DataFrame({"naam": ["één", "twee"], "waarde": [-0.0, 1234.5]})
    path = write_excel_csv(frame, tmp_path / "t.csv")
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["naam;waarde", "één;0,0", "twee;1234,5"]
    assert read_excel_csv(path)["waarde"].tolist() == [0.0, 1234.5]


def test_run_cli_refuses_a_file_as_out_before_simulating(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from jeugdstelsel.cli import app
    from jeugdstelsel.services import run as run_service

    def no_simulation(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(run_service, "run", no_simulation)
    target = tmp_path / "bestaand.txt"
    target.write_text("van de gebruiker", encoding="utf-8")
    res = CliRunner().invoke(app, ["run", "--draws", "5", "--out", str(target)])
    assert res.exit_code == 1, res.output
    assert "bestaand.txt" in res.output and "AssertionError" not in res.output
    assert target.read_text(encoding="utf-8") == "van de gebruiker"
