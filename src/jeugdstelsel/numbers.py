"""Dutch number notation, shared by every interface (CLI, web, charts, reports).

Thousands are separated by a dot and decimals by a comma: 476.560 and 12,5. Missing and
infinite values get a placeholder instead of "nan"/"inf".
"""

from __future__ import annotations

import math

_SWAP = str.maketrans(",.", ".,")


def nl_number(value: float | None, decimals: int = 0, signed: bool = False, *,
              missing: str = "-") -> str:
    """``value`` with ``decimals`` decimals in Dutch notation; ``signed`` always shows + or -."""
    if value is None or not math.isfinite(value):
        return missing
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    return text.translate(_SWAP)
