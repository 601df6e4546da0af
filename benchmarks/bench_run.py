"""Benchmark: the whole `jeugdstelsel run` and `jeugdstelsel compare` commands, as a user runs them.

Targets (issue 13, item 7), on the 2-core machine, after the first call (Numba cache warm):

* ``jeugdstelsel run --out DIR`` (Netherlands 2015-2030, 1,000 draws, writes results.csv,
  results.parquet, resultaten_excel.csv, grafiek.png, scenario.toml, meta.json): <= 2 s;
* ``jeugdstelsel compare examples/basis.toml examples/raadsvraag.toml --out DIR``: <= 3 s.

Part 1 runs each command as a subprocess ``--repeat`` times (after one warm-up call) and prints
the median, min and max wall time, plus the median CPU time of the child (user + system): on a
shared machine the wall time grows with the load, the CPU time much less, so both are shown
together with the load average. Part 2 breaks one run and one comparison down in-process
(import, simulate, summarise, write, chart, and the CLI's table printing).

Run: ``.venv/bin/python benchmarks/bench_run.py [--repeat 5] [--no-breakdown]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("jeugdstelsel")
EXAMPLES = ROOT / "examples"


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, child CPU) seconds of one subprocess; raises if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, "COLUMNS": "160"})
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} faalde:\n{proc.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def commands(out: Path) -> dict[str, list[str]]:
    exe = str(EXE) if EXE.exists() else None
    base = [exe] if exe else [sys.executable, "-m", "jeugdstelsel.cli"]
    return {
        "run (1.000 trekkingen, bestanden + grafiek)": [*base, "run", "--out", str(out / "run")],
        "run --stil (zonder tabellen)": [*base, "run", "--stil", "--out", str(out / "stil")],
        "run --draws 10": [*base, "run", "--draws", "10", "--out", str(out / "run10")],
        "compare basis raadsvraag --out": [*base, "compare", str(EXAMPLES / "basis.toml"),
                                           str(EXAMPLES / "raadsvraag.toml"), "--out",
                                           str(out / "vergelijking")],
    }


REFERENCE = ("import time, hashlib; t = time.perf_counter(); "
             "[hashlib.sha256(str(i).encode()).digest() for i in range(300_000)]; "
             "print(time.perf_counter() - t)")


def reference_seconds() -> float:
    """A fixed piece of single-core Python work in a fresh interpreter (median of 3): how fast
    this (virtual) machine is right now. The same code's timings differ by a third between a
    quiet and a busy host; quoting this beside them makes runs comparable."""
    runs = [float(subprocess.run([sys.executable, "-c", REFERENCE], capture_output=True,
                                 text=True, check=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def part1(repeat: int) -> None:
    print(f"Belasting (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} kernen; referentie (vaste rekenlus) {reference_seconds():.3f} s")
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        out = Path(tmp)
        for name, cmd in commands(out).items():
            _timed(cmd, out)  # warm-up: Numba cache, file system cache
            walls, cpus = [], []
            for _ in range(repeat):
                w, c = _timed(cmd, out)
                walls.append(w)
                cpus.append(c)
            print(f"{name:45s} mediaan {statistics.median(walls):5.2f} s  min "
                  f"{min(walls):5.2f}  max {max(walls):5.2f}  (CPU mediaan "
                  f"{statistics.median(cpus):5.2f} s, n={repeat})", flush=True)
    print(f"Referentie na afloop: {reference_seconds():.3f} s")


BREAKDOWN = r'''
import io, json, sys, time, contextlib
from pathlib import Path
t0 = time.perf_counter()
import jeugdstelsel.cli  # the CLI's own imports (typer, rich, command modules)
t1 = time.perf_counter()
from jeugdstelsel.services import results
from jeugdstelsel.services.run import run
from jeugdstelsel.services.scenario import parse
t2 = time.perf_counter()
out = Path(sys.argv[1])
spec = parse("", "standaardscenario")
t3 = time.perf_counter()
res = run(spec)
t4 = time.perf_counter()
frame = results.table(res)
t5 = time.perf_counter()
from jeugdstelsel.reports.files import prepare_output
from jeugdstelsel.reports.tables import write_excel_csv
folder = prepare_output(out / "run", overwrite=True)
timings = {}
with folder.writing() as tmp:
    s = time.perf_counter()
    frame.to_csv(tmp / "results.csv", index=False)
    frame.to_parquet(tmp / "results.parquet", index=False)
    write_excel_csv(results.excel_table(frame), tmp / "resultaten_excel.csv")
    (tmp / "meta.json").write_text(json.dumps(results.meta(res), ensure_ascii=False))
    timings["schrijven (csv, parquet, excel-csv, meta)"] = time.perf_counter() - s
    s = time.perf_counter()
    import matplotlib.figure  # noqa: F401
    timings["  import matplotlib"] = time.perf_counter() - s
    s = time.perf_counter()
    results.chart(res, frame, tmp / "grafiek.png")
    timings["grafiek tekenen"] = time.perf_counter() - s
s = time.perf_counter()
print_tables = None
try:
    from jeugdstelsel.cli.model_cmds import print_tables
except ImportError:
    pass
if print_tables is not None:
    import inspect
    with contextlib.redirect_stdout(io.StringIO()):
        from jeugdstelsel.cli import model_cmds
        model_cmds.console.file = io.StringIO()
        years = list(res.years)
        if "summary_years" in dir(model_cmds):
            years = model_cmds.summary_years(res.years, spec)
        print_tables(frame, years)
    timings["tabellen tonen (CLI, print_tables)"] = time.perf_counter() - s
rows = {"import jeugdstelsel.cli": t1 - t0, "import services (run, results)": t2 - t1,
        "simuleren (run)": t4 - t3, "samenvatten (table)": t5 - t4, **timings}
for k, v in rows.items():
    print(f"  {k:45s} {v:6.3f} s")

from jeugdstelsel.reports.bundle import write_comparison
from jeugdstelsel.services import scenario as S
from jeugdstelsel.services.compare import compare_scenarios
pairs = [(str(p), S.load(p)) for p in (Path(sys.argv[2]) / "basis.toml",
                                       Path(sys.argv[2]) / "raadsvraag.toml")]
s = time.perf_counter()
comp = compare_scenarios(pairs, per_lever=True)
c1 = time.perf_counter()
folder = prepare_output(out / "vergelijking", overwrite=True)
with folder.writing() as tmp:
    write_comparison(comp, tmp, 2026)
c2 = time.perf_counter()
print(f"  {'vergelijken (compare_scenarios, per hefboom)':45s} {c1 - s:6.3f} s")
print(f"  {'vergelijking schrijven (tabellen, 3 grafieken)':45s} {c2 - c1:6.3f} s")
'''


def part2() -> None:
    print("Opbouw in één proces (één keer, na de warming-up):")
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        proc = subprocess.run([sys.executable, "-c", BREAKDOWN, tmp, str(EXAMPLES)],
                              cwd=tmp, capture_output=True, text=True)
        print(proc.stdout, end="")
        if proc.returncode:
            print(proc.stderr[-3000:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-breakdown", action="store_true")
    args = ap.parse_args()
    if shutil.which(str(EXE)) is None and not EXE.exists():
        print(f"let op: {EXE} niet gevonden, gebruik python -m jeugdstelsel.cli")
    part1(args.repeat)
    if not args.no_breakdown:
        part2()


if __name__ == "__main__":
    main()
