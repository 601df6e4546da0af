"""Tables for people: CSV files that Dutch Excel opens as they are.

``;`` between fields, a decimal comma, UTF-8 with a byte-order mark (so Excel reads é and ë),
and never a negative zero. The machine-readable files (``results.csv``, Parquet) keep ``,``
and ``.``; these are the ones to double-click.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jeugdstelsel.numbers import no_negative_zero

SEPARATOR = ";"
DECIMAL = ","
ENCODING = "utf-8-sig"


def for_people(frame: pd.DataFrame, decimals: int | None = None) -> pd.DataFrame:
    """A copy with every float column free of -0.0 (and rounded to ``decimals`` if given)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            values = out[col].to_numpy(dtype=float)
            if decimals is not None:
                values = np.round(values, decimals)
            out[col] = no_negative_zero(values)
    return out


def write_excel_csv(frame: pd.DataFrame, path: Path, decimals: int | None = None) -> Path:
    """Write ``frame`` as a CSV for Excel (module docstring); returns ``path``."""
    for_people(frame, decimals).to_csv(path, index=False, sep=SEPARATOR, decimal=DECIMAL,
                                       encoding=ENCODING)
    return Path(path)


def read_excel_csv(path: Path) -> pd.DataFrame:
    """Read a file written by :func:`write_excel_csv` back (for tests and scripts)."""
    return pd.read_csv(path, sep=SEPARATOR, decimal=DECIMAL, encoding=ENCODING)
