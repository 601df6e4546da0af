"""How reliable each forecast series is: the backtest's verdict, shipped beside the calibration.

A forecast is a claim, so every command that shows one says how well the same model did when
it was tried against what happened next (``jeugdstelsel toets``: rolling origins, each fitted
only on the figures published by then, one and two years ahead, against a trend line and
"last year repeated"). The verdict per series is made by
:func:`jeugdstelsel.services.backtest.reliability_table` and stored in
``data/calibration/betrouwbaarheid.json`` by ``jeugdstelsel toets --bewaar-oordeel``
(``scripts/calibrate_national.sh`` regenerates it with the calibration). The file names the
figures it was made with; when the embedded figures change, the verdict is shown as outdated
rather than silently reused.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from jeugdstelsel.errors import OutputError
from jeugdstelsel.numbers import nl_number

FILE = "betrouwbaarheid.json"
LABELS_NL = {"goed": "goed", "matig": "matig", "zwak": "zwak", "onbekend": "onbekend"}


@dataclass(frozen=True)
class Reliability:
    """The shipped verdicts: per series its label and scores, and what they were made with."""

    series: dict[str, dict]
    origins: list[int]
    horizon: int
    figures_hash: str
    version: str
    current: bool = field(default=True)  # made with the figures embedded now

    def label(self, key: str) -> str | None:
        """``goed``/``matig``/``zwak``/``onbekend``, or None if the backtest has no such series."""
        row = self.series.get(key)
        return row["oordeel"] if row else None

    def short(self, key: str) -> str:
        """For a table header: 'toets: zwak' (and 'verouderd' when the figures changed)."""
        label = self.label(key)
        if label is None:
            return ""
        return f"toets: {label}" + ("" if self.current else " (verouderd)")

    def line(self, key: str, name: str) -> str:
        """One sentence in Dutch: the label and the errors it rests on."""
        row = self.series.get(key)
        if row is None:
            return f"{name}: niet getoetst."
        if row["oordeel"] == "onbekend":
            return f"{name}: onbekend (te weinig gepubliceerde cijfers om te toetsen)."
        return (f"{name}: {row['oordeel']} — fout 1-{self.horizon} jaar vooruit "
                f"{nl_number(row['mape_model'], 1)}% tegen trendlijn "
                f"{nl_number(row['mape_trend'], 1)}% en vorig jaar herhaald "
                f"{nl_number(row['mape_vorig_jaar'], 1)}%; 80%-band bevatte "
                f"{nl_number(100 * row['dekking_80'], 0)}% van de cijfers.")

    def source(self) -> str:
        """Where the verdicts come from, for a footnote."""
        years = f"{self.origins[0]}-{self.origins[-1]}" if self.origins else "?"
        note = "" if self.current else (" Let op: gemaakt met oudere cijfers dan nu ingebed; "
                                        "draai `jeugdstelsel toets --bewaar-oordeel` opnieuw.")
        return (f"Betrouwbaarheid volgens `jeugdstelsel toets` (oorsprongen {years}, 1-"
                f"{self.horizon} jaar vooruit, tegen trendlijn en vorig jaar herhaald).{note}")

    def as_dict(self) -> dict:
        return {"reeksen": self.series, "oorsprongen": self.origins, "horizon": self.horizon,
                "cijfers_hash": self.figures_hash, "versie": self.version,
                "actueel": self.current}


def shipped_path() -> Path:
    """Where the package keeps the verdicts (beside the national calibration)."""
    return Path(str(resources.files("jeugdstelsel.data") / "calibration" / FILE))


def save(path: Path, table: dict[str, dict], origins: list[int], horizon: int) -> Path:
    """Store a backtest's verdicts with the figures and version they were made with."""
    from jeugdstelsel import __version__
    from jeugdstelsel.services.provenance import figures_vintage

    data = {"reeksen": table, "oorsprongen": [int(o) for o in origins], "horizon": horizon,
            "cijfers_hash": figures_vintage()[1], "versie": __version__}
    path = writable(path)
    try:
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: het oordeel kon niet worden bewaard ({exc.strerror}).") from exc
    return path


def writable(path: Path) -> Path:
    """``path`` if its folder exists and is not a folder itself; else a Dutch ``OutputError``
    (checked before the backtest runs, so no minutes are spent on a path that cannot work)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is een map; geef een bestandsnaam (bijvoorbeeld "
                          "betrouwbaarheid.json).")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: de map {path.parent} bestaat niet.")
    return path


@functools.cache
def shipped() -> Reliability | None:
    """The verdicts shipped in the package (None if there are none: say so, never guess).

    Read once per process: ``draai`` asks for them in its tables, chart and meta.json."""
    from jeugdstelsel.services.provenance import figures_vintage

    ref = resources.files("jeugdstelsel.data") / "calibration" / FILE
    if not ref.is_file():
        return None
    data = json.loads(ref.read_text(encoding="utf-8"))
    return Reliability(data["reeksen"], data["oorsprongen"], int(data["horizon"]),
                       data["cijfers_hash"], data["versie"],
                       current=data["cijfers_hash"] == figures_vintage()[1])
