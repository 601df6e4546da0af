"""Time the import of a municipality's own figures: one municipality, then all 342.

Run:  .venv/bin/python benchmarks/bench_import.py            (a fresh SQLite file in a temp dir)
      DATABASE_URL=postgres://... .venv/bin/python benchmarks/bench_import.py   (PostgreSQL)

The files are generated with synthetic counts (a benchmark needs volume, not real figures) and
imported into a throw-away store; nothing touches the user's own database unless DATABASE_URL
points at it. Prints wall-clock seconds per step.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PERIODS = [str(y) for y in range(2015, 2024)]
VORMEN = ["totaal", "wijkteam", "zonder_verblijf", "met_verblijf", "jeugdbescherming",
          "jeugdreclassering"]
MATEN = ["jongeren", "trajecten_gestart"]
VERWIJZERS = ["", "gemeente", "huisarts", "jeugdarts"]


def write_file(path: Path, codes: list[str]) -> int:
    """A semicolon CSV with one row per municipality x period x form x measure x referrer."""
    lines = ["gemeente;periode;vorm;maat;verwijzer;aantal;definitie"]
    n = 0
    for i, code in enumerate(codes):
        for period in PERIODS:
            for j, vorm in enumerate(VORMEN):
                for maat in MATEN:
                    for k, verwijzer in enumerate(VERWIJZERS):
                        count = (i * 7 + int(period) * 3 + j * 11 + k * 5) % 900 + 5
                        lines.append(f"{code};{period};{vorm};{maat};{verwijzer};{count};lokaal")
                        n += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def timed(label: str, func):
    start = time.perf_counter()
    result = func()
    print(f"{label:<55} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="jeugdstelsel-bench-"))
    os.environ.setdefault("JEUGDSTELSEL_HOME", str(work / "home"))
    from jeugdstelsel.data import importers, store_service
    from jeugdstelsel.data.municipalities import municipality_table

    backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"store: {backend}; files in {work}")
    timed("eerste gebruik: migraties + gemeenten", store_service.ensure_db)
    codes = list(municipality_table()["gm_code"])

    one = work / "een_gemeente.csv"
    rows_one = write_file(one, codes[:1])
    timed(f"import 1 gemeente ({rows_one} regels)", lambda: importers.import_file(one))
    timed("zelfde bestand opnieuw (geen wijziging)", lambda: importers.import_file(one))

    everyone = work / "alle_gemeenten.csv"
    rows_all = write_file(everyone, codes)
    label = f"import {len(codes)} gemeenten ({rows_all} regels)"
    result = timed(label, lambda: importers.import_file(everyone))
    print(f"  {result.created} nieuw, {result.updated} bijgewerkt")
    timed("alle gemeenten opnieuw (geen wijziging)", lambda: importers.import_file(everyone))
    timed("eigen cijfers van 1 gemeente lezen", lambda: store_service.local_figures(codes[0]))


if __name__ == "__main__":
    main()
