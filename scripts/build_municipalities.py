"""Build the embedded municipality table (2024 division) from the CBS files shipped in the package.

Run from the repository root:  .venv/bin/python scripts/build_municipalities.py

Every figure is read from a CBS file in ``src/jeugdstelsel/data/refdata/`` (nothing is typed in);
older divisions are brought to 2024 with ``municipalities.to_current_division``: counts are added
over merged municipalities, shares are recomputed from the added counts, a suppressed part
(``.``) makes the sum missing. Sources and periods are documented in ``docs/data.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jeugdstelsel.data.municipalities import (  # noqa: E402
    MUNICIPALITIES_FILE,
    area_changed,
    mergers,
    normalise_code,
    ratio,
    to_current_division,
)

REFDATA = ROOT / "src" / "jeugdstelsel" / "data" / "refdata"
KWB2024 = REFDATA / "kwb2024_85984NED_gemeente_population_subset.json"
KWB2020 = REFDATA / "kwb2020_84799NED_gemeenten.csv"
HOUSEHOLDS = REFDATA / "71487ned_2022JJ00_households_with_children.csv"

# (output column, source column, unit) for the counts taken from 84799NED (2020 division).
KWB2020_COUNTS = [
    ("inhabitants_2020", "AantalInwoners_5"),
    ("pop_0_14_2020", "k_0Tot15Jaar_8"),
    ("pop_15_24_2020", "k_15Tot25Jaar_9"),
    ("households_2020", "HuishoudensTotaal_28"),
    ("bijstand_persons_2020", "PersonenPerSoortUitkeringBijstand_83"),
    # further indicators of the pooled municipal model's regression (municipal_calibration)
    ("divorced_2020", "Gescheiden_15"),
    ("nonwestern_2020", "NietWestersTotaal_18"),
    ("ao_persons_2020", "PersonenPerSoortUitkeringAO_84"),
    ("ww_persons_2020", "PersonenPerSoortUitkeringWW_85"),
    ("cars_2020", "PersonenautoSTotaal_99"),
    ("households_with_children_2020", "HuishoudensMetKinderen_31"),
    ("single_households_2020", "Eenpersoonshuishoudens_29"),
]
# (output column, numerator, denominator, factor): shares recomputed from the added counts
KWB2020_SHARES = [
    ("divorced_share_2020", "divorced_2020", "inhabitants_2020", 100.0),
    ("nonwestern_share_2020", "nonwestern_2020", "inhabitants_2020", 100.0),
    ("ao_per_1000_2020", "ao_persons_2020", "inhabitants_2020", 1000.0),
    ("ww_per_1000_2020", "ww_persons_2020", "inhabitants_2020", 1000.0),
    ("cars_per_household_2020", "cars_2020", "households_2020", 1.0),
    ("households_with_children_share_2020", "households_with_children_2020", "households_2020",
     100.0),
    ("single_household_share_2020", "single_households_2020", "households_2020", 100.0),
]
HOUSEHOLD_COUNTS = [
    ("households_with_children_2022", "TotaalHuishoudensMetKinderen_1"),
    ("one_parent_households_2022", "TotaalEenouderhuishoudensMetKinderen_13"),
]


def _long(frame: pd.DataFrame, code_col: str, columns: list[tuple[str, str]], period: str):
    """Wide CBS rows -> long (region, series, period, value) with '.' as missing."""
    rows = []
    for out, src in columns:
        values = pd.to_numeric(frame[src].astype(str).str.strip().replace(".", np.nan))
        rows.append(
            pd.DataFrame(
                {
                    "region": frame[code_col].map(normalise_code),
                    "series": out,
                    "period": period,
                    "category": "",
                    "value": values.astype(float),
                    "unit": "aantal",
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _wide(long: pd.DataFrame) -> pd.DataFrame:
    return long.pivot_table(index="region", columns="series", values="value", dropna=False)


def current_population() -> pd.DataFrame:
    """342 municipalities of 2024 with inhabitants on 1 January 2024 (85984NED)."""
    data = json.loads(KWB2024.read_text(encoding="utf-8"))
    inhabitants = [row["AantalInwoners_5"] for row in data.values()]
    return pd.DataFrame({"gm_code": list(data), "inhabitants_2024": inhabitants})


def names_2024(codes: list[str]) -> dict[str, str]:
    """Names from 84799NED (2020) and, for municipalities formed later, from the merger file."""
    kwb = pd.read_csv(KWB2020, dtype=str)
    codes_2020 = kwb["Codering_3"].str.strip()
    result = dict(zip(codes_2020, kwb["Gemeentenaam_1"].str.strip(), strict=True))
    result.update({m.new_code: m.new_name for m in mergers()})
    missing = [c for c in codes if c not in result]
    if missing:
        raise SystemExit(f"no name for {missing}")
    return {c: result[c] for c in codes}


def build() -> pd.DataFrame:
    table = current_population()
    codes = list(table["gm_code"])
    table.insert(1, "name", table["gm_code"].map(names_2024(codes)))

    kwb = pd.read_csv(KWB2020, dtype=str)
    kwb_long = to_current_division(_long(kwb, "Codering_3", KWB2020_COUNTS, "2020"))
    households = pd.read_csv(HOUSEHOLDS, dtype=str)
    households = households[households["RegioS"].str.strip().str.startswith("GM")]
    has_value = households["TotaalHuishoudensMetKinderen_1"].fillna("").str.strip() != ""
    households = households[has_value]
    hh_long = to_current_division(_long(households, "RegioS", HOUSEHOLD_COUNTS, "2022"))

    wide = _wide(pd.concat([kwb_long, hh_long], ignore_index=True))
    table = table.merge(wide, left_on="gm_code", right_index=True, how="left")
    unmatched = set(wide.index) - set(codes)
    if unmatched:
        raise SystemExit(f"codes not in the 2024 division after mapping: {sorted(unmatched)}")

    table["share_0_14_2020"] = [
        ratio(a, b) for a, b in zip(table["pop_0_14_2020"], table["inhabitants_2020"], strict=True)
    ]
    table["share_15_24_2020"] = [
        ratio(a, b) for a, b in zip(table["pop_15_24_2020"], table["inhabitants_2020"], strict=True)
    ]
    table["bijstand_per_1000_2020"] = [
        ratio(a, b, 1000.0)
        for a, b in zip(table["bijstand_persons_2020"], table["inhabitants_2020"], strict=True)
    ]
    table["one_parent_share_2022"] = [
        ratio(a, b)
        for a, b in zip(
            table["one_parent_households_2022"], table["households_with_children_2022"], strict=True
        )
    ]
    for out, num, den, factor in KWB2020_SHARES:
        table[out] = [ratio(a, b, factor) for a, b in zip(table[num], table[den], strict=True)]
    table["area_note"] = table["gm_code"].map(lambda c: ", ".join(area_changed(c)))
    columns = [
        "gm_code",
        "name",
        "inhabitants_2024",
        "inhabitants_2020",
        "pop_0_14_2020",
        "pop_15_24_2020",
        "share_0_14_2020",
        "share_15_24_2020",
        "households_2020",
        "bijstand_persons_2020",
        "bijstand_per_1000_2020",
        "households_with_children_2022",
        "one_parent_households_2022",
        "one_parent_share_2022",
        *(c for c, _ in KWB2020_COUNTS[5:]),
        *(c for c, *_ in KWB2020_SHARES),
        "area_note",
    ]
    return table[columns].sort_values("gm_code").reset_index(drop=True)


def main() -> None:
    table = build()
    out = REFDATA / MUNICIPALITIES_FILE
    counts = [c for c in table.columns if c.endswith(("_2020", "_2022", "_2024"))]
    shares = {
        "share_0_14_2020",
        "share_15_24_2020",
        "bijstand_per_1000_2020",
        "one_parent_share_2022",
        *(c for c, *_ in KWB2020_SHARES),
    }
    rounded = table.copy()
    for col in counts:
        if col not in shares:
            rounded[col] = rounded[col].map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
        else:
            rounded[col] = rounded[col].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    rounded.to_csv(out, index=False, lineterminator="\n")
    print(f"{len(table)} gemeenten -> {out.relative_to(ROOT)}")
    print(f"inwoners 2024: {int(table['inhabitants_2024'].sum()):,}")
    for col in counts:
        print(f"  {col}: {table[col].notna().sum()} met waarde")


if __name__ == "__main__":
    main()
