"""Dutch number notation, shared by every interface (CLI, web, charts, reports).

Thousands are separated by a dot and decimals by a comma: 476.560 and 12,5. Missing and
infinite values get a placeholder instead of "nan"/"inf". A value that rounds to zero is
printed as 0 (never "-0" or "-0,0"); with ``signed`` it gets no sign at all, because a
difference of zero is neither a rise nor a fall.
"""

from __future__ import annotations

import math

_SWAP = str.maketrans(",.", ".,")


def nl_number(value: float | None, decimals: int = 0, signed: bool = False, *,
              missing: str = "-") -> str:
    """``value`` with ``decimals`` decimals in Dutch notation; ``signed`` shows + or -."""
    if value is None:
        return missing
    value = float(value)
    if not math.isfinite(value):
        return missing
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # -0.4 -> "0", -0.0 -> "0"
    is_zero = not text.strip("0.,")
    if signed and not is_zero and not text.startswith("-"):
        text = "+" + text
    return text.translate(_SWAP)


def no_negative_zero(values):
    """``values`` (a float or NumPy array) with -0.0 turned into 0.0; other values unchanged.

    Why: adding +0.0 is the IEEE way to clear the sign of a zero without touching anything
    else, so files and charts never show "-0".
    """
    return values + 0.0
