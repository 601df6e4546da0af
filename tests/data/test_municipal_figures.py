"""The embedded youth-care figures of every municipality and wijk, and name resolution."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from jeugdstelsel.data import municipal_figures as mf
from jeugdstelsel.data import municipalities as muni
from jeugdstelsel.data.errors import UnknownMunicipalityError
from jeugdstelsel.errors import AreaError

ROOT = Path(__file__).resolve().parents[2]
REFDATA = ROOT / "src" / "jeugdstelsel" / "data" / "refdata"
SHARED = ROOT.parent / "shared" / "refdata" / "municipal"


def test_every_municipality_has_real_cbs_youth_care_figures():
    codes = set(muni.municipality_table()["gm_code"])
    assert len(codes) == 342
    assert mf.covered() == codes  # 342 of 342
    frame = mf.all_figures()
    counts = frame[(frame["key"] == "jongeren_natura") & (frame["dataset"] == "85335NED_2022")
                   & (frame["level"] == "gemeente")]
    assert counts["value"].notna().sum() == 342
    assert set(frame.loc[frame["source_kind"] == "cbs", "table"]) <= {
        "85075NED", "85335NED", "85098NED", "85039NED", "85318NED"}


def test_every_figure_carries_table_period_and_status():
    frame = mf.all_figures()
    assert frame[["table", "period", "status", "source", "label", "unit"]].ne("").all().all()
    assert set(frame["status"]) <= {"definitief", "voorlopig", "afgeleid"}
    provisional = frame[frame["dataset"] == "85098NED_2022_voorlopig"]
    assert set(provisional["status"]) == {"voorlopig"}


def test_national_counts_are_the_published_ones():
    nl = mf.country_figures().set_index(["dataset", "key"])["value"]
    assert nl[("85335NED_2022", "jongeren_natura")] == 461985
    assert nl[("85335NED_2022", "trajecten_natura")] == 695095
    assert nl[("85075NED_2021", "jongeren_natura")] == 463570  # sum of the municipalities


def test_counts_of_merged_municipalities_are_summed_shares_never():
    raw = pd.read_csv(REFDATA / "gemeente_jeugdzorg.csv", dtype={"region": str})
    voorne = raw[(raw["region"] == "GM1992") & (raw["dataset"] == "85335NED_2022")].iloc[0]
    assert voorne["merged_from"] == "GM0501,GM0530,GM0614"
    if SHARED.exists():
        src = pd.read_csv(SHARED / "85335NED_2022JJ00_gemeente.csv", dtype=str)
        parts = src[src["Wijken"].isin(["GM0501", "GM0530", "GM0614"])]
        assert voorne["jongeren_natura"] == parts["TotaalJongerenMetJeugdzorgInNatura_1"].astype(
            int).sum()
    pct = raw[(raw["region"] == "GM1992") & (raw["dataset"] == "85098NED_2022_voorlopig")]
    assert math.isnan(pct.iloc[0]["pct_jeugdhulp_natura_0_17"])  # a share is never added
    amsterdam = raw[(raw["region"] == "GM0363") & (raw["dataset"] == "85075NED_2021")].iloc[0]
    assert amsterdam["merged_from"] == "GM0457"  # Weesp, merged in 2022


def test_suppressed_cells_stay_missing():
    tiel = mf.figures_for("Tiel").set_index(["dataset", "key"])["value"]
    assert math.isnan(tiel[("85335NED_2022", "traj_rechter_ovj")])  # '.' in CBS, never 0
    assert tiel[("85335NED_2022", "jongeren_natura")] == 1900


def test_press_figures_are_labelled_as_press():
    rotterdam = mf.figures_for("Rotterdam")
    press = rotterdam[rotterdam["source_kind"] != "cbs"]
    assert len(press) == 1
    assert set(press["source_kind"]) <= {"nieuwsbericht", "persbericht"}
    assert not press["source"].str.startswith(("CBS", "eigen cijfers")).any()
    urk = mf.press_figures("Urk")
    assert set(urk["source_kind"]) == {"nieuwsbericht", "persbericht"}  # Blik op Nieuws, CBS
    assert mf.press_kind("CBS StatLine 83454NED Gemeentelijke kosten") is None


def test_wijk_figures_never_exceed_their_municipality():
    wijken = mf.wijk_figures("Groningen")
    natura = wijken[wijken["key"] == "jongeren_natura"]
    assert len(natura) > 10 and natura["region"].str.startswith("WK0014").all()
    municipality = mf.figures_for("Groningen").set_index(["dataset", "key"])["value"]
    assert natura["value"].sum() <= municipality[("85075NED_2021", "jongeren_natura")]
    all_wijken = pd.read_csv(REFDATA / "wijk_jeugdzorg_2021.csv", dtype=str)
    assert len(all_wijken) == 3248 and set(all_wijken["gm_code"]) == set(
        muni.municipality_table()["gm_code"])


def test_scp_series_is_kept_apart_and_not_called_cbs():
    scp = mf.scp_wijk_figures("Tiel")
    assert len(scp) > 0 and set(scp["source_kind"]) == {"scp"}
    assert not scp["source"].str.contains("CBS").any()
    assert "scp" not in set(mf.all_figures()["source_kind"])


def test_package_data_stays_small():
    names = ["gemeente_jeugdzorg.csv", "gemeente_jeugdzorg_maten.csv", "wijk_jeugdzorg_2021.csv",
             "scp_wijk_jeugdhulp_zonder_verblijf_2017.csv"]
    assert sum((REFDATA / n).stat().st_size for n in names) < 1_000_000


@pytest.mark.skipif(not SHARED.exists(), reason="shared/refdata not present")
def test_build_script_reproduces_the_shipped_files(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", ROOT / "scripts" /
                                                  "build_municipal_refdata.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    monkeypatch.setattr(build, "OUT", tmp_path)
    assert build.main([str(SHARED)]) == 0
    for name in ("gemeente_jeugdzorg.csv", "gemeente_jeugdzorg_maten.csv",
                 "wijk_jeugdzorg_2021.csv", "scp_wijk_jeugdhulp_zonder_verblijf_2017.csv"):
        assert (tmp_path / name).read_bytes() == (REFDATA / name).read_bytes(), name


def test_the_installed_tool_does_not_read_shared():
    source = (ROOT / "src" / "jeugdstelsel" / "data" / "municipal_figures.py").read_text()
    assert "shared" not in source.split('"""', 2)[2]


# -- names ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "code"),
    [("Den Haag", "GM0518"), ("'s-Gravenhage", "GM0518"), ("s-gravenhage", "GM0518"),
     ("Beek (L.)", "GM0888"), ("Bergen (NH.)", "GM0373"), ("Bergen (N.H.)", "GM0373"),
     ("Bergen (L.)", "GM0893"), ("Hengelo (O.)", "GM0164"), ("Utrecht (gemeente)", "GM0344"),
     ("Den Bosch", "GM0796"), ("sudwest fryslan", "GM1900"), ("518", "GM0518"),
     ("gm0363", "GM0363"), ("Nederland", "NL01"), ("NL01", "NL01"), ("Bergen op Zoom", "GM0748")],
)
def test_resolve_names_as_people_write_them(query, code):
    assert muni.resolve(query)[0] == code


@pytest.mark.parametrize(("query", "candidates"), [
    ("Bergen", {"Bergen (L.)", "Bergen (NH.)"}),
    ("Amstel", {"Amstelveen", "Ouder-Amstel"}),
    ("Groning", {"Groningen", "Midden-Groningen"}),
])
def test_an_ambiguous_name_is_an_error_listing_the_candidates(query, candidates):
    with pytest.raises(AreaError) as info:
        muni.resolve(query)
    assert info.value.code == "gemeente_onbekend"
    assert info.value.ambiguous
    assert set(info.value.suggestions) == candidates


def test_unknown_and_former_names():
    with pytest.raises(UnknownMunicipalityError) as typo:
        muni.resolve("Amsterdm")
    assert "Amsterdam" in typo.value.suggestions and not typo.value.ambiguous
    with pytest.raises(UnknownMunicipalityError) as weesp:
        muni.resolve("Weesp")
    assert weesp.value.suggestions == ["Amsterdam"]
    assert muni.lookup("Weesp", former=True) == ("GM0457", "Weesp")
    with pytest.raises(UnknownMunicipalityError):
        muni.resolve("GM9999")


def test_gemeente_command_shows_cbs_figures_for_any_municipality(tmp_path):
    """The real console script on a fresh store: Vlieland has CBS figures now."""
    env = {"JEUGDSTELSEL_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin",
           "COLUMNS": "160"}
    script = Path(sys.executable).parent / "jeugdstelsel"
    done = subprocess.run([str(script), "gemeente", "Vlieland"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "85335NED" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert "Geen jeugdzorgcijfers van CBS" not in done.stdout
