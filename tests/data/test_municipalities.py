"""Merger mapping and the embedded municipality table, checked against CBS's own lists."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jeugdstelsel.data import municipalities as muni

CBS_DIR = Path(__file__).parent / "cbs"


def _refdata(name: str) -> Path:
    return Path(str(resources.files("jeugdstelsel.data") / "refdata" / name))


def _codes_2024() -> set[str]:
    return set(json.loads(_refdata("kwb2024_85984NED_gemeente_population_subset.json").read_text()))


def test_every_2017_municipality_ends_in_the_2024_division():
    rows = json.loads((CBS_DIR / "83765NED_gemeenten2017.json").read_text(encoding="utf-8"))
    codes_2017 = {r["Identifier"] for r in rows}
    assert len(codes_2017) == 388
    reached = {c for code in codes_2017 for c in muni.successors(code)}
    assert reached == _codes_2024()


def test_every_2020_municipality_ends_in_the_2024_division():
    kwb = pd.read_csv(_refdata("kwb2020_84799NED_gemeenten.csv"), dtype=str)
    codes_2020 = set(kwb["Codering_3"].str.strip())
    assert len(codes_2020) == 355
    assert {c for code in codes_2020 for c in muni.successors(code)} == _codes_2024()


@pytest.mark.parametrize(
    ("old", "new"),
    [("GM0457", "GM0363"), ("GM0265", "GM1945"), ("GM0241", "GM1945"), ("GM0501", "GM1992"),
     ("GM0081", "GM0080"), ("GM0363", "GM0363")],
)
def test_current_code_follows_chains_of_mergers(old, new):
    assert muni.current_code(old) == new


def test_split_municipalities_have_no_single_successor():
    assert muni.current_code("GM0788") is None  # Haaren, 2021
    assert set(muni.successors("GM0788")) == {"GM0757", "GM0824", "GM0855", "GM0865"}
    assert muni.area_changed("GM0855") == ("Haaren",)
    assert "GM0788" not in muni.predecessors("GM0855")


def test_predecessors_of_land_van_cuijk():
    assert set(muni.predecessors("GM1982")) == {"GM0756", "GM1684", "GM0786", "GM0815", "GM1702"}


@pytest.mark.parametrize(("raw", "code"), [("GM14 ", "GM0014"), ("14", "GM0014"),
                                            ("gm0363", "GM0363"), ("NL01  ", "NL01")])
def test_normalise_code(raw, code):
    assert muni.normalise_code(raw) == code


def _frame(rows):
    return pd.DataFrame(rows, columns=["region", "series", "period", "category", "value", "unit",
                                       "status"])


def test_counts_are_added_and_shares_left_missing_over_a_merger():
    frame = _frame([
        ("GM0363", "lopend", "2021JJ00", "", 37400.0, "aantal", "definitief"),
        ("GM0457", "lopend", "2021JJ00", "", 1205.0, "aantal", "definitief"),
        ("GM0363", "plan", "2021JJ00", "", 64.9, "%", "definitief"),
        ("GM0457", "plan", "2021JJ00", "", 70.2, "%", "definitief"),
        ("GM0363", "lopend", "2022JJ00", "", 38950.0, "aantal", "voorlopig"),
    ])
    out = muni.to_current_division(frame).set_index(["series", "period"])
    assert out.loc[("lopend", "2021JJ00"), "value"] == 38605.0
    assert out.loc[("lopend", "2021JJ00"), "merged_from"] == "GM0457"
    assert np.isnan(out.loc[("plan", "2021JJ00"), "value"])  # a percentage is never summed
    assert out.loc[("lopend", "2022JJ00"), "value"] == 38950.0
    assert set(out["region"]) == {"GM0363"}


def test_a_suppressed_or_absent_part_makes_the_sum_missing():
    frame = _frame([
        ("GM0363", "lopend", "2021JJ00", "", 37400.0, "aantal", "definitief"),
        ("GM0457", "lopend", "2021JJ00", "", np.nan, "aantal", "definitief"),
        ("GM1684", "lopend", "2021JJ00", "", 500.0, "aantal", "definitief"),  # Cuijk alone
    ])
    out = muni.to_current_division(frame).set_index("region")
    assert np.isnan(out.loc["GM0363", "value"])
    assert np.isnan(out.loc["GM1982", "value"])  # four other parts of Land van Cuijk absent


def test_a_rename_keeps_even_a_percentage():
    frame = _frame([("GM0241", "plan", "2015JJ00", "", 61.0, "%", "definitief"),
                    ("GM0265", "plan", "2014JJ00", "", 55.0, "%", "definitief")])
    out = muni.to_current_division(frame).set_index("period")
    assert out.loc["2015JJ00", "value"] == 61.0  # Groesbeek -> Berg en Dal: the same area
    assert out.loc["2015JJ00", "region"] == "GM1945"
    assert np.isnan(out.loc["2014JJ00", "value"])  # Millingen alone is not Berg en Dal


def test_split_municipality_rows_are_dropped_and_others_pass():
    frame = _frame([("GM0788", "lopend", "2020JJ00", "", 100.0, "aantal", "definitief"),
                    ("NL01", "lopend", "2020JJ00", "", 9.0, "aantal", "definitief")])
    out = muni.to_current_division(frame)
    assert list(out["region"]) == ["NL01"]


def test_ratio_is_missing_when_a_count_is():
    assert muni.ratio(1, 4) == 25.0
    assert np.isnan(muni.ratio(np.nan, 4))
    assert np.isnan(muni.ratio(1, 0))


def test_fold_ignores_case_accents_and_the_gemeente_suffix():
    assert muni.fold("Súdwest-Fryslân") == muni.fold("sudwest fryslan")
    assert muni.fold("Groningen (gemeente)") == "groningen"


# -- the embedded table ----------------------------------------------------------------------
def test_embedded_table_covers_the_2024_division_with_its_population():
    table = muni.municipality_table()
    assert len(table) == 342
    assert set(table["gm_code"]) == _codes_2024()
    assert table["inhabitants_2024"].sum() == 17_942_942  # as published in 85984NED


def test_embedded_counts_add_up_to_the_published_national_totals():
    table = muni.municipality_table()
    households = pd.read_csv(_refdata("71487ned_2022JJ00_households_with_children.csv"))
    nl = households[households["RegioS"].str.strip() == "NL01"].iloc[0]
    assert table["households_with_children_2022"].sum() == nl["TotaalHuishoudensMetKinderen_1"]
    one_parent = nl["TotaalEenouderhuishoudensMetKinderen_13"]
    assert table["one_parent_households_2022"].sum() == one_parent
    kwb = pd.read_csv(_refdata("kwb2020_84799NED_gemeenten.csv"))
    haaren = kwb.loc[kwb["Codering_3"].str.strip() == "GM0788", "AantalInwoners_5"].sum()
    assert haaren > 0  # split in 2021 over four municipalities: not allocated, not invented
    assert table["inhabitants_2020"].sum() == kwb["AantalInwoners_5"].sum() - haaren


def test_merged_municipality_sums_its_predecessors_and_recomputes_shares():
    table = muni.municipality_table().set_index("gm_code")
    kwb = pd.read_csv(_refdata("kwb2020_84799NED_gemeenten.csv"))
    kwb["code"] = kwb["Codering_3"].str.strip()
    parts = kwb[kwb["code"].isin(["GM0363", "GM0457"])]  # Amsterdam + Weesp
    amsterdam = table.loc["GM0363"]
    assert amsterdam["inhabitants_2020"] == parts["AantalInwoners_5"].sum()
    expected = parts["k_0Tot15Jaar_8"].sum() / parts["AantalInwoners_5"].sum() * 100
    assert amsterdam["share_0_14_2020"] == pytest.approx(expected, abs=5e-4)
    assert table.loc["GM0855", "area_note"] == "Haaren"
