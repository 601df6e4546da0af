"""Time the engine beside PySD on the same model: one area, ten years monthly.

Run:  .venv/bin/python benchmarks/bench_pysd.py [--pysd-draws 20] [--repeats 3]

(a) the engine (``core.simulate.simulate``, Numba) with 1 draw and with 1,000 draws, after a
    warm-up call; its compilation is timed separately in a fresh process with an empty Numba
    cache (and, for comparison, with the on-disk cache that normal runs use);
(b) PySD 3.14 on the Vensim file that ``benchmarks/pysd_model.py`` generates: translation
    (``pysd.read_vensim``: parse, write Python, load), loading the translated file, one run of
    the calibrated national point estimate, and runs for the first ``--pysd-draws`` of the same
    1,000 parameter draws the engine ran; the time for 1,000 draws is extrapolated from those
    (a PySD run takes tens of seconds, so 1,000 of them would take hours).

Both include the engine's 48-month spin-up (the Vensim file starts at Time = -48). The engine
additionally accumulates its outputs (counts per half-year, costs, referrer mix), which the
Vensim file leaves out. The PySD draws are checked against the engine's stocks for the same
draws. Prints a table; writes benchmarks/out/bench_pysd.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pysd_model as pm

from jeugdstelsel.core import parameters as P
from jeugdstelsel.core.model import PARAMETERS
from jeugdstelsel.core.simulate import simulate

N_DRAWS = 1000
SEED = 20150101

COMPILE_SNIPPET = """
import sys, time
sys.path.insert(0, {bench!r})
t0 = time.perf_counter()
import pysd_model as pm
from jeugdstelsel.core.simulate import simulate
params, inputs = pm.national_case()
ps = pm.engine_params(params)
t1 = time.perf_counter()
simulate(ps, inputs, pm.N_MONTHS)
t2 = time.perf_counter()
simulate(ps, inputs, pm.N_MONTHS)
t3 = time.perf_counter()
print(t2 - t1, t3 - t2)
"""


def _first_call(cache_dir: str | None) -> tuple[float, float]:
    """(first call, second call) of ``simulate`` in a fresh process."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    code = COMPILE_SNIPPET.format(bench=str(Path(__file__).resolve().parent))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    first, second = (float(x) for x in out.stdout.split())
    return first, second


def _timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process: all threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _best(fn, repeats: int) -> tuple[float, float]:
    """The fastest of ``repeats`` calls (by wall time)."""
    return min((_timed(fn) for _ in range(repeats)), key=lambda t: t[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pysd-draws", type=int, default=20, help="PySD runs timed (default 20)")
    ap.add_argument("--repeats", type=int, default=3, help="engine repeats, best taken")
    args = ap.parse_args()

    from jeugdstelsel.services.calibration import load_shipped

    params, inputs = pm.national_case()
    cal = load_shipped()
    draws = P.build(
        PARAMETERS,
        N_DRAWS,
        1,
        np.random.default_rng(SEED),
        point=cal.point,
        posterior=cal.posterior(),
    )
    point = pm.engine_params(params)
    res: dict[str, float | int | str] = {}
    load0 = os.getloadavg()[0]

    # (a) the engine
    with tempfile.TemporaryDirectory() as cache:
        cold_first, cold_second = _first_call(cache)
    warm_first, _ = _first_call(None)
    res["engine_compile_s"] = cold_first - cold_second
    res["engine_first_call_cached_s"] = warm_first
    simulate(point, inputs, pm.N_MONTHS)  # warm-up
    res["engine_1_s"], res["engine_1_cpu_s"] = _best(
        lambda: simulate(point, inputs, pm.N_MONTHS), args.repeats
    )
    res["engine_1000_s"], res["engine_1000_cpu_s"] = _best(
        lambda: simulate(draws, inputs, pm.N_MONTHS), args.repeats
    )
    engine_final = simulate(draws, inputs, pm.N_MONTHS).final_stocks[:, 0]

    # (b) PySD
    with tempfile.TemporaryDirectory() as tmp:
        path = pm.write_model(Path(tmp) / "jeugdstelsel.mdl", params=params, inputs=inputs)
        t = time.perf_counter()
        model = pm.translate(path)
        res["pysd_translate_s"] = time.perf_counter() - t
        with pm.quiet_pysd():
            import pysd

            t = time.perf_counter()
            model = pysd.load(str(path.with_suffix(".py")))
            res["pysd_load_s"] = time.perf_counter() - t
        out: dict[str, np.ndarray] = {}
        res["pysd_1_s"], res["pysd_1_cpu_s"] = _timed(
            lambda: out.setdefault("point", pm.run_pysd(model, params))
        )
        point_stocks = out["point"]
        res["point_max_rel_diff"] = pm.max_relative_difference(
            point_stocks, pm.run_engine(params, inputs)
        )
        n = args.pysd_draws
        diffs, times, cpus = [], [], []
        for i in range(n):
            values = {name: float(draws[name][i, 0]) for name in pm.FLOW_PARAMETERS}
            wall, cpu = time.perf_counter(), time.process_time()
            stocks = pm.run_pysd(model, values)
            times.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            diffs.append(pm.max_relative_difference(stocks, engine_final[i]))
            print(f"  PySD draw {i + 1}/{n}: {times[-1]:.1f} s", file=sys.stderr)
    res["pysd_draws_timed"] = n
    res["pysd_draws_total_s"] = sum(times)
    res["pysd_per_draw_median_s"] = statistics.median(times)
    res["pysd_1000_extrapolated_s"] = sum(times) / n * N_DRAWS
    res["pysd_per_draw_cpu_s"] = sum(cpus) / n
    res["pysd_1000_extrapolated_cpu_s"] = sum(cpus) / n * N_DRAWS
    res["draws_max_rel_diff"] = max(diffs)
    res["load_before"] = load0
    res["load_after"] = os.getloadavg()[0]
    res["cpus"] = os.cpu_count() or 0
    res["python"] = platform.python_version()
    res["numba_threads"] = int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count() or 1))

    per_draw = res["pysd_1_s"] / res["engine_1_s"]
    thousand = res["pysd_1000_extrapolated_s"] / res["engine_1000_s"]
    res["ratio_1_draw"] = per_draw
    res["ratio_1000_draws"] = thousand
    res["ratio_1_draw_cpu"] = res["pysd_1_cpu_s"] / res["engine_1_cpu_s"]
    res["ratio_1000_draws_cpu"] = res["pysd_1000_extrapolated_cpu_s"] / res["engine_1000_cpu_s"]

    nan = float("nan")
    rows = [
        ("engine: compilation (fresh process, empty Numba cache)", res["engine_compile_s"], nan),
        ("engine: first call, on-disk Numba cache", res["engine_first_call_cached_s"], nan),
        ("engine: 1 draw (warm)", res["engine_1_s"], res["engine_1_cpu_s"]),
        (f"engine: {N_DRAWS} draws (warm)", res["engine_1000_s"], res["engine_1000_cpu_s"]),
        ("PySD: translate .mdl (parse, write .py, load)", res["pysd_translate_s"], nan),
        ("PySD: load translated .py", res["pysd_load_s"], nan),
        ("PySD: 1 run (point estimate)", res["pysd_1_s"], res["pysd_1_cpu_s"]),
        (f"PySD: {n} runs (draws 1..{n})", res["pysd_draws_total_s"], sum(cpus)),
        (
            f"PySD: {N_DRAWS} runs (extrapolated from {n})",
            res["pysd_1000_extrapolated_s"],
            res["pysd_1000_extrapolated_cpu_s"],
        ),
    ]
    print(f"\none area (Nederland), 48-month spin-up + {pm.N_MONTHS} months, monthly steps")
    print(f"{'':<56}{'wall s':>12}{'CPU s':>12}")
    for label, wall, cpu in rows:
        print(f"{label:<56}{wall:12.4f}{cpu:12.4f}")
    print(f"\n{'PySD : engine':<30}{'wall':>12}{'CPU':>12}")
    print(f"{'one draw':<30}{per_draw:12,.0f}{res['ratio_1_draw_cpu']:12,.0f}")
    print(f"{f'{N_DRAWS} draws':<30}{thousand:12,.0f}{res['ratio_1000_draws_cpu']:12,.0f}")
    print(
        f"stocks after ten years, max relative difference PySD vs engine: point "
        f"{res['point_max_rel_diff']:.1e}, draws {res['draws_max_rel_diff']:.1e}"
    )
    print(f"load average {load0:.1f} before, {res['load_after']:.1f} after; {res['cpus']} CPUs")
    pm.OUT.mkdir(parents=True, exist_ok=True)
    (pm.OUT / "bench_pysd.json").write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
