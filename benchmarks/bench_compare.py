"""Benchmark: compare 5 scenarios x 1,000 draws x 10 reported years for one municipality.

Target (issue 4): at most 2 s, aim 1 s. Prints wall time and peak memory (Python heap via
tracemalloc, process peak RSS via ``resource``). The engine always simulates from 2015, so the
10 reported years 2024-2033 mean 19 simulated years plus the 4-year spin-up; the 2015-2024 case
(10 simulated years) is timed as well. Run: ``.venv/bin/python benchmarks/bench_compare.py``.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

from jeugdstelsel.services import scenario as S
from jeugdstelsel.services.compare import compare_scenarios

LEVERS = ("", '[[hefbomen]]\nnaam="poh_jeugd"\ndosis=0.6\nstart=2026\n',
          '[[hefbomen]]\nnaam="jeugdhulp_op_school"\ndosis=1.0\nstart=2026\n',
          '[[hefbomen]]\nnaam="meerjarige_contracten"\ndosis=1.0\nstart=2026\n',
          '[[hefbomen]]\nnaam="samenhangende_preventie"\ndosis=0.4\nstart=2026\n')


def scenarios(start: int, end: int, draws: int = 1000):
    head = (f'[periode]\nstart={start}\neind={end}\n[gebied]\ngemeente="Utrecht"\n'
            f'[simulatie]\ntrekkingen={draws}\nzaad=1\n')
    return [(f"s{i}.toml", S.parse(f'[scenario]\nnaam="s{i}"\n' + head + extra))
            for i, extra in enumerate(LEVERS)]


def main() -> None:
    compare_scenarios(scenarios(2024, 2025, draws=10))  # compile / load the kernel cache
    for start, end in ((2024, 2033), (2015, 2024)):
        sc = scenarios(start, end)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            compare_scenarios(sc)
            times.append(time.perf_counter() - t)
        tracemalloc.start()
        compare_scenarios(sc)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"5 scenario's x 1000 trekkingen, jaren {start}-{end}: beste {min(times):.2f} s, "
              f"mediaan {sorted(times)[1]:.2f} s; piek Python-geheugen {peak / 2**20:.0f} MiB, "
              f"piek RSS proces {rss:.0f} MiB", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
