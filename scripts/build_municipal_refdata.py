"""Build the embedded youth-care figures per municipality and wijk from ``shared/refdata``.

Run from the repository root:  .venv/bin/python scripts/build_municipal_refdata.py [SHARED]

Reads the CBS files of ``shared/refdata/municipal/`` (see its README: table, period, origin of
each file) and writes compact package data under ``src/jeugdstelsel/data/refdata/``, so that
the installed tool never reads ``shared/`` at run time:

* ``gemeente_jeugdzorg.csv``: one row per area (the 342 municipalities of 2024 and ``NL01``) and
  dataset (a CBS table and period), the figures as columns with short keys;
* ``gemeente_jeugdzorg_maten.csv``: what every (dataset, key) is: CBS table, CBS key, period,
  status, Dutch label, unit, whether it may be added over municipalities;
* ``wijk_jeugdzorg_2021.csv``: 85075NED per wijk (2021 division of the wijken), with the
  municipality of 2024 it lies in;
* ``scp_wijk_jeugdhulp_zonder_verblijf_2017.csv``: the SCP series per wijk (2017), **not CBS**,
  kept apart.

Merger rules (``municipalities.to_current_division``): counts are added over the predecessors of
a current municipality only when every predecessor that existed in that year is present and not
suppressed; percentages and rates are never added (missing for a merged group). Nothing is typed
in; a suppressed CBS cell (``.``) stays empty, never 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jeugdstelsel.data.municipalities import (  # noqa: E402
    COUNTRY_CODE,
    current_code,
    municipality_table,
    normalise_code,
    to_current_division,
)

OUT = ROOT / "src" / "jeugdstelsel" / "data" / "refdata"
SHARED = ROOT.parent / "shared" / "refdata" / "municipal"

PERSONS = "personen"
TRAJECTORIES = "trajecten"
INHABITANTS = "inwoners"
PCT = "%"
PER_1000 = "per 1000 inwoners"

# 85075NED / 85335NED (same table, 2021 and 2022): (key, CBS key, Dutch label, unit)
NATURA = [
    ("jongeren_natura", "TotaalJongerenMetJeugdzorgInNatura_1",
     "Jongeren met jeugdzorg in natura (0-22 jaar)", PERSONS),
    ("jongeren_0_3", "k_0Tot4Jaar_2", "waarvan 0 tot 4 jaar", PERSONS),
    ("jongeren_4_11", "k_4Tot12Jaar_3", "waarvan 4 tot 12 jaar", PERSONS),
    ("jongeren_12_17", "k_12Tot18Jaar_4", "waarvan 12 tot 18 jaar", PERSONS),
    ("jongeren_18_22", "k_18Tot23Jaar_5", "waarvan 18 tot 23 jaar", PERSONS),
    ("eenouderhuishouden", "ThuiswonendKindInEenouderhuishouden_6",
     "waarvan thuiswonend kind in eenouderhuishouden", PERSONS),
    ("paar", "ThuiswonendKindBijEenPaar_7", "waarvan thuiswonend kind bij een paar", PERSONS),
    ("ander_huishouden", "AnderHuishouden_8", "waarvan ander huishouden", PERSONS),
    ("trajecten_natura", "TotaalTrajectenInNatura_9", "Trajecten jeugdzorg in natura",
     TRAJECTORIES),
    ("traj_gemeentelijke_toegang", "GemeentelijkeToegang_10",
     "trajecten, verwijzer gemeentelijke toegang", TRAJECTORIES),
    ("traj_huisarts", "Huisarts_11", "trajecten, verwijzer huisarts", TRAJECTORIES),
    ("traj_jeugdarts", "Jeugdarts_12", "trajecten, verwijzer jeugdarts", TRAJECTORIES),
    ("traj_gecertificeerde_instelling", "GecertificeerdeInstelling_13",
     "trajecten, verwijzer gecertificeerde instelling", TRAJECTORIES),
    ("traj_medisch_specialist", "MedischSpecialist_14",
     "trajecten, verwijzer medisch specialist", TRAJECTORIES),
    ("traj_rechter_ovj", "RechterOfficierVanJustitie_15",
     "trajecten, verwijzer rechter/officier van justitie", TRAJECTORIES),
    ("traj_geen_verwijzer", "GeenVerwijzer_16", "trajecten, geen verwijzer", TRAJECTORIES),
    ("traj_verwijzer_onbekend", "VerwijzerOnbekend_17", "trajecten, verwijzer onbekend",
     TRAJECTORIES),
]
# KWB denominators merged into the 85075NED/85335NED rows by the origin (see the README).
DENOMINATORS = [
    ("inwoners", "kwb_a_inw", "Inwoners", INHABITANTS),
    ("inwoners_0_14", "kwb_a_00_14", "Inwoners 0-14 jaar", INHABITANTS),
    ("inwoners_15_24", "kwb_a_15_24", "Inwoners 15-24 jaar", INHABITANTS),
]
INDICATORS_85098 = [
    ("pct_jeugdhulp_natura_0_17", "JongerenMetJeugdhulpInNatura_1",
     "Jongeren met jeugdhulp in natura (% van 0-17 jaar)", PCT),
    ("pct_met_verblijf", "JongerenMetJeugdhMetVerblInNat_2",
     "waarvan met verblijf (% van jongeren met jeugdhulp in natura)", PCT),
    ("pct_jeugdbescherming", "JongerenMetJeugdbescherming_3",
     "Jongeren met jeugdbescherming (% van 0-17 jaar)", PCT),
    ("pct_jb_met_verblijf", "JeugdbeschEnJeugdhMetVerblInNat_4",
     "waarvan ook jeugdhulp met verblijf (% van jongeren met jeugdbescherming)", PCT),
    ("pct_jeugdreclassering", "JongerenMetJeugdreclassering_5",
     "Jongeren met jeugdreclassering (% van 12-22 jaar)", PCT),
]
KWB2021 = [
    ("inwoners", "AantalInwoners_5", "Inwoners", INHABITANTS),
    ("pct_jeugdzorg_natura", "PercentageJongerenMetJeugdzorg_88",
     "Jongeren met jeugdzorg in natura (% van jongeren tot 23 jaar)", PCT),
    ("wmo_per_1000", "WmoClientenRelatief_90", "Wmo-cliënten per 1000 inwoners", PER_1000),
]
KWB2022 = [
    ("inwoners", "aantalInwoners", "Inwoners", INHABITANTS),
    ("pct_jeugdzorg_natura", "percentageJongerenMetJeugdzorgInNatura",
     "Jongeren met jeugdzorg in natura (% van jongeren tot 23 jaar)", PCT),
    ("wmo_per_1000", "aantalWmoClientenPer1000Inwoners", "Wmo-cliënten per 1000 inwoners",
     PER_1000),
]

# dataset: (file, code column, columns, CBS table, period, status, title, origin)
DATASETS = {
    "85075NED_2021": (
        "wijk/85075NED_2021JJ00_gemeente_wijk.csv", "Wijken", NATURA + DENOMINATORS,
        "85075NED", "2021", "definitief",
        "Jongeren met jeugdzorg in natura; wijken en buurten, 2021",
        "semkjaer/capybara1.0 @ 1170206389b07699df3579f8dd18ab95cc1ac7ac, data.csv",
    ),
    "85335NED_2022": (
        "85335NED_2022JJ00_gemeente.csv", "Wijken", NATURA + DENOMINATORS,
        "85335NED", "2022", "definitief",
        "Jongeren met jeugdzorg in natura; wijken en buurten, 2022",
        "semkjaer/capybara1.0 @ 1170206389b07699df3579f8dd18ab95cc1ac7ac, gemeentedata.csv",
    ),
    "85098NED_2022_voorlopig": (
        "85098NED_2022prov_gemeente.csv", "RegioS_matched", INDICATORS_85098,
        "85098NED", "2022", "voorlopig",
        "Indicatoren jeugdzorg; gemeenten (StatLine-download 24 juni 2023)",
        "semkjaer/capybara1.0 @ aa5193637b94882f338ee587545bfae41ac2d3d4, "
        "data/Indicatoren_jeugdzorg__gemeenten_24062023_110530.csv",
    ),
    "85098NED_2022_definitief": (
        "85098NED_2022_gemeente_sample10.csv", "RegioS", INDICATORS_85098,
        "85098NED", "2022", "definitief",
        "Indicatoren jeugdzorg; gemeenten (10 gemeenten)",
        "edwindj/cbsodataR, vignettes/maps.md",
    ),
    "85039NED_2021": (
        "85039NED_2021_gemeente_jeugdzorg_pct.csv", "WijkenEnBuurten", KWB2021,
        "85039NED", "2021", "definitief", "Kerncijfers wijken en buurten 2021",
        "RishikeshGovind/nlstat @ 275ef3ee6ed5f4478c0206b9f1d320ff4349ee5e, data/nl_data.json",
    ),
    "85318NED_2022": (
        "85318NED-wbk2022-pdok_2022_gemeente_jeugdzorg_pct.csv", "gemeentecode", KWB2022,
        "85318NED", "2022", "definitief",
        "Kerncijfers wijken en buurten 2022 (wijk- en buurtkaart)",
        "AnneVersion/geoinzicht-app @ 167d2924cc99b8748885f0bda2f5152dbe2fd3ae, "
        "gemeenten_2022.geojson",
    ),
}
# The KWB denominators in the 85075NED/85335NED rows come from these KWB releases.
DENOMINATOR_TABLE = {"85075NED_2021": "85039NED", "85335NED_2022": "85318NED"}

MUNICIPAL_FILE = "gemeente_jeugdzorg.csv"
MEASURES_FILE = "gemeente_jeugdzorg_maten.csv"
WIJK_FILE = "wijk_jeugdzorg_2021.csv"
SCP_FILE = "scp_wijk_jeugdhulp_zonder_verblijf_2017.csv"


def _numbers(series: pd.Series) -> pd.Series:
    text = series.astype(str).str.strip().replace({".": "", "nan": "", "None": ""})
    return pd.to_numeric(text.replace("", np.nan), errors="raise")


def _read(shared: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(shared / name, dtype=str, keep_default_na=False)


def _long(dataset: str, frame: pd.DataFrame, code_col: str, columns) -> pd.DataFrame:
    """Municipal and national rows of one dataset -> long (region, series, period, value, unit)."""
    period = DATASETS[dataset][4]
    codes = frame[code_col].map(normalise_code).replace({"NL00": COUNTRY_CODE})
    keep = codes.str.startswith("GM") | (codes == COUNTRY_CODE)
    parts = []
    for key, source, _label, unit in columns:
        parts.append(pd.DataFrame({
            "region": codes[keep].to_numpy(),
            "series": key,
            "period": period,
            "category": "",
            "value": _numbers(frame.loc[keep, source]).to_numpy(),
            "unit": unit,
        }))
    return pd.concat(parts, ignore_index=True)


def _national_sum(long: pd.DataFrame) -> pd.DataFrame:
    """A country row from the municipalities, for counts only, only when none is suppressed."""
    gm = long[long["region"].str.startswith("GM")]
    rows = []
    for (series, unit), group in gm.groupby(["series", "unit"]):
        if unit in (PCT, PER_1000) or group["value"].isna().any():
            value = np.nan
        else:
            value = float(group["value"].sum())
        rows.append({"region": COUNTRY_CODE, "series": series, "period": group["period"].iloc[0],
                     "category": "", "value": value, "unit": unit})
    return pd.DataFrame(rows)


def build_municipal(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    current = set(municipality_table()["gm_code"])
    frames, measures = [], []
    for dataset, (name, code_col, columns, table, period, status, title, origin) in \
            DATASETS.items():
        raw = _read(shared, name)
        if "SoortRegio" in raw.columns:
            raw = raw[raw["SoortRegio"].str.strip().isin(["Gemeente", "Land"])]
        long = _long(dataset, raw, code_col, columns)
        if dataset == "85075NED_2021" and not (long["region"] == COUNTRY_CODE).any():
            long = pd.concat([long, _national_sum(long)], ignore_index=True)
            national_status = "afgeleid"
        else:
            national_status = status
        mapped = to_current_division(long)
        mapped = mapped[mapped["region"].isin(current | {COUNTRY_CODE})]
        wide = mapped.pivot_table(index="region", columns="series", values="value",
                                  aggfunc="first", dropna=False)
        wide = wide.reindex(columns=[c[0] for c in columns])
        merged = mapped.groupby("region")["merged_from"].agg(
            lambda s: ",".join(sorted({c for v in s for c in str(v).split(",") if c})))
        wide.insert(0, "merged_from", merged.reindex(wide.index).fillna(""))
        wide.insert(0, "dataset", dataset)
        frames.append(wide.reset_index())
        for key, source, label, unit in columns:
            denominator = key.startswith("inwoners") and dataset in DENOMINATOR_TABLE
            measures.append({
                "dataset": dataset, "key": key,
                "table": DENOMINATOR_TABLE[dataset] if denominator else table,
                "cbs_key": source, "period": period, "status": status,
                "national_status": national_status,
                "label": label, "unit": unit,
                "additive": unit not in (PCT, PER_1000),
                "title": title, "source": "CBS", "origin": origin,
            })
    figures = pd.concat(frames, ignore_index=True)
    figures = figures.sort_values(["region", "dataset"]).reset_index(drop=True)
    return figures, pd.DataFrame(measures)


def build_wijk(shared: Path) -> pd.DataFrame:
    raw = _read(shared, "wijk/85075NED_2021JJ00_gemeente_wijk.csv")
    raw = raw[raw["SoortRegio"].str.strip() == "Wijk"]
    out = pd.DataFrame({
        "wijk_code": raw["Wijken"].str.strip(),
        "wijk_name": raw["Naam"].str.strip(),
        "gm_code_2021": raw["Wijken"].str.strip().str.slice(2, 6).map(lambda c: f"GM{c}"),
    })
    out["gm_code"] = out["gm_code_2021"].map(lambda c: current_code(c) or "")
    for key, source, _label, _unit in NATURA + DENOMINATORS:
        out[key] = _numbers(raw[source]).to_numpy()
    return out.sort_values("wijk_code").reset_index(drop=True)


def build_scp(shared: Path) -> pd.DataFrame:
    raw = _read(shared, "wijk/SCP2020-1_jeugdhulp_zonder_verblijf_2017_wijk.csv")
    out = pd.DataFrame({
        "wijk_code_2017": raw["WK_code_derived"].str.strip(),
        "wijk_name": raw["wijknaam"].str.strip(),
        "gm_code_2017": raw["GM_code_derived"].str.strip(),
        "gm_name_2017": raw["gemnaam_2017"].str.strip(),
    })
    out["gm_code"] = out["gm_code_2017"].map(lambda c: current_code(c) or "")
    out["pct_jeugdhulp_zonder_verblijf"] = _numbers(raw["perc_jhzv"]).round(3).to_numpy()
    return out.sort_values("wijk_code_2017").reset_index(drop=True)


def _write(frame: pd.DataFrame, name: str) -> None:
    frame.to_csv(OUT / name, index=False, float_format="%.10g", lineterminator="\n")
    print(f"{name}: {len(frame)} rijen, {(OUT / name).stat().st_size / 1024:.0f} kB")


def main(argv: list[str]) -> int:
    shared = Path(argv[0]) if argv else SHARED
    figures, measures = build_municipal(shared)
    _write(figures, MUNICIPAL_FILE)
    _write(measures, MEASURES_FILE)
    _write(build_wijk(shared), WIJK_FILE)
    _write(build_scp(shared), SCP_FILE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
