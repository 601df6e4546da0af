"""The embedded national reference figures (CBS/NJi, CC-BY 4.0), shipped inside the package.

``figures.csv`` is a copy of the project's reference set: one published figure per row with its
source, status (definitief / voorlopig / afgeleid) and definition. The tool never reads the
development folder ``../shared``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

FIGURES_FILE = "figures.csv"


@lru_cache(maxsize=1)
def load_figures() -> pd.DataFrame:
    """Return all reference figures as a DataFrame (columns as in the CSV, ``value`` float)."""
    path = resources.files("jeugdstelsel.data") / "refdata" / FIGURES_FILE
    with path.open("rb") as fh:
        frame = pd.read_csv(fh, dtype={"period": str, "category": str})
    frame["category"] = frame["category"].fillna("")
    return frame


def series(name: str, geo: str = "Nederland") -> pd.DataFrame:
    """Rows of one series for one area, sorted by period; prefers `definitief` over `voorlopig`.

    Where a period has several rows, the final figure wins (CBS's final figures come out 1-2%
    higher than provisional ones, DESIGN section 5); among equal status the more precise one
    (fewer rounding zeros: 7,475 beats a press release's "ruim 7 duizend" = 7,000, whose
    rounding would otherwise read as a 12% fall and a 14% rise in jeugdreclassering); among
    equals the first row in the file wins. A fresh copy each call: callers may change it.
    """
    rows = _by_series(id(load_figures())).get((name, geo))
    if rows is None:
        return load_figures().iloc[0:0].reset_index(drop=True)
    return rows.copy()


def rounding_zeros(value: float) -> int:
    """Trailing zeros of a whole number (7,000: 3; 7,475: 0); 0 for fractions and zero."""
    if value != int(value) or value == 0:
        return 0
    n, v = 0, abs(int(value))
    while v % 10 == 0:
        v //= 10
        n += 1
    return n


@lru_cache(maxsize=2)
def _by_series(_key: int) -> dict[tuple[str, str], pd.DataFrame]:
    """Every (series, area) once, deduplicated as :func:`series` describes: a run reads some
    fifty series, and filtering the whole table for each took a tenth of a second or more.
    Keyed by the loaded table's identity, so a reloaded (or, in a test, replaced) table is
    grouped anew."""
    rank = {"definitief": 0, "afgeleid": 1, "voorlopig": 2}
    frame = load_figures().copy()
    frame["_rank"] = frame["status"].map(rank).fillna(3)
    frame["_zeros"] = frame["value"].map(rounding_zeros)
    frame = frame.sort_values(["series", "geo", "period", "category", "_rank", "_zeros"],
                              kind="stable")
    frame = frame.drop_duplicates(["series", "geo", "period", "category"], keep="first")
    frame = frame.drop(columns=["_rank", "_zeros"])
    return {key: rows.reset_index(drop=True) for key, rows in frame.groupby(["series", "geo"],
                                                                              sort=False)}


def annual(name: str, geo: str = "Nederland") -> dict[int, tuple[float, str]]:
    """Calendar-year values of a series as ``{year: (value, status)}`` (category-less rows)."""
    rows = series(name, geo)
    rows = rows[(rows["category"] == "") & rows["period"].str.fullmatch(r"\d{4}")]
    columns = zip(rows["period"], rows["value"], rows["status"], strict=True)
    return {int(p): (float(v), s) for p, v, s in columns}
