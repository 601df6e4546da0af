"""Benchmark of the national sweep: wall time, peak memory per worker, scaling, MALLOC_TRIM, Numba.

Default size is the issue's target: 342 municipalities x 5 scenarios x 1,000 draws x 10 years
(2021-2030; the model runs from 2015 plus a 4-year spin-up). ``--draws 50`` measures a
fraction and extrapolates linearly (cells are independent, so time scales with cells).

    .venv/bin/python benchmarks/bench_sweep.py --draws 50 --workers 1,2
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

# A package of measures as a ministry would sweep it: the reference and four lever scenarios
# from the lever library, starting in 2025 (draws share the years before that on common random
# numbers, which the engine exploits).
SCENARIOS = {
    "referentie": [],
    "poh_jeugd": [("poh_jeugd", 0.6)],
    "school": [("jeugdhulp_op_school", 1.0)],
    "contracten": [("meerjarige_contracten", 1.0)],
    "nazorg": [("intensieve_hulp_nazorg", 0.5)],
}
LEVER_START = 2025


def write_scenarios(folder: Path, draws: int) -> list[Path]:
    files = []
    for name, levers in SCENARIOS.items():
        text = (f'[scenario]\nnaam = "{name}"\n[periode]\nstart = 2021\neind = 2030\n'
                f"[simulatie]\ntrekkingen = {draws}\nzaad = 1\n")
        for lever, dose in levers:
            text += f'[[hefbomen]]\nnaam = "{lever}"\ndosis = {dose}\nstart = {LEVER_START}\n'
        path = folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def one(plan, out: Path, workers: int, *, malloc_trim: bool = False,
        numba_threads: int | None = None) -> dict:
    from distributed import Client

    from jeugdstelsel.services.sweep import close_cluster, local_cluster, run_sweep

    shutil.rmtree(out, ignore_errors=True)
    cluster = local_cluster(workers, malloc_trim=malloc_trim, numba_threads=numba_threads)
    client = Client(cluster)
    try:
        client.run(lambda: None)  # workers up before the clock starts
        busy = []
        t0, driver0 = time.perf_counter(), time.process_time()
        cpu0 = _children_cpu(client)
        report = run_sweep(plan, out, client=client, on_chunk=lambda p: busy.append(p.seconds))
        wall, driver = time.perf_counter() - t0, time.process_time() - driver0
        cpu = _children_cpu(client) - cpu0
    finally:
        close_cluster(cluster, client)
    # Driver CPU (this process: scheduler, client, folding and writing) per chunk bounds how
    # many chunks per second any number of workers can be fed.
    return {"wall": wall, "cpu": cpu, "chunk_seconds": sum(busy), "driver": driver,
            "driver_ms_per_chunk": 1000 * driver / max(1, len(busy)),
            "peak_mib": max(report.peak_rss_per_worker.values()) / 2**20,
            "partitions": report.partitions_computed}


def _children_cpu(client) -> float:
    import psutil

    def cpu() -> float:
        t = psutil.Process().cpu_times()
        return t.user + t.system

    return sum(client.run(cpu).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--gemeenten", type=int, default=342)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--skip-pitfalls", action="store_true")
    args = parser.parse_args()

    from jeugdstelsel.data.municipalities import municipality_table
    from jeugdstelsel.services.sweep import plan as make_plan

    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    codes = list(municipality_table()["gm_code"])[: args.gemeenten]
    plan = make_plan(write_scenarios(tmp, args.draws), codes=codes)
    cells = len(codes) * len(plan.names) * plan.draws
    target_cells = 342 * 5 * 1000
    print(f"cores: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}; "
          f"{len(codes)} municipalities x {len(plan.names)} scenarios x {plan.draws} draws x "
          f"{plan.n_years} years = {cells} cells, {len(plan.chunks())} chunks "
          f"({plan.block} municipalities x {plan.chunk_draws} draws)")
    results = {}
    for n in [int(x) for x in args.workers.split(",")]:
        # One core per worker: the scaling curve compares n single-threaded workers with one
        # (a lone worker would otherwise take every core through Numba's threads).
        r = one(plan, tmp / f"w{n}", n, numba_threads=1)
        results[n] = r
        base = results[min(results)]
        eff = base["wall"] * min(results) / (n * r["wall"])
        print(f"workers={n}: wall {r['wall']:.1f} s, worker CPU {r['cpu']:.1f} s, "
              f"peak RSS/worker {r['peak_mib']:.0f} MiB, efficiency {eff:.0%}, "
              f"extrapolated to the target size {r['wall'] * target_cells / cells:.0f} s "
              f"(CPU {r['cpu'] * target_cells / cells:.0f} s), "
              f"{r['cpu'] / cells / (plan.n_months + 48) * 1e6:.2f} us CPU per cell-month, "
              f"driver CPU {r['driver']:.1f} s ({r['driver_ms_per_chunk']:.0f} ms per chunk)")
    if args.skip_pitfalls:
        return
    n = max(results)
    for label, kwargs in (("MALLOC_TRIM_THRESHOLD_=65536 (nanny default)",
                           {"malloc_trim": True}),
                          ("MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ 1 GiB (ours)", {}),
                          (f"Numba {os.cpu_count()} threads per worker (oversubscribed)",
                           {"numba_threads": os.cpu_count()}),
                          (f"1 worker, Numba {os.cpu_count()} threads", {"workers": 1})):
        workers = kwargs.pop("workers", n)
        r = one(plan, tmp / "p", workers, **kwargs)
        print(f"{label}, workers={workers}: wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s, "
              f"peak {r['peak_mib']:.0f} MiB")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
