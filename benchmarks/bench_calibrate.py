"""Benchmark: the joint (pooled) calibration of all 342 municipalities, and a municipal run.

Why: `jeugdstelsel kalibreer alle` must fit every municipality together within two minutes on a
2-core machine (issue 15), and a municipal scenario with the pooled calibration must stay as
fast as one without. Measures what the user waits for: the whole fit (engine rounds plus the
estimation) and one run of Tiel, repeated; medians and the machine load are printed.

Run: ``.venv/bin/python benchmarks/bench_calibrate.py [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from jeugdstelsel.services import municipal_calibration as mc
from jeugdstelsel.services.run import run
from jeugdstelsel.services.scenario import validate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"belasting (1/5/15 min): {os.getloadavg()}")
    fits = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        _result, timings = mc.fit_all()
        fits.append(time.perf_counter() - start)
        print(f"alle gemeenten gezamenlijk: {fits[-1]:.1f} s (rondes {timings['rondes']}, "
              f"rekenmodel {timings['rekenmodel_s']} s, schatten {timings['schatten_s']} s)")
    print(f"mediaan {statistics.median(fits):.1f} s over {len(fits)} keer")
    tiel = validate({"gebied": {"gemeente": "Tiel"}, "periode": {"start": 2024, "eind": 2030},
                     "simulatie": {"trekkingen": 1000, "zaad": 1}}, "bench")
    run(tiel)  # warm-up: compiled kernel from the cache, inputs, calibration file
    times = []
    for _ in range(max(args.repeats, 3)):
        start = time.perf_counter()
        run(tiel)
        times.append(time.perf_counter() - start)
    print(f"draai Tiel 2015-2030, 1.000 trekkingen (gepoolde kalibratie): mediaan "
          f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")
    print(f"belasting (1/5/15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
