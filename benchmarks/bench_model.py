"""Benchmark of the core engine (issue 3 targets), run as a script, never as a test.

    .venv/bin/python benchmarks/bench_model.py

Each case runs in a fresh subprocess so that peak memory (ru_maxrss) belongs to that case
alone; Numba compilation is measured separately (first call) and excluded from the timings,
which are the best of several repetitions.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

CASES = {
    "een_gebied_1000_trekkingen": {"draws": 1000, "areas": 1, "years": 10},
    "alle_342_gemeenten_100_trekkingen": {"draws": 100, "areas": 342, "years": 10},
}


def _case(draws: int, areas: int, years: int, repeats: int = 3) -> dict:
    import resource

    import numpy as np

    from jeugdstelsel.core import parameters as P
    from jeugdstelsel.core.model import PARAMETERS
    from jeugdstelsel.core.simulate import simulate
    from jeugdstelsel.services.calibration import load_shipped
    from jeugdstelsel.services.inputs import municipal_inputs, national_inputs

    if areas == 1:
        inputs, _ = national_inputs(2015, 2015 + years - 1)
    else:
        inputs = municipal_inputs(None, 2015, 2015 + years - 1)
    cal = load_shipped()
    params = P.build(PARAMETERS, draws, areas, np.random.default_rng(0), point=cal.point,
                     posterior=cal.posterior())
    t0 = time.perf_counter()
    small = P.build(PARAMETERS, 2, areas, None)
    simulate(small, inputs, 12)
    compile_s = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        simulate(params, inputs, years * 12)
        times.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall_s_best": min(times), "wall_s_all": times, "first_call_s": compile_s,
            "peak_rss_mb": peak_mb}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--case":
        print(json.dumps(_case(**json.loads(sys.argv[2]))))
        return
    import numba

    print(f"machine: {numba.config.NUMBA_NUM_THREADS} threads (Numba)")
    for name, spec in CASES.items():
        out = subprocess.run([sys.executable, __file__, "--case", json.dumps(spec)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name}: {spec} -> {result['wall_s_best']:.3f} s (best of "
              f"{len(result['wall_s_all'])}), eerste aanroep incl. compilatie/cache "
              f"{result['first_call_s']:.2f} s, piekgeheugen {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
