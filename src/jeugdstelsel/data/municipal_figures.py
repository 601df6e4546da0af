"""The embedded youth-care figures of every municipality and wijk (CBS), and the press figures.

Built by ``scripts/build_municipal_refdata.py`` from the CBS files of ``shared/refdata/municipal``
(the installed tool never reads ``shared/``) and shipped in ``refdata/``:

* ``gemeente_jeugdzorg.csv`` + ``gemeente_jeugdzorg_maten.csv``: per municipality of the 2024
  division and for ``NL01``, the CBS tables 85075NED (2021) and 85335NED (2022) (young people
  with jeugdzorg in natura, by age and household; trajectories by referrer), 85098NED 2022
  (indicators, voorlopig for all, definitief for ten) and KWB 85039NED (2021) / 85318NED (2022)
  (% of young people with jeugdzorg in natura, Wmo clients per 1000). Older divisions are mapped
  to 2024: counts added only when every predecessor is present, shares never added (missing for
  a merged group; ``merged_from`` names the old codes);
* ``wijk_jeugdzorg_2021.csv``: 85075NED per wijk (2021 wijk codes) with the 2024 municipality;
* ``scp_wijk_jeugdhulp_zonder_verblijf_2017.csv``: an SCP series per wijk (2017), not CBS;
* press figures: the rows of ``figures.csv`` about single municipalities that come from news
  articles or CBS press releases, labelled ``nieuwsbericht`` / ``persbericht``, never "CBS".

Main entry points (no database needed)::

    figures_for("Tiel")        # long DataFrame, one row per figure (FIGURE_COLUMNS)
    country_figures()          # the same for NL01
    profile("Tiel")            # the municipality beside the country, one row per figure
    wijk_figures("Tiel")       # 85075NED per wijk, long
    scp_wijk_figures("Tiel")   # the SCP series per wijk (source_kind 'scp')
    press_figures("Tiel")      # figures from press articles and press releases
    covered()                  # codes with at least one CBS youth-care figure
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from jeugdstelsel.data import municipalities as muni

MUNICIPAL_FILE = "gemeente_jeugdzorg.csv"
MEASURES_FILE = "gemeente_jeugdzorg_maten.csv"
WIJK_FILE = "wijk_jeugdzorg_2021.csv"
SCP_FILE = "scp_wijk_jeugdhulp_zonder_verblijf_2017.csv"

#: Columns of every long frame this module returns.
FIGURE_COLUMNS = [
    "region", "name", "level", "dataset", "table", "period", "year", "status", "key", "label",
    "unit", "value", "additive", "source", "source_kind", "title", "origin", "merged_from",
]
#: Keys that are youth-care figures (not population or Wmo denominators).
YOUTH_CARE_KEYS = {
    "jongeren_natura", "trajecten_natura", "pct_jeugdhulp_natura_0_17", "pct_jeugdbescherming",
    "pct_jeugdreclassering", "pct_jeugdzorg_natura",
}
#: Where a ``figures.csv`` row comes from, by the start of its ``source_title``.
PRESS_KINDS = (("CBS nieuws", "persbericht"), ("CBS persbericht", "persbericht"))
PRESS_LABELS = {
    "muni_youth_jeugdhulp_count": "Jongeren met jeugdhulp (afgerond)",
    "muni_youth_0_17_jeugdzorg_count": "Jongeren 0-17 jaar met jeugdzorg",
    "muni_youth_0_17_jeugdzorg_pct": "Jongeren 0-17 jaar met jeugdzorg (%)",
    "muni_youth_0_17_jeugdzorg_pct_low": "Jongeren 0-17 jaar met jeugdzorg (%, laagste)",
    "muni_youth_0_17_jeugdhulp_pct_gt": "Jongeren 0-17 jaar met jeugdhulp (%, meer dan)",
    "muni_youth_jeugdzorg_pct_gt": "Jongeren met jeugdzorg (%, meer dan)",
    "muni_youth_jeugdzorg_pct_lt": "Jongeren met jeugdzorg (%, minder dan)",
    "muni_youth_jeugdzorg_pct_range_high": "Jongeren met jeugdzorg (%, hoogste, ten minste)",
    "muni_youth_jeugdzorg_pct_range_low": "Jongeren met jeugdzorg (%, laagste, ten hoogste)",
}
NEWS_SOURCES = ("Skipr", "Trouw", "Omroep", "BlikOpNieuws", "NOS", "Binnenlands Bestuur",
                "Zorgvisie", "AD", "Volkskrant", "NRC")


def _open(name: str):
    return (resources.files("jeugdstelsel.data") / "refdata" / name).open("rb")


@lru_cache(maxsize=1)
def measures() -> pd.DataFrame:
    """What every (dataset, key) is: table, CBS key, period, status, Dutch label, unit."""
    with _open(MEASURES_FILE) as fh:
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
    frame["additive"] = frame["additive"].map({"True": True, "False": False})
    return frame


@lru_cache(maxsize=1)
def _wide() -> pd.DataFrame:
    with _open(MUNICIPAL_FILE) as fh:
        frame = pd.read_csv(fh, dtype={"region": str, "dataset": str, "merged_from": str})
    frame["merged_from"] = frame["merged_from"].fillna("")
    return frame


@lru_cache(maxsize=1)
def all_figures() -> pd.DataFrame:
    """Every embedded CBS figure of every municipality and the country, long (FIGURE_COLUMNS).

    A figure CBS suppressed, or that cannot be formed in the 2024 division (a share of a merged
    group), has ``value`` NaN: missing, never 0.
    """
    wide = _wide()
    meta = measures()
    keys = [c for c in wide.columns if c not in ("region", "dataset", "merged_from")]
    long = wide.melt(id_vars=["region", "dataset", "merged_from"], value_vars=keys,
                     var_name="key", value_name="value")
    long = long.merge(meta, on=["dataset", "key"], how="inner")
    national = long["region"] == muni.COUNTRY_CODE
    long.loc[national, "status"] = long.loc[national, "national_status"]
    names = {**muni.names_2024(), muni.COUNTRY_CODE: "Nederland"}
    long["name"] = long["region"].map(names)
    long["level"] = long["region"].map(lambda c: "land" if c == muni.COUNTRY_CODE else "gemeente")
    long["year"] = long["period"].astype(int)
    long["source_kind"] = "cbs"
    long["source"] = "CBS " + long["table"] + " " + long["period"]
    order = {k: i for i, k in enumerate(meta["key"].drop_duplicates())}
    long["_order"] = long["key"].map(order)
    long = long.sort_values(["region", "year", "table", "dataset", "_order"], kind="stable")
    return long[FIGURE_COLUMNS].reset_index(drop=True)


def _code(area: str) -> str:
    code, _ = muni.resolve(area)
    return code


def figures_for(area: str, *, include_press: bool = True) -> pd.DataFrame:
    """All embedded figures of one municipality (name or code, see ``municipalities.resolve``).

    One row per figure (``FIGURE_COLUMNS``): ``table``/``period``/``status`` of the CBS release,
    ``source`` ('CBS 85335NED 2022'), ``source_kind`` ('cbs', or 'nieuwsbericht'/'persbericht'
    for the press figures appended when ``include_press``), ``merged_from`` the old codes
    added up. ``value`` NaN = missing (suppressed by CBS or not formable for a merged group).
    """
    code = _code(area)
    frame = all_figures()
    result = frame[frame["region"] == code]
    if include_press:
        press = press_figures(code)
        if not press.empty:
            result = pd.concat([result, press], ignore_index=True)
    return result.reset_index(drop=True)


def country_figures() -> pd.DataFrame:
    """The embedded national figures of the same tables (``NL01``)."""
    frame = all_figures()
    return frame[frame["region"] == muni.COUNTRY_CODE].reset_index(drop=True)


#: The figures a profile shows first (CLI, dashboard): (dataset, key), in this order.
HEADLINE = [
    ("85075NED_2021", "jongeren_natura"), ("85335NED_2022", "jongeren_natura"),
    ("85039NED_2021", "pct_jeugdzorg_natura"), ("85318NED_2022", "pct_jeugdzorg_natura"),
    ("85098NED_2022_definitief", "pct_jeugdhulp_natura_0_17"),
    ("85098NED_2022_voorlopig", "pct_jeugdhulp_natura_0_17"),
    ("85098NED_2022_definitief", "pct_jeugdbescherming"),
    ("85098NED_2022_voorlopig", "pct_jeugdbescherming"),
    ("85098NED_2022_definitief", "pct_jeugdreclassering"),
    ("85098NED_2022_voorlopig", "pct_jeugdreclassering"),
    ("85075NED_2021", "trajecten_natura"), ("85335NED_2022", "trajecten_natura"),
    ("85335NED_2022", "traj_gemeentelijke_toegang"), ("85335NED_2022", "traj_huisarts"),
    ("85335NED_2022", "traj_jeugdarts"), ("85335NED_2022", "traj_gecertificeerde_instelling"),
    ("85335NED_2022", "traj_medisch_specialist"), ("85335NED_2022", "traj_geen_verwijzer"),
]


def profile(area: str, *, headline: bool = False) -> pd.DataFrame:
    """The municipality's figures beside the country's, one row per (dataset, key).

    Columns: dataset, table, period, status, key, label, unit, value, country, country_status,
    merged_from, source. Only CBS figures (press figures: :func:`press_figures`). With
    ``headline`` only the ``HEADLINE`` figures, in that order (the definitive 85098NED figure
    where it exists, else the provisional one).
    """
    own = figures_for(area, include_press=False)
    country = country_figures()[["dataset", "key", "value", "status"]].rename(
        columns={"value": "country", "status": "country_status"})
    merged = own.merge(country, on=["dataset", "key"], how="left")
    provisional = country[country["dataset"] == "85098NED_2022_voorlopig"].set_index("key")
    fill = (merged["dataset"] == "85098NED_2022_definitief") & merged["country"].isna()
    for i in merged.index[fill]:  # the country's 2022 indicators exist only as provisional
        key = merged.at[i, "key"]
        if key in provisional.index:
            merged.at[i, "country"] = provisional.at[key, "country"]
            merged.at[i, "country_status"] = provisional.at[key, "country_status"]
    if headline:
        order = {pair: i for i, pair in enumerate(HEADLINE)}
        merged["_order"] = [order.get(pair) for pair in zip(merged["dataset"], merged["key"],
                                                            strict=True)]
        merged = merged[merged["_order"].notna()].sort_values("_order")
        final = set(merged.loc[(merged["dataset"] == "85098NED_2022_definitief")
                               & merged["value"].notna(), "key"])
        drop = (merged["dataset"] == "85098NED_2022_voorlopig") & merged["key"].isin(final)
        drop |= (merged["dataset"] == "85098NED_2022_definitief") & ~merged["key"].isin(final)
        merged = merged[~drop]
    columns = ["dataset", "table", "period", "status", "key", "label", "unit", "value",
               "country", "country_status", "merged_from", "source"]
    return merged[columns].reset_index(drop=True)


def covered() -> set[str]:
    """Codes of the municipalities with at least one real CBS youth-care figure (not NaN)."""
    frame = all_figures()
    hits = frame[frame["key"].isin(YOUTH_CARE_KEYS) & frame["value"].notna()
                 & (frame["level"] == "gemeente")]
    return set(hits["region"])


@lru_cache(maxsize=1)
def _young_table() -> dict[str, tuple[float, str]]:
    """code -> (inhabitants 0-24, label): the largest of KWB 2022, KWB 2021 and KWB 2020."""
    frame = all_figures()
    result: dict[str, tuple[float, str]] = {}
    for dataset, source in (("85335NED_2022", "CBS KWB 2022"), ("85075NED_2021",
                                                                "CBS KWB 2021")):
        part = frame[(frame["dataset"] == dataset)
                     & frame["key"].isin(["inwoners_0_14", "inwoners_15_24"])]
        sums = part.groupby("region")["value"].sum(min_count=2)
        for code, value in sums.items():
            if pd.notna(value) and value > result.get(code, (0.0, ""))[0]:
                result[code] = (float(value), source)
    table = muni.municipality_table()
    for code, a, b in zip(table["gm_code"], table["pop_0_14_2020"], table["pop_15_24_2020"],
                          strict=True):
        value = float(a) + float(b)
        if pd.notna(value) and value > result.get(code, (0.0, ""))[0]:
            result[code] = (value, "CBS KWB 2020")
    return result


def young_population(code: str) -> tuple[float | None, str]:
    """(inhabitants of 0-24, 'Vlieland van 0-24 jaar (CBS KWB 2022)'): an upper bound for any
    count of young people in the municipality; (None, '') when unknown."""
    found = _young_table().get(code)
    if found is None:
        return None, ""
    name = muni.names_2024().get(code, code)
    return found[0], f"{name} van 0-24 jaar ({found[1]})"


def cbs_young_in_care(code: str, year: int) -> tuple[float, str] | None:
    """CBS's count of young people with jeugdzorg in natura of a municipality in a year, with
    its source ('CBS 85335NED 2022'), or None."""
    frame = all_figures()
    rows = frame[(frame["region"] == code) & (frame["key"] == "jongeren_natura")
                 & (frame["year"] == year) & frame["value"].notna()]
    if rows.empty:
        return None
    return float(rows["value"].iloc[0]), str(rows["source"].iloc[0])


# -- wijken --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _wijk_wide() -> pd.DataFrame:
    with _open(WIJK_FILE) as fh:
        return pd.read_csv(fh, dtype={"wijk_code": str, "wijk_name": str, "gm_code_2021": str,
                                      "gm_code": str}, keep_default_na=False, na_values=[""])


def wijk_figures(area: str) -> pd.DataFrame:
    """85075NED (2021) per wijk of a municipality, long (FIGURE_COLUMNS, level 'wijk').

    Wijk codes are those of 2021 (a wijk of a municipality merged since keeps its old code;
    ``merged_from`` then names the 2021 municipality). Suppressed cells are NaN.
    """
    code = _code(area)
    wide = _wijk_wide()
    wide = wide[wide["gm_code"] == code]
    meta = measures()
    meta = meta[meta["dataset"] == "85075NED_2021"]
    keys = list(meta["key"])
    long = wide.melt(id_vars=["wijk_code", "wijk_name", "gm_code_2021"], value_vars=keys,
                     var_name="key", value_name="value")
    long = long.merge(meta, on="key", how="left")
    long = long.rename(columns={"wijk_code": "region", "wijk_name": "name"})
    long["level"] = "wijk"
    long["year"] = long["period"].astype(int)
    long["source_kind"] = "cbs"
    long["source"] = "CBS " + long["table"] + " " + long["period"]
    long["merged_from"] = [old if old != code else "" for old in long["gm_code_2021"]]
    long["value"] = long["value"].astype(float)
    return long[FIGURE_COLUMNS].sort_values(["region"], kind="stable").reset_index(drop=True)


@lru_cache(maxsize=1)
def _scp() -> pd.DataFrame:
    with _open(SCP_FILE) as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def scp_wijk_figures(area: str) -> pd.DataFrame:
    """SCP 'Jeugdhulp in de wijk' (2020-1): % of young people with jeugdhulp zonder verblijf per
    wijk in 2017 (2017 wijk codes), **not a CBS table** (``source_kind`` 'scp')."""
    code = _code(area)
    rows = _scp()
    rows = rows[rows["gm_code"] == code]
    values = pd.to_numeric(rows["pct_jeugdhulp_zonder_verblijf"].replace("", None))
    return pd.DataFrame({
        "region": rows["wijk_code_2017"], "name": rows["wijk_name"], "level": "wijk",
        "dataset": "SCP2020-1_2017", "table": "SCP 2020-1", "period": "2017", "year": 2017,
        "status": "n.v.t.", "key": "pct_jeugdhulp_zonder_verblijf",
        "label": "Jongeren met jeugdhulp zonder verblijf (% van jongeren, berekend door SCP)",
        "unit": "%", "value": values.astype(float), "additive": False,
        "source": "SCP, Jeugdhulp in de wijk (2020-1), bijlage", "source_kind": "scp",
        "title": "Jeugdhulp in de wijk", "origin": "semkjaer/capybara1.0, "
        "Wijkdata_Jeugdhulp_in_de_wijk.ods",
        "merged_from": [old if old != code else "" for old in rows["gm_code_2017"]],
    }, columns=FIGURE_COLUMNS).reset_index(drop=True)


# -- press figures -------------------------------------------------------------------------------
def press_kind(source_title: str) -> str | None:
    """'persbericht' (a press release, e.g. CBS nieuws), 'nieuwsbericht' (a news article), or
    None for a statistical table (CBS StatLine, NJi)."""
    title = str(source_title or "").strip()
    for prefix, kind in PRESS_KINDS:
        if title.startswith(prefix):
            return kind
    if title.startswith(NEWS_SOURCES) or "nieuws" in title.split(":")[0].lower():
        return "nieuwsbericht"
    return None


@lru_cache(maxsize=1)
def _press_rows() -> pd.DataFrame:
    from jeugdstelsel.data import refdata

    table = refdata.load_figures()
    table = table[table["geo"] != "Nederland"].copy()
    table["source_kind"] = table["source_title"].map(press_kind)
    return table[table["source_kind"].notna()]


@lru_cache(maxsize=1)
def _press_members() -> tuple[tuple[object, frozenset[str]], ...]:
    """Each press row with the codes of the municipalities its ``geo`` names, resolved once
    (resolving every name on every dashboard visit cost 0.1 s of a busy server's time)."""
    out = []
    for r in _press_rows().itertuples():
        members = set()
        for part in str(r.geo).split("/"):
            try:
                members.add(muni.resolve(part)[0])
            except Exception:  # a province or a name outside the 2024 division
                continue
        out.append((r, frozenset(members)))
    return tuple(out)


def press_figures(area: str) -> pd.DataFrame:
    """Figures about this municipality from news articles or press releases (``figures.csv``).

    A row about several municipalities ('Tiel/Terneuzen': "more than 22%") belongs to each.
    ``source_kind`` is 'nieuwsbericht' or 'persbericht', ``status`` as published; such figures
    are often rounded or bounds (``key`` ending in _gt/_lt/_low/_high) and never CBS figures.
    """
    code = _code(area)
    rows = []
    for r, members in _press_members():
        if code not in members:
            continue
        unit = "%" if "pct" in r.series else ("euro" if "cost" in r.series else "personen")
        rows.append({
            "region": code, "name": muni.names_2024().get(code, code), "level": "gemeente",
            "dataset": f"pers_{r.series}", "table": "", "period": str(r.period),
            "year": int(str(r.period)[:4]), "status": r.status, "key": r.series,
            "label": PRESS_LABELS.get(r.series, r.series),
            "unit": unit, "value": float(r.value), "additive": False,
            "source": f"{r.source_kind}: {r.source_title}", "source_kind": r.source_kind,
            "title": r.source_title, "origin": str(r.source_url), "merged_from": "",
        })
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)
